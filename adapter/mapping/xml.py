"""FHIR JSON to FHIR XML (https://hl7.org/fhir/R4/xml.html), element order as given.

Primitives become `value` attributes, arrays repeat their element, resources nest inside their
wrapper element, `url` and element `id` are attributes, `_name` primitive extensions merge into
the primitive, and the narrative `div` stays XHTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

FHIR_NS = "http://hl7.org/fhir"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# Only an extension's `url` is an attribute; elsewhere (e.g. Bundle.entry.request) it is an element.
_EXTENSION_ELEMENTS = frozenset({"extension", "modifierExtension"})


def resource_xml(resource: Mapping[str, Any]) -> bytes:
    """One resource (e.g. a Bundle) as a UTF-8 FHIR XML document."""
    root = _resource_element(resource)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _resource_element(resource: Mapping[str, Any]) -> etree._Element:
    element = etree.Element(f"{{{FHIR_NS}}}{resource['resourceType']}", nsmap={None: FHIR_NS})
    _fill(element, resource, is_resource=True)
    return element


def _fill(element: etree._Element, data: Mapping[str, Any], *, is_resource: bool) -> None:
    for key, value in data.items():
        if key == "resourceType" or key.startswith("_"):
            continue
        if (key == "id" and not is_resource) or (key == "url" and _is_extension(element)):
            element.set(key, _text(value))
            continue
        extras = data.get(f"_{key}")
        if isinstance(value, list):
            extras_list = extras if isinstance(extras, list) else [None] * len(value)
            for item, extra in zip(value, extras_list, strict=False):
                _child(element, key, item, extra)
        else:
            _child(element, key, value, extras)
    for key, extras in data.items():
        # An extension with no value (`_name` alone) still needs its element.
        if key.startswith("_") and key[1:] not in data:
            for extra in extras if isinstance(extras, list) else [extras]:
                _child(element, key[1:], None, extra)


def _is_extension(element: etree._Element) -> bool:
    return etree.QName(element).localname in _EXTENSION_ELEMENTS


def _child(parent: etree._Element, name: str, value: Any, extra: Any) -> None:
    if name == "div" and isinstance(value, str):
        parent.append(etree.fromstring(value))
        return
    child = etree.SubElement(parent, f"{{{FHIR_NS}}}{name}")
    if isinstance(value, Mapping) and "resourceType" in value:
        child.append(_resource_element(value))
    elif isinstance(value, Mapping):
        _fill(child, value, is_resource=False)
    elif value is not None:
        child.set("value", _text(value))
    if isinstance(extra, Mapping):
        _fill_primitive_extras(child, extra)


def _fill_primitive_extras(element: etree._Element, extra: Mapping[str, Any]) -> None:
    if "id" in extra:
        element.set("id", _text(extra["id"]))
    _fill(element, {k: v for k, v in extra.items() if k != "id"}, is_resource=False)


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)
