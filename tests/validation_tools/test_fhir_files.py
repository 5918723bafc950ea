"""FHIR files read alike whatever their form: the form by extension, else by content."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from adapter.mapping.output import bundle_xml
from adapter.validation.files import count_items, file_format, read_items

BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [{"resource": {"resourceType": "Observation", "status": "final",
                            "code": {"text": "weight"},
                            "valueQuantity": {"value": 70.50, "unit": "kg"}}}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "form"),
    [
        ("a.json", b"{}", "json"),
        ("a.ndjson", b"{}\n", "ndjson"),
        ("a.xml", b"{}", "xml"),  # the extension decides
        ("a.txt", b'\xef\xbb\xbf  <Patient xmlns="http://hl7.org/fhir"/>', "xml"),
        ("a.txt", b'{"a": 1}\n{"a": 2}\n', "ndjson"),
        ("a.txt", b'{\n  "a": 1\n}\n', "json"),
        ("a.txt", b'{"a": 1}\n', "json"),
    ],
)
def test_the_form_comes_from_the_extension_else_the_content(tmp_path, name, content, form):
    assert file_format(tmp_path / name, content) == form


def test_ndjson_gives_one_item_per_non_blank_line_with_its_number(tmp_path):
    path = tmp_path / "b.ndjson"
    path.write_text('{"n": 1}\n\n{"n": \n{"n": 3}\n')
    items = list(read_items(path))
    assert [i.location for i in items] == ["line 1", "line 3", "line 4"]
    assert items[1].error is not None and items[1].resource is None
    assert items[1].where(path) == f"{path} line 3"
    assert count_items(path) == 3


def test_xml_decimals_stay_decimal_for_the_validator_and_plain_for_the_store(tmp_path):
    path = tmp_path / "b.xml"
    path.write_bytes(bundle_xml(BUNDLE))
    [kept] = read_items(path)
    [plain] = read_items(path, decimals=False)
    quantity = "entry", 0, "resource", "valueQuantity", "value"

    def value(resource):
        for step in quantity:
            resource = resource[step]
        return resource

    assert value(kept.resource) == Decimal("70.5")
    assert value(plain.resource) == 70.5 and isinstance(value(plain.resource), float)
    assert json.loads(json.dumps(plain.resource))


def test_an_empty_file_is_said_to_be_empty(tmp_path):
    (tmp_path / "e.json").write_text("  \n")
    (tmp_path / "e.ndjson").write_text("\n")
    [empty_json] = read_items(tmp_path / "e.json")
    [empty_lines] = read_items(tmp_path / "e.ndjson")
    assert empty_json.error.message == "The file is empty"
    assert empty_lines.error.message == "The NDJSON file holds no resources"
