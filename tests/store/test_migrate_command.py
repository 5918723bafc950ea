"""`ltsc-adapter migrate` (the stack's one-shot migration) and `migrate --check`."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from adapter.cli import main
from adapter.store.database import create_store_engine
from adapter.store.migrate import code_heads, schema_status


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/adapter.db"
    monkeypatch.setenv("ADAPTER_DATABASE_URL", url)
    return url


def test_check_on_an_empty_database_reports_it_behind(database, capsys):
    assert main(["migrate", "--check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("not at head: schema revision none (empty database)")
    assert not schema_status(create_store_engine(database)).current  # nothing was applied


def test_migrate_brings_the_schema_to_head_and_is_idempotent(database, capsys):
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    assert main(["migrate", "--check"]) == 0
    head = code_heads()[0]
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"schema revision {head};")
    engine = create_store_engine(database)
    assert schema_status(engine).at_head
    engine.dispose()


def test_an_unreachable_database_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("ADAPTER_DATABASE_URL", "postgresql+psycopg://127.0.0.1:1/nowhere")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the database: ")
    assert "Traceback" not in err


def test_a_database_from_a_newer_version_is_refused_by_name(database, capsys):
    assert main(["migrate"]) == 0
    engine = create_store_engine(database)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert main(["migrate", "--check"]) == 1
    assert main(["migrate"]) == 2
    captured = capsys.readouterr()
    assert "not at head: schema revision 9999" in captured.out
    assert "error: cannot migrate the database: Can't locate revision" in captured.err
    assert "'9999'" in captured.err
