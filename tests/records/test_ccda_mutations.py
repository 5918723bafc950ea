"""No C-CDA document, however incomplete, ends in a traceback: every element removed or
null-flavored in turn gives a Bundle or a located, worded refusal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapter.config import SAMPLES_DIR
from adapter.records.ccda.document import CcdaError
from adapter.records.ccda.reader import read_document
from tests.records.ccda_pipeline import through_intake

CORPUS = SAMPLES_DIR / "ccda" / "corpus"
SOURCES = {
    "care-plan-everything": CORPUS / "46-care-plan-everything.xml",
    "ccd-ehr-layout": CORPUS / "02-ccd-ehr-layout.xml",
    "referral": CORPUS / "03-referral-note.xml",
    "sample-care-plan": SAMPLES_DIR / "ccda" / "care-plan.xml",
}


def tree(name: str) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    return etree.parse(str(SOURCES[name]), parser)


def element_count(name: str) -> int:
    return sum(1 for _ in tree(name).getroot().iter()) - 1


def without(name: str, index: int) -> bytes:
    """The document with its index-th element (document order, root excluded) removed."""
    document = tree(name)
    victim = list(document.getroot().iter())[1 + index]
    victim.getparent().remove(victim)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def null_flavored(name: str, index: int) -> bytes:
    """The index-th element with its attributes and content replaced by nullFlavor="UNK"."""
    document = tree(name)
    victim = list(document.getroot().iter())[1 + index]
    tail = victim.tail
    victim.clear()
    victim.tail = tail
    victim.set("nullFlavor", "UNK")
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def outcomes(data: bytes, *, until: str) -> Iterator[str]:
    """Read, complete and check (and map and validate); CcdaError is a clean refusal."""
    try:
        document = read_document(data, "mutated.xml")
    except CcdaError as refusal:
        assert refusal.location.startswith("/")
        assert refusal.message
        yield "refused"
        return
    outcome = through_intake(document, until=until)
    assert all(e.strip() for e in outcome.errors)
    yield "record" if outcome.record else "errors"


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_removing_any_one_element_never_raises(name):
    seen = {
        o for i in range(element_count(name)) for o in outcomes(without(name, i), until="check")
    }
    assert "record" in seen  # most removals leave a document that still reads


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_null_flavoring_any_one_element_never_raises(name):
    seen = {
        o
        for i in range(element_count(name))
        for o in outcomes(null_flavored(name, i), until="check")
    }
    assert "record" in seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(SOURCES)),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
)
def test_removing_several_elements_still_maps_or_refuses_cleanly(name, picks):
    document = tree(name)
    for pick in picks:
        elements = list(document.getroot().iter())[1:]
        if not elements:
            break
        victim = elements[pick % len(elements)]
        victim.getparent().remove(victim)
    data = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    assert list(outcomes(data, until="validate"))
