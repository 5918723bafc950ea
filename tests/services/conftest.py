"""A member service on SQLite and PostgreSQL over the store tests' databases, clock fixed."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from adapter.config import SAMPLES_DIR, Settings
from adapter.records import PlanExport, read_exports
from adapter.services import MemberService
from adapter.store import Store, open_store
from adapter.validation import Validator, default_validator
from tests.store.conftest import database_url, postgres_schema_url  # noqa: F401 -- fixtures

# The sample export's generated_at: the day the plan's records describe.
TODAY = dt.date(2026, 11, 1)
TABLES = (
    "search_index",
    "resource_version",
    "resource_current",
    "member_record",
    "plan_export",
    "intake_review",
    "job_run",
)


@pytest.fixture(scope="session")
def sample_export() -> PlanExport:
    result = read_exports([SAMPLES_DIR / "plan-export.json"])
    assert result.ok, result.errors[:3]
    return result.exports[0]


@pytest.fixture
def export_of(sample_export: PlanExport) -> Callable[..., PlanExport]:
    """The sample export narrowed to some members (fast), each test with its own copy."""

    def narrowed(*member_ids: str) -> PlanExport:
        members = [m for m in sample_export.members if m["member"]["member_id"] in member_ids]
        assert len(members) == len(member_ids)
        return PlanExport(
            sample_export.source,
            copy.deepcopy(sample_export.export),
            copy.deepcopy(sample_export.directory),
            copy.deepcopy(members),
        )

    return narrowed


@pytest.fixture(scope="session")
def validator() -> Validator:
    return default_validator()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:  # noqa: F811 -- the imported fixture
    opened = open_store(database_url)
    with opened.engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 -- fixed table names
    yield opened
    opened.close()


@pytest.fixture
def service(store: Store, validator: Validator) -> MemberService:
    return MemberService(store, Settings(), validator=validator, today=lambda: TODAY)


def resources(store: Store, resource_type: str, about: str | None = None) -> list[dict]:
    """Current resources of the type, those naming `about` (e.g. "Patient/mbr-m100001") when
    given."""
    page = store.search(resource_type, [("_count", "1000")])
    found = [match.resource for match in page.matches]
    return [r for r in found if about is None or f'"{about}"' in json.dumps(r)]


def version_count(store: Store) -> int:
    return store.history(count=1).total
