"""Every file in mappings/ passes the spec schema; broken specs are refused at load time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from adapter.canonical import profile_url
from adapter.config import MAPPINGS_DIR
from adapter.mapping.errors import SpecError
from adapter.mapping.specs import (
    CODES_FILE,
    FRAGMENTS_FILE,
    MANIFEST_FILE,
    check_document,
    load_mapping_set,
    schema_validator,
)

from .conftest import ENTRY_TYPE_ORDER

RESOURCE_SPECS = sorted(p for p in MAPPINGS_DIR.glob("*.yaml") if not p.name.startswith("_"))
RESOURCE_SPECS = [p for p in RESOURCE_SPECS if p.name != MANIFEST_FILE]


@pytest.mark.parametrize("path", RESOURCE_SPECS, ids=[p.stem for p in RESOURCE_SPECS])
def test_resource_spec_passes_the_schema(path: Path) -> None:
    check_document(
        yaml.safe_load(path.read_text()), schema_validator(MAPPINGS_DIR, "resourceSpec"), path.name
    )


@pytest.mark.parametrize(
    ("file_name", "definition"),
    [(MANIFEST_FILE, "manifest"), (FRAGMENTS_FILE, "fragments"), (CODES_FILE, "codes")],
)
def test_shared_files_pass_the_schema(file_name: str, definition: str) -> None:
    document = yaml.safe_load((MAPPINGS_DIR / file_name).read_text())
    check_document(document, schema_validator(MAPPINGS_DIR, definition), file_name)


def test_every_resource_spec_is_in_the_manifest() -> None:
    manifest = yaml.safe_load((MAPPINGS_DIR / MANIFEST_FILE).read_text())
    assert sorted(manifest["entries"]) == sorted(p.stem for p in RESOURCE_SPECS)


def test_manifest_orders_specs_by_the_bundle_entry_order() -> None:
    mapping = load_mapping_set()
    positions = [ENTRY_TYPE_ORDER.index(s.resource_type) for s in mapping.specs]
    assert positions == sorted(positions)


def test_each_spec_names_one_of_our_profiles() -> None:
    for spec in load_mapping_set().specs:
        assert spec.profile.startswith(profile_url(""))
        assert spec.version == "1.0.0"


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    target = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, target)
    return target


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_spec_with_an_unknown_header_key_is_refused_naming_its_file(spec_dir: Path) -> None:
    rewrite(spec_dir / "goal.yaml", "as: goal", "as: goal\nfor_every: =record.goals")
    with pytest.raises(SpecError, match=r"goal\.yaml: \$: Additional properties"):
        load_mapping_set(spec_dir)


def test_a_malformed_expression_is_refused_by_the_schema(spec_dir: Path) -> None:
    rewrite(spec_dir / "goal.yaml", "startDate: =goal.start", "startDate: =goal.start | ")
    with pytest.raises(SpecError, match=r"goal\.yaml: \$\.resource\.startDate"):
        load_mapping_set(spec_dir)


def test_an_unknown_filter_is_refused_when_compiled(spec_dir: Path) -> None:
    rewrite(spec_dir / "goal.yaml", "startDate: =goal.start", "startDate: =goal.start | shout")
    with pytest.raises(SpecError, match=r"goal\.yaml: unknown filter 'shout'"):
        load_mapping_set(spec_dir)


def test_a_code_table_without_default_is_refused(spec_dir: Path) -> None:
    rewrite(spec_dir / CODES_FILE, "  __default__: order\n", "")
    with pytest.raises(SpecError, match="__default__"):
        load_mapping_set(spec_dir)


def test_a_spec_whose_name_differs_from_its_file_is_refused(spec_dir: Path) -> None:
    rewrite(spec_dir / "goal.yaml", "spec: goal", "spec: goals")
    with pytest.raises(SpecError, match="differs from its file"):
        load_mapping_set(spec_dir)


def test_unreadable_yaml_is_reported_not_raised_as_a_traceback(spec_dir: Path) -> None:
    (spec_dir / "goal.yaml").write_text("spec: [unclosed\n")
    with pytest.raises(SpecError, match="cannot read YAML"):
        load_mapping_set(spec_dir)
