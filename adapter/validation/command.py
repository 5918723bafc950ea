"""`ltsc-adapter validate` and `snapshot`: check FHIR JSON or XML files against our profiles.

Definitions are base R4, then `profiles/`, then every `--ig` in order (later ones win). Exit
codes: 0 no input has error-level issues, 1 some input has, 2 the command could not run as asked
(missing file, unreadable `--ig`, unknown `--profile`). JSON output is one OperationOutcome per
input, in input order: an object for one input, an array for several.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapter.config import PROFILES_DIR
from adapter.errors import InvalidRequest
from adapter.outcome import SEVERITIES, Issue, has_errors, operation_outcome
from adapter.validation import Validator
from adapter.validation.definitions import Definitions, load_base_r4, load_directory
from adapter.validation.fhir_xml import dump_json, load_json, parse_xml
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
    results = [(name, validate_file(Path(name), validator, args.profile)) for name in args.files]
    sys.stdout.write(_json_report(results) if args.output == "json" else _text_report(results))
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


def validate_file(path: Path, validator: Validator, profiles: Sequence[str]) -> list[Issue]:
    """The issues of one FHIR JSON or XML file; unreadable content is an error Issue."""
    try:
        resource = read_fhir_file(path, validator.definitions)
    except InvalidRequest as exc:
        return exc.issues
    return validator.validate(resource, profiles)


def read_fhir_file(path: Path, definitions: Definitions) -> Any:
    """A resource from FHIR JSON or XML, chosen by extension, else by the first character."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidRequest(f"Cannot read the file: {exc.strerror}") from None
    if _is_xml(path, data):
        return parse_xml(data, definitions)
    try:
        return load_json(data)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest(f"Not valid JSON: {exc}") from None


def _is_xml(path: Path, data: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".xml", ".json"):
        return suffix == ".xml"
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _text_report(results: list[FileResult]) -> str:
    lines = [f"{name}: {_issue_line(issue)}" for name, issues in results for issue in issues]
    lines.append(_summary(results))
    return "\n".join(lines) + "\n"


def _issue_line(issue: Issue) -> str:
    where = f" {', '.join(issue.expression)}" if issue.expression else ""
    return f"{issue.severity}{where}: {issue.message}"


def _summary(results: list[FileResult]) -> str:
    counts = dict.fromkeys(SEVERITIES, 0)
    for _, issues in results:
        for issue in issues:
            counts[issue.severity] += 1
    failed = sum(has_errors(issues) for _, issues in results)
    errors = counts["fatal"] + counts["error"]
    return (
        f"{_count(len(results), 'file')} checked, {_count(failed, 'file')} with errors: "
        f"{_count(errors, 'error')}, {_count(counts['warning'], 'warning')}, "
        f"{counts['information']} information"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _json_report(results: list[FileResult]) -> str:
    outcomes = [operation_outcome(issues) for _, issues in results]
    document = outcomes[0] if len(outcomes) == 1 else outcomes
    return dump_json(document, indent=2) + "\n"
