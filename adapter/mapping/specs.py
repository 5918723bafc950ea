"""Load `mappings/`: check every file against `spec.schema.json`, then compile it once."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from adapter.canonical import BASE, profile_url
from adapter.config import MAPPINGS_DIR, PROFILES_DIR
from adapter.mapping.errors import SpecError
from adapter.mapping.expressions import DISPLAY_TABLES, Evaluator
from adapter.mapping.templates import DEFAULT_ITEM, TemplateCompiler

SCHEMA_FILE = "spec.schema.json"
MANIFEST_FILE = "bundle.yaml"
FRAGMENTS_FILE = "_datatypes.yaml"
CODES_FILE = "_codes.yaml"


@dataclass(frozen=True)
class ResourceSpec:
    """One compiled spec: which items it maps and how each becomes a resource."""

    name: str
    version: str
    resource_type: str
    profile: str
    items: Evaluator | None
    item_name: str
    lets: tuple[tuple[str, Evaluator], ...]
    resource_id: Evaluator
    body: Evaluator


@dataclass(frozen=True)
class MappingSet:
    """Every spec in Bundle entry order, plus the directory selections the Bundle needs."""

    version: str
    specs: tuple[ResourceSpec, ...]
    selections: tuple[tuple[str, tuple[Evaluator, ...]], ...]


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{path.name}: cannot read YAML: {exc}") from exc


def schema_validator(directory: Path, definition: str) -> Draft202012Validator:
    """A validator for one `$defs` entry of the spec schema (resourceSpec, manifest, ...)."""
    schema = json.loads((directory / SCHEMA_FILE).read_text(encoding="utf-8"))
    return Draft202012Validator({**schema, "$ref": f"#/$defs/{definition}"})


def check_document(document: Any, validator: Draft202012Validator, file_name: str) -> None:
    """Raise one SpecError listing every schema violation with its path in the file."""
    problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [f"{file_name}: {e.json_path}: {e.message}" for e in problems[:20]]
        raise SpecError("Invalid mapping spec: " + "; ".join(lines))


def load_document(directory: Path, file_name: str, definition: str) -> Any:
    document = read_yaml(directory / file_name)
    check_document(document, schema_validator(directory, definition), file_name)
    return document


def _with_base(value: Any) -> Any:
    """Code tables name our own code systems as "{base}/..." so the base is defined once."""
    if isinstance(value, str):
        return value.replace("{base}", BASE)
    if isinstance(value, dict):
        return {k: _with_base(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_base(v) for v in value]
    return value


def compile_spec(document: Mapping[str, Any], compiler: TemplateCompiler) -> ResourceSpec:
    for_each = document.get("for_each")
    return ResourceSpec(
        name=document["spec"],
        version=document["version"],
        resource_type=document["resourceType"],
        profile=profile_url(document["profile"]),
        items=compiler.compile(for_each) if for_each else None,
        item_name=document.get("as", DEFAULT_ITEM),
        lets=tuple((k, compiler.compile(v)) for k, v in (document.get("let") or {}).items()),
        resource_id=compiler.compile({"$id": document["id"]}),
        body=compiler.compile(document["resource"]),
    )


def code_system_displays(profiles_dir: Path) -> dict[str, dict[str, str]]:
    """{CodeSystem id: {code: display}} from our CodeSystems, so displays have one source."""
    displays = {}
    for path in sorted(profiles_dir.glob("CodeSystem-*.json")):
        code_system = json.loads(path.read_text(encoding="utf-8"))
        concepts = code_system.get("concept") or ()
        displays[code_system["id"]] = {c["code"]: c.get("display") for c in concepts}
    return displays


def load_mapping_set(
    directory: Path = MAPPINGS_DIR, profiles_dir: Path = PROFILES_DIR
) -> MappingSet:
    """Read, check and compile every spec the manifest names, in its entry order."""
    manifest = load_document(directory, MANIFEST_FILE, "manifest")
    fragments = load_document(directory, FRAGMENTS_FILE, "fragments")
    tables = _with_base(load_document(directory, CODES_FILE, "codes"))
    tables[DISPLAY_TABLES] = code_system_displays(profiles_dir)
    constants = {"base": BASE, "mapping_version": manifest["version"]}
    compiler = TemplateCompiler(tables, fragments, constants)
    spec_validator = schema_validator(directory, "resourceSpec")
    specs = []
    for name in manifest["entries"]:
        document = read_yaml(directory / f"{name}.yaml")
        check_document(document, spec_validator, f"{name}.yaml")
        if document["spec"] != name:
            raise SpecError(f"{name}.yaml: spec name {document['spec']!r} differs from its file")
        try:
            specs.append(compile_spec(document, compiler))
        except SpecError as exc:
            raise SpecError(f"{name}.yaml: {exc.message}") from exc
    selections = tuple(
        (key, tuple(compiler.compile(e) for e in expressions))
        for key, expressions in (manifest.get("select") or {}).items()
    )
    return MappingSet(manifest["version"], tuple(specs), selections)


@functools.cache
def default_mapping_set() -> MappingSet:
    """The specs shipped in `mappings/`, compiled once per process."""
    return load_mapping_set(MAPPINGS_DIR, PROFILES_DIR)
