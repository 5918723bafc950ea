"""Fuzzing through the API and the readers: never a 500, never a hang, never a partial write."""

from __future__ import annotations

import string
from pathlib import Path
from urllib.parse import urlencode

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.records import read_exports

FUZZ = settings(
    max_examples=60,
    deadline=2000,  # per example, so a hang fails the test instead of stalling it
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PARAM_NAMES = st.sampled_from(
    ["_id", "name", "birthdate", "identifier", "_count", "_offset", "_sort", "_include",
     "_revinclude", "patient", "owner", "status", "_lastUpdated", "_summary", "subject:Patient",
     "name:contains", "_has:Task:focus:status", "patient.name", "_elements", "x"]
)  # fmt: skip
VALUES = st.text(alphabet=string.printable + "éß€\u2028", max_size=40)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | VALUES
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(VALUES, inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(params=st.lists(st.tuples(PARAM_NAMES, VALUES), max_size=5))
def test_search_parameters_never_fail_the_server(world, params):
    query = urlencode(params)
    for kind in ("plan", "cbo_a"):
        response = world.client().get(f"/fhir/Task?{query}", headers=world.headers(kind))
        assert response.status_code < 500, response.get_data()[:300]


@FUZZ
@given(body=st.dictionaries(VALUES, JSON_VALUES, max_size=6))
def test_fhir_json_bodies_never_fail_the_server(world, body):
    body = {"resourceType": "Task", **body}
    headers = {**world.headers("cbo_a"), "Content-Type": "application/fhir+json"}
    response = world.client().post("/fhir/Task/$validate", data=orjson.dumps(body), headers=headers)
    assert response.status_code < 500, response.get_data()[:300]


@FUZZ
@given(text=st.text(max_size=300))
def test_fhir_xml_bodies_never_fail_the_server(world, text):
    headers = {**world.headers("plan"), "Content-Type": "application/fhir+xml"}
    body = f'<Patient xmlns="http://hl7.org/fhir">{text}</Patient>'.encode()
    response = world.client().post("/fhir/Patient/$validate", data=body, headers=headers)
    assert response.status_code < 500, response.get_data()[:300]


@FUZZ
@given(junk=st.dictionaries(VALUES, JSON_VALUES, min_size=1, max_size=4))
def test_transaction_with_a_fuzzed_entry_writes_nothing_or_everything(world, junk):
    before = world.store.history("Organization", count=1).total
    good = {
        "resourceType": "Organization",
        "id": "fuzz-org",
        "name": "Fuzz Org",
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": good, "request": {"method": "PUT", "url": "Organization/fuzz-org"}},
            {"resource": {"resourceType": "Organization", **junk},
             "request": {"method": "POST", "url": "Organization"}},
        ],
    }  # fmt: skip
    headers = {**world.headers("plan"), "Content-Type": "application/fhir+json"}
    response = world.client().post("/fhir", data=orjson.dumps(bundle), headers=headers)
    assert response.status_code < 500, response.get_data()[:300]
    written = world.store.history("Organization", count=1).total - before
    if response.status_code >= 400:
        assert written == 0
    else:
        assert written in (1, 2)  # the PUT may be 'unchanged'; the POST always writes


@settings(max_examples=60, deadline=2000)
@given(content=st.binary(max_size=400))
def test_json_export_reader_reports_bad_files_as_values(tmp_path_factory, content):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "export.json"
    path.write_bytes(content)
    result = read_exports([path])
    assert result.errors or result.exports is not None
