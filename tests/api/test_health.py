"""/healthz (liveness) and /readyz (database and schema revision), outside the FHIR base."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from adapter.api import create_app
from adapter.config import Settings
from adapter.store import Store, open_store
from adapter.store.database import create_store_engine
from adapter.store.migrate import code_heads


def issue(response: Any) -> dict[str, Any]:
    body = response.get_json(force=True)
    assert body["resourceType"] == "OperationOutcome"
    [first] = body["issue"]
    return first


def test_healthz_answers_without_a_token_or_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert issue(response)["severity"] == "information"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_schema_is_at_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert f"schema is at revision {code_heads()[0]}" in issue(response)["diagnostics"]


def test_probes_need_no_token_when_auth_is_on(make_client):
    client = make_client(auth_mode="on", auth_dev_issuer="off")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/fhir/Patient").status_code == 401


def _app(tmp_path, store: Any) -> Any:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/adapter.db", auth_mode="off", audit_mode="off"
    )
    return create_app(settings, store=store)


def test_readyz_is_503_with_an_outcome_when_the_schema_is_behind(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/adapter.db")
    try:
        client = _app(tmp_path, store).test_client()
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        response = client.get("/readyz")
        assert response.status_code == 503
        found = issue(response)
        assert found["severity"] == "error"
        assert "not ready: schema revision 0001" in found["diagnostics"]
        assert client.get("/healthz").status_code == 200  # alive all the same
    finally:
        store.close()


def test_readyz_is_503_with_an_outcome_when_the_database_does_not_answer(tmp_path):
    unreachable = Store(create_store_engine("postgresql+psycopg://127.0.0.1:1/nowhere"))
    client = _app(tmp_path, unreachable).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert issue(response)["diagnostics"] == "not ready: the database does not answer"
    assert client.get("/healthz").status_code == 200
