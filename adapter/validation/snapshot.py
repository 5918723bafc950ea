"""Snapshot generation: a differential StructureDefinition laid over its base's snapshot."""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

from adapter.config import PROFILES_DIR
from adapter.validation.definitions import Definitions, load_base_r4, load_directory

EXTENSION_SLICING = {
    "discriminator": [{"type": "value", "path": "url"}],
    "ordered": False,
    "rules": "open",
}


def _is_extension(element: dict[str, Any]) -> bool:
    return [t.get("code") for t in element.get("type", [])] == ["Extension"]


class SnapshotError(ValueError):
    """The differential cannot be laid over its base (unknown base, element or type)."""


def generate_snapshot(
    sd: dict[str, Any], definitions: Definitions, _seen: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A copy of `sd` whose snapshot is its base's snapshot with the differential applied."""
    url = sd.get("url", "?")
    if url in _seen:
        raise SnapshotError(f"{url} derives from itself")
    base = definitions.structure_definition(sd.get("baseDefinition", ""))
    if base is None:
        raise SnapshotError(f"{url}: base definition {sd.get('baseDefinition')} is not loaded")
    if "snapshot" not in base:
        base = generate_snapshot(base, definitions, (*_seen, url))
    elements = copy.deepcopy(base["snapshot"]["element"])
    for diff in sd.get("differential", {}).get("element", []):
        try:
            _apply(elements, diff, url, definitions, (*_seen, url))
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise SnapshotError(f"{url}: malformed differential element {diff!r:.80}") from exc
    return _with_snapshot(sd, elements)


def _with_snapshot(sd: dict[str, Any], elements: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in sd.items():
        if key == "snapshot":
            continue
        result[key] = value
        if key == "differential":
            result["snapshot"] = {"element": elements}
    result.setdefault("snapshot", {"element": elements})
    return result


def _element_id(diff: dict[str, Any]) -> str:
    if diff.get("id"):
        return diff["id"]
    path, slice_name = diff["path"], diff.get("sliceName")
    return f"{path}:{slice_name}" if slice_name else path


def _index(elements: list[dict[str, Any]], element_id: str) -> int | None:
    for index, element in enumerate(elements):
        if element.get("id", element["path"]) == element_id:
            return index
    return None


def _parent_id(element_id: str) -> str:
    head, _, last = element_id.rpartition(".")
    return element_id.rsplit(":", 1)[0] if ":" in last else head


def _apply(elements, diff: dict[str, Any], url: str, definitions, seen) -> None:
    element_id = _through_choices(elements, _element_id(diff))
    index = _index(elements, element_id)
    if index is None and diff.get("sliceName") and element_id.endswith(":" + diff["sliceName"]):
        index = _add_slice(elements, element_id, diff["sliceName"], definitions, seen)
    elif index is None:
        index, chosen = _choice_alias(elements, element_id)
        if chosen:
            diff = {"type": chosen, **diff}
    if index is None:
        index = _expand_to(elements, element_id, definitions, seen)
    if index is None:
        raise SnapshotError(f"{url}: differential element {element_id} has no base element")
    _merge(elements[index], diff, url)


def _through_choices(elements, element_id: str) -> str:
    """`Observation.valueQuantity.value` -> `Observation.value[x].value`: an element below a
    type-named choice lives below the choice element itself."""
    head, _, rest = element_id.partition(".")
    while rest:
        step, _, rest = rest.partition(".")
        candidate = f"{head}.{step}"
        if rest and _index(elements, candidate) is None:
            index, chosen = _choice_alias(elements, candidate)
            if index is not None and chosen:
                candidate = elements[index].get("id", elements[index]["path"])
        head = candidate
    return head


def _choice_alias(elements, element_id: str) -> tuple[int | None, list[dict[str, Any]]]:
    """`Observation.valueQuantity` names the `value[x]` element restricted to Quantity."""
    parent, _, name = element_id.rpartition(".")
    for index, element in enumerate(elements):
        choice = element.get("id", element["path"])
        stem = choice.rpartition(".")[2][:-3]
        if not stem or choice != f"{parent}.{stem}[x]" or not name.startswith(stem):
            continue
        suffix = name[len(stem) :]
        types = element.get("type", [])
        chosen = [t for t in types if t["code"][:1].upper() + t["code"][1:] == suffix]
        if chosen:
            return index, chosen
    return None, []


def _subtree_end(elements: list[dict[str, Any]], start: int) -> int:
    """Index after the last element below (or sliced from) the element at `start`."""
    root = elements[start].get("id", elements[start]["path"])
    end = start + 1
    while end < len(elements):
        element_id = elements[end].get("id", elements[end]["path"])
        if not element_id.startswith((root + ".", root + ":")):
            break
        end += 1
    return end


def _add_slice(elements, element_id: str, name: str, definitions, seen) -> int | None:
    sliced_id = element_id.rsplit(":", 1)[0]
    start = _index(elements, sliced_id)
    if start is None:
        start = _expand_to(elements, sliced_id, definitions, seen)
    if start is None:
        return None
    if "slicing" not in elements[start] and _is_extension(elements[start]):
        # extensions are sliced by url unless the profile says otherwise
        elements[start]["slicing"] = copy.deepcopy(EXTENSION_SLICING)
    block = [elements[start]]
    for element in elements[start + 1 : _subtree_end(elements, start)]:
        if element.get("id", element["path"]).startswith(sliced_id + "."):
            block.append(element)
    new = copy.deepcopy(block)
    for element in new:
        element["id"] = element_id + element.get("id", element["path"])[len(sliced_id) :]
    new[0].pop("slicing", None)
    new[0]["sliceName"] = name
    # a slice starts optional (as the IG publisher makes it): the element's minimum applies to
    # all its items together, not to each slice
    new[0]["min"] = 0
    end = _subtree_end(elements, start)
    elements[end:end] = new
    return end


def _expand_to(elements, element_id: str, definitions: Definitions, seen) -> int | None:
    """Bring in the children of a datatype element so that `element_id` gets a place."""
    parent_id = _parent_id(element_id)
    if not parent_id or parent_id == element_id:
        return None
    parent = _index(elements, parent_id)
    if parent is None:
        parent = _expand_to(elements, parent_id, definitions, seen)
    if parent is None or _subtree_end(elements, parent) != parent + 1:
        return None
    children = _type_children(elements[parent], definitions, seen)
    prefix_path = elements[parent]["path"]
    for child in children:
        rest = child["path"].split(".", 1)[1]
        child["path"] = f"{prefix_path}.{rest}"
        child["id"] = f"{parent_id}.{child.get('id', rest).split('.', 1)[1]}"
    elements[parent + 1 : parent + 1] = children
    return _index(elements, element_id)


def _type_children(element: dict[str, Any], definitions: Definitions, seen) -> list[dict[str, Any]]:
    types = element.get("type", [])
    if len(types) != 1:
        raise SnapshotError(f"{element.get('id')} must have exactly one type to constrain children")
    profiles = types[0].get("profile", [])
    sd = definitions.structure_definition(profiles[0] if profiles else types[0]["code"])
    if sd is None:
        raise SnapshotError(f"type {types[0]['code']} of {element.get('id')} is not loaded")
    if "snapshot" not in sd:
        sd = generate_snapshot(sd, definitions, seen)
    return copy.deepcopy(sd["snapshot"]["element"][1:])


def _merge(target: dict[str, Any], diff: dict[str, Any], url: str) -> None:
    for key, value in diff.items():
        if key in ("id", "path"):
            continue
        if key == "constraint":
            _merge_constraints(target, value, url)
        elif key == "condition":
            target["condition"] = list(dict.fromkeys([*target.get("condition", []), *value]))
        elif key.startswith(("fixed", "pattern")):
            for old in [k for k in target if k.startswith(("fixed", "pattern"))]:
                del target[old]
            target[key] = copy.deepcopy(value)
        else:
            target[key] = copy.deepcopy(value)


def _merge_constraints(target: dict[str, Any], constraints: list[dict[str, Any]], url: str) -> None:
    merged = {c["key"]: c for c in target.get("constraint", [])}
    for constraint in constraints:
        merged[constraint["key"]] = {**constraint, "source": constraint.get("source", url)}
    target["constraint"] = list(merged.values())


# -- the `snapshot` command ----------------------------------------------------------------


def _profile_definitions(folder: Path) -> tuple[Definitions, list[Path], list[str]]:
    """Base R4 plus `folder`, with our constraint profiles' snapshots dropped so none is reused."""
    definitions = load_base_r4()
    failures = load_directory(definitions, folder)
    paths = []
    for path in sorted(folder.glob("StructureDefinition-*.json")):
        try:
            sd = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # already listed by load_directory
        if isinstance(sd, dict) and sd.get("derivation") == "constraint" and "differential" in sd:
            definitions.add({k: v for k, v in sd.items() if k != "snapshot"})
            paths.append(path)
    return definitions, paths, failures


def render(sd: dict[str, Any]) -> str:
    """The one stable file form: 2-space indent, key order as given, trailing newline."""
    return json.dumps(sd, indent=2, ensure_ascii=False) + "\n"


def refresh_snapshots(folder: Path, *, write: bool) -> tuple[list[Path], list[str]]:
    """Files whose snapshot differs from a fresh one (rewritten when `write`), and failures."""
    definitions, paths, failures = _profile_definitions(folder)
    stale: list[Path] = []
    for path in paths:
        text = path.read_text("utf-8")
        sd = json.loads(text)
        try:
            fresh = render(generate_snapshot(sd, definitions))
        except SnapshotError as exc:
            failures.append(f"{path.name}: {exc}")
            continue
        if fresh != text:
            stale.append(path)
            if write:
                path.write_text(fresh, "utf-8")
    return stale, failures


def run_snapshot(args: argparse.Namespace, folder: Path = PROFILES_DIR) -> int:
    """`ltsc-adapter snapshot [--check]`: regenerate snapshots, or exit 1 listing stale files."""
    check = bool(getattr(args, "check", False))
    stale, failures = refresh_snapshots(folder, write=not check)
    for failure in failures:
        sys.stderr.write(f"cannot generate snapshot: {failure}\n")
    if check and stale:
        sys.stderr.write("stale snapshots (run `ltsc-adapter snapshot`):\n")
        for path in stale:
            sys.stderr.write(f"  {path.name}\n")
        return 1
    if not check:
        sys.stdout.write(f"{len(stale)} snapshot(s) rewritten\n")
    return 1 if failures else 0
