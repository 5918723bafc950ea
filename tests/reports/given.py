"""A small plan export built in the test, in the shape of docs/architecture.md §1."""

from __future__ import annotations

from types import SimpleNamespace

DIRECTORY = {
    "cbos": [
        {"cbo_id": "BCIL", "name": "Boston Center for Independent Living", "type": "ILC"},
        {"cbo_id": "MRLC", "name": "Metro Recovery Learning Community", "type": "RLC"},
    ],
    "ltsc_staff": [
        {"staff_id": "LTSC-0001", "cbo_id": "BCIL", "active": True},
        {"staff_id": "LTSC-0007", "cbo_id": "MRLC", "active": True},
    ],
    "care_coordinators": [{"staff_id": "CC-0001", "active": True}],
    "vendors": [],
}


def record(member_id="M1", **parts):
    return {
        "member": {"member_id": member_id, "date_of_death": parts.pop("died", None)},
        "enrollments": parts.pop("enrollments", [
            {"plan_id": "CCA-OC", "start": "2026-03-01", "end": None, "rating_category": "C3"}
        ]),
        "care_coordinator_assignments": [
            {"staff_id": "CC-0001", "start": "2026-03-01", "end": None}
        ],
        **parts,
    }  # fmt: skip


def plan_export(*records, generated_at="2026-11-01T06:00:00Z"):
    export = {"plan": {"plan_id": "CCA-OC"}, "generated_at": generated_at}
    return SimpleNamespace(
        source="given.json", export=export, directory=DIRECTORY, members=list(records)
    )
