"""Copies the part of the US Core 7.0.0 package the profiles use into profiles/dependencies/.

    python scripts/vendor_us_core.py PATH/hl7.fhir.us.core-7.0.0.tgz

Starts from the US Core profiles ours derive from (DERIVED_FROM) and follows every canonical
URL they name (type profiles, bindings, value set includes) to other resources of the same
package, so that the copy holds everything a snapshot or a validation against them reads. The
files are written unchanged, with the package manifest, under
`profiles/dependencies/hl7.fhir.us.core-7.0.0/`; its README.md records where they came from.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "profiles" / "dependencies" / "hl7.fhir.us.core-7.0.0"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
DERIVED_FROM = (
    "us-core-patient",
    "us-core-organization",
    "us-core-practitioner",
    "us-core-practitionerrole",
    "us-core-careteam",
    "us-core-careplan",
    "us-core-goal",
    "us-core-servicerequest",
    "us-core-provenance",
    "us-core-condition-problems-health-concerns",
    "us-core-procedure",
    "us-core-relatedperson",
)
KINDS = ("StructureDefinition", "ValueSet", "CodeSystem")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def read_package(path: Path) -> tuple[bytes, dict[str, tuple[str, bytes]]]:
    """The manifest bytes, and conformance resources by canonical URL: (file name, bytes)."""
    by_url: dict[str, tuple[str, bytes]] = {}
    manifest = b""
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            parts = member.name.split("/")
            if not member.isfile() or len(parts) != 2 or parts[0] != "package":
                continue
            data = archive.extractfile(member).read()  # type: ignore[union-attr]
            if parts[1] == "package.json":
                manifest = data
            elif parts[1].split("-", 1)[0] in KINDS and parts[1].endswith(".json"):
                by_url[json.loads(data)["url"]] = (parts[1], data)
    return manifest, by_url


def closure(by_url: dict[str, tuple[str, bytes]]) -> list[str]:
    wanted = [US_CORE + name for name in DERIVED_FROM]
    seen: set[str] = set()
    while wanted:
        url = wanted.pop()
        if url in seen or url not in by_url:
            continue
        seen.add(url)
        resource = json.loads(by_url[url][1])
        for text in strings(resource):
            key = text.split("|", 1)[0]
            if key in by_url and key not in seen:
                wanted.append(key)
    return sorted(seen, key=lambda u: by_url[u][0])


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 2
    source = Path(argv[0])
    manifest, by_url = read_package(source)
    TARGET.mkdir(parents=True, exist_ok=True)
    for old in TARGET.glob("*.json"):
        old.unlink()
    (TARGET / "package.json").write_bytes(manifest)
    urls = closure(by_url)
    for url in urls:
        name, data = by_url[url]
        (TARGET / name).write_bytes(data)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    sys.stdout.write(f"{len(urls)} resources copied from {source.name} (sha256 {digest})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
