"""Application logs never carry member names, birth dates, addresses or identifiers."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace

import orjson
import pytest

from adapter.api import create_app
from adapter.config import SAMPLES_DIR
from adapter.security.logsafe import install_log_redaction

MASSHEALTH = "https://www.mass.gov/masshealth/member-id"


def _sample_members() -> list[dict]:
    export = json.loads((SAMPLES_DIR / "plan-export.json").read_text(encoding="utf-8"))
    return [record["member"] for record in export["members"]]


def _protected_strings() -> set[str]:
    found = set()
    for member in _sample_members():
        found |= {member["name"]["family"], *member["name"]["given"], member["birth_date"]}
        found.add(member["masshealth_id"])
        found.add(member["member_id"])
        for address in member.get("addresses") or []:
            found |= set(address.get("line") or [])
    return {text for text in found if len(text) > 2}


class _LeakyStore:
    """A store whose failure message quotes member data, as a driver error might."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def read(self, *_args):
        raise RuntimeError(self.secret)

    def add_listener(self, _listener):
        """The exchange's outbox listeners attach at start-up; nothing is written here."""


@pytest.fixture
def captured(caplog):
    caplog.set_level(logging.DEBUG)
    install_log_redaction([caplog.handler])
    return caplog


def _exercise(world, member: dict) -> None:
    http, headers = world.client(), world.headers("plan")
    family, birth = member["name"]["family"], member["birth_date"]
    line = member["addresses"][0]["line"][0]
    queries = [
        f"/fhir/Patient?name={family}&birthdate={birth}",
        f"/fhir/Patient?identifier={MASSHEALTH}|{member['masshealth_id']}",
        f"/fhir/Patient?address={line}&unknown-param={family}",
        f"/fhir/Patient?birthdate=not-a-date-{family}",
        f"/fhir/Patient/mbr-{member['member_id'].lower()}",
        f"/fhir/Patient/mbr-{member['member_id'].lower()}/_history/99",
    ]
    for url in queries:
        http.get(url, headers=headers)
    json_headers = {**headers, "Content-Type": "application/fhir+json"}
    bad = {"resourceType": "Patient", "name": [{"family": family}], "birthDate": birth, "x": line}
    http.post("/fhir/Patient", data=orjson.dumps(bad), headers=json_headers)
    http.post("/fhir/Patient", data=f'{{"name": "{family}", ', headers=json_headers)
    http.get(f"/fhir/Patient?name={family}")  # no token


def test_logs_hold_no_member_data_through_api_traffic_and_errors(world, captured):
    members = _sample_members()
    for member in members[:5]:
        _exercise(world, member)
    first = members[0]
    secret = " ".join([*first["name"]["given"], first["name"]["family"], first["birth_date"]])
    secret += f" {first['masshealth_id']} '{first['addresses'][0]['line'][0]}'"
    settings = replace(world.settings, auth_mode="off", audit_mode="off")
    failing = create_app(settings, store=_LeakyStore(secret), validator=object())
    assert failing.test_client().get("/fhir/Patient/mbr-m100001").status_code == 500
    logging.getLogger("adapter.test").warning("member %s born %s", first["member_id"], "1988-07-19")
    world.flush_audit()
    text = captured.text
    assert "unexpected error" in text  # the failure itself is logged, without its data
    leaks = sorted(s for s in _protected_strings() if re.search(rf"\b{re.escape(s)}\b", text))
    assert leaks == []
