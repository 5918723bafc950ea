"""Loads the labelled conformance cases: a fixture or resource, changes, and expected issues."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).parent / "cases"
PROFILES_DIR = Path(__file__).parent / "profiles"
DELETE = "<delete>"


@dataclass(frozen=True)
class Case:
    id: str
    resource: Any
    profiles: tuple[str, ...]
    errors: tuple[tuple[str, str], ...]
    others: tuple[tuple[str, str], ...]


def _set(target: Any, dotted: str, value: Any) -> None:
    """`input.1.valueString` addresses dict keys and list indexes; DELETE removes the key."""
    *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
    for part in parents:
        target = target[part]
    if value == DELETE:
        del target[last]
    elif isinstance(target, list) and last == len(target):
        target.append(value)
    else:
        target[last] = value


def _resource(raw: dict[str, Any], fixtures: dict[str, Any]) -> Any:
    resource = copy.deepcopy(fixtures[raw["base"]] if "base" in raw else raw.get("resource"))
    for dotted, value in (raw.get("set") or {}).items():
        _set(resource, dotted, copy.deepcopy(value))
    return resource


def _expected(raw: dict[str, Any]) -> tuple[tuple, tuple]:
    pairs = [(severity, expression) for severity, expression in raw.get("expect", [])]
    errors = tuple(sorted(p for p in pairs if p[0] in ("error", "fatal")))
    others = tuple(p for p in pairs if p[0] not in ("error", "fatal"))
    return errors, others


def load_cases() -> list[Case]:
    fixtures = yaml.safe_load((CASES_DIR / "fixtures.yaml").read_text("utf-8"))
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name == "fixtures.yaml":
            continue
        for raw in yaml.safe_load(path.read_text("utf-8")):
            errors, others = _expected(raw)
            resource = _resource(raw, fixtures)
            profiles = tuple(raw.get("profiles", []))
            cases.append(Case(f"{path.stem}/{raw['id']}", resource, profiles, errors, others))
    return cases
