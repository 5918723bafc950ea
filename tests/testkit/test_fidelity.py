"""Round-trip fidelity: what counts as a change and what a server may add."""

from __future__ import annotations

from adapter.testkit.fidelity import resource_differences

PROFILE = "https://ltsc-adapter.org/fhir/StructureDefinition/ltsc-offer-task"
SENT = {
    "resourceType": "Task",
    "id": "t1",
    "meta": {"profile": [PROFILE]},
    "status": "ready",
    "input": [{"valueReference": {"reference": "PractitionerRole/role-ltsc-0001"}}],
}


def test_server_managed_meta_and_narrative_are_not_differences():
    got = {
        **SENT,
        "meta": {
            "profile": [PROFILE],
            "versionId": "3",
            "lastUpdated": "2026-11-01T06:00:00Z",
            "source": "#x",
            "tag": [{"code": "t"}],
        },
        "text": {"status": "generated", "div": "<div/>"},
    }
    assert resource_differences(SENT, got) == []


def test_dropped_profile_is_a_difference():
    got = {**SENT, "meta": {"versionId": "1"}}
    assert resource_differences(SENT, got) == [f"Task.meta.profile: {PROFILE} was dropped"]


def test_changed_nested_value_is_located_by_path():
    got = {**SENT, "input": [{"valueReference": {"reference": "PractitionerRole/other"}}]}
    [difference] = resource_differences(SENT, got)
    assert difference.startswith("Task.input[0].valueReference.reference: sent ")


def test_dropped_and_added_elements_and_shortened_lists_are_differences():
    got = {k: v for k, v in SENT.items() if k != "status"} | {"priority": "routine", "input": []}
    assert resource_differences(SENT, got) == [
        "Task.input: 1 items sent, 0 returned",
        "Task.priority: added by the server",
        "Task.status: dropped",
    ]
