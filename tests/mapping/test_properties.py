"""Properties: any record valid per the shapes maps, parses as FHIR R4, and keeps stable ids."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.mapping.engine import map_member
from adapter.mapping.models import check_bundle
from adapter.mapping.output import bundle_json

from .conftest import BASIC_SCENARIO, load_scenario

DOCUMENT, _ = load_scenario(BASIC_SCENARIO)
DIRECTORY = DOCUMENT["directory"]
EXPORT = DOCUMENT["export"]
LTSC_IDS = [s["staff_id"] for s in DIRECTORY["ltsc_staff"]]
CC_IDS = [s["staff_id"] for s in DIRECTORY["care_coordinators"]]
VENDOR_IDS = [v["vendor_id"] for v in DIRECTORY["vendors"]]

text = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 .,'/-]{0,30}", fullmatch=True)
# Source ids may hold any printable characters and run long enough to be hashed.
record_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 _./-]{0,80}", fullmatch=True)
day = st.dates(dt.date(1930, 1, 1), dt.date(2040, 12, 31)).map(dt.date.isoformat)
instant = st.datetimes(
    dt.datetime(2000, 1, 1),
    dt.datetime(2040, 1, 1),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5))]),
).map(lambda t: t.isoformat(timespec="seconds"))
maybe = st.none().__or__


def period() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"start": day, "end": maybe(day)})


address = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["home", "mailing", "temporary-facility"]),
        "line": st.lists(text, min_size=1, max_size=2),
        "city": text,
        "county": text,
        "state": st.just("MA"),
        "postal_code": st.from_regex(r"0[12][0-9]{3}", fullmatch=True),
        "facility_name": maybe(text),
        "period": period(),
    }
)
member = st.fixed_dictionaries(
    {
        "member_id": st.from_regex(r"M[0-9A-Z-]{1,10}", fullmatch=True),
        "masshealth_id": st.from_regex(r"[0-9]{12}", fullmatch=True),
        "name": st.fixed_dictionaries(
            {"given": st.lists(text, min_size=1, max_size=2), "family": text}
        ),
        "birth_date": day,
        "gender": st.sampled_from(["male", "female", "other", "unknown"]),
        "addresses": st.lists(address, max_size=2),
        "telecom": st.lists(
            st.fixed_dictionaries(
                {
                    "system": st.sampled_from(["phone", "email"]),
                    "value": text,
                    "use": st.sampled_from(["home", "mobile", "work"]),
                }
            ),
            max_size=2,
        ),
        "preferred_language": st.sampled_from(["en", "es", "pt", "vi", "zh"]),
        "interpreter_needed": st.booleans(),
        "communication_preferences": st.lists(
            st.fixed_dictionaries(
                {
                    "method": st.sampled_from(
                        ["phone", "sms", "email", "mail", "in-person", "video"]
                    ),
                    "note": maybe(text),
                }
            ),
            max_size=2,
        ),
        "accessibility_needs": st.lists(
            st.fixed_dictionaries(
                {
                    "code": st.sampled_from(["large-print", "braille", "asl-interpreter", "other"]),
                    "note": maybe(text),
                }
            ),
            max_size=2,
        ),
        "date_of_death": maybe(day),
    }
)
goal = st.fixed_dictionaries(
    {
        "goal_id": record_id,
        "description": text,
        "category": st.sampled_from(["independent-living", "recovery", "community", "health"]),
        "start": day,
        "target_date": maybe(day),
        "status": st.sampled_from(["proposed", "active", "on-hold", "completed", "cancelled"]),
        "expressed_by": st.sampled_from(["member", "cc", "ltsc"]),
    }
)
recommendation = st.fixed_dictionaries(
    {
        "recommendation_id": record_id,
        "service_type": st.sampled_from(["personal-care", "homemaker", "respite", "other"]),
        "recommended_on": day,
        "recommended_by": st.sampled_from(LTSC_IDS),
        "goal_ids": st.just([]),
        "quantity": maybe(
            st.fixed_dictionaries(
                {
                    "value": st.integers(1, 40),
                    "unit": st.sampled_from(["h", "d"]),
                    "per": st.sampled_from(["wk", "mo"]),
                }
            )
        ),
        "note": maybe(text),
        "self_directed": st.booleans(),
        "authorization": maybe(
            st.fixed_dictionaries(
                {
                    "decision": st.sampled_from(["pending", "approved", "denied"]),
                    "decided_on": maybe(day),
                    "reason": maybe(text),
                    "authorization_id": maybe(record_id),
                }
            )
        ),
        "vendor_id": maybe(st.sampled_from(VENDOR_IDS)),
        "expected_start": maybe(day),
        "wait_list": st.none(),
        "fulfillment_status": st.sampled_from(["pending", "vendor-identified", "completed"]),
        "alternative_for": st.none(),
    }
)
record = st.fixed_dictionaries(
    {
        "member": member,
        "enrollments": st.lists(
            st.fixed_dictionaries(
                {
                    "plan_id": st.just("CCA-OC"),
                    "start": day,
                    "end": maybe(day),
                    "rating_category": st.sampled_from(["F1", "C3", "C2", "C1"]),
                }
            ),
            min_size=1,
            max_size=2,
        ),
        "consents": st.lists(
            st.fixed_dictionaries(
                {
                    "consent_id": record_id,
                    "date": day,
                    "staff_id": st.sampled_from(LTSC_IDS),
                    "decision": st.sampled_from(["permit", "deny"]),
                    "share": st.lists(
                        st.sampled_from(["care-plan", "contact", "assessments"]), max_size=3
                    ),
                }
            ),
            max_size=2,
        ),
        "goals": st.lists(goal, max_size=2, unique_by=lambda g: g["goal_id"].lower()),
        "service_recommendations": st.lists(
            recommendation, max_size=2, unique_by=lambda r: r["recommendation_id"].lower()
        ),
        "communications": st.lists(
            st.fixed_dictionaries(
                {
                    "communication_id": record_id,
                    "sent": instant,
                    "sender": st.sampled_from(CC_IDS),
                    "recipients": st.lists(st.sampled_from(LTSC_IDS), min_size=1, max_size=2),
                    "topic": st.sampled_from(["general", "offer", "wait-list"]),
                    "text": text,
                }
            ),
            max_size=2,
        ),
    }
)
derived = st.fixed_dictionaries(
    {
        "offers": st.lists(
            st.fixed_dictionaries(
                {
                    "offer_key": record_id,
                    "triggers": st.lists(
                        st.fixed_dictionaries(
                            {
                                "code": st.sampled_from(["OFFER-90", "AVAIL-REQUEST"]),
                                "date": day,
                                "source_id": record_id,
                            }
                        ),
                        min_size=1,
                        max_size=2,
                    ),
                    "authored_on": day,
                    "due": day,
                    "priority": st.sampled_from(["routine", "urgent"]),
                    "status": st.sampled_from(["ready", "in-progress", "completed"]),
                    "business_status": st.sampled_from(["due", "offered", "accepted", "declined"]),
                    "offered_on": maybe(day),
                    "choices": st.lists(st.sampled_from(LTSC_IDS), max_size=2, unique=True),
                    "fewer_choices_reason": maybe(st.just("no-cbo-in-area")),
                    "outcome": maybe(st.sampled_from(["accepted", "declined", "no-response"])),
                    "outcome_date": maybe(day),
                    "chosen_staff_id": maybe(st.sampled_from(LTSC_IDS)),
                    "owner_staff_id": st.sampled_from(CC_IDS),
                    "source_offer_id": maybe(record_id),
                }
            ),
            max_size=2,
            unique_by=lambda o: o["offer_key"].lower(),
        ),
        "care_team": st.lists(
            st.fixed_dictionaries(
                {
                    "staff_id": st.sampled_from(LTSC_IDS + CC_IDS),
                    "role": st.sampled_from(["ltsc", "cc"]),
                    "start": day,
                    "end": maybe(day),
                    "consent_id": st.none(),
                }
            ),
            max_size=3,
        ),
        "notifications": st.just([]),
        "service_tasks": st.just([]),
    }
)


def mapped(member_record: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    return map_member(member_record, DIRECTORY, facts, EXPORT)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record, derived)
def test_any_valid_record_maps_to_a_bundle_the_r4_models_accept(member_record, facts) -> None:
    bundle = mapped(member_record, facts)
    assert check_bundle(bundle) == []
    assert bundle["entry"][-1]["resource"]["resourceType"] == "Provenance"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record, derived)
def test_ids_and_bytes_are_stable_and_unique(member_record, facts) -> None:
    first = mapped(member_record, facts)
    again = mapped(json.loads(json.dumps(member_record)), json.loads(json.dumps(facts)))
    assert bundle_json(first) == bundle_json(again)
    urls = [e["request"]["url"] for e in first["entry"]]
    assert len(urls) == len(set(urls))
    assert all(len(url.split("/", 1)[1]) <= 64 for url in urls)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**31))
def test_any_generated_export_maps_cleanly_through_the_rules(seed: int) -> None:
    from adapter.mapping.pipeline import map_export_checked
    from adapter.records.generator import generate_export

    for member_id, _, issues in map_export_checked(generate_export(3, seed)):
        assert issues == [], member_id
