"""`ltsc-adapter package`: a standard FHIR package that loads back into `validate --ig`."""

from __future__ import annotations

import io
import json
import tarfile

from adapter.canonical import PACKAGE_ID, PACKAGE_VERSION, profile_url
from adapter.cli import main
from adapter.conformance.package import build_package, package_name
from adapter.mapping.pipeline import sample_bundles
from adapter.validation.definitions import DEPENDENCIES, load_base_r4, load_directory
from adapter.validation.packages import load_source
from adapter.validation.validator import Validator
from tests.profiles.loading import PROFILES, artifact_files, read_json, valid_example_files


def members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive if m.isfile()}


def test_the_archive_has_the_standard_layout_and_one_version():
    found = members(build_package())
    manifest = json.loads(found["package/package.json"])
    assert (manifest["name"], manifest["version"]) == (PACKAGE_ID, PACKAGE_VERSION)
    assert manifest["dependencies"]["hl7.fhir.us.core"] == "7.0.0"
    index = json.loads(found["package/.index.json"])
    assert index["index-version"] == 1
    assert {f["filename"] for f in index["files"]} == {p.name for p in artifact_files()}
    for entry in index["files"]:
        resource = json.loads(found[f"package/{entry['filename']}"])
        assert resource["url"] == entry["url"]
        assert resource["version"] == PACKAGE_VERSION
    examples = {name.rsplit("/", 1)[1] for name in found if name.startswith("package/example/")}
    assert examples == {".index.json", *(p.name for p in valid_example_files())}


def test_the_archive_is_byte_identical_on_rebuild():
    assert build_package() == build_package()


def test_the_package_alone_validates_our_bundles(tmp_path):
    """Base R4 + US Core + only the built package: the sample Bundles validate without errors."""
    definitions = load_base_r4()
    for folder in sorted((PROFILES / DEPENDENCIES).iterdir()):
        assert load_directory(definitions, folder) == []
    assert profile_url("onecare-careplan") not in definitions.structure_definitions
    path = tmp_path / package_name()
    path.write_bytes(build_package())
    assert load_source(path, definitions) == []
    assert definitions.structure_definition(profile_url("onecare-careplan"))["version"] == (
        PACKAGE_VERSION
    )
    validator = Validator(definitions)
    bundle = next(iter(sample_bundles()))
    assert [i for i in validator.validate(bundle) if i.is_error] == []


def test_cli_package_then_validate_with_ig(tmp_path, capsys):
    assert main(["package", "-o", str(tmp_path / "out")]) == 0
    built = tmp_path / "out" / package_name()
    assert capsys.readouterr().out.strip() == str(built)
    example = PROFILES / "examples" / "onecare-careplan-santos.json"
    profile = read_json(example)["meta"]["profile"][0]
    code = main(["validate", "--ig", str(built), "--profile", profile, str(example)])
    assert code == 0
    assert "0 errors" in capsys.readouterr().out


def test_cli_package_into_an_unwritable_place_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["package", "-o", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the package") and err.count("\n") == 1
