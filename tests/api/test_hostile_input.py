"""Whatever a client sends, the answer is an OperationOutcome or a resource, never a 500."""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.http import FHIR_JSON
from tests.api.resources import care_team, patient

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "id",
        "meta",
        "identifier",
        "name",
        "gender",
        "status",
        "subject",
        "participant",
        "resourceType",
    ]
)
PATHS = st.sampled_from(["Patient", "CareTeam", "Patient/mbr-m100001", "", "Patient/$validate"])
HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _send(client, path: str, body: bytes):
    method = client.put if path.startswith("Patient/mbr") else client.post
    return method(f"/fhir/{path}", data=body, content_type=FHIR_JSON)


@HYPOTHESIS
@given(path=PATHS, field=FIELDS, value=JSON_VALUES)
def test_mangled_resources_never_cause_a_server_error(client, path, field, value):
    base = care_team() if path.startswith("CareTeam") else patient()
    response = _send(client, path, orjson.dumps({**base, field: value}))
    assert response.status_code < 500, response.get_data(as_text=True)
    body = response.get_json(force=True)
    assert "resourceType" in body


@HYPOTHESIS
@given(path=PATHS, raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_cause_a_server_error(client, path, raw):
    response = _send(client, path, raw)
    assert response.status_code < 500
    assert response.get_json(force=True)["resourceType"] == "OperationOutcome"


KNOWN_NAMES = st.sampled_from(
    ["_count", "_sort", "_include", "_revinclude", "_summary", "_lastUpdated", "_id", "status",
     "owner", "focus", "authored-on", "code", "business-status", "identifier", "_offset"]
)  # fmt: skip
MODIFIERS = st.sampled_from(["", ":exact", ":missing", ":not", ":text", ":Patient", ":bogus"])
VALUES = st.text(max_size=30) | st.sampled_from(
    [
        "gt2026-01-01",
        "le2026-13-45",
        "-1",
        "0",
        "99999999999",
        "Task:focus",
        "Task:*",
        "a|b|c",
        "|",
        "\x00",
    ]
)


@HYPOTHESIS
@given(name=st.tuples(KNOWN_NAMES | st.text(min_size=1, max_size=15), MODIFIERS), value=VALUES)
def test_arbitrary_search_parameters_never_cause_a_server_error(client, name, value):
    response = client.get("/fhir/Task", query_string={"".join(name): value})
    assert response.status_code < 500, response.get_data(as_text=True)
