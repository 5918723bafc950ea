"""An index of FHIR conformance resources: base R4 definitions plus any loaded profiles/IGs.

The complete base R4 definitions ship as one zip in `adapter/validation/r4/` (built by
`scripts/extract_r4_definitions.py`; source and licence in that folder's README.md). Only the
index is read up front; each resource is read from the archive the first time it is asked for.
"""

from __future__ import annotations

import functools
import json
import threading
import zipfile
from collections.abc import Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

R4_DIR = Path(__file__).resolve().parent / "r4"
R4_ARCHIVE = R4_DIR / "r4-core.zip"
FHIR_BASE = "http://hl7.org/fhir/StructureDefinition/"
INDEXED_TYPES = ("StructureDefinition", "ValueSet", "CodeSystem", "SearchParameter")


def canonical_key(url: str) -> str:
    """A canonical URL without its `|version` suffix."""
    return url.split("|", 1)[0]


class _Archive:
    """The shipped R4 archive: an index of URLs and the members read so far (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._members: dict[str, dict[str, dict[str, Any]]] = {}
        self._zip: zipfile.ZipFile | None = None
        with zipfile.ZipFile(path) as archive:
            self.index: dict[str, dict[str, str]] = json.loads(archive.read("index.json"))

    def resource(self, kind: str, url: str) -> dict[str, Any] | None:
        member = self.index.get(kind, {}).get(url)
        if member is None:
            return None
        content = self._members.get(member)
        if content is None:
            with self._lock:
                content = self._members.get(member)
                if content is None:
                    if self._zip is None:
                        self._zip = zipfile.ZipFile(self._path)
                    content = json.loads(self._zip.read(member))
                    self._members[member] = content
        return content.get(url)


class DefinitionTable(MutableMapping[str, dict[str, Any]]):
    """Canonical URL -> resource: what was added, over the base R4 archive read on demand."""

    def __init__(self, archive: _Archive | None, kind: str, added: dict | None = None) -> None:
        self._archive = archive
        self._kind = kind
        self._base: dict[str, str] = archive.index.get(kind, {}) if archive else {}
        self._added: dict[str, dict[str, Any]] = dict(added or {})

    def __getitem__(self, url: str) -> dict[str, Any]:
        found = self._added.get(url)
        if found is None and self._archive is not None and url in self._base:
            found = self._archive.resource(self._kind, url)
        if found is None:
            raise KeyError(url)
        return found

    def get(self, url: str, default: Any = None) -> Any:  # type: ignore[override]
        found = self._added.get(url)
        if found is None and self._archive is not None and url in self._base:
            found = self._archive.resource(self._kind, url)
        return default if found is None else found

    def __contains__(self, url: object) -> bool:
        return url in self._added or url in self._base

    def __setitem__(self, url: str, resource: dict[str, Any]) -> None:
        self._added[url] = resource

    def __delitem__(self, url: str) -> None:
        del self._added[url]

    def __iter__(self) -> Iterator[str]:
        yield from self._added
        yield from (url for url in self._base if url not in self._added)

    def __len__(self) -> int:
        return len(self._added) + sum(1 for url in self._base if url not in self._added)

    def copy(self) -> DefinitionTable:
        return DefinitionTable(self._archive, self._kind, self._added)


class Definitions:
    """Conformance resources indexed by canonical URL; later additions replace earlier ones."""

    def __init__(self, archive: _Archive | None = None, tables: dict | None = None) -> None:
        self._archive = archive
        tables = tables or {kind: DefinitionTable(archive, kind) for kind in INDEXED_TYPES}
        self.structure_definitions: DefinitionTable = tables["StructureDefinition"]
        self.value_sets: DefinitionTable = tables["ValueSet"]
        self.code_systems: DefinitionTable = tables["CodeSystem"]
        self.search_parameters: DefinitionTable = tables["SearchParameter"]

    def _tables(self) -> dict[str, DefinitionTable]:
        return {
            "StructureDefinition": self.structure_definitions,
            "ValueSet": self.value_sets,
            "CodeSystem": self.code_systems,
            "SearchParameter": self.search_parameters,
        }

    def add(self, resource: dict[str, Any]) -> bool:
        """Index one conformance resource; returns False for resource types not indexed."""
        kind = resource.get("resourceType")
        url = resource.get("url")
        if kind not in INDEXED_TYPES or not isinstance(url, str) or not url:
            return False
        self._tables()[kind][canonical_key(url)] = resource
        return True

    def add_all(self, resources: Iterable[dict[str, Any]]) -> int:
        return sum(self.add(r) for r in resources)

    def structure_definition(self, url_or_type: str) -> dict[str, Any] | None:
        """By canonical URL, or by a bare type name such as `Task` or `string`."""
        key = canonical_key(url_or_type)
        if "/" not in key and ":" not in key:
            key = FHIR_BASE + key
        return self.structure_definitions.get(key)

    def search_parameters_for(self, resource_type: str) -> list[dict[str, Any]]:
        bases = {resource_type, "Resource", "DomainResource"}
        return [sp for sp in self.search_parameters.values() if bases & set(sp.get("base", []))]

    def copy(self) -> Definitions:
        return Definitions(
            self._archive, {kind: table.copy() for kind, table in self._tables().items()}
        )


@functools.lru_cache(maxsize=1)
def _base_r4() -> Definitions:
    return Definitions(_Archive(R4_ARCHIVE))


def load_base_r4() -> Definitions:
    """A fresh index over the shipped base R4 definitions (the archive is read once, lazily)."""
    return _base_r4().copy()


DEPENDENCIES = "dependencies"


def load_directory(definitions: Definitions, folder: Path) -> list[str]:
    """Index every conformance resource in `folder/*.json`; returns files that could not be read.

    The packages a profile folder depends on (`folder/dependencies/<package>/*.json`) are
    indexed first, so the folder's own resources win over them.
    """
    problems = []
    dependencies = folder / DEPENDENCIES
    for package in sorted(dependencies.iterdir()) if dependencies.is_dir() else []:
        problems.extend(f"{DEPENDENCIES}/{p}" for p in load_directory(definitions, package))
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            resource = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        if isinstance(resource, dict):
            definitions.add(resource)
    return problems
