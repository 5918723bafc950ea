"""Idempotence: the same facts give the same offers; keys survive unrelated or corrected facts."""

import copy
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from adapter.rules import evaluate_member
from tests.rules.given import directory, evaluate, member, offer


def _busy_member():
    return member(
        "2026-03-01",
        rating="C3",
        assessments=[{"assessment_id": "AS-1", "date": "2026-04-10", "kind": "initial"}],
        offers=[offer("OF-1", "OFFER-90", "2026-04-02", "declined", outcome_date="2026-04-12")],
        ltsc_requests=[{"request_id": "RQ-1", "date": "2026-07-01"}],
        status_events=[{"event_id": "EV-1", "type": "hospitalization", "date": "2026-08-03"}],
    )


def test_offer_90_evaluating_twice_gives_equal_output():
    record, staff = _busy_member(), directory()
    before = copy.deepcopy(record)
    first = evaluate(record, "2026-09-01", staff)
    assert evaluate(record, "2026-09-01", staff) == first
    assert record == before  # the engine never edits its input


def test_offer_90_offer_keys_stable_when_unrelated_facts_change():
    keys = [o["offer_key"] for o in evaluate(_busy_member(), "2026-09-01")["offers"]]
    changed = _busy_member()
    changed["goals"] = [{"goal_id": "G-1", "category": "recovery", "status": "active"}]
    changed["status_events"].append({"event_id": "EV-2", "type": "death", "date": "2026-08-20"})
    changed["member"]["preferred_language"] = "pt"
    assert [o["offer_key"] for o in evaluate(changed, "2026-09-01")["offers"]] == keys


def test_avail_request_recording_the_offer_keeps_the_task_key():
    record = _busy_member()
    open_key = evaluate(record, "2026-07-05")["offers"][-1]["offer_key"]
    record["offers"].append(offer("OF-2", "AVAIL-REQUEST", "2026-07-08", "accepted"))
    made = evaluate(record, "2026-07-10")["offers"][-1]
    assert (made["offer_key"], made["source_offer_id"]) == (open_key, "OF-2")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=800), st.integers(min_value=1, max_value=400))
def test_offer_90_time_travel_never_duplicates_or_renames_offers(day, later):
    # An offer known on one day keeps its key and its trigger list never shrinks later.
    record, staff = _busy_member(), directory()
    start = date(2026, 2, 1)
    early = evaluate_member(record, staff, start + timedelta(days=day))
    late = evaluate_member(record, staff, start + timedelta(days=day + later))
    late_offers = {o["offer_key"]: o for o in late["offers"]}
    assert len(late_offers) == len(late["offers"])
    for found in early["offers"]:
        assert found["offer_key"] in late_offers
        assert (
            found["triggers"]
            == late_offers[found["offer_key"]]["triggers"][: len(found["triggers"])]
        )
