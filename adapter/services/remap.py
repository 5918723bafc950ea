"""One member re-evaluated, re-mapped and validated: the Bundle to store, or why not."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapter.config import Settings
from adapter.mapping.models import check_bundle
from adapter.mapping.pipeline import map_export_checked
from adapter.outcome import Issue
from adapter.rules import RuleSettings, evaluate_member
from adapter.rules.choices import shortfall_problem
from adapter.rules.directory import Directory
from adapter.validation import Validator

Record = dict[str, Any]


@dataclass(frozen=True)
class Remapped:
    """The member's transaction Bundle and every issue found in it."""

    member_id: str
    bundle: dict[str, Any]
    issues: list[Issue]
    malformed: bool  # the FHIR models refused the Bundle, so no validation mode may store it

    def refused(self, settings: Settings) -> bool:
        """Whether the Bundle must not be stored (profile errors count in `reject` mode)."""
        errors = any(i.is_error for i in self.issues)
        return self.malformed or (errors and settings.validation_mode == "reject")


def remap_member(
    header: Record,
    directory: Record,
    record: Record,
    *,
    as_of: dt.date,
    settings: Settings,
    validator: Validator,
) -> Remapped:
    """The rules on `as_of`, the mapping, then model and profile validation of the Bundle."""
    rule_settings = RuleSettings.from_settings(settings)

    def derive(rec: Mapping[str, Any], directory: Mapping[str, Any], _: Any) -> dict[str, Any]:
        return evaluate_member(dict(rec), dict(directory), as_of, rule_settings)

    export = {"export": header, "directory": directory, "members": [record]}
    # The FHIR model check runs only where our stricter validator does not, or found errors:
    # a Bundle the models refuse is never stored, whatever the validation mode.
    unvalidated = settings.validation_mode == "off"
    mapped = next(map_export_checked(export, settings, derive=derive, check=unvalidated))
    if mapped.issues:
        return Remapped(mapped.member_id, mapped.bundle, list(mapped.issues), malformed=True)
    if unvalidated:
        return Remapped(mapped.member_id, mapped.bundle, [], malformed=False)
    # Warnings (narrative missing, unknown extensions) are the validator's to report on
    # request; here only what blocks storing, or would in reject mode, is worth carrying.
    errors = [i for i in validator.validate(mapped.bundle) if i.is_error]
    if errors and (model_issues := check_bundle(mapped.bundle)):
        return Remapped(mapped.member_id, mapped.bundle, model_issues, malformed=True)
    errors += offer_choice_issues(record, directory)
    return Remapped(mapped.member_id, mapped.bundle, errors, malformed=False)


class MemberRemapper:
    """Remaps members of one export at a time: a worker of adapter.mapping.batch.MemberPool.
    Its job is the pickled (header, directory, as_of) of `remap_job`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._validator: Validator | None = None

    def map_members(self, job: bytes, records: list[Record]) -> list[Remapped]:
        header, directory, as_of = pickle.loads(job)  # noqa: S301 - sent by our own process
        if self._validator is None:
            from adapter.validation import default_validator

            self._validator = default_validator()
        return [
            remap_member(
                header,
                directory,
                record,
                as_of=as_of,
                settings=self.settings,
                validator=self._validator,
            )
            for record in records
        ]


def remap_job(header: Record, directory: Record, as_of: dt.date) -> bytes:
    return pickle.dumps((header, directory, as_of))


def offer_choice_issues(record: Record, directory: Record) -> list[Issue]:
    """CHOICE-TWO: each recorded offer's reason for fewer than two choices, checked against
    the directory on the offer date."""
    staff = Directory.of(directory)
    issues = []
    for index, offer in enumerate(record.get("offers") or []):
        problem = shortfall_problem(record, staff, offer)
        if problem:
            where = f"offers[{index}].fewer_choices_reason"
            issues.append(Issue("error", "business-rule", f"{where}: {problem}", (where,)))
    return issues
