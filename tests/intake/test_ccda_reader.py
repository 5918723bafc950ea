"""C-CDA Care Plans and CCDs read into the plan-export records, with XPath-located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.config import SAMPLES_DIR
from adapter.records.assemble import Assembled, assemble
from adapter.records.ccda import looks_like_ccda, read_ccda, read_ccda_document

CARE_PLAN = SAMPLES_DIR / "ccda" / "care-plan.xml"
CCD = Path(__file__).parent / "data" / "ccd-care-team-only.xml"
PATIENT = "/hl7:ClinicalDocument/hl7:recordTarget[1]/hl7:patientRole[1]"


def assembled(path: Path) -> Assembled:
    return assemble(read_ccda(path))


def variant(tmp_path: Path, old: str, new: str, source: Path = CARE_PLAN) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.xml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def care_plan() -> dict:
    result = assembled(CARE_PLAN)
    assert result.errors == []
    return {"export": result.export, "record": result.export.members[0]}


def test_care_plan_reads_into_one_valid_member(care_plan):
    export = care_plan["export"]
    assert export.export["plan"]["plan_id"] == "CCA-OC"
    assert export.export["generated_at"] == "2026-11-01T06:00:00-05:00"
    assert export.export["source_system"] == "CareNet 7.2"
    member = care_plan["record"]["member"]
    assert (member["member_id"], member["masshealth_id"]) == ("M200001", "100098765432")
    assert member["name"] == {"given": ["Maria", "L."], "family": "Santos"}
    assert (member["birth_date"], member["gender"], member["preferred_language"]) == (
        "1971-03-14",
        "female",
        "pt",
    )
    assert member["telecom"] == [
        {"system": "phone", "value": "508-555-0142", "use": "mobile"},
        {"system": "email", "value": "msantos@example.net", "use": "home"},
    ]
    assert member["addresses"][0]["period"] == {"start": "2020-01-01", "end": None}


def test_enrollment_and_rating_category_come_from_the_payers_policy_activity(care_plan):
    assert care_plan["record"]["enrollments"] == [
        {"plan_id": "CCA-OC", "start": "2026-03-01", "end": None, "rating_category": "C3"}
    ]


def test_care_team_organizer_members_become_cc_and_ltsc_assignments(care_plan):
    record, directory = care_plan["record"], care_plan["export"].directory
    assert record["care_coordinator_assignments"] == [
        {"staff_id": "CC-0101", "start": "2026-03-01", "end": None}
    ]
    assert record["ltsc_assignments"] == [
        {"staff_id": "LTSC-0101", "start": "2026-04-15", "end": None, "end_reason": None}
    ]
    assert [s["email"] for s in directory["ltsc_staff"]] == ["jreyes@bcil.example.org"]
    cbo = directory["cbos"][0]
    assert (cbo["cbo_id"], cbo["type"], cbo["service_area"]) == ("BCIL", "ILC", ["Suffolk"])


def test_goals_person_centered_goals_keep_the_members_words(care_plan):
    goals = {g["goal_id"]: g for g in care_plan["record"]["goals"]}
    assert goals["G-1"] | {"expressed_by_name": None, "targets": []} == {
        "goal_id": "G-1",
        "description": "I want to keep living in my own apartment",
        "category": "independent-living",
        "start": "2026-04-20",
        "target_date": "2027-04-20",
        "status": "active",
        "expressed_by": "member",
        "expressed_by_staff_id": None,
        "expressed_by_name": None,
        "targets": [],
    }
    # nullFlavor code with originalText; authored by the LTS-C; statusCode new.
    assert (goals["G-2"]["category"], goals["G-2"]["status"], goals["G-2"]["expressed_by"]) == (
        "community",
        "proposed",
        "ltsc",
    )


def test_recommend_planned_interventions_naming_ltss_services(care_plan):
    services = care_plan["record"]["service_recommendations"]
    assert [(s["recommendation_id"], s["service_type"], s["recommended_by"]) for s in services] == [
        ("SR-1", "personal-care", "LTSC-0101"),
        ("SR-2", "home-delivered-meals", "LTSC-0101"),
    ]
    assert services[0]["goal_ids"] == ["G-1"]
    assert services[0]["authorization"]["decision"] == "pending"


def test_avail_ltss_health_concerns_become_ltss_and_behavioral_health_needs(care_plan):
    needs = care_plan["record"]["ltss_needs"]
    assert [(n["need_id"], n["category"], n["identified_by"]) for n in needs] == [
        ("HC-1", "ltss", "member"),
        ("HC-2", "behavioral-health", "care-team"),
    ]


def test_unknown_sections_and_unmapped_entries_are_notes_not_errors():
    result = read_ccda_document(CARE_PLAN)
    messages = [n.message for n in result.notes]
    assert "section Allergies has narrative only; the text is not read" in messages
    assert "health concern is no LTSS or behavioral-health need" in messages
    assert result.raw.errors == []
    assert all(n.location.startswith("/hl7:ClinicalDocument/") for n in result.notes)


def test_ccd_without_plan_sections_still_reads_its_care_team():
    result = assembled(CCD)
    assert result.errors == []
    record = result.export.members[0]
    assert record["goals"] == record["service_recommendations"] == record["ltss_needs"] == []
    assert record["care_coordinator_assignments"][0]["staff_id"] == "CC-0202"
    # nullFlavor gender, null-flavored address and telecom, lower-case state.
    member = record["member"]
    assert member["gender"] == "unknown"
    assert [a["state"] for a in member["addresses"]] == ["MA"]
    assert member["telecom"] == [{"system": "phone", "value": "978-555-0117", "use": "home"}]


def test_an_ltsc_without_contact_details_is_left_out_with_a_note():
    result = read_ccda_document(CCD)
    assert any("not added to the directory" in n.message for n in result.notes)
    assert result.raw.members[0].record["ltsc_assignments"] == []


def test_malformed_xml_is_one_error_not_a_traceback(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text(CARE_PLAN.read_text(encoding="utf-8")[:2000], encoding="utf-8")
    result = assembled(path)
    assert result.export is None
    assert len(result.errors) == 1 and result.errors[0].message.startswith("malformed XML")


def test_doctype_and_entities_are_refused(tmp_path):
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>'
    )
    [error] = assembled(path).errors
    assert "DOCTYPE is refused" in error.message


def test_a_root_other_than_clinical_document_is_refused(tmp_path):
    path = tmp_path / "bundle.xml"
    path.write_text('<Bundle xmlns="http://hl7.org/fhir"/>')
    [error] = assembled(path).errors
    assert (error.location, error.message) == (
        "/hl7:Bundle",
        "the root element is not an HL7 v3 ClinicalDocument",
    )


def test_a_bad_date_names_the_xpath_of_its_element(tmp_path):
    path = variant(tmp_path, '<birthTime value="19710314"/>', '<birthTime value="03/14/1971"/>')
    [error] = assembled(path).errors
    assert error.location == f"{PATIENT}/hl7:patient[1]/hl7:birthTime[1]"
    assert "not an HL7 date" in error.message


def test_a_document_without_plan_member_id_is_refused_at_patient_role(tmp_path):
    path = variant(
        tmp_path, 'extension="M200001"/>\n      <id root', 'nullFlavor="UNK"/>\n      <id root'
    )
    [error] = assembled(path).errors
    assert error.location == PATIENT
    assert "plan member id" in error.message


def test_schema_errors_are_located_at_the_element_they_came_from(tmp_path):
    path = variant(tmp_path, "<postalCode>01604</postalCode>", "<postalCode>1604</postalCode>")
    result = assembled(path)
    assert [(e.location, e.field) for e in result.errors] == [
        (PATIENT, "member.addresses[0].postal_code")
    ]


def test_no_rating_category_refuses_the_enrollment_at_the_policy_activity(tmp_path):
    path = variant(tmp_path, 'code="C3" codeSystem', 'nullFlavor="UNK" codeSystem')
    [error] = assembled(path).errors
    assert error.location.endswith("/hl7:act[1]/hl7:entryRelationship[1]/hl7:act[1]")
    assert "rating category" in error.message


def test_team_discretion_consent_in_the_care_team_member_act_is_read(care_plan):
    assert care_plan["record"]["consents"] == [
        {
            "consent_id": "CN-1",
            "date": "2026-04-15",
            "staff_id": "LTSC-0101",
            "decision": "permit",
            "share": ["care-plan", "contact"],
        }
    ]


def test_team_discretion_ltsc_without_consent_is_not_assigned(tmp_path):
    path = variant(tmp_path, 'code="59284-0"', 'code="11488-4"')
    result = read_ccda_document(path)
    record = result.raw.members[0].record
    assert record["ltsc_assignments"] == [] and record["consents"] == []
    assert "no participation consent for LTS-C LTSC-0101; not assigned" in [
        n.message for n in result.notes
    ]


def test_ccda_files_are_recognised_by_extension_and_root_element(tmp_path):
    other = tmp_path / "bundle.xml"
    other.write_text('<?xml version="1.0"?><Bundle xmlns="http://hl7.org/fhir"/>')
    renamed = tmp_path / "care-plan.json"
    renamed.write_bytes(CARE_PLAN.read_bytes())
    assert looks_like_ccda(CARE_PLAN) and looks_like_ccda(CCD)
    assert not looks_like_ccda(other) and not looks_like_ccda(renamed)
