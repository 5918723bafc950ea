"""Conformance resources on the API: read, search by url/version/name/status, $expand."""

from __future__ import annotations

import pytest

from adapter.canonical import PACKAGE_VERSION, profile_url, value_set_url

CAREPLAN = profile_url("onecare-careplan")


def fhir(client, path: str, **kwargs):
    response = client.get(path, **kwargs)
    return response.status_code, response.get_json(force=True)


def test_structuredefinition_search_by_url_returns_our_careplan_profile(client):
    status, bundle = fhir(client, f"/fhir/StructureDefinition?url={CAREPLAN}")
    assert status == 200
    assert bundle["type"] == "searchset" and bundle["total"] == 1
    sd = bundle["entry"][0]["resource"]
    assert (sd["url"], sd["version"]) == (CAREPLAN, PACKAGE_VERSION)
    assert sd["baseDefinition"].endswith("/us-core-careplan")
    assert bundle["entry"][0]["fullUrl"].endswith("/fhir/StructureDefinition/onecare-careplan")


def test_read_by_id_and_unknown_id_is_404(client):
    status, sd = fhir(client, "/fhir/StructureDefinition/onecare-careplan")
    assert status == 200 and sd["url"] == CAREPLAN
    status, outcome = fhir(client, "/fhir/StructureDefinition/no-such-profile")
    assert status == 404 and outcome["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"url={CAREPLAN}|{PACKAGE_VERSION}", {"onecare-careplan"}),
        ("name=OnecareCare", {"onecare-careplan"}),
        ("name:exact=OnecareCareplan", {"onecare-careplan"}),
        ("name:contains=careteam", {"ltsc-careteam", "us-core-careteam"}),
    ],
)
def test_search_parameters(client, query, expected):
    status, bundle = fhir(client, f"/fhir/StructureDefinition?{query}")
    assert status == 200
    assert {e["resource"]["id"] for e in bundle.get("entry", [])} == expected


def test_search_by_version_and_status_and_paging(client):
    _, ours = fhir(client, f"/fhir/StructureDefinition?version={PACKAGE_VERSION}&_count=5")
    assert ours["total"] >= 20 and len(ours["entry"]) == 5
    assert any(link["relation"] == "next" for link in ours["link"])
    _, us_core = fhir(client, "/fhir/StructureDefinition?version=7.0.0&name=USCorePatientProfile")
    assert [e["resource"]["id"] for e in us_core["entry"]] == ["us-core-patient"]
    _, drafts = fhir(client, "/fhir/CodeSystem?status=draft&_count=100")
    assert drafts["total"] >= 15


def test_unknown_search_parameter_is_a_clear_400(client):
    status, outcome = fhir(client, "/fhir/ValueSet?publisher=x")
    assert status == 400
    assert "publisher" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/ValueSet/ltsc-role",
        "/fhir/CodeSystem/ltss-service-type",
        "/fhir/Measure/ltsc-offer-uptake",
        "/fhir/CapabilityStatement/ltsc-adapter",
        "/fhir/CapabilityStatement/ltsc-adapter-server",
        "/fhir/SearchParameter/Task-status",
    ],
)
def test_every_conformance_type_is_readable(client, path):
    status, resource = fhir(client, path)
    assert status == 200, resource
    assert resource["resourceType"] == path.split("/")[2]


def test_valueset_expand_by_id_and_by_url_with_filter(client):
    status, expanded = fhir(client, "/fhir/ValueSet/ltsc-role/$expand")
    assert status == 200
    codes = {c["code"] for c in expanded["expansion"]["contains"]}
    assert codes == {"ltsc", "cc"} and expanded["expansion"]["total"] == 2
    url = value_set_url("ltss-service-type")
    _, filtered = fhir(client, f"/fhir/ValueSet/$expand?url={url}&filter=respite")
    assert [c["code"] for c in filtered["expansion"]["contains"]] == ["respite"]
    _, paged = fhir(client, f"/fhir/ValueSet/$expand?url={url}&offset=2&count=3")
    assert len(paged["expansion"]["contains"]) == 3 and paged["expansion"]["offset"] == 2


def test_valueset_expand_by_post_parameters(client):
    body = {
        "resourceType": "Parameters",
        "parameter": [{"name": "url", "valueUri": value_set_url("consent-share")}],
    }
    response = client.post(
        "/fhir/ValueSet/$expand", json=body, content_type="application/fhir+json"
    )
    assert response.status_code == 200
    assert response.get_json(force=True)["expansion"]["total"] == 4


def test_value_set_needing_external_terminology_is_refused_with_a_reason(client):
    status, outcome = fhir(client, "/fhir/ValueSet/us-core-procedure-code/$expand")
    assert status == 422
    assert "not held offline" in outcome["issue"][0]["diagnostics"]
    status, outcome = fhir(client, "/fhir/ValueSet/$expand")
    assert status == 400


def test_capability_statement_lists_conformance_types_and_supported_profiles(client):
    _, statement = fhir(client, "/fhir/metadata")
    by_type = {r["type"]: r for r in statement["rest"][0]["resource"]}
    us_core = "http://hl7.org/fhir/us/core/StructureDefinition/"
    assert by_type["CarePlan"]["supportedProfile"] == [CAREPLAN, us_core + "us-core-careplan"]
    assert by_type["Task"]["supportedProfile"] == [
        profile_url("ltsc-offer-task"),
        profile_url("ltss-service-task"),
    ]
    value_set = by_type["ValueSet"]
    assert {i["code"] for i in value_set["interaction"]} == {"read", "search-type"}
    assert value_set["operation"][0]["name"] == "expand"
    for kind in ("StructureDefinition", "CodeSystem", "SearchParameter", "Measure"):
        assert {p["name"] for p in by_type[kind]["searchParam"]} >= {"url", "name", "status"}
