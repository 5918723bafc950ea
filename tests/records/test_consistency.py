"""Cross-field checks: periods run forward and offer outcomes are complete (CHOICE)."""

from __future__ import annotations

from adapter.records import read_exports
from tests.records.helpers import write_form


def _read_errors(document, tmp_path) -> dict[str, str]:
    path = write_form(document, "json", tmp_path)
    return {e.field: e.message for e in read_exports([path]).errors}


def test_enrollment_ending_before_it_starts_is_an_error(small_export, tmp_path):
    small_export["members"][0]["enrollments"][0]["end"] = "2001-01-01"
    errors = _read_errors(small_export, tmp_path)
    assert errors == {"enrollments[0].end": errors["enrollments[0].end"]}
    assert errors["enrollments[0].end"].startswith("is before start")


def test_choice_accepted_offer_needs_the_chosen_ltsc(small_export, tmp_path):
    small_export["members"][1]["offers"] = [
        {"offer_id": "OF-1", "trigger": "OFFER-90", "offered_on": "2026-08-01",
         "choices": ["LTSC-0001", "LTSC-0016"], "outcome": "accepted",
         "outcome_date": "2026-08-05", "chosen_staff_id": None}
    ]  # fmt: skip
    assert _read_errors(small_export, tmp_path) == {
        "offers[0].chosen_staff_id": "is required when the offer was accepted"
    }


def test_choice_chosen_ltsc_must_be_one_of_the_choices(small_export, tmp_path):
    small_export["members"][1]["offers"] = [
        {"offer_id": "OF-1", "trigger": "OFFER-90", "offered_on": "2026-08-01",
         "choices": ["LTSC-0001", "LTSC-0016"], "outcome": "accepted",
         "outcome_date": "2026-07-05", "chosen_staff_id": "LTSC-0002"}
    ]  # fmt: skip
    assert _read_errors(small_export, tmp_path) == {
        "offers[0].chosen_staff_id": "'LTSC-0002' is not one of the choices offered",
        "offers[0].outcome_date": "is before offered_on",
    }


def test_declined_offer_needs_its_date(small_export, tmp_path):
    small_export["members"][1]["offers"] = [
        {"offer_id": "OF-1", "trigger": "OFFER-90", "offered_on": "2026-08-01",
         "choices": ["LTSC-0001"], "fewer_choices_reason": "member-requested-specific",
         "outcome": "declined"}
    ]  # fmt: skip
    assert _read_errors(small_export, tmp_path) == {
        "offers[0].outcome_date": "is required when the offer has an outcome"
    }


def test_cbo_contract_ending_before_it_starts_drops_the_cbo(small_export, tmp_path):
    cbo = small_export["directory"]["cbos"][3]
    cbo["contract"]["end"] = "2001-01-01"
    path = write_form(small_export, "json", tmp_path)
    result = read_exports([path])
    assert result.errors[0].location == "/directory/cbos/3"
    assert result.errors[0].field == "directory.cbos[3].contract.end"
    directory = result.exports[0].directory
    assert cbo["cbo_id"] not in [c["cbo_id"] for c in directory["cbos"]]
    staff_errors = [e for e in result.errors if e.field.endswith(".cbo_id")]
    assert staff_errors and all(cbo["cbo_id"] in e.message for e in staff_errors)
    assert all(s["cbo_id"] != cbo["cbo_id"] for s in directory["ltsc_staff"])
