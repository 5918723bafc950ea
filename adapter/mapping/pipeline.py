"""From a plan export to checked member Bundles: the one path the CLI, store and API share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from adapter.config import SAMPLES_DIR, Settings
from adapter.mapping.directory import DirectoryIndex
from adapter.mapping.engine import map_member_with_issues
from adapter.mapping.errors import MappingError
from adapter.mapping.models import check_bundle
from adapter.mapping.specs import MappingSet, default_mapping_set
from adapter.outcome import Issue

Record = Mapping[str, Any]
# derive(record, directory, as_of) -> derived facts (docs/architecture.md §2)
Derive = Callable[[Record, Record, dt.date], Mapping[str, Any]]

SAMPLE_EXPORT = "plan-export.json"


class MappedMember(NamedTuple):
    """One member's Bundle and the model-check issues found in it (empty when it parses)."""

    member_id: str
    bundle: dict[str, Any]
    issues: list[Issue]


def export_parts(plan_export: Any) -> tuple[Record, Record, list[Record]]:
    """Header, directory and members of a `PlanExport` or of a plain export document."""
    if isinstance(plan_export, Mapping):
        return plan_export["export"], plan_export.get("directory") or {}, plan_export["members"]
    return plan_export.export, plan_export.directory or {}, plan_export.members


def as_of_date(export: Record) -> dt.date:
    """The export's `generated_at` is the rules' clock, so re-runs give the same facts."""
    from adapter.rules.dates import export_as_of

    return export_as_of(export)


def rules_derive(settings: Settings | None = None) -> Derive:
    """The One Care rules (adapter.rules) as the source of derived facts."""
    from adapter.rules import RuleSettings, evaluate_member

    rule_settings = RuleSettings.from_settings(settings) if settings else None

    def derive(record: Record, directory: Record, as_of: dt.date) -> Mapping[str, Any]:
        return evaluate_member(record, directory, as_of, rule_settings)

    return derive


@dataclass(frozen=True)
class ExportScope:
    """What every member of one export is mapped with: header, directory, clock, rules, specs."""

    export: Record
    directory: Record
    as_of: dt.date
    derive: Derive
    mapping: MappingSet
    index: DirectoryIndex

    def map(self, record: Record, *, check: bool = False) -> MappedMember:
        """One member's Bundle, with the R4 model check's issues when `check` is on."""
        derived = self.derive(record, self.directory, self.as_of)
        bundle, issues = map_member_with_issues(
            record, self.directory, derived, self.export, index=self.index, mapping=self.mapping
        )
        if check:
            issues.extend(check_bundle(bundle))
        return MappedMember(str(record["member"]["member_id"]), bundle, issues)


def export_scope(
    export: Record,
    directory: Record,
    settings: Settings | None = None,
    *,
    derive: Derive | None = None,
    mapping: MappingSet | None = None,
    as_of: dt.date | None = None,
) -> ExportScope:
    """The scope of an export evaluated as of `as_of` (default: its `generated_at`)."""
    return ExportScope(
        export,
        directory,
        as_of or as_of_date(export),
        derive or rules_derive(settings),
        mapping or default_mapping_set(),
        DirectoryIndex(directory),
    )


def map_export_checked(
    plan_export: Any,
    settings: Settings | None = None,
    *,
    derive: Derive | None = None,
    check: bool = True,
    mapping: MappingSet | None = None,
    as_of: dt.date | None = None,
) -> Iterator[MappedMember]:
    """Every member's Bundle with its model-check issues, in the export's member order,
    evaluated as of `as_of` (default: the export's `generated_at`)."""
    export, directory, members = export_parts(plan_export)
    scope = export_scope(export, directory, settings, derive=derive, mapping=mapping, as_of=as_of)
    for record in members:
        yield scope.map(record, check=check)


def map_export(
    plan_export: Any, settings: Settings | None = None, *, derive: Derive | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(member_id, Bundle) per member; a Bundle the FHIR models refuse raises MappingError."""
    for member_id, bundle, issues in map_export_checked(plan_export, settings, derive=derive):
        if issues:
            message = f"member {member_id}: the mapped Bundle is not valid FHIR R4"
            raise MappingError(message, issues=issues)
        yield member_id, bundle


def sample_bundles(settings: Settings | None = None) -> Iterator[dict[str, Any]]:
    """The Bundles of the shipped sample export (`samples/plan-export.json`), read as any input."""
    from adapter.records import read_exports

    result = read_exports([SAMPLES_DIR / SAMPLE_EXPORT])
    if result.errors:
        raise MappingError(f"the sample export does not read cleanly: {result.errors[0]}")
    for plan_export in result.exports:
        for _, bundle in map_export(plan_export, settings):
            yield bundle
