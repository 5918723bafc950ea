"""Mapped Bundles written as FHIR XML read back as the same JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from adapter.mapping.output import bundle_xml
from adapter.validation.definitions import load_base_r4
from adapter.validation.fhir_xml import parse_xml

from .conftest import GOLDEN_DIR

GOLDEN_BUNDLES = sorted(GOLDEN_DIR.glob("*/expected/*.json"))


@pytest.mark.parametrize("path", GOLDEN_BUNDLES, ids=[p.stem for p in GOLDEN_BUNDLES])
def test_mapped_bundles_read_back_as_the_same_json(path: Path) -> None:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    xml = bundle_xml(bundle)
    assert etree.fromstring(xml).tag == "{http://hl7.org/fhir}Bundle"
    assert parse_xml(xml, load_base_r4()) == bundle
