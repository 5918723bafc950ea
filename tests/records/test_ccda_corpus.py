"""The labelled C-CDA corpus (samples/ccda/corpus): each document becomes the FHIR its label
names — goals with text, targets and who expressed them, every care team member, every planned
entry, the document time to the minute — or is queued or refused as labelled."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from adapter.config import PROJECT_ROOT, SAMPLES_DIR
from adapter.records.ccda.document import CcdaError
from adapter.records.ccda.reader import read_document
from tests.records.ccda_pipeline import KNOWN_MEMBER, known, through_intake

CORPUS = SAMPLES_DIR / "ccda" / "corpus"
DOCUMENTS = sorted(CORPUS.glob("*.xml"))


def label_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_the_corpus_has_forty_labelled_documents_and_is_current():
    spec = importlib.util.spec_from_file_location("corpus", PROJECT_ROOT / "scripts/ccda_corpus.py")
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder
    spec.loader.exec_module(builder)
    assert builder.main(["--check"]) == 0
    assert len(DOCUMENTS) >= 40
    assert all(p.with_suffix(".expected.json").is_file() for p in DOCUMENTS)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_corpus_document_becomes_its_labelled_fhir(path):
    label = label_of(path)
    data = path.read_bytes()
    if label["outcome"] == "refused":
        with pytest.raises(CcdaError) as refused:
            read_document(data, path.name)
        assert label["refusal"] in refused.value.message
        return
    document = read_document(data, path.name)
    assert document.kind.name == label["document_type"]
    if label["outcome"] == "queued":
        assert not known(document)
        return
    assert known(document)
    outcome = through_intake(document)
    assert outcome.errors == [] and outcome.issues == [], outcome.errors or outcome.issues
    [provenance] = outcome.resources("Provenance")
    assert provenance["recorded"] == label["generated_at"]
    assert_goals(outcome, label["goals"])
    assert_care_team(outcome, label["care_team"])
    planned = [r for r in outcome.resources("ServiceRequest") if r["id"].startswith("planned-")]
    assert sorted(r["code"]["text"] for r in planned) == sorted(label["planned"])
    for_goals = [
        f"{r['code']['text']} -> {e['valueReference']['reference']}"
        for r in planned
        for e in r.get("extension", [])
        if e["url"].endswith("resource-pertainsToGoal")
    ]
    assert sorted(for_goals) == label["planned_for_goals"]
    needs = [
        n["description"] for n in outcome.record["ltss_needs"] if n["need_id"].startswith("HC-")
    ]
    assert needs == label["ltss_needs"]
    clinical = [u.template_id for u in document.unmapped if u.clinical]
    assert sorted(clinical) == label["unmapped_templates"]


def assert_goals(outcome, expected: list[dict]) -> None:
    goals = {g["id"]: g for g in outcome.resources("Goal")}
    for want in expected:
        goal = goals[want["id"]]
        assert goal["description"]["text"] == want["description"]
        assert goal["expressedBy"] == want["expressedBy"]
        assert goal.get("target", []) == want["target"]


def assert_care_team(outcome, expected: list[dict]) -> None:
    [team] = outcome.resources("CareTeam")
    from_document = [
        {
            "member": p["member"]["display"],
            "role": p["role"][0]["text"],
            **({"onBehalfOf": p["onBehalfOf"]["display"]} if "onBehalfOf" in p else {}),
        }
        for p in team["participant"]
        if "reference" not in p["member"]
    ]
    key = lambda p: p["member"]  # noqa: E731
    assert sorted(from_document, key=key) == sorted(expected, key=key)
    # The member's Care Coordinator from the plan's own record stays on the team.
    roles = [c["code"] for p in team["participant"] for r in p["role"] for c in r.get("coding", [])]
    assert "cc" in roles


def test_the_care_plan_time_is_exact_to_the_minute_and_is_the_rules_day():
    document = read_document((CORPUS / "05-minute-precision-zone.xml").read_bytes(), "05")
    assert document.generated_at == "2026-09-17T19:04:00-05:00"
    # 19:04 at UTC-5 is 00:04 UTC the next day; the rules' day is the document's own day.
    assert through_intake(document).record is not None


def test_a_document_is_a_partial_update_the_stored_record_completes():
    document = read_document((CORPUS / "01-care-plan-ehr-layout.xml").read_bytes(), "01")
    assert document.record["enrollments"] == []
    outcome = through_intake(document)
    record = outcome.record
    assert record["member"]["member_id"] == KNOWN_MEMBER
    assert record["member"]["masshealth_id"] == "161950100001"
    assert [e["rating_category"] for e in record["enrollments"]] == ["C2"]
    assert record["care_coordinator_assignments"][0]["staff_id"] == "CC-0002"


def test_a_policy_activity_without_rating_takes_the_stored_enrollments():
    document = read_document((CORPUS / "32-payers-no-rating.xml").read_bytes(), "32")
    assert document.record["enrollments"][0]["rating_category"] is None
    record = through_intake(document).record
    assert record["enrollments"] == [
        {"plan_id": "CCA-OC", "start": "2026-09-01", "end": None, "rating_category": "C2"}
    ]


def test_a_problem_in_an_item_the_document_brought_is_located_at_its_element():
    text = (CORPUS / "20-goal-patient-authored.xml").read_text(encoding="utf-8")
    assert '<high value="20270601"/>' in text
    bad = text.replace('<high value="20270601"/>', '<high value="20250101"/>')
    outcome = through_intake(read_document(bad.encode(), "20"))
    [error] = outcome.errors
    assert error.startswith(
        "/hl7:ClinicalDocument/hl7:component[1]/hl7:structuredBody[1]/hl7:component[2]"
        "/hl7:section[1]/hl7:entry[1]/hl7:observation[1] goals[0].target_date: is before start"
    )
