"""Web app fixtures: the sample plan loaded once, copied per test, and signed-in test clients."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from adapter.api import create_app
from adapter.api.command import load_samples
from adapter.config import Settings
from adapter.store import Store, open_store
from adapter.validation import default_validator
from adapter.webapp.access import SECURITY_KEY

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MEMBER_LINK = re.compile(r'href="(/app/members/[A-Za-z0-9_-]+)(?:#[^"]*)?"')
# Sample users (adapter/webapp/dev_users.yaml): the plan's CC and LTS-Cs of two CBOs, and a
# supervisor of the plan's CCs.
CC, MBIL_LTSC, MRLC_LTSC = "cc.thompson", "ltsc.volkov", "ltsc.santiago"
SUPERVISOR = "supervisor.reyes"


@pytest.fixture(scope="session")
def validator() -> Any:
    return default_validator()


@pytest.fixture(scope="session")
def sample_database(tmp_path_factory: pytest.TempPathFactory, validator: Any) -> Path:
    """The sample export ingested once through the member service; tests copy the file."""
    path = tmp_path_factory.mktemp("webapp-db") / "sample.db"
    settings = Settings(database_url=f"sqlite:///{path}")
    store = open_store(settings.database_url)
    try:
        assert load_samples(store, settings) == 45
    finally:
        store.close()
    return path


@pytest.fixture
def settings(tmp_path: Path, sample_database: Path) -> Settings:
    database = tmp_path / "adapter.db"
    shutil.copy(sample_database, database)
    return Settings(
        database_url=f"sqlite:///{database}",
        webapp_dev_login=1,
        webapp_secret_key="test-secret-key-of-the-web-app-0123456789",
        webapp_session_minutes=30,
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings.database_url)
    yield opened
    opened.close()


@pytest.fixture
def make_app(store: Store, settings: Settings, validator: Any) -> Iterator[Callable[..., Flask]]:
    built: list[Flask] = []

    def build(**changes: Any) -> Flask:
        changed = replace(settings, **changes)
        app = create_app(changed, store=store, validator=validator)
        app.config["TESTING"] = True
        built.append(app)
        return app

    yield build
    for app in built:  # audit events are written in the background; let them land first
        flush_audit(app)


def flush_audit(app: Flask) -> None:
    trail = getattr(app.extensions.get(SECURITY_KEY), "audit", None)
    if trail is not None:
        trail.flush()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def sign_in(app: Flask) -> Callable[[str], FlaskClient]:
    """A client signed in as one of the sample users."""

    def signed_in(user: str) -> FlaskClient:
        client = app.test_client()
        response = client.post(
            "/app/sign-in", data={"csrf_token": csrf(client), "user": user, "dev": "1"}
        )
        assert response.status_code == 302, response.text
        return client

    return signed_in


def csrf(client: FlaskClient, path: str = "/app/sign-in") -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF.search(client.get(path).text)
    assert found, f"no form with a CSRF token on {path}"
    return found.group(1)


def member_link(client: FlaskClient, name: str) -> str:
    """The member page of the member with that name, found by the members list's search."""
    page = client.get("/app/members", query_string={"q": name, "scope": "all"}).text
    for row in page.split("<tr>"):
        link = MEMBER_LINK.search(row)
        if link and f">{name}</a>" in row:
            return link.group(1)
    raise AssertionError(f"{name} is not on the members list")


def text_of(html: str) -> str:
    """Page text with tags removed and whitespace collapsed, for reading assertions."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
