"""Which C-CDA R2.1 document this is, by document templateId, else by its LOINC type code.

Care Plans, CCDs, Referral Notes and Transfer Summaries carry care teams, goals and planned care
and are read; every other C-CDA document type is refused by its name.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapter.records.ccda.document import CcdaError, Element, attr, find, first, xpath_of

_DOC = "2.16.840.1.113883.10.20.22.1."

# templateId root -> (name, read?)
TEMPLATES: dict[str, tuple[str, bool]] = {
    _DOC + "15": ("Care Plan", True),
    _DOC + "2": ("Continuity of Care Document", True),
    _DOC + "14": ("Referral Note", True),
    _DOC + "13": ("Transfer Summary", True),
    _DOC + "3": ("History and Physical", False),
    _DOC + "4": ("Consultation Note", False),
    _DOC + "5": ("Diagnostic Imaging Report", False),
    _DOC + "6": ("Procedure Note", False),
    _DOC + "7": ("Operative Note", False),
    _DOC + "8": ("Discharge Summary", False),
    _DOC + "9": ("Progress Note", False),
    _DOC + "10": ("Unstructured Document", False),
}
# LOINC document type code -> template root, for senders that leave out the document templateId.
CODES: dict[str, str] = {
    "18776-5": _DOC + "15",  # Plan of care note
    "34133-9": _DOC + "2",  # Summary of episode note
    "57133-1": _DOC + "14",  # Referral note
    "18761-7": _DOC + "13",  # Transfer summary note
    "34117-2": _DOC + "3",  # History and physical note
    "11488-4": _DOC + "4",  # Consult note
    "18748-4": _DOC + "5",  # Diagnostic imaging study
    "28570-0": _DOC + "6",  # Procedure note
    "11504-8": _DOC + "7",  # Surgical operation note
    "18842-5": _DOC + "8",  # Discharge summary
    "11506-3": _DOC + "9",  # Progress note
}
US_REALM_HEADER = _DOC + "1"


@dataclass(frozen=True)
class DocumentType:
    template_id: str
    name: str


def document_type(root: Element) -> DocumentType:
    """The document's type when it is one the reader takes; CcdaError naming it otherwise."""
    where = xpath_of(root)
    if first(root, "hl7:component/hl7:nonXMLBody") is not None:
        raise CcdaError(
            where,
            "Unstructured Document (nonXMLBody, e.g. an embedded PDF) is not read: "
            "send a Care Plan, CCD, Referral Note or Transfer Summary",
        )
    roots = [attr(t, "root") for t in find(root, "hl7:templateId")]
    known = [r for r in roots if r in TEMPLATES]
    if not known:
        code = attr(first(root, "hl7:code"), "code")
        known = [CODES[code]] if code in CODES else []
    if not known:
        code = attr(first(root, "hl7:code"), "code") or "none"
        listed = ", ".join(r for r in roots if r) or "none"
        raise CcdaError(
            where,
            f"not a C-CDA document type the adapter reads (templateId {listed}; code {code}); "
            "send a Care Plan, CCD, Referral Note or Transfer Summary",
        )
    readable = [r for r in known if TEMPLATES[r][1]]
    if not readable:
        name = TEMPLATES[known[0]][0]
        raise CcdaError(
            where,
            f"a {name} is not read: send a Care Plan, CCD, Referral Note or Transfer Summary",
        )
    return DocumentType(readable[0], TEMPLATES[readable[0]][0])
