"""The closed referral loop end to end (CHOICE, CHOICE-TWO): the adapter delivers the referral to
a CBO's FHIR server running as its own process, and polls the CBO's moves back."""

from __future__ import annotations

import copy
import json

import pytest
import requests

from adapter.config import SAMPLES_DIR, Settings
from adapter.exchange.auth import NoCredentials
from adapter.exchange.delivery import PartnerClient
from adapter.exchange.partners import load_registry
from adapter.exchange.polling import TaskPoller
from adapter.records import read_exports
from adapter.services import MemberService
from adapter.validation import default_validator
from tests.exchange.helpers import items, worker
from tests.exchange.processes import start_fhir_server
from tests.processes import stop

pytestmark = pytest.mark.slow
REFERRAL = "referral-m100010-agency-dds-affiliation"
IO_TYPE = "https://ltsc-adapter.org/fhir/CodeSystem/task-io-type"


@pytest.fixture
def cbo(tmp_path_factory):
    """NSIL's own FHIR server (the project's server, in another process)."""
    process, base = start_fhir_server(tmp_path_factory.mktemp("cbo"))
    yield base
    stop(process)


@pytest.fixture
def adapter(store, cbo, tmp_path):
    """The plan's adapter: M100010 ingested, NSIL registered for its members, polled."""
    path = tmp_path / "partners.yaml"
    entry = {
        "id": "nsil",
        "base_url": cbo,
        "resource_types": ["Task", "ServiceRequest"],
        "members": {"cbos": ["NSIL"]},
        "poll": {"owner": "Organization/cbo-nsil", "interval_s": 1, "overlap_s": 60},
    }
    path.write_text(json.dumps({"partners": [entry]}))
    service = MemberService(store, Settings(exchange_partners_file=str(path)))
    export = read_exports([SAMPLES_DIR / "plan-export.json"]).exports[0]
    export.members[:] = [m for m in export.members if m["member"]["member_id"] == "M100010"]
    assert service.ingest(export).members_stored == 1
    [partner] = load_registry(path)
    client = PartnerClient(partner, requests.Session(), NoCredentials())
    poller = TaskPoller(
        partner, client, store, default_validator(), on_applied=service.apply_task_update
    )
    return service, worker(store, partner), poller


def deliver(sender, store) -> None:
    sender.drain(max_rounds=50, deadline_s=60)
    dead = [i.to_json() for i in items(store) if i.status == "dead"]
    reasons = [
        f"{d['resource']}: {i['diagnostics']}" for d in dead for i in d["lastError"]["issue"]
    ]
    assert not reasons, "\n".join(reasons)


def cbo_moves(cbo: str, status: str, **elements) -> None:
    """The CBO's own system moves its copy of the referral Task."""
    task = requests.get(f"{cbo}/Task/{REFERRAL}", timeout=10).json()
    task.pop("meta", None)
    task.update(status=status, **elements)
    answer = requests.put(f"{cbo}/Task/{REFERRAL}", json=task, timeout=10)
    assert answer.status_code == 200, answer.text


def assigned(role: str) -> list[dict]:
    coding = {"system": IO_TYPE, "code": "assigned-ltsc"}
    return [{"type": {"coding": [coding]}, "valueReference": {"reference": role}}]


def ltsc_periods(store) -> dict[str, dict]:
    team = store.read("CareTeam", "team-m100010").resource
    return {
        p["member"]["reference"]: p.get("period", {})
        for p in team["participant"]
        if "role-ltsc" in p["member"]["reference"]
    }


def accept_offer(service) -> None:
    """The Care Coordinator records that M100010 chose LTSC-0006 of NSIL."""
    task = json.loads((SAMPLES_DIR / "scenarios" / "accept-offer-task.json").read_text())
    service.apply_task_update(copy.deepcopy(task))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_referral_delivered_accepted_with_an_ltsc_then_completed(adapter, cbo, store):
    service, sender, poller = adapter
    accept_offer(service)
    deliver(sender, store)

    there = requests.get(f"{cbo}/Task/{REFERRAL}", timeout=10).json()
    assert there["status"] == "requested"
    assert there["owner"] == {"reference": "Organization/cbo-nsil"}
    assert requests.get(f"{cbo}/ServiceRequest/{REFERRAL}", timeout=10).status_code == 200

    cbo_moves(cbo, "accepted", output=assigned("PractitionerRole/role-ltsc-0007"))
    report = poller.poll_once()
    assert (report.applied, report.refused) == (1, {})
    assert ltsc_periods(store)["PractitionerRole/role-ltsc-0007"].get("end") is None

    cbo_moves(
        cbo,
        "completed",
        output=assigned("PractitionerRole/role-ltsc-0007"),
        executionPeriod={"start": "2026-11-02", "end": "2026-11-02"},
    )
    report = poller.poll_once()
    assert (report.applied, report.refused) == (1, {})
    assert store.read("Task", REFERRAL).resource["status"] == "completed"
    assert ltsc_periods(store)["PractitionerRole/role-ltsc-0007"]["end"] == "2026-11-02"
    deliver(sender, store)
    assert {i.status for i in items(store)} == {"delivered"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_referral_rejected_then_the_second_choice_is_offered(adapter, cbo, store):
    service, sender, poller = adapter
    accept_offer(service)
    deliver(sender, store)

    cbo_moves(cbo, "rejected", statusReason={"text": "no Portuguese-speaking LTS-C free"})
    report = poller.poll_once()
    assert (report.applied, report.refused) == (1, {})

    assert store.read("Task", REFERRAL).resource["status"] == "rejected"
    open_offers = [
        m.resource
        for m in store.search("Task", [("patient", "Patient/mbr-m100010")]).matches
        if m.id.startswith("offer-") and m.resource["status"] == "in-progress"
    ]
    assert [i["valueReference"]["reference"] for i in open_offers[0]["input"]] == [
        "PractitionerRole/role-ltsc-0028"
    ]
