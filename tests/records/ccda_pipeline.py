"""A C-CDA document through the intake's steps without a database: read, complete from the
sample plan's stored member, check, map and validate."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from adapter.config import SAMPLES_DIR, Settings
from adapter.intake.ccda_intake import checked_raw, updated_export
from adapter.mapping.pipeline import map_export_checked
from adapter.outcome import Issue
from adapter.records import read_exports
from adapter.records.assemble import assemble
from adapter.records.ccda.reader import CcdaDocument
from adapter.validation import default_validator

KNOWN_MEMBER = "M100001"


@cache
def _sample() -> tuple[dict, dict, dict]:
    export = read_exports([SAMPLES_DIR / "plan-export.json"]).exports[0]
    member = next(m for m in export.members if m["member"]["member_id"] == KNOWN_MEMBER)
    return export.export, export.directory, member


def stored_member() -> tuple[dict, dict, dict]:
    """(header, directory, record) of the known member as the store keeps them."""
    return copy.deepcopy(_sample())


def known(document: CcdaDocument) -> bool:
    """The intake's member match, for the one member these tests know."""
    _, _, record = _sample()
    person = document.record["member"]
    ids = {record["member"]["member_id"], record["member"]["masshealth_id"]}
    return bool({person["member_id"], person["masshealth_id"]} & ids)


@dataclass
class Outcome:
    record: dict[str, Any] | None = None
    bundle: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def resources(self, kind: str) -> list[dict[str, Any]]:
        entries = (self.bundle or {}).get("entry", [])
        return [e["resource"] for e in entries if e["resource"]["resourceType"] == kind]


def through_intake(document: CcdaDocument, *, until: str = "validate") -> Outcome:
    """The steps up to `until`: check (the plan record), map, or validate (the Bundle)."""
    header, directory, record = stored_member()
    export = updated_export(document, header, directory, record)
    checked = assemble(checked_raw(document, export))
    if checked.errors or checked.export is None:
        return Outcome(errors=[f"{e.location} {e.field}: {e.message}" for e in checked.errors])
    if until == "check":
        return Outcome(checked.export.members[0])
    mapped = next(map_export_checked(checked.export, Settings()))
    outcome = Outcome(checked.export.members[0], mapped.bundle, issues=list(mapped.issues))
    if until == "validate" and not mapped.issues:
        outcome.issues = [i for i in _validator().validate(mapped.bundle) if i.is_error]
    return outcome


@cache
def _validator():
    return default_validator()
