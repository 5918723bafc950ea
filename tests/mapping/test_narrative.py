"""Generated narrative: every mapped resource carries readable XHTML that obeys the FHIR rules."""

from __future__ import annotations

import copy
import functools
import xml.etree.ElementTree as ET
from typing import Any

from adapter.mapping.narrative import XHTML_NS, Names, add_narrative, narrative
from adapter.mapping.pipeline import map_export

from .conftest import BASIC_SCENARIO, load_scenario

# txt-1 allows a wider set; the generator keeps to these, with no attributes but xmlns.
ALLOWED = {"div", "p", "b", "ul", "li"}


@functools.cache
def scenario_bundle() -> dict[str, Any]:
    document, derived = load_scenario(BASIC_SCENARIO)

    def derive(record, directory, as_of):
        return derived[record["member"]["member_id"]]

    return next(bundle for _, bundle in map_export(document, derive=derive))


def resources() -> list[dict[str, Any]]:
    return [entry["resource"] for entry in scenario_bundle()["entry"]]


def of_type(kind: str) -> dict[str, Any]:
    return next(r for r in resources() if r["resourceType"] == kind)


def check_xhtml(div: str) -> ET.Element:
    root = ET.fromstring(div)  # noqa: S314 - the adapter's own output
    assert root.tag == f"{{{XHTML_NS}}}div"
    for element in root.iter():
        assert element.tag.startswith(f"{{{XHTML_NS}}}")
        assert element.tag.split("}")[1] in ALLOWED, element.tag
        assert element.attrib == {}
    assert "".join(root.itertext()).strip()  # txt-2: non-whitespace content
    return root


def text_of(resource: dict[str, Any]) -> str:
    return " ".join(check_xhtml(resource["text"]["div"]).itertext())


def test_every_mapped_resource_has_generated_narrative_after_meta() -> None:
    for resource in resources():
        assert resource["text"]["status"] == "generated"
        check_xhtml(resource["text"]["div"])
        keys = list(resource)
        assert keys.index("text") == keys.index("meta") + 1


def test_patient_narrative_names_the_member_and_contact() -> None:
    patient = of_type("Patient")
    shown = text_of(patient)
    assert patient["name"][0]["family"] in shown
    assert patient["identifier"][0]["value"] in shown
    assert patient["telecom"][0]["value"] in shown


def test_offer_task_narrative_shows_status_due_date_and_owner_by_name() -> None:
    task = next(r for r in resources() if r["resourceType"] == "Task")
    shown = text_of(task)
    assert task["status"] in shown
    assert task["restriction"]["period"]["end"] in shown
    owner_role = next(
        r for r in resources() if f"PractitionerRole/{r['id']}" == task["owner"]["reference"]
    )
    person = next(
        r
        for r in resources()
        if f"Practitioner/{r['id']}" == owner_role["practitioner"]["reference"]
    )
    assert person["name"][0]["family"] in shown


def test_careplan_narrative_lists_goals_and_activities_by_name() -> None:
    plan, goal = of_type("CarePlan"), of_type("Goal")
    shown = text_of(plan)
    assert goal["description"]["text"] in shown
    assert "Offer an LTS-C" in shown


def test_text_is_escaped_so_markup_in_data_stays_text() -> None:
    patient = copy.deepcopy(of_type("Patient"))
    patient["name"] = [{"family": "<script>alert(1)</script>", "given": ["A&B"]}]
    div = narrative(patient, Names([patient]))["div"]
    assert "<script>" not in div
    assert "A&amp;B &lt;script&gt;" in div
    check_xhtml(div)


def test_unknown_resource_type_and_empty_resource_still_get_valid_narrative() -> None:
    entries = [{"resource": {"resourceType": "Basic", "id": "x", "meta": {}}}]
    add_narrative(entries)
    assert entries[0]["resource"]["text"]["status"] == "generated"
    check_xhtml(entries[0]["resource"]["text"]["div"])
    empty = narrative({"resourceType": "Task", "id": "t"}, Names([]))
    check_xhtml(empty["div"])


def test_references_outside_the_bundle_fall_back_to_display_or_reference() -> None:
    names = Names([])
    assert names.of({"reference": "Patient/p1", "display": "Pat One"}) == "Pat One"
    assert names.of({"reference": "Patient/p1"}) == "Patient/p1"
    assert names.of("not a reference") is None
