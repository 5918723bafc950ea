"""Narrative XHTML rules (R4 Narrative.div) and the markdown rule that it carries no HTML.

The div must be well-formed XML in the XHTML namespace, with only the basic formatting elements
and attributes the specification allows: no scripts, forms, frames, objects, styles sheets,
event attributes or `javascript:` links. Named HTML entities such as `&nbsp;` are not XML and
are refused; numeric references (`&#160;`) are fine.
"""

from __future__ import annotations

import functools
import re
import threading

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ELEMENTS = frozenset(
    """p br div h1 h2 h3 h4 h5 h6 a span b em i strong small big tt dfn q var abbr acronym cite
    blockquote hr address bdo kbd sub sup ul ol li dl dt dd pre table caption colgroup col thead
    tr tfoot tbody th td code samp img map area ins del u s""".split()
)
ATTRIBUTES = frozenset(
    """title style class id lang dir accesskey tabindex colspan rowspan href name src alt border
    cellpadding cellspacing width height align valign abbr scope headers summary char charoff
    frame rules shape coords nohref usemap start type value datetime cite compact hspace vspace
    longdesc size clear span reversed""".split()
)
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "longdesc", "usemap"})
_HTML_IN_MARKDOWN = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*|/[A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")


_PARSERS = threading.local()  # lxml parsers must not be shared between threads


def _parser() -> etree.XMLParser:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        _PARSERS.parser = parser
    return parser


@functools.lru_cache(maxsize=512)
def problems(div: str) -> tuple[str, ...]:
    """Why a Narrative.div breaks the R4 narrative rules; empty when it does not."""
    return tuple(_problems(div))


def _problems(div: str) -> list[str]:
    try:
        root = etree.fromstring(div.encode("utf-8"), _parser())
    except etree.XMLSyntaxError as exc:
        return [f"is not well-formed XHTML ({exc.msg})"]
    found: list[str] = []
    root_namespace = root.tag[1:].partition("}")[0] if root.tag[0] == "{" else ""
    if root.tag != f"{{{XHTML}}}div":
        found.append(
            'must be a <div> in the XHTML namespace (xmlns="http://www.w3.org/1999/xhtml")'
        )
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Entity):
                found.append(f"uses the entity &{element.name}; which XHTML does not define")
            continue  # comments and processing instructions carry no content
        namespace, _, name = (
            element.tag[1:].partition("}") if element.tag[0] == "{" else ("", "", element.tag)
        )
        if name not in ELEMENTS or namespace not in (XHTML, root_namespace):
            found.append(f"contains the element <{name}>, which narrative does not allow")
            continue  # its attributes do not matter any more
        for attribute, value in element.attrib.items():
            problem = _attribute_problem(name, attribute, value)
            if problem:
                found.append(problem)
    return found


def _attribute_problem(element: str, attribute: str, value: str) -> str | None:
    if attribute.startswith("{"):
        namespace, _, local = attribute[1:].partition("}")
        if namespace == XML_NS and local in ("lang", "space"):
            return None
        return f"<{element}> has the attribute {local}, which narrative does not allow"
    if attribute.lower().startswith("on") or attribute not in ATTRIBUTES:
        return f"<{element}> has the attribute {attribute}, which narrative does not allow"
    if attribute in URL_ATTRIBUTES and value.strip().lower().startswith(
        ("javascript:", "vbscript:")
    ):
        return f'<{element}> links to active content ({attribute}="{value[:40]}")'
    return None


def markdown_has_html(text: str) -> bool:
    """Markdown in FHIR is CommonMark without embedded HTML."""
    return _HTML_IN_MARKDOWN.search(text) is not None
