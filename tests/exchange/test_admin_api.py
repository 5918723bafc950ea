"""/admin/outbox and /admin/partners: FHIR-style JSON, OperationOutcome errors."""

from __future__ import annotations

import pytest
from flask import Flask

from adapter.config import Settings
from adapter.exchange import outbox
from adapter.exchange.admin_api import register_exchange
from adapter.exchange.partners import load_registry
from tests.exchange.resources import patient

PARTNERS = """
partners:
  - id: ehr
    base_url: http://127.0.0.1:9/fhir
    resource_types: [Patient]
"""


@pytest.fixture
def partners_file(tmp_path):
    path = tmp_path / "partners.yaml"
    path.write_text(PARTNERS)
    return path


@pytest.fixture
def client(store, partners_file):
    app = Flask(__name__)
    register_exchange(app, store, Settings(exchange_partners_file=str(partners_file)))
    return app.test_client()


def dead_letter(store) -> int:
    with outbox.write_transaction(store.engine) as conn:
        [item] = outbox.claim(conn, "w", limit=1, lease_s=60)
        outbox.mark_dead(conn, item, "w", {"resourceType": "OperationOutcome", "issue": []})
    return item.seq


def test_writes_through_the_store_are_enqueued_for_registered_partners(store, client):
    store.update("Patient", "mbr-m1", patient("M1"))
    body = client.get("/admin/outbox").get_json()
    assert body["counts"]["pending"] == 1
    [item] = body["items"]
    assert (item["destination"], item["resource"]) == ("ehr", "Patient/mbr-m1/_history/1")


def test_dead_items_are_listed_with_their_reason_and_retried(store, client):
    store.update("Patient", "mbr-m1", patient("M1"))
    seq = dead_letter(store)
    [item] = client.get("/admin/outbox?state=dead").get_json()["items"]
    assert item["lastError"]["resourceType"] == "OperationOutcome"
    assert client.get(f"/admin/outbox/{seq}").get_json()["status"] == "dead"
    assert client.post(f"/admin/outbox/{seq}/$retry").get_json() == {"requeued": 1}
    assert client.get(f"/admin/outbox/{seq}").get_json()["status"] == "pending"


def test_retrying_an_item_that_is_not_dead_is_refused(store, client):
    store.update("Patient", "mbr-m1", patient("M1"))
    [item] = client.get("/admin/outbox").get_json()["items"]
    answer = client.post(f"/admin/outbox/{item['id']}/$retry")
    assert answer.status_code == 400
    assert answer.get_json()["resourceType"] == "OperationOutcome"


def test_unknown_items_and_bad_filters_answer_with_an_operation_outcome(client):
    missing = client.get("/admin/outbox/999")
    assert missing.status_code == 404
    assert missing.get_json()["issue"][0]["code"] == "not-found"
    bad = client.get("/admin/outbox?state=lost")
    assert bad.status_code == 400
    assert bad.get_json()["issue"][0]["expression"] == ["state"]


def test_partners_are_listed_without_secrets(client):
    [partner] = client.get("/admin/partners").get_json()["partners"]
    assert partner["id"] == "ehr"
    assert partner["auth"] == {"kind": "none", "client_id": None}


def test_a_partner_added_by_the_api_is_saved_and_routes_at_once(store, client, partners_file):
    entry = {"base_url": "http://127.0.0.1:9/cbo", "resource_types": ["Patient"]}
    assert client.put("/admin/partners/cbo", json=entry).status_code == 201
    assert {p.id for p in load_registry(partners_file)} == {"ehr", "cbo"}
    store.update("Patient", "mbr-m1", patient("M1"))
    destinations = {i["destination"] for i in client.get("/admin/outbox").get_json()["items"]}
    assert destinations == {"ehr", "cbo"}
    assert client.delete("/admin/partners/cbo").status_code == 204
    assert {p.id for p in load_registry(partners_file)} == {"ehr"}


def test_an_invalid_partner_is_refused_with_every_issue(client):
    answer = client.put("/admin/partners/x", json={"base_url": "ftp://x", "delivery": "fax"})
    assert answer.status_code == 422
    where = [i["expression"][0] for i in answer.get_json()["issue"]]
    assert where == ["partner.base_url", "partner.delivery"]
