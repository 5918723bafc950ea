"""What the reader did with every entry: mapped, or left out with a reason (never silently).

The ledger keeps the XPath of each element a section reader used or refused; `sweep` then lists
every other entry of the document body as unmapped, so the summary and the machine-readable
report account for all of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from adapter.records.ccda.document import Element, attr, find, first, text, xpath_of

_ENTRY = "2.16.840.1.113883.10.20.22.4."
# Entry templates worth naming in a report; others are reported by their templateId alone.
ENTRY_TEMPLATES = {
    _ENTRY + "1": "Result Organizer",
    _ENTRY + "3": "Problem Concern Act",
    _ENTRY + "14": "Procedure Activity Procedure",
    _ENTRY + "16": "Medication Activity",
    _ENTRY + "26": "Vital Signs Organizer",
    _ENTRY + "30": "Allergy Concern Act",
    _ENTRY + "38": "Social History Observation",
    _ENTRY + "39": "Planned Act",
    _ENTRY + "40": "Planned Encounter",
    _ENTRY + "41": "Planned Procedure",
    _ENTRY + "42": "Planned Medication Activity",
    _ENTRY + "43": "Planned Supply",
    _ENTRY + "44": "Planned Observation",
    _ENTRY + "49": "Encounter Activity",
    _ENTRY + "52": "Immunization Activity",
    _ENTRY + "60": "Coverage Activity",
    _ENTRY + "61": "Policy Activity",
    _ENTRY + "67": "Functional Status Observation",
    _ENTRY + "78": "Smoking Status",
    _ENTRY + "108": "Advance Directive Organizer",
    _ENTRY + "120": "Planned Immunization Activity",
    _ENTRY + "121": "Goal Observation",
    _ENTRY + "130": "Nutrition Recommendation",
    _ENTRY + "131": "Intervention Act",
    _ENTRY + "132": "Health Concern Act",
    _ENTRY + "136": "Risk Concern Act",
    _ENTRY + "140": "Patient Referral Act",
    _ENTRY + "144": "Outcome Observation",
    _ENTRY + "146": "Planned Intervention Act",
    _ENTRY + "500": "Care Team Organizer",
    _ENTRY + "500.1": "Care Team Member Act",
}
BODY_ENTRIES = "hl7:component/hl7:structuredBody/hl7:component//hl7:section/hl7:entry/*"
BODY_SECTIONS = "hl7:component/hl7:structuredBody/hl7:component//hl7:section"


@dataclass(frozen=True)
class Unmapped:
    """One element of the document that did not become part of the plan record."""

    xpath: str
    template_id: str
    template: str
    reason: str
    clinical: bool = True  # a body entry; header details (a bad phone, a consent) are not

    def as_json(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        what = self.template or self.template_id or "entry"
        return f"{self.xpath}: {what}: {self.reason}"


def template_of(element: Element) -> tuple[str, str]:
    """(templateId root, its name): the first templateId the reader knows, else the first."""
    roots = [attr(t, "root") for t in find(element, "hl7:templateId") if attr(t, "root")]
    named = [r for r in roots if r in ENTRY_TEMPLATES]
    chosen = (named or roots or [""])[0]
    return chosen, ENTRY_TEMPLATES.get(chosen, "")


@dataclass
class Ledger:
    """Mapped and unmapped elements of one document, by XPath."""

    mapped: set[str] = field(default_factory=set)
    unmapped: list[Unmapped] = field(default_factory=list)

    def took(self, element: Element) -> None:
        self.mapped.add(xpath_of(element))

    def left(self, element: Element, reason: str, *, clinical: bool = True) -> None:
        root, name = template_of(element)
        self.unmapped.append(Unmapped(xpath_of(element), root, name, reason, clinical))

    def noted(self, element: Element, reason: str) -> None:
        """A header detail left out (not a clinical entry: --strict does not refuse for it)."""
        self.left(element, reason, clinical=False)

    def handled(self, xpath: str) -> bool:
        seen = self.mapped | {u.xpath for u in self.unmapped}
        return any(
            x == xpath or x.startswith(xpath + "/") or xpath.startswith(x + "/") for x in seen
        )

    def sweep(self, root: Element) -> None:
        """Every body entry no section reader looked at is listed with its section's title."""
        for entry in find(root, BODY_ENTRIES):
            if self.handled(xpath_of(entry)):
                continue
            section = entry.getparent().getparent()
            title = text(first(section, "hl7:title")) or attr(first(section, "hl7:code"), "code")
            self.left(entry, f"section {title or '(untitled)'} is not read by the adapter")
        for section in find(root, BODY_SECTIONS):
            if not find(section, ".//hl7:entry") and text(first(section, "hl7:text")):
                title = text(first(section, "hl7:title")) or "(untitled)"
                self.noted(section, f"section {title} has narrative only; the text is not read")
