"""Extra conformance resources from files, folders and FHIR npm packages (like the HL7 `-ig`)."""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from adapter.errors import InvalidRequest
from adapter.outcome import Issue
from adapter.validation.definitions import Definitions
from adapter.validation.fhir_xml import parse_xml

# Published IG packages are a few MB; the largest resources in them (big CodeSystems) stay well
# under 50 MB. Anything beyond these is refused rather than held in memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PACKAGE_BYTES = 500 * 1024 * 1024
MAX_PACKAGE_MEMBERS = 50_000
PACKAGE_SUFFIXES = (".tgz", ".tar.gz")


def load_sources(paths: Iterable[str | Path], definitions: Definitions) -> list[Issue]:
    """Add every conformance resource found in the paths; problems come back as Issues."""
    issues: list[Issue] = []
    for path in paths:
        issues.extend(load_source(Path(path), definitions))
    return issues


def load_source(path: Path, definitions: Definitions) -> list[Issue]:
    """One file, folder or package; warns when it holds no conformance resource at all."""
    if path.is_dir():
        found, issues = _load_folder(path, definitions)
    elif path.is_file():
        found, issues = _load_file(path, definitions, explicit=True)
    else:
        return [Issue("error", "not-found", f"{path}: no such file or folder")]
    if found == 0 and not any(issue.is_error for issue in issues):
        issues.append(Issue("warning", "not-found", f"{path}: no conformance resources found"))
    return issues


def _load_folder(folder: Path, definitions: Definitions) -> tuple[int, list[Issue]]:
    found, issues = 0, []
    for path in _folder_files(folder):
        count, file_issues = _load_file(path, definitions, explicit=False)
        found += count
        issues.extend(file_issues)
    return found, issues


def _folder_files(folder: Path) -> Iterator[Path]:
    """JSON, XML and package files under the folder, in a stable order, hidden entries skipped."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name == "package.json":
                continue
            if name.endswith((".json", ".xml", *PACKAGE_SUFFIXES)):
                yield Path(root) / name


def _load_file(path: Path, definitions: Definitions, *, explicit: bool) -> tuple[int, list[Issue]]:
    if path.name.endswith(PACKAGE_SUFFIXES):
        return _load_package(path, definitions)
    if not path.name.endswith((".json", ".xml")):
        return 0, [
            Issue("warning", "not-supported", f"{path}: skipped, not a .json, .xml or .tgz file")
        ]
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return 0, [_too_large(str(path))]
        data = path.read_bytes()
    except OSError as exc:
        return 0, [Issue("error", "exception", f"{path}: cannot read ({exc.strerror})")]
    return _load_resource_bytes(str(path), data, definitions, explicit=explicit)


def _load_resource_bytes(
    label: str, data: bytes, definitions: Definitions, *, explicit: bool
) -> tuple[int, list[Issue]]:
    try:
        resource = _read_resource(label, data, definitions)
    except InvalidRequest as exc:
        return 0, [Issue("error", "invalid", f"{label}: {exc.message}")]
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        if not explicit:
            return 0, []
        return 0, [Issue("warning", "invalid", f"{label}: not a FHIR resource")]
    return definitions.add_all(_conformance_resources(resource)), []


def _read_resource(label: str, data: bytes, definitions: Definitions) -> Any:
    if label.endswith(".xml"):
        return parse_xml(data, definitions)
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest(f"not valid JSON ({exc})") from None


def _conformance_resources(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The resource itself, or the resources of a Bundle's entries."""
    if resource["resourceType"] != "Bundle":
        return [resource]
    entries = resource.get("entry")
    if not isinstance(entries, list):
        return []
    return [
        entry["resource"]
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
    ]


# --- FHIR npm packages ---------------------------------------------------------------------------


def _load_package(path: Path, definitions: Definitions) -> tuple[int, list[Issue]]:
    """Resources in `package/*.json` of a FHIR npm tarball, read in memory and never extracted."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            return _read_package(str(path), archive, definitions)
    except (tarfile.TarError, OSError, EOFError) as exc:
        return 0, [Issue("error", "exception", f"{path}: not a readable package ({exc})")]


def _read_package(
    label: str, archive: tarfile.TarFile, definitions: Definitions
) -> tuple[int, list[Issue]]:
    resources: list[tuple[str, bytes]] = []
    has_manifest, total, issues = False, 0, []
    for count, member in enumerate(archive, start=1):
        if count > MAX_PACKAGE_MEMBERS:
            return 0, [
                Issue(
                    "error",
                    "too-costly",
                    f"{label}: more than {MAX_PACKAGE_MEMBERS} entries; refused",
                )
            ]
        name = _package_resource_name(member)
        if name is None:
            continue
        if member.size > MAX_FILE_BYTES:
            issues.append(_too_large(f"{label}!{member.name}"))
            continue
        total += member.size
        if total > MAX_PACKAGE_BYTES:
            return 0, [
                Issue(
                    "error",
                    "too-costly",
                    f"{label}: larger than "
                    f"{MAX_PACKAGE_BYTES // (1024 * 1024)} MB unpacked; refused",
                )
            ]
        data = _member_bytes(archive, member)
        if name == "package.json":
            has_manifest = True
        elif not name.startswith("."):
            resources.append((f"{label}!{member.name}", data))
    if not has_manifest:
        return 0, [
            Issue("error", "invalid", f"{label}: not a FHIR package (no package/package.json)")
        ]
    return _load_package_resources(resources, definitions, issues)


def _package_resource_name(member: tarfile.TarInfo) -> str | None:
    """The file name of a regular `package/<name>.json` member; None for anything else.

    Links, devices, absolute names and `..` steps are never followed: nothing is extracted, and
    only direct children of `package/` count (examples and other folders are skipped).
    """
    if not member.isfile():
        return None
    parts = PurePosixPath(member.name).parts
    if len(parts) != 2 or parts[0] != "package" or not parts[1].endswith(".json"):
        return None
    return parts[1]


def _member_bytes(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = archive.extractfile(member)
    if stream is None:
        return b""
    with stream:
        return stream.read(member.size)


def _load_package_resources(
    resources: list[tuple[str, bytes]], definitions: Definitions, issues: list[Issue]
) -> tuple[int, list[Issue]]:
    found = 0
    for label, data in resources:
        count, resource_issues = _load_resource_bytes(label, data, definitions, explicit=False)
        found += count
        issues.extend(resource_issues)
    return found, issues


def _too_large(label: str) -> Issue:
    return Issue(
        "error", "too-costly", f"{label}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; skipped"
    )
