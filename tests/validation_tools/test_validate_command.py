"""`ltsc-adapter validate`: JSON and XML inputs, text and JSON reports, --ig, --profile, exits."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from adapter import cli
from adapter.validation.definitions import load_base_r4
from adapter.validation.fhir_xml import to_xml

NARRATIVE = {
    "status": "generated",
    "div": '<div xmlns="http://www.w3.org/1999/xhtml">Maria Santos</div>',
}
GOOD_PATIENT = {
    "resourceType": "Patient",
    "id": "mbr-m100001",
    "text": NARRATIVE,
    "gender": "female",
    "birthDate": "1971-03-14",
}
BAD_PATIENT = GOOD_PATIENT | {"gender": "bogus"}
NO_BIRTH_DATE = {k: v for k, v in GOOD_PATIENT.items() if k != "birthDate"}
PROFILE_URL = "https://example.org/fhir/StructureDefinition/patient-with-birth-date"
OFFER_TASK = "https://ltsc-adapter.org/fhir/StructureDefinition/ltsc-offer-task"


def write(path: Path, resource: dict, xml: bool = False) -> str:
    if xml:
        path.write_bytes(to_xml(resource, load_base_r4()))
    else:
        path.write_text(json.dumps(resource))
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["validate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def profile_package(path: Path) -> Path:
    profile = {
        "resourceType": "StructureDefinition",
        "url": PROFILE_URL,
        "name": "PatientWithBirthDate",
        "status": "active",
        "fhirVersion": "4.0.1",
        "kind": "resource",
        "abstract": False,
        "type": "Patient",
        "derivation": "constraint",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Patient",
        "differential": {
            "element": [{"id": "Patient.birthDate", "path": "Patient.birthDate", "min": 1}]
        },
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, resource in (
            ("package.json", {"name": "example.ig", "version": "1.0.0"}),
            ("StructureDefinition-p.json", profile),
        ):
            data = json.dumps(resource).encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_valid_resource_exits_0_with_only_a_summary(tmp_path, capsys):
    code, out, _ = run(capsys, write(tmp_path / "p.json", GOOD_PATIENT))
    assert code == 0
    assert out == "1 file checked, 0 files with errors: 0 errors, 0 warnings, 0 information\n"


def test_errors_exit_1_one_line_per_issue_with_expression(tmp_path, capsys):
    good = write(tmp_path / "good.json", GOOD_PATIENT)
    bad = write(tmp_path / "bad.json", BAD_PATIENT | {"birthDate": "1971-13-14"})
    code, out, _ = run(capsys, good, bad)
    assert code == 1
    lines = out.splitlines()
    assert f"{bad}: error Patient.gender: Code 'bogus'" in lines[0]
    assert lines[1].startswith(f"{bad}: error Patient.birthDate: ")
    assert lines[-1] == "2 files checked, 1 file with errors: 2 errors, 0 warnings, 0 information"
    assert len(lines) == 3


def test_xml_input_gives_the_same_issues_as_json(tmp_path, capsys):
    as_json = run(capsys, write(tmp_path / "bad.json", BAD_PATIENT))
    as_xml = run(capsys, write(tmp_path / "bad.xml", BAD_PATIENT, xml=True))
    assert as_xml[0] == as_json[0] == 1
    assert as_xml[1].replace("bad.xml", "bad.json") == as_json[1]


def test_content_decides_the_format_when_the_extension_does_not(tmp_path, capsys):
    xml_file = write(tmp_path / "patient.fhir", BAD_PATIENT, xml=True)
    json_file = write(tmp_path / "patient.txt", BAD_PATIENT)
    code, out, _ = run(capsys, xml_file, json_file)
    assert code == 1
    assert out.count("error Patient.gender") == 2


def test_json_output_is_one_outcome_or_an_array_in_input_order(tmp_path, capsys):
    good = write(tmp_path / "good.json", GOOD_PATIENT)
    bad = write(tmp_path / "bad.json", BAD_PATIENT)
    code, out, _ = run(capsys, good, "--output", "json")
    single = json.loads(out)
    assert code == 0 and single["resourceType"] == "OperationOutcome"
    assert single["issue"][0]["severity"] == "information"
    code, out, _ = run(capsys, bad, good, "--output", "json")
    outcomes = json.loads(out)
    assert code == 1 and [o["resourceType"] for o in outcomes] == ["OperationOutcome"] * 2
    assert outcomes[0]["issue"][0]["expression"] == ["Patient.gender"]
    assert outcomes[1]["issue"][0]["severity"] == "information"


def test_malformed_xml_is_reported_with_its_path_and_exits_1(tmp_path, capsys):
    path = tmp_path / "p.xml"
    path.write_bytes(
        b'<Patient xmlns="http://hl7.org/fhir"><name><nickname value="M"/></name></Patient>'
    )
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b'<Patient xmlns="http://hl7.org/fhir"><name>')
    code, out, _ = run(capsys, str(path), str(broken))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"{path}: error Patient.name.nickname: Unknown element 'nickname' at "
        "/f:Patient/f:name/f:nickname"
    )
    assert lines[1].startswith(f"{broken}: error: Malformed XML: ")


def test_hostile_xml_is_refused_without_reading_the_entity(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "xxe.xml"
    path.write_bytes(
        b'<!DOCTYPE Patient [<!ENTITY x SYSTEM "'
        + secret.as_uri().encode()
        + b'">]><Patient xmlns="http://hl7.org/fhir"><id value="&x;"/></Patient>'
    )
    code, out, _ = run(capsys, str(path))
    assert code == 1 and "DOCTYPE" in out and "TOP-SECRET" not in out


def test_invalid_json_exits_1(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text('{"resourceType": "Patient",')
    code, out, _ = run(capsys, str(path))
    assert code == 1 and f"{path}: error: Not valid JSON" in out


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    good = write(tmp_path / "good.json", GOOD_PATIENT)
    code, out, err = run(capsys, good, str(tmp_path / "absent.json"))
    assert code == 2 and out == ""
    assert f"error: {tmp_path / 'absent.json'}: no such file" in err


def test_unknown_profile_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, write(tmp_path / "p.json", GOOD_PATIENT), "--profile", PROFILE_URL)
    assert code == 2 and f"unknown profile {PROFILE_URL}" in err


def test_unreadable_ig_is_a_usage_error(tmp_path, capsys):
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"not a tarball")
    code, _, err = run(capsys, write(tmp_path / "p.json", GOOD_PATIENT), "--ig", str(broken))
    assert code == 2 and "not a readable package" in err


def test_profile_from_an_ig_package_is_enforced(tmp_path, capsys):
    package = str(profile_package(tmp_path / "ig.tgz"))
    without = write(tmp_path / "without.json", NO_BIRTH_DATE)
    code, out, _ = run(capsys, without, "--ig", package, "--profile", PROFILE_URL)
    assert code == 1 and "Patient.birthDate" in out
    code, _, _ = run(
        capsys,
        write(tmp_path / "with.json", GOOD_PATIENT),
        "--ig",
        package,
        "--profile",
        PROFILE_URL,
    )
    assert code == 0
    code, _, _ = run(capsys, without)
    assert code == 0


def test_choice_two_offer_with_one_choice_fails_the_offer_task_profile(tmp_path, capsys):
    task = {
        "resourceType": "Task",
        "id": "offer-m100001-offer-1",
        "text": NARRATIVE,
        "status": "in-progress",
        "intent": "order",
        "priority": "routine",
        "businessStatus": {
            "coding": [
                {
                    "system": "https://ltsc-adapter.org/fhir/CodeSystem/offer-business-status",
                    "code": "offered",
                }
            ]
        },
        "code": {
            "coding": [
                {
                    "system": "https://ltsc-adapter.org/fhir/CodeSystem/task-code",
                    "code": "ltsc-offer",
                }
            ]
        },
        "for": {"reference": "Patient/mbr-m100001"},
        "authoredOn": "2026-03-01",
        "requester": {"reference": "Organization/plan-cca-oc"},
        "owner": {"reference": "PractitionerRole/role-cc-0001"},
        "reasonCode": {
            "coding": [
                {
                    "system": "https://ltsc-adapter.org/fhir/CodeSystem/offer-trigger",
                    "code": "OFFER-90",
                }
            ]
        },
        "restriction": {"period": {"end": "2026-05-30"}},
        "input": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "https://ltsc-adapter.org/fhir/CodeSystem/task-io-type",
                            "code": "ltsc-choice",
                        }
                    ]
                },
                "valueReference": {"reference": "PractitionerRole/role-ltsc-0001"},
            }
        ],
    }
    code, out, _ = run(
        capsys, write(tmp_path / "task.xml", task, xml=True), "--profile", OFFER_TASK
    )
    assert code == 1 and "CHOICE-TWO" in out


def test_snapshot_command_runs_the_engines_snapshot(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(
        "adapter.validation.snapshot.run_snapshot", lambda args: seen.append(args.check) or 7
    )
    assert cli.main(["snapshot", "--check"]) == 7
    assert seen == [True]


@pytest.mark.parametrize("output", ["text", "json"])
def test_every_input_is_reported_even_after_a_failure(tmp_path, capsys, output):
    files = [
        write(tmp_path / f"{i}.json", BAD_PATIENT if i == 0 else GOOD_PATIENT) for i in range(3)
    ]
    code, out, _ = run(capsys, *files, "--output", output)
    assert code == 1
    if output == "json":
        assert len(json.loads(out)) == 3
    else:
        assert out.splitlines()[-1].startswith("3 files checked, 1 file with errors")
