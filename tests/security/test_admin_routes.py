"""The exchange administration routes (/admin) need an administrator's bearer token."""

import pytest

from adapter.api import create_app
from adapter.config import Settings
from adapter.security.dev_keys import issue_dev_token


@pytest.fixture
def admin_app(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/admin.db", auth_dev_dir=str(tmp_path / "dev-auth")
    )
    return settings, create_app(settings).test_client()


def test_admin_routes_refuse_a_missing_token_with_a_bearer_challenge(admin_app):
    _, client = admin_app
    response = client.get("/admin/outbox")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("client_id", ["dev-plan", "dev-ehr", "dev-cbo-mbil", "dev-auditor"])
def test_admin_routes_refuse_every_client_that_is_not_an_administrator(admin_app, client_id):
    settings, client = admin_app
    token = issue_dev_token(settings, client_id)
    response = client.get("/admin/partners", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_admin_routes_serve_an_administrator(admin_app):
    settings, client = admin_app
    token = issue_dev_token(settings, "dev-admin")
    response = client.get("/admin/outbox", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
