"""Every file of profiles/ is a well-formed, versioned conformance resource under our base."""

from __future__ import annotations

import pytest

from adapter.canonical import BASE, FHIR_VERSION, PACKAGE_ID, PACKAGE_VERSION
from tests.profiles.loading import PROFILES, artifact_files, artifacts, read_json

FILES = artifact_files()


def test_package_holds_every_kind_of_artifact():
    kinds = {r["resourceType"] for r in artifacts().values()}
    assert kinds == {
        "StructureDefinition",
        "CodeSystem",
        "ValueSet",
        "CapabilityStatement",
        "Measure",
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_name_is_type_and_id(path):
    resource = read_json(path)
    assert path.name == f"{resource['resourceType']}-{resource['id']}.json"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_url_is_under_our_base_and_ends_with_id(path):
    resource = read_json(path)
    assert resource["url"] == f"{BASE}/{resource['resourceType']}/{resource['id']}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_metadata_is_complete(path):
    resource = read_json(path)
    assert resource["version"] == PACKAGE_VERSION
    assert resource["status"] == "draft"
    assert resource["publisher"]
    assert len(resource["description"]) > 40
    assert resource["name"].isidentifier() and resource["name"][0].isupper()


def test_urls_are_unique():
    assert len(artifacts()) == len(FILES)


def test_package_manifest_follows_the_fhir_package_layout():
    manifest = read_json(PROFILES / "package.json")
    assert manifest["name"] == PACKAGE_ID
    assert manifest["version"] == PACKAGE_VERSION
    assert manifest["canonical"] == BASE
    assert manifest["fhirVersions"] == [FHIR_VERSION]
    assert manifest["dependencies"] == {"hl7.fhir.r4.core": "4.0.1", "hl7.fhir.us.core": "7.0.0"}


def test_us_core_dependency_is_held_in_the_repository_with_its_manifest():
    """A fresh clone validates against US Core without anything from outside the repository."""
    held = PROFILES / "dependencies" / "hl7.fhir.us.core-7.0.0"
    manifest = read_json(held / "package.json")
    assert (manifest["name"], manifest["version"]) == ("hl7.fhir.us.core", "7.0.0")
    assert "sha256" in (held / "README.md").read_text("utf-8")
    bases = {sd["baseDefinition"] for sd in artifacts().values() if "baseDefinition" in sd}
    us_core = {b for b in bases if b.startswith("http://hl7.org/fhir/us/core/")}
    assert len(us_core) == 10
    for url in us_core:
        name = url.rsplit("/", 1)[1]
        assert read_json(held / f"StructureDefinition-{name}.json")["url"] == url


def test_package_index_lists_every_artifact_as_it_is():
    index = read_json(PROFILES / ".index.json")
    assert index["index-version"] == 1
    listed = {entry["filename"]: entry for entry in index["files"]}
    assert set(listed) == {p.name for p in FILES}
    for path in FILES:
        resource, entry = read_json(path), listed[path.name]
        assert (entry["resourceType"], entry["id"], entry["url"], entry["version"]) == (
            resource["resourceType"],
            resource["id"],
            resource["url"],
            resource["version"],
        )


def test_committed_snapshots_are_in_sync_with_their_differentials(capsys):
    import argparse

    from adapter.validation.snapshot import run_snapshot

    assert run_snapshot(argparse.Namespace(check=True)) == 0, capsys.readouterr().err
