"""`ltsc-adapter validate` and `snapshot`: check FHIR JSON, NDJSON or XML files against our
profiles.

Definitions are base R4, then `profiles/`, then every `--ig` in order (later ones win). Each file
is one input, and each line of an NDJSON file is one (named `FILE line N`); content that cannot be
read is an error issue of its input. Exit codes: 0 no input has error-level issues, 1 some input
has, 2 the command could not run as asked (missing file, unreadable `--ig`, unknown `--profile`).
JSON output is one OperationOutcome per input, in input order: an object for one input, an array
for several. Progress and the summary table go to standard error (`-q` silences them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from adapter.config import PROFILES_DIR
from adapter.outcome import SEVERITIES, Issue, has_errors, operation_outcome
from adapter.progress import Progress, report_summary
from adapter.validation import Validator
from adapter.validation.definitions import Definitions, load_base_r4, load_directory
from adapter.validation.fhir_xml import dump_json
from adapter.validation.files import count_items, read_items
from adapter.validation.packages import load_sources

FileResult = tuple[str, list[Issue]]


def run_validate(args: argparse.Namespace) -> int:
    """Validate each FILE; report per the --output format; return the exit code."""
    definitions, setup = build_definitions(args.ig)
    problems = [i.message for i in setup if i.is_error] + _usage_problems(args, definitions)
    for issue in setup:
        if not issue.is_error:
            sys.stderr.write(f"{issue.severity}: {issue.message}\n")
    if problems:
        for message in problems:
            sys.stderr.write(f"error: {message}\n")
        return 2
    validator = Validator(definitions)
    quiet = getattr(args, "quiet", False)
    total = sum(count_items(Path(name)) for name in args.files)
    with Progress("validate", total, unit="resources", quiet=quiet) as progress:
        results = [
            result
            for name in args.files
            for result in progress.track(validate_items(Path(name), validator, args.profile))
        ]
    # An NDJSON line is an input of its own: once inputs are not whole files, say "resources".
    noun = "file" if len(results) == len(args.files) else "resource"
    text = _json_report(results) if args.output == "json" else _text_report(results, noun)
    sys.stdout.write(text)
    report_summary("Validated", _summary_counts(args.files, results), quiet=quiet)
    return 1 if any(has_errors(issues) for _, issues in results) else 0


def run_snapshot(args: argparse.Namespace) -> int:
    """`ltsc-adapter snapshot`: the snapshot generator lives with the validator engine."""
    from adapter.validation.snapshot import run_snapshot as snapshot

    return snapshot(args)


def build_definitions(igs: Sequence[str]) -> tuple[Definitions, list[Issue]]:
    """Base R4 + `profiles/` + each IG source; problems loading them come back as Issues."""
    definitions = load_base_r4()
    issues = [
        Issue("warning", "exception", f"profiles/{problem}")
        for problem in load_directory(definitions, PROFILES_DIR)
    ]
    issues.extend(load_sources(igs, definitions))
    return definitions, issues


def _usage_problems(args: argparse.Namespace, definitions: Definitions) -> list[str]:
    problems = [
        f"{name}: {'not a file' if Path(name).exists() else 'no such file'}"
        for name in args.files
        if not Path(name).is_file()
    ]
    for url in args.profile:
        if definitions.structure_definition(url) is None:
            problems.append(f"unknown profile {url} (load it with --ig PATH)")
    return problems


def validate_items(
    path: Path, validator: Validator, profiles: Sequence[str]
) -> Iterator[FileResult]:
    """(name, issues) of each resource in a FHIR JSON, NDJSON or XML file; content that cannot
    be read gives its error issues instead."""
    for item in read_items(path, validator.definitions):
        issues = item.error.issues if item.error else validator.validate(item.resource, profiles)
        yield item.where(path), issues


def validate_file(path: Path, validator: Validator, profiles: Sequence[str]) -> list[Issue]:
    """The issues of one FHIR JSON or XML file (every resource's, for NDJSON)."""
    return [issue for _, issues in validate_items(path, validator, profiles) for issue in issues]


def _text_report(results: list[FileResult], noun: str = "file") -> str:
    lines = [f"{name}: {_issue_line(issue)}" for name, issues in results for issue in issues]
    lines.append(_summary(results, noun))
    return "\n".join(lines) + "\n"


def _issue_line(issue: Issue) -> str:
    where = f" {', '.join(issue.expression)}" if issue.expression else ""
    return f"{issue.severity}{where}: {issue.message}"


def _severity_counts(results: list[FileResult]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for _, issues in results:
        for issue in issues:
            counts[issue.severity] += 1
    return counts


def _summary(results: list[FileResult], noun: str) -> str:
    counts = _severity_counts(results)
    failed = sum(has_errors(issues) for _, issues in results)
    errors = counts["fatal"] + counts["error"]
    return (
        f"{_count(len(results), noun)} checked, {_count(failed, noun)} with errors: "
        f"{_count(errors, 'error')}, {_count(counts['warning'], 'warning')}, "
        f"{counts['information']} information"
    )


def _summary_counts(files: Sequence[str], results: list[FileResult]) -> dict[str, int]:
    counts = _severity_counts(results)
    return {
        "files": len(files),
        "resources": len(results),
        "resources_with_errors": sum(has_errors(issues) for _, issues in results),
        "errors": counts["fatal"] + counts["error"],
        "warnings": counts["warning"],
        "information": counts["information"],
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _json_report(results: list[FileResult]) -> str:
    outcomes = [operation_outcome(issues) for _, issues in results]
    document = outcomes[0] if len(outcomes) == 1 else outcomes
    return dump_json(document, indent=2) + "\n"
