"""The bundled samples: three forms of one export, valid, and covering every rule id."""

from __future__ import annotations

import orjson

from adapter.config import SAMPLES_DIR
from adapter.records import read_exports
from adapter.records.scenarios import SCENARIOS, scenario_table

# The One Care LTS-C rule catalogue (docs/rules.md).
RULE_IDS = (
    "OFFER-90", "OFFER-ANNUAL", "AVAIL-ASSESS", "AVAIL-LTSS", "AVAIL-AGENCY", "AVAIL-INSTITUTION",
    "AVAIL-REQUEST", "CHOICE", "CHOICE-TWO", "CBO-TYPES", "TEAM-DISCRETION", "LTSC-CHANGE",
    "STAFFING", "RECOMMEND", "DENIED-ALT", "VENDOR-FILL", "WAIT", "STATUS-SHARE", "CONTACT",
    "COMM-PREFS", "GOALS", "REPORT",
)  # fmt: skip
SAMPLE_FORMS = ("plan-export.json", "plan-export.ndjson", "csv")


def test_samples_read_with_zero_errors():
    for name in SAMPLE_FORMS:
        result = read_exports([SAMPLES_DIR / name])
        assert result.errors == [], name
        assert result.members_read >= 40 and result.members_rejected == 0


def test_three_forms_read_to_identical_records():
    exports = [read_exports([SAMPLES_DIR / name]).exports[0] for name in SAMPLE_FORMS]
    first = exports[0]
    for other in exports[1:]:
        assert other.export == first.export
        assert other.directory == first.directory
        assert other.members == first.members


def test_sample_files_are_what_the_scenarios_generate(sample_document):
    written = orjson.loads((SAMPLES_DIR / "plan-export.json").read_bytes())
    assert written == orjson.loads(orjson.dumps(sample_document))
    assert written["export"]["generated_at"] == "2026-11-01T06:00:00Z"


def test_scenarios_name_every_rule_id_of_the_catalogue():
    named = {rule for rules, _, _ in SCENARIOS for rule in rules}
    assert set(RULE_IDS) <= named
    assert named <= set(RULE_IDS)


def test_samples_readme_lists_every_curated_member():
    readme = (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for member_id, rules, _story in scenario_table():
        row = next(line for line in readme.splitlines() if f"| {member_id} |" in line)
        for rule in rules.split(", "):
            assert rule in row


def test_offer_90_sample_has_a_new_enrollee_and_an_overdue_member(sample_document):
    by_id = {m["member"]["member_id"]: m for m in sample_document["members"]}
    assert by_id["M100001"]["enrollments"][0]["start"] == "2026-09-01"
    assert by_id["M100001"]["offers"] == [] and by_id["M100002"]["offers"] == []
    assert by_id["M100030"]["enrollments"][0]["start"] == "2024-02-29"
    assert [e["start"] for e in by_id["M100031"]["enrollments"]] == ["2021-01-01", "2026-07-01"]


def test_choice_two_sample_has_a_single_cbo_area(sample_document):
    by_id = {m["member"]["member_id"]: m for m in sample_document["members"]}
    [offer] = by_id["M100014"]["offers"]
    assert len(offer["choices"]) == 1
    assert offer["fewer_choices_reason"] == "fewer-than-two-cbos"
    county = by_id["M100014"]["member"]["addresses"][0]["county"]
    serving = [c for c in sample_document["directory"]["cbos"] if county in c["service_area"]]
    assert len(serving) == 1


def test_cbo_types_sample_directory_has_all_four_types_and_an_ended_contract(sample_document):
    cbos = sample_document["directory"]["cbos"]
    assert {c["type"] for c in cbos} == {"ILC", "RLC", "ASAP", "other"}
    assert 8 <= len(cbos) <= 12
    assert any(c["contract"]["end"] == "2026-06-30" for c in cbos)


def test_sample_offers_cover_every_outcome_and_trigger(sample_document):
    offers = [o for m in sample_document["members"] for o in m["offers"]]
    assert {o["outcome"] for o in offers} == {"accepted", "declined", "no-response", None}
    assert {o["trigger"] for o in offers} == {
        "OFFER-90", "OFFER-ANNUAL", "AVAIL-ASSESS", "AVAIL-LTSS", "AVAIL-AGENCY",
        "AVAIL-INSTITUTION", "AVAIL-REQUEST",
    }  # fmt: skip


def test_sample_records_cover_every_enumerated_kind(sample_document):
    members = sample_document["members"]

    def values(list_name: str, key: str) -> set:
        return {item[key] for m in members for item in m[list_name]}

    assert values("goals", "category") == {
        "independent-living", "recovery", "community", "cultural-identity", "health", "employment"
    }  # fmt: skip
    assert values("status_events", "type") == {
        "hospitalization", "worsening-condition", "death", "address-change", "facility-stay"
    }  # fmt: skip
    assert values("consents", "decision") == {"permit", "deny"}
    assert {"member-choice", "staff-left", "cbo-left-network"} <= values(
        "ltsc_assignments", "end_reason"
    )
    recommendations = [r for m in members for r in m["service_recommendations"]]
    assert {r["authorization"]["decision"] for r in recommendations} >= {"approved", "denied"}
    assert any(r["wait_list"] for r in recommendations)
    assert any(r["alternative_for"] for r in recommendations)
    assert any(r["vendor_id"] and r["expected_start"] for r in recommendations)
