"""Every failure is an OperationOutcome with the right HTTP status, never a bare 500."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy.exc import IntegrityError

from adapter.api import create_app
from adapter.config import Settings
from tests.api.http import FHIR_JSON, issue_codes, post, put
from tests.api.resources import patient


def test_app_keeps_settings_and_store_in_extensions(app, settings, store):
    context = app.extensions["ltsc_api"]
    assert context.settings is settings
    assert context.store is store
    assert app.config["MAX_CONTENT_LENGTH"] == settings.max_request_bytes


def test_unknown_route_is_404_operation_outcome(client):
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert response.content_type.startswith("application/fhir+json")
    assert issue_codes(response) == ["not-found"]


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/fhir/Patient/x/_history")
    assert response.status_code == 405
    assert issue_codes(response) == ["not-supported"]
    assert "GET" in response.headers["Allow"]


def test_body_that_is_not_json_is_400(client):
    response = client.post("/fhir/Patient", data=b"{not json", content_type=FHIR_JSON)
    assert response.status_code == 400
    assert issue_codes(response) == ["invalid"]


def test_body_that_is_not_utf8_is_400(client):
    response = client.post(
        "/fhir/Patient",
        data='{"resourceType": "Patient", "x": "é"}'.encode("latin-1"),
        content_type=FHIR_JSON,
    )
    assert response.status_code == 400


def test_body_without_resource_type_is_400(client):
    response = post(client, "Patient", {"name": [{"family": "Santos"}]})
    assert response.status_code == 400
    assert "resourceType" in response.get_json(force=True)["issue"][0]["diagnostics"]


def test_empty_body_is_400(client):
    response = client.post("/fhir/Patient", data=b"", content_type=FHIR_JSON)
    assert response.status_code == 400


@pytest.mark.parametrize("levels", [40, 5000])
def test_deeply_nested_json_is_400_not_a_crash(client, levels):
    body = '{"resourceType": "Patient", "extension": ' + '[{"url": "x", "extension": ' * levels
    body += "[]" + "}]" * levels + "}"
    response = client.post("/fhir/Patient", data=body.encode(), content_type=FHIR_JSON)
    assert response.status_code == 400
    assert issue_codes(response) == ["invalid"]


def test_oversized_array_is_400(make_client):
    client = make_client(max_array_length=3)
    body = {**patient(), "name": [{"family": str(i)} for i in range(4)]}
    response = post(client, "Patient", body)
    assert response.status_code == 400


def test_body_over_the_size_limit_is_413(make_client):
    client = make_client(max_request_bytes=200)
    response = post(client, "Patient", patient())
    assert response.status_code == 413
    assert issue_codes(response) == ["too-costly"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_unsupported_content_type_is_415(client, content_type):
    response = client.post("/fhir/Patient", data=orjson.dumps(patient()), content_type=content_type)
    assert response.status_code == 415
    assert issue_codes(response) == ["not-supported"]


def test_non_utf8_charset_is_415(client):
    response = client.post(
        "/fhir/Patient",
        data=orjson.dumps(patient()),
        content_type="application/fhir+json; charset=iso-8859-1",
    )
    assert response.status_code == 415


def test_gone_is_410(client):
    put(client, "Patient/mbr-m100001", patient())
    client.delete("/fhir/Patient/mbr-m100001")
    assert client.get("/fhir/Patient/mbr-m100001").status_code == 410


def test_stale_version_is_412(client):
    put(client, "Patient/mbr-m100001", patient())
    response = put(client, "Patient/mbr-m100001", patient(), headers={"If-Match": 'W/"7"'})
    assert response.status_code == 412


class _FailingStore:
    """A store whose reads fail the way a broken database or a concurrent writer does."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def read(self, *_args):
        raise self.error

    def add_listener(self, _listener):
        """The exchange's outbox listeners attach at start-up; nothing is written here."""


def test_unexpected_error_is_500_outcome_without_internals(validator):
    secret = "password=hunter2 at db.internal"
    app = create_app(
        Settings(validation_mode="off", auth_mode="off", audit_mode="off"),
        store=_FailingStore(RuntimeError(secret)),
        validator=validator,
    )
    response = app.test_client().get("/fhir/Patient/mbr-m100001")
    assert response.status_code == 500
    assert issue_codes(response) == ["exception"]
    assert secret not in response.get_data(as_text=True)


def test_concurrent_write_collision_is_409(validator):
    collision = IntegrityError("INSERT ...", {}, Exception("duplicate key"))
    app = create_app(
        Settings(validation_mode="off", auth_mode="off", audit_mode="off"),
        store=_FailingStore(collision),
        validator=validator,
    )
    response = app.test_client().get("/fhir/Patient/mbr-m100001")
    assert response.status_code == 409
    assert issue_codes(response) == ["conflict"]
    assert "duplicate key" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [{"status": "a\x00b"}, {"_id": "\x00"}, {"code": "s|\x00"}])
def test_nul_in_a_search_parameter_is_400(client, query):
    response = client.get("/fhir/Task", query_string=query)
    assert response.status_code == 400
    assert "NUL" in response.get_json(force=True)["issue"][0]["diagnostics"]


def test_nul_in_a_body_string_is_400(make_client):
    client = make_client(validation_mode="off")  # the check holds without profile validation
    body = {**patient(), "name": [{"family": "Santos\x00"}]}
    assert post(client, "Patient", body).status_code == 400
    assert client.get("/fhir/Patient").get_json(force=True)["total"] == 0


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/fhir/Task?_offset=99999999999999999999", 400),
        ("/fhir/Task/_history?_offset=99999999999999999999", 400),
        ("/fhir/Task/_history?_offset=-1", 400),
        ("/fhir/Task/_history?_since=9999-12-31T23:59:59-14:00", 400),
        ("/fhir/Task/x/_history/99999999999999999999", 404),
        ("/fhir/Task/x/_history/abc", 404),
    ],
)
def test_out_of_range_numbers_and_instants_are_client_errors(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"
