"""C-CDA reading details: TS precisions and zones, document types, telecom quirks, goal text,
and the clear refusals of a document read on its own (without a stored member)."""

from __future__ import annotations

from datetime import date

import pytest

from adapter.config import SAMPLES_DIR
from adapter.records.assemble import assemble
from adapter.records.ccda import read_ccda
from adapter.records.ccda.document import CcdaError
from adapter.records.ccda.reader import read_document
from adapter.records.ccda.timestamps import BadTimestamp, parse_ts

CORPUS = SAMPLES_DIR / "ccda" / "corpus"


@pytest.mark.parametrize(
    ("raw", "day", "fhir", "instant"),
    [
        ("2014", date(2014, 1, 1), "2014", "2014-01-01T00:00:00-05:00"),
        ("201409", date(2014, 9, 1), "2014-09", "2014-09-01T00:00:00-04:00"),
        ("20140917", date(2014, 9, 17), "2014-09-17", "2014-09-17T00:00:00-04:00"),
        ("2014091719", date(2014, 9, 17), "2014-09-17T19:00:00-04:00", None),
        ("201409171904-0500", date(2014, 9, 17), "2014-09-17T19:04:00-05:00", None),
        ("20140917190412+0000", date(2014, 9, 17), "2014-09-17T19:04:12Z", None),
        ("20140917190412.5-0800", date(2014, 9, 17), "2014-09-17T19:04:12-08:00", None),
        ("201412312330+1400", date(2014, 12, 31), "2014-12-31T23:30:00+14:00", None),
        ("201401150830", date(2014, 1, 15), "2014-01-15T08:30:00-05:00", None),
    ],
)
def test_ts_values_keep_their_precision_and_zone(raw, day, fhir, instant):
    stamp = parse_ts(raw)
    assert stamp.day == day
    assert stamp.fhir() == fhir
    assert stamp.instant() == (instant or fhir)


@pytest.mark.parametrize(
    "raw", ["", "14", "2014-09-17", "20141317", "20140230", "2014091725", "201409171904-2500", "x"]
)
def test_values_that_are_no_ts_are_refused(raw):
    with pytest.raises(BadTimestamp):
        parse_ts(raw)


def test_the_minute_and_zone_of_the_document_are_the_exports_time_not_midnight_utc():
    document = read_document((CORPUS / "05-minute-precision-zone.xml").read_bytes(), "05")
    assert document.generated_at == "2026-09-17T19:04:00-05:00"


def test_a_document_without_a_type_the_adapter_knows_is_refused_naming_what_it_is(tmp_path):
    text = (CORPUS / "45-empty-ccd.xml").read_text(encoding="utf-8")
    text = text.replace('root="2.16.840.1.113883.10.20.22.1.2"', 'root="1.2.3.4"')
    text = text.replace('code="34133-9"', 'code="99999-9"')
    with pytest.raises(CcdaError) as refused:
        read_document(text.encode(), "x.xml")
    assert "not a C-CDA document type the adapter reads" in refused.value.message
    assert "code 99999-9" in refused.value.message


def test_a_document_type_found_by_its_loinc_code_alone_is_read():
    text = (CORPUS / "45-empty-ccd.xml").read_text(encoding="utf-8")
    text = text.replace('root="2.16.840.1.113883.10.20.22.1.2"', 'root="1.2.3.4"')
    assert read_document(text.encode(), "x.xml").kind.name == "Continuity of Care Document"


def test_a_phone_written_with_a_space_after_tel_is_kept():
    document = read_document((CORPUS / "34-telecom-with-space.xml").read_bytes(), "34")
    assert document.record["member"]["telecom"] == [
        {"system": "phone", "value": "781-555-0182", "use": "home"}
    ]


def test_unusable_telecoms_are_header_notes_not_refusals(tmp_path):
    text = (CORPUS / "45-empty-ccd.xml").read_text(encoding="utf-8")
    text = text.replace("tel:+1-781-555-0182", "tel:call-me")
    document = read_document(text.encode(), "x.xml")
    assert document.record["member"]["telecom"] == []
    [note] = [u for u in document.unmapped if "telecom" in u.reason]
    assert not note.clinical and note.xpath.endswith("/hl7:telecom[1]")


def test_sdoh_goal_text_comes_from_the_value_not_the_code():
    document = read_document((CORPUS / "16-sdoh-goals.xml").read_bytes(), "16")
    assert [g["description"] for g in document.record["goals"]] == [
        "Housing adequate",
        "Food security",
        "Has access to transportation",
    ]
    assert {g["expressed_by"] for g in document.record["goals"]} == {"care-team"}


def test_a_goal_without_any_text_is_listed_not_fatal():
    document = read_document((CORPUS / "19-goal-without-text.xml").read_bytes(), "19")
    assert [g["goal_id"] for g in document.record["goals"]] == ["G-1"]
    [left] = [u for u in document.unmapped if u.template == "Goal Observation"]
    assert left.reason == "goal without text (value, narrative or code words)"


def test_read_on_its_own_a_document_without_payers_names_what_it_lacks():
    result = assemble(read_ccda(CORPUS / "01-care-plan-ehr-layout.xml"))
    assert result.export is None
    messages = {e.field: e.message for e in result.errors}
    assert messages["enrollments"].startswith("no Payers section Policy Activity")
    assert "completed from its stored record" in messages["enrollments"]
    # The custodian is the EHR's organization here; its phone has a space after tel: and reads.
    assert "export.plan" not in messages


def test_read_on_its_own_a_policy_without_a_rating_names_the_policy_activity():
    result = assemble(read_ccda(CORPUS / "32-payers-no-rating.xml"))
    [error] = [e for e in result.errors if e.field.endswith("rating_category")]
    assert error.location.endswith("/hl7:entryRelationship[1]/hl7:act[1]")
    assert error.message.startswith("no rating category observation in the policy activity")


def test_the_full_sample_care_plan_still_reads_on_its_own():
    result = assemble(read_ccda(SAMPLES_DIR / "ccda" / "care-plan.xml"))
    assert result.errors == []
    assert result.export.members[0]["member"]["member_id"] == "M200001"
