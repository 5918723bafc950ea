"""`ltsc-adapter package -o DIR`: our FHIR package as a standard `.tgz` that other tools load.

Layout (the FHIR NPM package convention): `package/package.json`, `package/.index.json`, one
`package/<Type>-<id>.json` per conformance resource of profiles/, and `package/example/` with
the valid examples. The version comes from `adapter.canonical.PACKAGE_VERSION` alone; the
archive is byte-identical for the same content (sorted members, fixed times and owners).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

from adapter.canonical import PACKAGE_ID, PACKAGE_VERSION
from adapter.config import PROFILES_DIR
from adapter.conformance.catalog import read_resources

EXAMPLES = "examples"
EXPECTED_ERRORS = "expected-errors.json"
INDEX_KEYS = ("resourceType", "id", "url", "version", "kind", "type")


def package_name() -> str:
    return f"{PACKAGE_ID}-{PACKAGE_VERSION}.tgz"


def manifest(folder: Path) -> dict[str, Any]:
    """profiles/package.json with the one package version stamped in."""
    document = json.loads((folder / "package.json").read_text("utf-8"))
    document["name"], document["version"] = PACKAGE_ID, PACKAGE_VERSION
    document.setdefault("directories", {"lib": "package", "example": "example"})
    return document


def index(files: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    entries = [
        {"filename": name} | {k: resource[k] for k in INDEX_KEYS if k in resource}
        for name, resource in files
    ]
    return {"index-version": 1, "files": entries}


def example_files(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """The valid examples (the deliberately invalid ones are test material, not examples)."""
    examples = folder / EXAMPLES
    expected = examples / EXPECTED_ERRORS
    invalid = set(json.loads(expected.read_text("utf-8"))) if expected.exists() else set()
    return [
        (path.name, json.loads(path.read_text("utf-8")))
        for path in sorted(examples.glob("*.json"))
        if path.name != EXPECTED_ERRORS and path.name not in invalid
    ]


def package_members(folder: Path = PROFILES_DIR) -> list[tuple[str, bytes]]:
    """(archive path, bytes) of every member, in archive order."""
    resources = [(f"{r['resourceType']}-{r['id']}.json", r) for r in read_resources(folder)]
    examples = example_files(folder)
    members = [
        ("package/package.json", _json(manifest(folder))),
        ("package/.index.json", _json(index(resources))),
    ]
    members += [(f"package/{name}", _json(resource)) for name, resource in resources]
    members.append(("package/example/.index.json", _json(index(examples))))
    members += [(f"package/example/{name}", _json(resource)) for name, resource in examples]
    return members


def build_package(folder: Path = PROFILES_DIR) -> bytes:
    """The gzipped tarball of `package_members`."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in package_members(folder):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            info.uname = info.gname = ""
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def write_package(out_dir: Path, folder: Path = PROFILES_DIR) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / package_name()
    target.write_bytes(build_package(folder))
    return target


def run_package(args: argparse.Namespace) -> int:
    """Write the package; a one-line error and exit 2 when the folder cannot be written."""
    try:
        target = write_package(Path(args.output))
    except OSError as exc:
        sys.stderr.write(f"error: cannot write the package to {args.output}: {exc.strerror}\n")
        return 2
    sys.stdout.write(f"{target}\n")
    return 0


def _json(resource: Any) -> bytes:
    return (json.dumps(resource, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
