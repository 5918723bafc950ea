"""PATCH: JSON Patch, FHIRPath Patch and merge patch, If-Match, conditional patch; the result
passes profiles and the Task state machine like a PUT (RECOMMEND)."""

from __future__ import annotations

import orjson

from tests.api.http import issue_codes, post, put
from tests.api.resources import patient, service_task

TASK = service_task()
TASK_PATH = f"Task/{TASK['id']}"
PATIENT = patient()
PATIENT_PATH = f"Patient/{PATIENT['id']}"


def json_patch(client, path, operations, headers=None):
    return client.patch(
        f"/fhir/{path}",
        data=orjson.dumps(operations),
        content_type="application/json-patch+json",
        headers=headers or {},
    )


def fhir_patch(client, path, parameters, headers=None):
    return client.patch(
        f"/fhir/{path}",
        data=orjson.dumps(parameters),
        content_type="application/fhir+json",
        headers=headers or {},
    )


def operation(kind, path, **parts):
    part = [{"name": "type", "valueCode": kind}, {"name": "path", "valueString": path}]
    for name, value in parts.items():
        if name == "name":
            part.append({"name": "name", "valueString": value})
        elif name in ("index", "source", "destination"):
            part.append({"name": name, "valueInteger": value})
        else:
            part.append({"name": "value", name: value})
    return {"name": "operation", "part": part}


def parameters(*operations):
    return {"resourceType": "Parameters", "parameter": list(operations)}


def test_json_patch_moves_a_task_and_answers_the_new_version(client):
    put(client, TASK_PATH, TASK)
    response = json_patch(
        client, TASK_PATH, [{"op": "replace", "path": "/status", "value": "accepted"}]
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json(force=True)["status"] == "accepted"
    assert response.headers["ETag"] == 'W/"2"'
    assert client.get(f"/fhir/{TASK_PATH}").get_json(force=True)["status"] == "accepted"


def test_json_patch_result_follows_the_task_state_machine(client):
    """RECOMMEND: an authorization Task cannot jump from requested to completed, by PATCH too."""
    put(client, TASK_PATH, TASK)
    response = json_patch(
        client, TASK_PATH, [{"op": "replace", "path": "/status", "value": "completed"}]
    )
    assert response.status_code == 422
    assert client.get(f"/fhir/{TASK_PATH}").get_json(force=True)["status"] == "requested"


def test_patched_result_is_validated_against_the_profile(client):
    put(client, PATIENT_PATH, PATIENT)
    response = json_patch(
        client, PATIENT_PATH, [{"op": "replace", "path": "/gender", "value": "x"}]
    )
    assert response.status_code == 422
    assert client.get(f"/fhir/{PATIENT_PATH}").get_json(force=True)["gender"] == "female"


def test_if_match_guards_the_version_patched(client):
    put(client, PATIENT_PATH, PATIENT)
    ops = [{"op": "add", "path": "/birthDate", "value": "1971-03-15"}]
    stale = json_patch(client, PATIENT_PATH, ops, {"If-Match": 'W/"7"'})
    assert stale.status_code == 412
    fresh = json_patch(client, PATIENT_PATH, ops, {"If-Match": 'W/"1"'})
    assert fresh.status_code == 200
    assert fresh.get_json(force=True)["birthDate"] == "1971-03-15"


def test_failed_json_patch_test_op_changes_nothing(client):
    put(client, PATIENT_PATH, PATIENT)
    ops = [
        {"op": "test", "path": "/gender", "value": "male"},
        {"op": "replace", "path": "/gender", "value": "male"},
    ]
    response = json_patch(client, PATIENT_PATH, ops)
    assert response.status_code == 422
    assert client.get(f"/fhir/{PATIENT_PATH}").get_json(force=True)["meta"]["versionId"] == "1"


def test_malformed_patches_are_refused_with_an_outcome(client):
    put(client, PATIENT_PATH, PATIENT)
    assert json_patch(client, PATIENT_PATH, {"op": "remove"}).status_code == 400
    bad = json_patch(client, PATIENT_PATH, [{"op": "remove", "path": "/nothing/here"}])
    assert bad.status_code == 422
    assert issue_codes(bad) == ["processing"]
    changes_id = json_patch(client, PATIENT_PATH, [{"op": "replace", "path": "/id", "value": "x"}])
    assert changes_id.status_code == 422
    text = client.patch(f"/fhir/{PATIENT_PATH}", data=b"x", content_type="text/plain")
    assert text.status_code == 415


def test_patch_of_a_missing_resource_is_404(client):
    response = json_patch(
        client, "Patient/nobody", [{"op": "add", "path": "/active", "value": True}]
    )
    assert response.status_code == 404


def test_fhirpath_patch_add_replace_insert_delete_move(client):
    resource = {**PATIENT, "name": [{"family": "Santos", "given": ["Maria"]}, {"family": "Lima"}]}
    put(client, PATIENT_PATH, resource)
    body = parameters(
        operation("replace", "Patient.birthDate", valueDate="1971-03-16"),
        operation("add", "Patient", name="active", valueBoolean=True),
        operation(
            "add", "Patient", name="telecom", valueContactPoint={"system": "phone", "value": "1"}
        ),
        operation("insert", "Patient.name", index=0, valueHumanName={"family": "Sousa"}),
        operation("delete", "Patient.name.where(family = 'Lima')"),
        operation("move", "Patient.name", source=1, destination=0),
        operation("replace", "Patient.name[1].family", valueString="Souza"),
    )
    response = fhir_patch(client, PATIENT_PATH, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = client.get(f"/fhir/{PATIENT_PATH}").get_json(force=True)
    assert stored["birthDate"] == "1971-03-16"
    assert stored["active"] is True
    assert stored["telecom"] == [{"system": "phone", "value": "1"}]  # telecom repeats in R4
    assert [n["family"] for n in stored["name"]] == ["Santos", "Souza"]


def test_fhirpath_patch_errors_name_the_operation(client):
    put(client, PATIENT_PATH, PATIENT)
    unknown = fhir_patch(client, PATIENT_PATH, parameters(operation("frob", "Patient.gender")))
    assert unknown.status_code == 400
    body = unknown.get_json(force=True)
    assert body["issue"][0]["expression"] == ["Parameters.parameter[0].part[type]"]
    twice = fhir_patch(
        client,
        PATIENT_PATH,
        parameters(operation("add", "Patient", name="gender", valueCode="male")),
    )
    assert twice.status_code == 422
    unsupported = fhir_patch(
        client, PATIENT_PATH, parameters(operation("delete", "Patient.name.resolve()"))
    )
    assert unsupported.status_code == 400


def test_merge_patch_as_fhirpy_sends_it(client):
    put(client, PATIENT_PATH, PATIENT)
    response = client.patch(
        f"/fhir/{PATIENT_PATH}",
        data=orjson.dumps({"active": False, "birthDate": None}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = response.get_json(force=True)
    assert stored["active"] is False
    assert "birthDate" not in stored


def test_conditional_patch_patches_the_one_match(client):
    put(client, TASK_PATH, TASK)
    query = "Task?identifier=" + TASK["identifier"][0]["system"] + "|M100001/SR-1/auth"
    ops = [{"op": "replace", "path": "/status", "value": "accepted"}]
    response = json_patch(client, query, ops)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json(force=True)["id"] == TASK["id"]
    assert json_patch(client, "Task?identifier=nothing|x", ops).status_code == 404
    assert json_patch(client, "Task", ops).status_code == 400


def test_conditional_patch_with_several_matches_is_412(client):
    put(client, TASK_PATH, TASK)
    other = {**service_task(record_id="SR-2")}
    put(client, f"Task/{other['id']}", other)
    ops = [{"op": "replace", "path": "/status", "value": "accepted"}]
    assert json_patch(client, "Task?patient=Patient/mbr-m100001", ops).status_code == 412


def test_patch_created_resources_keep_post_semantics(client):
    created = post(client, "Patient", {k: v for k, v in PATIENT.items() if k != "id"})
    new_id = created.get_json(force=True)["id"]
    response = json_patch(
        client, f"Patient/{new_id}", [{"op": "add", "path": "/active", "value": True}]
    )
    assert response.status_code == 200
    assert response.get_json(force=True)["meta"]["versionId"] == "2"


def test_fhirpath_patch_in_xml(client):
    put(client, PATIENT_PATH, PATIENT)
    body = (
        '<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="operation"/>'
        '<part><name value="type"/><valueCode value="replace"/></part>'
        '<part><name value="path"/><valueString value="Patient.gender"/></part>'
        '<part><name value="value"/><valueCode value="male"/></part>'
        "</parameter></Parameters>"
    )
    response = client.patch(f"/fhir/{PATIENT_PATH}", data=body, content_type="application/fhir+xml")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.get(f"/fhir/{PATIENT_PATH}").get_json(force=True)["gender"] == "male"
