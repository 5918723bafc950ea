"""FHIR XML output follows the R4 XML rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from adapter.mapping.xml import FHIR_NS, XHTML_NS, resource_xml

from .conftest import GOLDEN_DIR

NS = {"f": FHIR_NS, "h": XHTML_NS}
GOLDEN_BUNDLES = sorted(GOLDEN_DIR.glob("*/expected/*.json"))


def parse(resource: dict) -> etree._Element:
    return etree.fromstring(resource_xml(resource))


def test_primitives_are_value_attributes_and_arrays_repeat() -> None:
    root = parse({"resourceType": "Patient", "id": "p1", "name": [{"given": ["Maria", "L."]}]})
    assert root.tag == f"{{{FHIR_NS}}}Patient"
    assert root.find("f:id", NS).get("value") == "p1"
    assert [g.get("value") for g in root.findall("f:name/f:given", NS)] == ["Maria", "L."]


def test_booleans_are_lowercase_and_numbers_keep_their_json_form() -> None:
    root = parse({"resourceType": "Patient", "active": True, "multipleBirthInteger": 2})
    assert root.find("f:active", NS).get("value") == "true"
    assert root.find("f:multipleBirthInteger", NS).get("value") == "2"


def test_resources_nest_inside_their_wrapper_element() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "id": "p"}}],
    }
    root = parse(bundle)
    assert root.find("f:entry/f:resource/f:Patient/f:id", NS).get("value") == "p"


def test_extension_url_and_element_id_are_attributes() -> None:
    root = parse(
        {
            "resourceType": "Patient",
            "id": "p",
            "extension": [{"url": "https://x.test/ext", "valueBoolean": False}],
            "name": [{"id": "n1", "family": "Santos"}],
        }
    )
    extension = root.find("f:extension", NS)
    assert extension.get("url") == "https://x.test/ext"
    assert extension.find("f:valueBoolean", NS).get("value") == "false"
    assert root.find("f:name", NS).get("id") == "n1"
    assert root.find("f:id", NS).get("value") == "p"


def test_primitive_extensions_merge_into_the_primitive_element() -> None:
    root = parse(
        {
            "resourceType": "Patient",
            "birthDate": "1971-03-14",
            "_birthDate": {"extension": [{"url": "https://x.test/t", "valueString": "approx"}]},
            "_gender": {"extension": [{"url": "https://x.test/absent", "valueCode": "unknown"}]},
        }
    )
    birth = root.find("f:birthDate", NS)
    assert birth.get("value") == "1971-03-14"
    assert birth.find("f:extension", NS).get("url") == "https://x.test/t"
    gender = root.find("f:gender", NS)
    assert gender.get("value") is None
    assert gender.find("f:extension", NS).get("url") == "https://x.test/absent"


def test_the_narrative_div_stays_xhtml() -> None:
    div = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Care plan</p></div>'
    root = parse({"resourceType": "CarePlan", "text": {"status": "generated", "div": div}})
    assert root.find("f:text/h:div/h:p", NS).text == "Care plan"
    assert root.find("f:text/f:status", NS).get("value") == "generated"


@pytest.mark.parametrize("path", GOLDEN_BUNDLES, ids=[p.stem for p in GOLDEN_BUNDLES])
def test_mapped_bundles_read_back_as_the_same_json_with_the_fhir_xml_parser(path: Path) -> None:
    from adapter.validation.definitions import load_base_r4
    from adapter.validation.fhir_xml import parse_xml

    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert parse_xml(resource_xml(bundle), load_base_r4()) == bundle
