"""/admin/jobs/reevaluate: when stored members were last re-evaluated, and running it now."""

from __future__ import annotations

from adapter import clock
from adapter.config import SAMPLES_DIR, Settings
from adapter.records import PlanExport, read_exports
from adapter.services import MemberService


def ingest_keisha(store, validator) -> None:
    export = read_exports([SAMPLES_DIR / "plan-export.json"]).exports[0]
    members = [m for m in export.members if m["member"]["member_id"] == "M100001"]
    plan_export = PlanExport(export.source, export.export, export.directory, members)
    MemberService(store, Settings(), validator=validator).ingest(plan_export)


def test_no_run_yet_is_a_not_found_outcome(client):
    response = client.get("/admin/jobs/reevaluate")
    assert response.status_code == 404
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_offer_90_run_now_then_read_the_last_run(client, store, validator):
    ingest_keisha(store, validator)
    with clock.pinned("2026-12-04T05:00:00Z"):
        ran = client.post("/admin/jobs/reevaluate")
    assert ran.status_code == 200
    body = ran.get_json()
    assert body["as_of"] == "2026-12-04"
    assert body["summary"]["members_checked"] == 1
    assert body["summary"]["members_changed"] == 1  # the OFFER-90 Task is now overdue
    last = client.get("/admin/jobs/reevaluate").get_json()
    assert (last["as_of"], last["finished_at"][:16]) == ("2026-12-04", "2026-12-04T05:00")
    tasks = client.get("/fhir/Task?business-status=overdue").get_json()
    assert [e["resource"]["id"] for e in tasks.get("entry", [])] == ["offer-m100001-enrollment-1"]


def test_a_bad_as_of_is_a_clear_400(client):
    response = client.post("/admin/jobs/reevaluate?as-of=2026-02-30")
    assert response.status_code == 400
    text = response.get_json()["issue"][0]["diagnostics"]
    assert text == "as-of must be a date like 2026-11-01, not '2026-02-30'"
