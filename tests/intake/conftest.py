"""Fixtures: a member service over SQLite and PostgreSQL holding the sample plan's members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.config import SAMPLES_DIR, Settings
from adapter.intake import AdtIntake
from adapter.records import read_exports
from adapter.services import MemberService
from adapter.store import Store, open_store
from adapter.store.schema import metadata
from tests.store.conftest import database_url, postgres_schema_url  # noqa: F401

# The sample export is generated on 2026-11-01; the rules' clock stays there so tests agree.
AS_OF = dt.date(2026, 11, 1)
SAMPLE_MEMBERS = 3
DATA = Path(__file__).parent / "data"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:  # noqa: F811
    opened = open_store(database_url)
    _clear_every_table(opened)
    yield opened
    opened.close()


@pytest.fixture
def service(store: Store, database_url: str) -> MemberService:  # noqa: F811
    settings = Settings(database_url=database_url)
    member_service = MemberService(store, settings, today=lambda: AS_OF)
    export = read_exports([SAMPLES_DIR / "plan-export.json"]).exports[0]
    export.members = export.members[:SAMPLE_MEMBERS]
    report = member_service.ingest(export)
    assert report.members_stored == SAMPLE_MEMBERS, report.issues
    return member_service


@pytest.fixture
def intake(service: MemberService) -> AdtIntake:
    return AdtIntake(service)


def _clear_every_table(store: Store) -> None:
    # The PostgreSQL schema lives for the whole session: members and reviews must not leak.
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
