"""The shipped base R4 definitions index loads and answers by URL and by type name."""

from adapter.validation.definitions import load_base_r4


def test_base_r4_has_task_with_required_status_binding():
    definitions = load_base_r4()
    task = definitions.structure_definition("Task")
    assert task is not None and task["fhirVersion"] == "4.0.1"
    status = next(e for e in task["snapshot"]["element"] if e["path"] == "Task.status")
    binding = status["binding"]
    assert binding["strength"] == "required"
    value_set = definitions.value_sets[binding["valueSet"].split("|")[0]]
    system = value_set["compose"]["include"][0]["system"]
    codes = {c["code"] for c in definitions.code_systems[system]["concept"]}
    assert {"requested", "accepted", "completed"} <= codes
    assert "bogus" not in codes


def test_search_parameters_include_common_and_specific_ones():
    names = {sp["code"] for sp in load_base_r4().search_parameters_for("Task")}
    assert {"_id", "_lastUpdated", "owner", "focus", "business-status", "patient"} <= names


def test_copies_are_independent():
    first = load_base_r4()
    first.add({"resourceType": "ValueSet", "url": "https://example.org/vs"})
    assert "https://example.org/vs" not in load_base_r4().value_sets
