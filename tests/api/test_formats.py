"""JSON and XML in and out: Content-Type, Accept, `_format`, `_pretty`, UTF-8."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.api.http import issue_codes, put
from tests.api.resources import patient

FHIR_NS = "{http://hl7.org/fhir}"


@pytest.fixture
def stored(client):
    put(client, "Patient/mbr-m100001", patient(family="Conceição"))
    return client


def test_json_is_the_default(stored):
    response = stored.get("/fhir/Patient/mbr-m100001")
    assert response.content_type == "application/fhir+json; charset=utf-8"
    assert response.get_json(force=True)["name"][0]["family"] == "Conceição"


def test_utf8_survives_the_round_trip(stored):
    assert "Conceição".encode() in stored.get("/fhir/Patient/mbr-m100001").data


@pytest.mark.parametrize("fmt", ["xml", "application/fhir+xml", "application/fhir xml", "text/xml"])
def test_format_parameter_asks_for_xml(stored, fmt):
    response = stored.get("/fhir/Patient/mbr-m100001", query_string={"_format": fmt})
    assert response.content_type == "application/fhir+xml; charset=utf-8"
    root = etree.fromstring(response.data)
    assert root.tag == f"{FHIR_NS}Patient"
    assert root.find(f"{FHIR_NS}name/{FHIR_NS}family").get("value") == "Conceição"


def test_accept_header_asks_for_xml(stored):
    response = stored.get("/fhir/Patient/mbr-m100001", headers={"Accept": "application/fhir+xml"})
    assert response.content_type.startswith("application/fhir+xml")


def test_accept_prefers_json_when_both_are_acceptable(stored):
    accept = "application/fhir+json, application/fhir+xml;q=0.5"
    response = stored.get("/fhir/Patient/mbr-m100001", headers={"Accept": accept})
    assert response.content_type.startswith("application/fhir+json")


def test_format_parameter_beats_accept(stored):
    response = stored.get(
        "/fhir/Patient/mbr-m100001?_format=json", headers={"Accept": "application/fhir+xml"}
    )
    assert response.content_type.startswith("application/fhir+json")


def test_unknown_format_is_406_in_json(stored):
    response = stored.get("/fhir/Patient/mbr-m100001?_format=yaml")
    assert response.status_code == 406
    assert issue_codes(response) == ["not-supported"]


def test_pretty_json_is_indented(stored):
    compact = stored.get("/fhir/Patient/mbr-m100001").data
    pretty = stored.get("/fhir/Patient/mbr-m100001?_pretty=true").data
    assert b"\n" not in compact
    assert b'\n  "' in pretty


def test_pretty_xml_is_indented(stored):
    response = stored.get("/fhir/Patient/mbr-m100001?_format=xml&_pretty=true")
    assert b"\n  <" in response.data


def test_xml_body_is_accepted_and_stored(client):
    put(client, "Patient/mbr-m100001", patient())
    xml = client.get("/fhir/Patient/mbr-m100001?_format=xml").data
    xml = xml.replace(b'value="Santos"', b'value="Souza"')
    response = client.put(
        "/fhir/Patient/mbr-m100001", data=xml, content_type="application/fhir+xml"
    )
    assert response.status_code == 200
    assert response.content_type.startswith("application/fhir+json")
    assert response.get_json(force=True)["name"][0]["family"] == "Souza"


def test_malformed_xml_is_400_outcome_in_the_asked_format(client):
    response = client.post(
        "/fhir/Patient?_format=xml", data=b"<Patient", content_type="application/fhir+xml"
    )
    assert response.status_code == 400
    root = etree.fromstring(response.data)
    assert root.tag == f"{FHIR_NS}OperationOutcome"


def test_xml_entity_expansion_is_refused(client):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Patient xmlns="http://hl7.org/fhir"><id value="&b;"/></Patient>'
    )
    response = client.post("/fhir/Patient", data=bomb, content_type="application/fhir+xml")
    assert response.status_code == 400


def test_search_bundle_in_xml(stored):
    response = stored.get("/fhir/Patient?_format=xml")
    root = etree.fromstring(response.data)
    assert root.tag == f"{FHIR_NS}Bundle"
    assert root.find(f"{FHIR_NS}total").get("value") == "1"
