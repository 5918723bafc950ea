"""A document as a partial update: what it carries laid over the member's stored plan record.

The document's items replace stored items with the same id and are added otherwise; what it
does not carry (enrollment, rating category, MassHealth id, assignments it does not name) is kept
from the stored record. Directory entries it brings are added to the plan's directory.
"""

from __future__ import annotations

import copy
from typing import Any

Record = dict[str, Any]

# Member-record lists a document can carry, with the fields that identify an item.
KEYED_LISTS: dict[str, tuple[str, ...]] = {
    "goals": ("goal_id",),
    "service_recommendations": ("recommendation_id",),
    "planned_activities": ("activity_id",),
    "ltss_needs": ("need_id",),
    "consents": ("consent_id",),
    "care_team_members": ("member_key",),
}
MEMBER_FIELDS = ("name", "birth_date", "preferred_language", "date_of_death")


def merged_record(stored: Record, document: Record) -> Record:
    """The stored record updated with the document's items; the stored record is not changed."""
    record = copy.deepcopy(stored)
    record["member"] = merged_member(record["member"], document["member"])
    record["enrollments"] = merged_enrollments(record.get("enrollments") or [], document)
    for kind, key in KEYED_LISTS.items():
        record[kind] = replaced(record.get(kind) or [], document.get(kind) or [], key)
    for kind in ("care_coordinator_assignments", "ltsc_assignments"):
        record[kind] = added_assignments(record.get(kind) or [], document.get(kind) or [])
    return record


def merged_member(stored: Record, document: Record) -> Record:
    """Demographics the document states win; ids and what it leaves out stay as stored."""
    member = dict(stored)
    for name in MEMBER_FIELDS:
        if document.get(name):
            member[name] = document[name]
    if document.get("gender") not in (None, "", "unknown"):
        member["gender"] = document["gender"]
    if document.get("telecom"):
        member["telecom"] = document["telecom"]
    known = [address_key(a) for a in member.get("addresses") or []]
    news = [a for a in document.get("addresses") or [] if address_key(a) not in known]
    member["addresses"] = [*(member.get("addresses") or []), *news]
    return member


def address_key(address: Record) -> tuple[str, str, str]:
    def norm(value: Any) -> str:
        return " ".join(str(value or "").lower().split())

    return norm(" ".join(address["line"])), norm(address["city"]), norm(address["postal_code"])[:5]


def merged_enrollments(stored: list[Record], document: Record) -> list[Record]:
    """A Policy Activity completes from the stored enrollment of its plan (start, rating)."""
    enrollments = [dict(e) for e in stored]
    for item in document.get("enrollments") or []:
        same_plan = [e for e in enrollments if e["plan_id"] == item["plan_id"]]
        latest = max(same_plan, key=lambda e: e["start"]) if same_plan else None
        filled = dict(item)
        if latest is not None:
            filled["start"] = filled["start"] or latest["start"]
            filled["rating_category"] = filled["rating_category"] or latest["rating_category"]
            filled["end"] = (
                filled["end"]
                if filled["start"] != latest["start"]
                else (filled["end"] or latest.get("end"))
            )
        if not filled["start"] or not filled["rating_category"]:
            continue  # nothing to complete it from: the stored enrollments stand
        enrollments = [
            e
            for e in enrollments
            if (e["plan_id"], e["start"]) != (filled["plan_id"], filled["start"])
        ]
        enrollments.append(filled)
    return sorted(enrollments, key=lambda e: e["start"])


def replaced(stored: list[Record], news: list[Record], key: tuple[str, ...]) -> list[Record]:
    def identity(item: Record) -> tuple[Any, ...]:
        return tuple(item.get(k) for k in key)

    incoming = {identity(i) for i in news}
    return [*(i for i in stored if identity(i) not in incoming), *copy.deepcopy(news)]


def added_assignments(stored: list[Record], news: list[Record]) -> list[Record]:
    """A CC or LTS-C the member already has (open assignment) is not assigned a second time."""
    open_staff = {a["staff_id"] for a in stored if not a.get("end")}
    known = {(a["staff_id"], a["start"]) for a in stored}
    added = [
        a
        for a in news
        if a["staff_id"] not in open_staff and (a["staff_id"], a["start"]) not in known
    ]
    return [*stored, *copy.deepcopy(added)]


def merged_directory(stored: Record, document: Record) -> Record:
    """The plan's directory with the staff and CBOs the document brings that it lacks."""
    directory = copy.deepcopy(stored)
    for kind, key in (
        ("cbos", "cbo_id"),
        ("ltsc_staff", "staff_id"),
        ("care_coordinators", "staff_id"),
    ):
        have = {e[key] for e in directory.get(kind) or []}
        extra = [e for e in document.get(kind) or [] if e[key] not in have]
        directory[kind] = [*(directory.get(kind) or []), *copy.deepcopy(extra)]
    directory.setdefault("vendors", [])
    return directory
