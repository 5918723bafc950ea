"""A real `ltsc-adapter serve` (gunicorn, 2 workers) on SQLite or its own PostgreSQL schema."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from adapter.config import Settings
from adapter.security.dev_keys import issue_dev_token
from tests.processes import free_port, stop, wait_until_serving
from tests.store.conftest import _postgres_url


@dataclass
class Served:
    base_url: str
    database_url: str
    settings: Settings
    process: subprocess.Popen

    def headers(self, client_id: str = "dev-plan", **extra: str) -> dict[str, str]:
        token = issue_dev_token(self.settings, client_id, ["system/*.cruds"])
        return {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/fhir+json",
            **extra,
        }

    def count(self, sql: str, **params: Any) -> int:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(sql), params).scalar_one())
        finally:
            engine.dispose()


@contextmanager
def postgres_schema() -> Iterator[str]:
    base = _postgres_url()
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    schema = f"i_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder}/served.db"
    else:
        with postgres_schema() as url:
            yield url


@contextmanager
def serve(database_url: str, folder: Path, *, samples: bool = True, **env: str) -> Iterator[Served]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/fhir"
    dev_dir = str(folder / "auth")
    environ = {
        **os.environ,
        "ADAPTER_HOST": "127.0.0.1",
        "ADAPTER_PORT": str(port),
        "ADAPTER_WORKERS": "2",
        "ADAPTER_DATABASE_URL": database_url,
        "ADAPTER_BASE_URL": base_url,
        "ADAPTER_AUTH_DEV_DIR": dev_dir,
        "ADAPTER_VALIDATION_MODE": "off",
        **env,
    }
    command = [
        sys.executable,
        "-m",
        "adapter.cli",
        "serve",
        *(["--load-samples"] if samples else []),
    ]
    log = folder / f"serve-{port}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL, stderr=sink)
    try:
        wait_until_serving(f"{base_url}/metadata", process, timeout_s=180, log=log)
        settings = Settings(base_url=base_url, auth_dev_dir=dev_dir)
        yield Served(base_url, database_url, settings, process)
    finally:
        stop(process, log=log)


def http() -> requests.Session:
    return requests.Session()
