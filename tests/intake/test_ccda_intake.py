"""C-CDA documents through the member service: partial updates of known members, the review
queue for unknown ones, --strict, and the `ccda` command's summary and JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from adapter.config import SAMPLES_DIR
from adapter.intake.ccda_intake import CcdaIntake

CORPUS = SAMPLES_DIR / "ccda" / "corpus"
CARE_PLAN = CORPUS / "01-care-plan-ehr-layout.xml"
CCD = CORPUS / "02-ccd-ehr-layout.xml"


def participants(store) -> list[str]:
    team = store.read("CareTeam", "team-m100001").resource
    return sorted(
        p["member"].get("display") or p["member"]["reference"] for p in team["participant"]
    )


def test_a_care_plan_from_an_ehr_layout_updates_the_known_member(store, service):
    receipt = CcdaIntake(service).process_file(CARE_PLAN)
    assert (receipt.outcome, receipt.member_id) == ("stored", "M100001"), receipt.problems
    # Every care team member, including the one without a function code, and the plan's CC.
    assert participants(store) == [
        "Amara Okafor",
        "Grace Holloway",
        "Linh Nguyen",
        "Patient/mbr-m100001",
        "PractitionerRole/role-cc-0002",
    ]
    goal = store.read("Goal", "goal-m100001-g-spo2").resource
    assert goal["description"]["text"] == "Keep my oxygen at 92% or more"
    assert goal["expressedBy"] == {"display": "Linh Nguyen"}
    assert goal["target"][0]["detailQuantity"]["comparator"] == ">="
    sdoh = store.read("Goal", "goal-m100001-g-2").resource
    assert sdoh["description"]["text"] == "Housing adequate"
    planned = store.search("ServiceRequest", [("subject", "Patient/mbr-m100001")]).matches
    texts = {r.resource["code"].get("text") for r in planned}
    assert {"Follow-up visit with primary care", "Pulmonary function test"} <= texts
    provenance = store.read("Provenance", "prov-m100001").resource
    assert provenance["recorded"] == "2026-09-17T19:04:00-05:00"
    # What the document lacks (enrollment, MassHealth id) came from the stored record.
    record = service.member_record("M100001")
    assert record["enrollments"][0]["rating_category"] == "C2"
    assert record["member"]["masshealth_id"] == "161950100001"


def test_a_ccd_with_header_performers_and_targets_is_stored_and_lists_what_it_left(store, service):
    receipt = CcdaIntake(service).process_file(CCD)
    assert receipt.outcome == "stored", receipt.problems
    assert "Priya Raman" in participants(store)
    goal = store.read("Goal", "goal-m100001-g-wt").resource
    assert [t["detailQuantity"]["value"] for t in goal["target"]] == [10, 80, 85]
    assert sorted(u.template for u in receipt.clinical_unmapped()) == [
        "Medication Activity",
        "Problem Concern Act",
    ]


def test_documents_update_the_member_one_after_another(store, service):
    intake = CcdaIntake(service)
    receipts = [intake.process_file(p) for p in (CCD, CARE_PLAN, CCD)]
    assert [r.outcome for r in receipts] == ["stored"] * 3, [r.problems for r in receipts]
    goals = {g["goal_id"] for g in service.member_record("M100001")["goals"]}
    assert {"G-WT", "G-SPO2", "G-1", "G-2"} <= goals


def test_strict_refuses_a_document_with_unmapped_entries_and_stores_nothing(store, service):
    before = service.member_record("M100001")
    receipt = CcdaIntake(service, strict=True).process_file(CCD)
    assert receipt.outcome == "refused"
    assert receipt.problems[0].message == "--strict: 2 clinical entries not mapped"
    assert service.member_record("M100001") == before


def test_a_document_about_an_unknown_member_goes_to_the_review_queue(store, service):
    receipt = CcdaIntake(service).process_file(CORPUS / "38-unknown-member.xml")
    assert receipt.outcome == "queued" and receipt.review_id
    [review] = service.reviews()
    assert review["id"] == receipt.review_id
    assert review["reason"] == "no One Care member matches M999999, 100000000999"
    assert review["payload"].startswith("<?xml")


def test_other_document_types_are_refused_by_name(store, service):
    receipt = CcdaIntake(service).process_file(CORPUS / "40-progress-note.xml")
    assert receipt.outcome == "refused"
    [problem] = receipt.problems
    assert problem.xpath == "/hl7:ClinicalDocument"
    assert problem.message.startswith("a Progress Note is not read")


def test_the_sample_care_plan_without_its_function_code_still_reads(store, service, tmp_path):
    text = (SAMPLES_DIR / "ccda" / "care-plan.xml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if 'displayName="Care Coordinator"' in x)
    stripped = tmp_path / "no-function-code.xml"
    stripped.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    receipt = CcdaIntake(service).process_file(stripped)
    # M200001 is not one of the stored members: queued, not a traceback.
    assert receipt.outcome == "queued"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_ccda_command_prints_a_summary_and_writes_a_json_report(
    store, service, database_url, tmp_path
):
    report = tmp_path / "report.json"
    env = {**os.environ, "ADAPTER_DATABASE_URL": database_url}
    command = [
        sys.executable,
        "-m",
        "adapter.cli",
        "ccda",
        str(CCD),
        str(CORPUS / "40-progress-note.xml"),
    ]
    done = subprocess.run(
        [*command, "--report", str(report)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1, done.stderr  # the progress note was refused
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert any(line.endswith(": stored member M100001") for line in lines)
    assert "  not mapped: 2 entries (+0 header notes)" in lines or any(
        line.startswith("  not mapped: 2 entries") for line in lines
    )
    assert lines[-1] == "documents: stored 1, queued 0, refused 1, rejected 0"
    body = json.loads(report.read_text(encoding="utf-8"))
    stored, refused = body["documents"]
    assert stored["outcome"] == "stored" and refused["outcome"] == "refused"
    entry = next(u for u in stored["unmapped"] if u["template"] == "Medication Activity")
    assert entry["template_id"] == "2.16.840.1.113883.10.20.22.4.16"
    assert entry["xpath"].startswith("/hl7:ClinicalDocument/hl7:component[1]/hl7:structuredBody[1]")
    assert entry["reason"] == "section Medications is not read by the adapter"


def test_the_ccda_command_refuses_a_bad_tables_file_in_one_line(tmp_path):
    tables = tmp_path / "tables.yaml"
    tables.write_text("member_roots: [1.2.3]\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "adapter.cli", "ccda", str(CCD), "--tables", str(tables)],
        env={**os.environ, "ADAPTER_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: C-CDA tables file") and "Traceback" not in done.stderr


def test_a_plans_own_id_roots_name_the_member(store, service, tmp_path):
    from adapter.records.ccda.tables import use_tables_file

    only_member_id = CORPUS / "37-member-id-only.xml"
    text = only_member_id.read_text(encoding="utf-8").replace(
        "2.16.840.1.113883.19.5.1", "1.3.6.1.4.1.99999.1"
    )
    document = tmp_path / "own-roots.xml"
    document.write_text(text, encoding="utf-8")
    tables = tmp_path / "tables.yaml"
    tables.write_text("member_id_roots: [1.3.6.1.4.1.99999.1]\n", encoding="utf-8")
    use_tables_file(tables)
    try:
        receipt = CcdaIntake(service).process_file(document)
    finally:
        use_tables_file(None)
    assert (receipt.outcome, receipt.member_id) == ("stored", "M100001"), receipt.problems
