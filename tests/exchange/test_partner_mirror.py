"""Every change reaches the partners, whatever made it: after `ingest` of the samples, a partner
registered for all members holds exactly what the adapter holds once the worker drains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from adapter.config import SAMPLES_DIR, Settings
from adapter.exchange.partners import load_registry
from adapter.records import read_exports
from adapter.services import MemberService
from adapter.store import SUPPORTED_TYPES, Store
from tests.exchange.helpers import items, worker
from tests.exchange.processes import start_fhir_server
from tests.processes import stop

pytestmark = pytest.mark.slow
# The member's own resources and the directory entries they name (a Measure is conformance
# content every server serves from its own package, never a member's data).
MIRRORED = tuple(t for t in SUPPORTED_TYPES if t not in ("AuditEvent", "Subscription", "Measure"))


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    process, base = start_fhir_server(tmp_path_factory.mktemp("mirror"))
    yield base
    stop(process)


def partners_file(folder: Path, base: str) -> Path:
    path = folder / "partners.yaml"
    entry = {"id": "mirror", "base_url": base, "resource_types": list(MIRRORED)}
    path.write_text(json.dumps({"partners": [entry]}))  # JSON is YAML
    return path


def held_here(store: Store, resource_type: str) -> dict[str, dict]:
    found, params = {}, [("_count", "1000")]
    while params is not None:
        page = store.search(resource_type, params)
        found |= {m.id: content(m.resource) for m in page.matches}
        params = page.next_params
    return found


def held_there(base: str, resource_type: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    url: str | None = f"{base}/{resource_type}?_count=1000"
    while url:
        bundle = requests.get(url, timeout=30).json()
        found |= {e["resource"]["id"]: content(e["resource"]) for e in bundle.get("entry") or []}
        url = next((x["url"] for x in bundle.get("link") or [] if x["relation"] == "next"), None)
    return found


def content(resource: dict) -> dict:
    """What both sides must agree on: everything but the server's own version stamps."""
    meta = {
        k: v
        for k, v in (resource.get("meta") or {}).items()
        if k not in ("versionId", "lastUpdated")
    }
    return {**{k: v for k, v in resource.items() if k != "meta"}, "meta": meta}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_after_ingest_a_partner_for_all_members_holds_what_the_adapter_holds(
    store, mirror, tmp_path
):
    path = partners_file(tmp_path, mirror)
    settings = Settings(exchange_partners_file=str(path))
    export = read_exports([SAMPLES_DIR / "plan-export.json"]).exports[0]

    # ingest, not the API: the member service itself fills the outbox
    report = MemberService(store, settings).ingest(export)
    assert report.members_rejected == 0
    assert len(items(store)) > 500

    sender = worker(store, *load_registry(path), batch_size=50)
    drained = sender.drain(max_rounds=200, deadline_s=300)
    dead = [i.to_json() for i in items(store) if i.status == "dead"]
    reasons = [
        f"{d['resource']}: {i['diagnostics']}"
        for d in dead
        for i in d["lastError"]["issue"]
        if i["severity"] == "error"
    ]
    assert not reasons, "\n".join(reasons)
    assert drained.dead == 0
    assert {i.status for i in items(store)} == {"delivered"}

    for resource_type in MIRRORED:
        ours, theirs = held_here(store, resource_type), held_there(mirror, resource_type)
        assert sorted(theirs) == sorted(ours), resource_type
        assert theirs == ours, resource_type
