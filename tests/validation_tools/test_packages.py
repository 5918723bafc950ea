"""Loading extra conformance resources: files, Bundles, XML, folders and FHIR npm packages."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from adapter.validation import packages
from adapter.validation.definitions import load_base_r4
from adapter.validation.fhir_xml import to_xml
from adapter.validation.packages import load_sources

BASE = "https://example.org/fhir"


def value_set(name: str) -> dict:
    return {"resourceType": "ValueSet", "url": f"{BASE}/ValueSet/{name}", "status": "active"}


def code_system(name: str) -> dict:
    return {
        "resourceType": "CodeSystem",
        "url": f"{BASE}/CodeSystem/{name}",
        "status": "active",
        "content": "complete",
        "concept": [{"code": "a"}],
    }


def profile(name: str) -> dict:
    return {
        "resourceType": "StructureDefinition",
        "url": f"{BASE}/StructureDefinition/{name}",
        "name": name,
        "status": "active",
        "kind": "resource",
        "abstract": False,
        "type": "Patient",
        "derivation": "constraint",
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Patient",
    }


def write_json(path: Path, resource: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(resource))
    return path


def add_member(archive: tarfile.TarFile, name: str, data: bytes, **fields) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data))


def build_package(path: Path, members: dict[str, bytes], manifest: bool = True) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        if manifest:
            add_member(
                archive,
                "package/package.json",
                json.dumps({"name": "example.fhir.ig", "version": "1.0.0"}).encode(),
            )
        for name, data in members.items():
            add_member(archive, name, data)
    return path


def test_single_resources_and_bundles_are_indexed(tmp_path):
    definitions = load_base_r4()
    single = write_json(tmp_path / "vs.json", value_set("one"))
    bundle = write_json(
        tmp_path / "bundle.json",
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": code_system("two")},
                {"resource": profile("three")},
                {"resource": {"resourceType": "Patient", "id": "not-indexed"}},
            ],
        },
    )
    assert load_sources([single, str(bundle)], definitions) == []
    assert f"{BASE}/ValueSet/one" in definitions.value_sets
    assert f"{BASE}/CodeSystem/two" in definitions.code_systems
    assert definitions.structure_definition(f"{BASE}/StructureDefinition/three")["name"] == "three"


def test_xml_files_are_read_through_fhir_xml(tmp_path):
    definitions = load_base_r4()
    path = tmp_path / "cs.xml"
    path.write_bytes(to_xml(code_system("from-xml"), definitions))
    assert load_sources([path], definitions) == []
    assert definitions.code_systems[f"{BASE}/CodeSystem/from-xml"]["concept"] == [{"code": "a"}]


def test_folders_are_read_recursively_skipping_hidden_and_manifests(tmp_path):
    definitions = load_base_r4()
    write_json(tmp_path / "ig" / "vs.json", value_set("top"))
    write_json(tmp_path / "ig" / "nested" / "deeper" / "cs.json", code_system("deep"))
    write_json(tmp_path / "ig" / ".hidden" / "vs.json", value_set("hidden"))
    write_json(tmp_path / "ig" / "package.json", {"name": "not-a-resource"})
    (tmp_path / "ig" / "notes.txt").write_text("ignored")
    assert load_sources([tmp_path / "ig"], definitions) == []
    assert f"{BASE}/ValueSet/top" in definitions.value_sets
    assert f"{BASE}/CodeSystem/deep" in definitions.code_systems
    assert f"{BASE}/ValueSet/hidden" not in definitions.value_sets


def test_npm_package_resources_load_and_examples_are_skipped(tmp_path):
    definitions = load_base_r4()
    package = build_package(
        tmp_path / "ig.tgz",
        {
            "package/StructureDefinition-p.json": json.dumps(profile("p")).encode(),
            "package/ValueSet-v.json": json.dumps(value_set("v")).encode(),
            "package/.index.json": b'{"index-version": 1, "files": []}',
            "package/example/ValueSet-example.json": json.dumps(value_set("example")).encode(),
            "package/other/ValueSet-other.json": json.dumps(value_set("other")).encode(),
        },
    )
    assert load_sources([package], definitions) == []
    assert f"{BASE}/StructureDefinition/p" in definitions.structure_definitions
    assert f"{BASE}/ValueSet/v" in definitions.value_sets
    assert f"{BASE}/ValueSet/example" not in definitions.value_sets
    assert f"{BASE}/ValueSet/other" not in definitions.value_sets


def test_package_members_are_never_written_to_disk(tmp_path):
    definitions = load_base_r4()
    target = tmp_path / "escaped.json"
    package = tmp_path / "evil.tgz"
    with tarfile.open(package, "w:gz") as archive:
        add_member(archive, "package/package.json", b'{"name": "evil"}')
        add_member(archive, "package/../../escaped.json", json.dumps(value_set("up")).encode())
        add_member(archive, "/tmp/absolute.json", json.dumps(value_set("abs")).encode())
        add_member(archive, "package/link.json", b"", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        add_member(
            archive, "package/hard.json", b"", type=tarfile.LNKTYPE, linkname="package/package.json"
        )
    issues = load_sources([package], definitions)
    assert [i.severity for i in issues] == ["warning"]  # nothing usable in it
    assert not target.exists()
    assert f"{BASE}/ValueSet/up" not in definitions.value_sets
    assert f"{BASE}/ValueSet/abs" not in definitions.value_sets


def test_tarball_without_manifest_is_not_a_package(tmp_path):
    package = build_package(
        tmp_path / "plain.tgz",
        {"package/ValueSet-v.json": json.dumps(value_set("v")).encode()},
        manifest=False,
    )
    issues = load_sources([package], load_base_r4())
    assert [(i.severity, i.code) for i in issues] == [("error", "invalid")]
    assert "no package/package.json" in issues[0].message


def test_oversized_package_members_are_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(packages, "MAX_FILE_BYTES", 100)
    definitions = load_base_r4()
    big = value_set("big") | {"description": "x" * 200}
    package = build_package(
        tmp_path / "big.tgz",
        {
            "package/ValueSet-big.json": json.dumps(big).encode(),
            "package/ValueSet-s.json": json.dumps(
                {"resourceType": "ValueSet", "url": "u:s"}
            ).encode(),
        },
    )
    issues = load_sources([package], definitions)
    assert [(i.severity, i.code) for i in issues] == [("error", "too-costly")]
    assert "ValueSet-big.json" in issues[0].message
    assert "u:s" in definitions.value_sets and f"{BASE}/ValueSet/big" not in definitions.value_sets


def test_package_larger_than_the_total_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(packages, "MAX_PACKAGE_BYTES", 300)
    definitions = load_base_r4()
    members = {
        f"package/ValueSet-{i}.json": json.dumps(value_set(str(i))).encode() for i in range(10)
    }
    issues = load_sources([build_package(tmp_path / "many.tgz", members)], definitions)
    assert [(i.severity, i.code) for i in issues] == [("error", "too-costly")]
    assert f"{BASE}/ValueSet/0" not in definitions.value_sets


def test_oversized_plain_files_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(packages, "MAX_FILE_BYTES", 10)
    path = write_json(tmp_path / "vs.json", value_set("v"))
    issues = load_sources([path], load_base_r4())
    assert [(i.severity, i.code) for i in issues] == [("error", "too-costly")]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.json", b'{"resourceType": ', ("error", "invalid", "not valid JSON")),
        (
            "broken.xml",
            b"<ValueSet xmlns='http://hl7.org/fhir'>",
            ("error", "invalid", "Malformed XML"),
        ),
        (
            "hostile.xml",
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            ("error", "invalid", "DOCTYPE"),
        ),
        ("list.json", b"[1, 2]", ("warning", "invalid", "not a FHIR resource")),
        ("readme.md", b"# hello", ("warning", "not-supported", "skipped")),
        (
            "corrupt.tgz",
            b"\x1f\x8b not really gzip",
            ("error", "exception", "not a readable package"),
        ),
    ],
)
def test_unreadable_inputs_are_issues_not_exceptions(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    issues = load_sources([path], load_base_r4())
    severity, code, text = expected
    assert (issues[0].severity, issues[0].code) == (severity, code)
    assert text in issues[0].message and str(path) in issues[0].message


def test_missing_path_is_an_error_and_empty_folder_a_warning(tmp_path):
    issues = load_sources([tmp_path / "nowhere", tmp_path], load_base_r4())
    assert [(i.severity, i.code) for i in issues] == [
        ("error", "not-found"),
        ("warning", "not-found"),
    ]
    assert "no such file or folder" in issues[0].message


def test_later_sources_replace_earlier_definitions_of_the_same_url(tmp_path):
    definitions = load_base_r4()
    first = write_json(tmp_path / "a" / "vs.json", value_set("same") | {"version": "1"})
    second = write_json(tmp_path / "b" / "vs.json", value_set("same") | {"version": "2"})
    assert load_sources([first, second], definitions) == []
    assert definitions.value_sets[f"{BASE}/ValueSet/same"]["version"] == "2"
