"""Bulk Data export: kick-off, status, manifest, files, `_type`, `_since`, `_typeFilter`,
cancellation and expiry, on SQLite and PostgreSQL (the runner is called in-process here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import orjson
import pytest

from adapter import clock
from adapter.bulk import BulkExportRunner
from tests.api.http import put
from tests.api.resources import patient, service_task

ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}


@pytest.fixture
def bulk_settings(settings, tmp_path):
    return replace(settings, bulk_export_dir=str(tmp_path / "bulk"))


@pytest.fixture
def bulk_client(make_client, bulk_settings):
    return make_client(bulk_export_dir=bulk_settings.bulk_export_dir)


@pytest.fixture
def runner(store, bulk_settings):
    return BulkExportRunner(store, bulk_settings)


def load(client, members=3):
    for n in range(members):
        member = f"M10000{n}"
        put(client, f"Patient/mbr-{member.lower()}", patient(member))
        task = service_task(member_id=member)
        put(client, f"Task/{task['id']}", task)


def kick_off(client, query="$export"):
    response = client.get(f"/fhir/{query}", headers=ASYNC)
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.headers["Content-Location"].split("/fhir/", 1)[1]


def manifest(client, status_path):
    response = client.get(f"/fhir/{status_path}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(force=True)


def lines(client, url):
    response = client.get(url.split("localhost", 1)[1])
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+ndjson"
    return [orjson.loads(line) for line in response.get_data().splitlines()]


def test_system_export_flow_kick_off_poll_manifest_files(bulk_client, runner):
    load(bulk_client)
    status_path = kick_off(bulk_client)
    waiting = bulk_client.get(f"/fhir/{status_path}")
    assert waiting.status_code == 202
    assert waiting.headers["Retry-After"] == "2"
    assert waiting.headers["X-Progress"] == "queued"
    assert runner.run_due() == 1
    body = manifest(bulk_client, status_path)
    assert body["requiresAccessToken"] is True
    assert body["request"].endswith("/fhir/$export")
    by_type = {item["type"]: item for item in body["output"]}
    # Each Task version written through the API also has its Provenance.
    assert set(by_type) == {"Patient", "Task", "Provenance"}
    assert by_type["Patient"]["count"] == 3
    patients = lines(bulk_client, by_type["Patient"]["url"])
    assert sorted(p["id"] for p in patients) == ["mbr-m100000", "mbr-m100001", "mbr-m100002"]
    assert len(lines(bulk_client, by_type["Task"]["url"])) == 3


def test_type_and_type_filter_narrow_the_output(bulk_client, runner):
    load(bulk_client)
    query = "Patient/$export?_type=Patient,Task&_typeFilter=Patient%3F_id%3Dmbr-m100001"
    status_path = kick_off(bulk_client, query)
    runner.run_due()
    by_type = {item["type"]: item for item in manifest(bulk_client, status_path)["output"]}
    assert by_type["Patient"]["count"] == 1
    assert by_type["Task"]["count"] == 3


def test_since_exports_only_later_changes(bulk_client, runner):
    load(bulk_client, members=2)
    later = (clock.utcnow_naive() + dt.timedelta(days=1)).isoformat(timespec="seconds") + "Z"
    status_path = kick_off(bulk_client, f"$export?_since={later}")
    runner.run_due()
    assert manifest(bulk_client, status_path)["output"] == []


def test_group_export_of_a_plan_and_unknown_group(bulk_client, runner):
    load(bulk_client, members=2)
    unknown = bulk_client.get("/fhir/Group/nothing/$export", headers=ASYNC)
    assert unknown.status_code == 404


def test_kick_off_errors_are_outcomes(bulk_client):
    no_prefer = bulk_client.get("/fhir/$export")
    assert no_prefer.status_code == 400
    for query in (
        "$export?_type=Nothing",
        "$export?_outputFormat=text/csv",
        "$export?_since=yesterday",
        "$export?_typeFilter=Task%3Fnope%3D1",
        "$export?_elements=id",
    ):
        response = bulk_client.get(f"/fhir/{query}", headers=ASYNC)
        assert response.status_code == 400, query
        assert response.get_json(force=True)["resourceType"] == "OperationOutcome"
    lenient = bulk_client.get(
        "/fhir/$export?includeAssociatedData=x",
        headers={**ASYNC, "Prefer": "respond-async, handling=lenient"},
    )
    assert lenient.status_code == 202


def test_cancel_stops_the_job_and_removes_it(bulk_client, runner, bulk_settings):
    load(bulk_client, members=1)
    status_path = kick_off(bulk_client)
    assert bulk_client.delete(f"/fhir/{status_path}").status_code == 202
    assert runner.run_due() == 0
    assert bulk_client.get(f"/fhir/{status_path}").status_code == 404
    assert bulk_client.delete(f"/fhir/{status_path}").status_code == 404


def test_files_expire(bulk_client, runner, bulk_settings):
    load(bulk_client, members=1)
    status_path = kick_off(bulk_client)
    runner.run_due()
    url = manifest(bulk_client, status_path)["output"][0]["url"]
    job_id = status_path.rsplit("/", 1)[1]
    expired = replace(bulk_settings, bulk_export_expiry_seconds=0)
    BulkExportRunner(runner.store, expired).remove_expired()  # nothing due yet
    assert bulk_client.get(url.split("localhost", 1)[1]).status_code == 200
    with runner.store.engine.begin() as conn:
        from adapter.store.schema import bulk_export_jobs

        conn.execute(
            bulk_export_jobs.update()
            .where(bulk_export_jobs.c.id == job_id)
            .values(expires_at=clock.utcnow_naive() - dt.timedelta(seconds=1))
        )
    runner.remove_expired()
    assert bulk_client.get(url.split("localhost", 1)[1]).status_code == 404
    assert bulk_client.get(f"/fhir/{status_path}").status_code == 404
