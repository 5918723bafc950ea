"""Time passes on its own: stored members re-evaluated as of a later day, idempotently.

OFFER-90: Keisha Robinson (M100001) enrolled 2026-09-01; her offer is due 2026-11-30 and not
made in the sample export (generated 2026-11-01).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from adapter import clock
from adapter.config import Settings
from adapter.services import MemberService
from adapter.store import Store
from adapter.store.schema import versions
from tests.services.conftest import resources


def version_count(store: Store) -> int:
    with store.reading() as conn:
        return conn.execute(select(func.count()).select_from(versions)).scalar_one()


def offer_business_status(store: Store, patient: str) -> list[str]:
    tasks = resources(store, "Task", f"Patient/{patient}")
    offers = [t for t in tasks if "ltsc-offer" in str(t.get("code"))]
    return sorted(t["businessStatus"]["coding"][0]["code"] for t in offers)


def test_ingest_on_another_day_writes_no_new_versions(store, validator, export_of):
    service = MemberService(store, Settings(), validator=validator)
    export = export_of("M100001", "M200002", "M100020")
    with clock.pinned("2026-11-05T08:00:00Z"):
        service.ingest(export)
    first = version_count(store)
    with clock.pinned("2027-02-10T08:00:00Z"):
        report = service.ingest(export)
    assert report.members_stored == 3
    assert version_count(store) == first


def test_offer_90_becomes_overdue_by_reevaluation_alone(store, validator, export_of):
    service = MemberService(store, Settings(), validator=validator)
    service.ingest(export_of("M100001"))
    assert offer_business_status(store, "mbr-m100001") == ["due"]

    with clock.pinned("2026-11-30T23:00:00Z"):
        service.reevaluate()  # the LTS-C choices follow who is available that day
    assert offer_business_status(store, "mbr-m100001") == ["due"]

    with clock.pinned("2026-12-01T06:00:00Z"):
        report = service.reevaluate()
    assert (report.as_of, report.members_checked, report.members_changed) == ("2026-12-01", 1, 1)
    assert report.resources_written >= 1  # the offer Task, and what shows its status
    assert offer_business_status(store, "mbr-m100001") == ["overdue"]

    before = version_count(store)
    with clock.pinned("2026-12-01T18:00:00Z"):
        again = service.reevaluate()
    assert (again.members_changed, again.resources_written) == (0, 0)
    assert version_count(store) == before


def test_last_reevaluation_is_recorded(store, validator, export_of):
    service = MemberService(store, Settings(), validator=validator)
    assert service.last_reevaluation() is None
    service.ingest(export_of("M100001"))
    with clock.pinned("2026-12-02T07:30:00Z"):
        service.reevaluate()
    last = service.last_reevaluation()
    assert last is not None
    assert last["as_of"] == "2026-12-02"
    assert last["finished_at"].startswith("2026-12-02T07:30")
    assert last["summary"]["members_checked"] == 1


def test_an_older_export_does_not_take_reevaluated_members_back(store, validator, export_of):
    service = MemberService(store, Settings(), validator=validator)
    export = export_of("M100001")
    service.ingest(export)
    service.reevaluate(dt.date(2026, 12, 3))
    assert offer_business_status(store, "mbr-m100001") == ["overdue"]
    before = version_count(store)
    service.ingest(export)  # generated 2026-11-01
    assert offer_business_status(store, "mbr-m100001") == ["overdue"]
    assert version_count(store) == before
