"""The partner registry file: every problem reported at once, secrets never in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.config import PROJECT_ROOT
from adapter.errors import ConfigurationError
from adapter.exchange.partners import load_registry


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "partners.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_registry_loads():
    registry = load_registry(PROJECT_ROOT / "partners.example.yaml")
    kinds = {p.id: p.auth.kind for p in registry}
    assert set(kinds.values()) == {"smart-backend", "client-credentials", "bearer"}
    cbo = next(p for p in registry if p.poll)
    assert cbo.poll.owner.startswith("Organization/")


def test_a_minimal_partner_receives_every_type_and_member(tmp_path):
    registry = load_registry(write(tmp_path, "partners:\n- {id: a, base_url: 'http://x/fhir/'}"))
    partner = registry.get("a")
    assert partner.base_url == "http://x/fhir"
    assert partner.members.everyone
    assert "CarePlan" in partner.resource_types
    assert partner.delivery == "update"


def test_every_problem_is_reported_with_its_location(tmp_path):
    text = """
partners:
- id: a
  base_url: ftp://x
  resource_types: [Patient, Banana]
  delivery: fax
  auth: {kind: smart-backend, client_id: c, alg: HS256}
- base_url: http://y
  auth: {kind: bearer, password: hunter2}
"""
    with pytest.raises(ConfigurationError) as raised:
        load_registry(write(tmp_path, text))
    where = [issue.expression[0] for issue in raised.value.issues]
    assert where == [
        "partners[0].base_url",
        "partners[0].resource_types",
        "partners[0].delivery",
        "partners[0].auth.private_key_file",
        "partners[0].auth.kid",
        "partners[0].auth.alg",
        "partners[1].id",
        "partners[1].auth.password",
    ]


def test_an_unknown_partner_id_names_the_known_ones(tmp_path):
    registry = load_registry(write(tmp_path, "partners:\n- {id: a, base_url: 'http://x'}"))
    with pytest.raises(ConfigurationError, match="known partners: a"):
        registry.get("b")


def test_a_file_without_a_partners_list_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="'partners' list"):
        load_registry(write(tmp_path, "- just a list"))
