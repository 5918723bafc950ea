"""Writes samples/ccda/corpus/: synthetic C-CDA R2.1 documents and the FHIR each must become.

    python scripts/ccda_corpus.py          # rewrite the corpus
    python scripts/ccda_corpus.py --check  # exit 1 when a committed file is out of date

Each case is a document assembled from C-CDA R2.1 templates with the variations EHRs send
(no function codes, no payers, nullFlavors, minute-precision zoned times, SDOH goals with
targets, several care teams, documents of other types). Its `.expected.json` is written from
the case's own description here, not from the adapter's output: what the case puts in, the
label says must come out. All people, ids and organizations are invented.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "samples" / "ccda" / "corpus"

DOC = "2.16.840.1.113883.10.20.22.1."
ENTRY = "2.16.840.1.113883.10.20.22.4."
LOINC, SNOMED = "2.16.840.1.113883.6.1", "2.16.840.1.113883.6.96"
MEMBER_ROOT, MASSHEALTH_ROOT = "2.16.840.1.113883.19.5.1", "2.16.840.1.113883.19.5.2"
NPI = "2.16.840.1.113883.4.6"
EHR = "2.16.840.1.113883.19.5.99"
# The sample plan export's first member: the corpus documents are about her.
KNOWN = {"member_id": "M100001", "masshealth_id": "161950100001"}

TYPES = {
    "care-plan": (DOC + "15", "18776-5", "Plan of care note", "Care Plan"),
    "ccd": (DOC + "2", "34133-9", "Summary of episode note", "Continuity of Care Document"),
    "referral": (DOC + "14", "57133-1", "Referral note", "Referral Note"),
    "transfer": (DOC + "13", "18761-7", "Transfer summary note", "Transfer Summary"),
    "progress": (DOC + "9", "11506-3", "Progress note", "Progress Note"),
    "discharge": (DOC + "8", "18842-5", "Discharge summary", "Discharge Summary"),
    "consult": (DOC + "4", "11488-4", "Consult note", "Consultation Note"),
    "history": (DOC + "3", "34117-2", "History and physical note", "History and Physical"),
}


@dataclass
class Person:
    """A care team member or author: NPI, name, and what the document says of their role."""

    npi: str
    given: str
    family: str
    function: tuple[str, str, str] | None = None  # (code, codeSystem, displayName)
    sdtc: bool = False
    org: str | None = None
    phone: str | None = None

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


PCP = Person(
    "1912345670", "Linh", "Nguyen", ("PCP", "2.16.840.1.113883.5.88", "primary care physician")
)
NURSE = Person(
    "1598765432", "Amara", "Okafor", ("224535009", SNOMED, "Registered nurse"), sdtc=True
)
SOCIAL = Person(
    "1477777771", "Tomas", "Ferreira", ("106328005", SNOMED, "Social worker"), sdtc=True
)
CARDIO = Person("1366666662", "Priya", "Raman", ("17561000", SNOMED, "Cardiologist"))
PLAIN = Person("1255555553", "Grace", "Holloway")  # no function code at all
PHARM = Person("1144444444", "Omar", "Haddad", None, org="Revere Community Pharmacy")
CAREGIVER = Person("", "Ana", "Robinson", ("133932002", SNOMED, "Caregiver"), sdtc=True)


@dataclass
class Goal:
    """One Goal Observation and the FHIR Goal it must become (None = listed as unmapped)."""

    ident: str
    xml: str  # code, value and any nested targets, inside <observation>
    text: str | None
    targets: list[dict[str, Any]] = field(default_factory=list)
    author: str = "patient"  # patient | pcp | pcp-id-only | none | device
    due: str | None = None


@dataclass
class Case:
    name: str
    about: str
    kind: str = "care-plan"
    time: str = "202609171904-0500"
    generated_at: str = "2026-09-17T19:04:00-05:00"
    ids: str = "both"  # both | member | masshealth | unknown | none
    team: list[Person] = field(default_factory=lambda: [PCP])
    header_team: list[Person] = field(default_factory=list)
    organizers: int = 1
    goals: list[Goal] = field(default_factory=list)
    planned: list[tuple[str, str, str]] = field(default_factory=list)  # (template, element, text)
    # A Planned Intervention Act made of planned parts (kind, text), for the goal named.
    intervention: list[tuple[str, str]] = field(default_factory=list)
    intervention_goal: str | None = None
    concerns: list[tuple[str, str, str]] = field(default_factory=list)  # (code, display, need)
    payers: str = "none"  # none | full | no-rating | no-time
    other_sections: list[str] = field(default_factory=list)  # allergies | problems | meds
    telecom: str = "tel:+1-781-555-0182"
    gender: str = '<administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>'
    body: str = "structured"  # structured | pdf | empty
    outcome: str = "stored"
    refusal: str = ""


def member_ids(case: Case) -> str:
    ids = {
        "both": [(MEMBER_ROOT, KNOWN["member_id"]), (MASSHEALTH_ROOT, KNOWN["masshealth_id"])],
        "member": [(MEMBER_ROOT, KNOWN["member_id"])],
        "masshealth": [(MASSHEALTH_ROOT, KNOWN["masshealth_id"])],
        "unknown": [(MEMBER_ROOT, "M999999"), (MASSHEALTH_ROOT, "100000000999")],
        "none": [],
    }[case.ids]
    lines = [f'<id root="{r}" extension="{e}"/>' for r, e in ids]
    lines.append('<id root="2.16.840.1.113883.19.5.77" extension="MRN-55120"/>')
    return "\n      ".join(lines)


def header(case: Case) -> str:
    template, code, display, _ = TYPES[case.kind]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- {case.about} Synthetic; no real person or organization. -->
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="US"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="{DOC}1" extension="2015-08-01"/>
  <templateId root="{DOC}1"/>
  <templateId root="{template}" extension="2015-08-01"/>
  <id root="{EHR}" extension="{case.name}"/>
  <code code="{code}" codeSystem="{LOINC}" codeSystemName="LOINC" displayName="{display}"/>
  <title>{display}</title>
  <effectiveTime value="{case.time}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="en-US"/>
  <recordTarget>
    <patientRole>
      {member_ids(case)}
      <addr use="HP">
        <streetAddressLine>185 Highland Ave</streetAddressLine>
        <city>Revere</city><state>MA</state><postalCode>02151</postalCode><country>US</country>
      </addr>
      <addr nullFlavor="UNK"/>
      <telecom use="HP" value="{case.telecom}"/>
      <telecom nullFlavor="NI"/>
      <patient>
        <name use="L"><given>Keisha</given><family>Robinson</family></name>
        {case.gender}
        <birthTime value="19880719"/>
        <raceCode nullFlavor="ASKU"/>
        <ethnicGroupCode nullFlavor="ASKU"/>
        <languageCommunication>
          <languageCode code="en"/><preferenceInd value="true"/>
        </languageCommunication>
      </patient>
    </patientRole>
  </recordTarget>
  <author>
    <time value="{case.time}"/>
    <assignedAuthor>
      <id root="{NPI}" extension="{PCP.npi}"/>
      <telecom use="WP" value="tel:+1(617)555-0101"/>
      <assignedPerson><name><prefix>Dr.</prefix><given>{PCP.given}</given><family>{PCP.family}</family></name></assignedPerson>
      <representedOrganization><name>Harbor Community Health</name></representedOrganization>
    </assignedAuthor>
  </author>
  <author>
    <time value="{case.time}"/>
    <assignedAuthor>
      <id root="{EHR}" extension="EHR"/>
      <assignedAuthoringDevice>
        <manufacturerModelName>Harbor EHR</manufacturerModelName>
        <softwareName>Harbor EHR 12</softwareName>
      </assignedAuthoringDevice>
    </assignedAuthor>
  </author>
  <custodian>
    <assignedCustodian>
      <representedCustodianOrganization>
        <id root="{NPI}" extension="1023456789"/>
        <name>Harbor Community Health</name>
        <telecom use="WP" value="tel: 617-555-0100"/>
        <addr>
          <streetAddressLine>1 Shore Rd</streetAddressLine>
          <city>Revere</city><state>MA</state><postalCode>02151</postalCode>
        </addr>
      </representedCustodianOrganization>
    </assignedCustodian>
  </custodian>
  <documentationOf>
    <serviceEvent classCode="PCPR">
      <effectiveTime><low value="20260801"/><high value="{case.time}"/></effectiveTime>
      {"".join(performer(p, header=True) for p in case.header_team)}
    </serviceEvent>
  </documentationOf>
"""


def function_code(person: Person) -> str:
    if person.function is None:
        return ""
    code, system, display = person.function
    tag = "sdtc:functionCode" if person.sdtc else "functionCode"
    return f'<{tag} code="{code}" codeSystem="{system}" displayName="{display}"/>'


def performer(person: Person, header: bool = False) -> str:
    ident = (
        f'<id root="{NPI}" extension="{person.npi}"/>' if person.npi else '<id nullFlavor="NI"/>'
    )
    org = (
        f"<representedOrganization><name>{person.org}</name></representedOrganization>"
        if person.org
        else ""
    )
    time = '<time><low value="20260801"/></time>' if header else ""
    return f"""
      <performer typeCode="PRF">
        {function_code(person)}
        {time}
        <assignedEntity>
          {ident}
          <assignedPerson><name><given>{person.given}</given><family>{person.family}</family></name></assignedPerson>
          {org}
        </assignedEntity>
      </performer>"""


def care_team_section(case: Case) -> str:
    if not case.team:
        return ""
    groups = [case.team[i :: case.organizers] for i in range(case.organizers)]
    organizers = []
    for n, group in enumerate(groups, start=1):
        acts = "".join(
            f"""
              <component>
                <act classCode="PCPR" moodCode="EVN">
                  <templateId root="{ENTRY}500.1" extension="2019-07-01"/>
                  <id root="{EHR}" extension="TM-{n}-{i}"/>
                  <code code="85847-2" codeSystem="{LOINC}"/>
                  <statusCode code="active"/>
                  <effectiveTime><low value="20260801"/></effectiveTime>
                  {performer(p)}
                </act>
              </component>"""
            for i, p in enumerate(group, start=1)
        )
        organizers.append(
            f"""
          <entry>
            <organizer classCode="CLUSTER" moodCode="EVN">
              <templateId root="{ENTRY}500" extension="2019-07-01"/>
              <id root="{EHR}" extension="TEAM-{n}"/>
              <code code="86744-0" codeSystem="{LOINC}" displayName="Care team"/>
              <statusCode code="active"/>
              <effectiveTime><low value="20260801"/></effectiveTime>{acts}
            </organizer>
          </entry>"""
        )
    return section("2.16.840.1.113883.10.20.22.2.500", "85847-2", "Care Teams", "".join(organizers))


def section(template: str, code: str, title: str, entries: str, narrative: str = "") -> str:
    return f"""
      <component>
        <section>
          <templateId root="{template}" extension="2015-08-01"/>
          <code code="{code}" codeSystem="{LOINC}"/>
          <title>{title}</title>
          <text>{narrative or title}</text>{entries}
        </section>
      </component>"""


def goal_author(goal: Goal) -> str:
    if goal.author == "patient":
        ident = f'<id root="{MEMBER_ROOT}" extension="{KNOWN["member_id"]}"/>'
        return f'<author><time value="20260917"/><assignedAuthor>{ident}</assignedAuthor></author>'
    if goal.author == "pcp":
        return (
            f'<author><templateId root="{ENTRY}119"/><time value="20260917"/><assignedAuthor>'
            f'<id root="{NPI}" extension="{PCP.npi}"/><assignedPerson><name><given>{PCP.given}'
            f"</given><family>{PCP.family}</family></name></assignedPerson></assignedAuthor></author>"
        )
    if goal.author == "pcp-id-only":
        return (
            f'<author><templateId root="{ENTRY}119"/><time value="20260917"/><assignedAuthor>'
            f'<id root="{NPI}" extension="{PCP.npi}"/></assignedAuthor></author>'
        )
    return ""


def goal_due(goal: Goal) -> str:
    return f'<high value="{goal.due.replace("-", "")}"/>' if goal.due else ""


def goals_section(case: Case) -> str:
    if not case.goals:
        return ""
    entries = "".join(
        f"""
          <entry>
            <observation classCode="OBS" moodCode="GOL">
              <templateId root="{ENTRY}121"/>
              <id root="{EHR}" extension="{g.ident}"/>
              {g.xml}
              <statusCode code="active"/>
              <effectiveTime><low value="20260917"/>{goal_due(g)}</effectiveTime>
              {goal_author(g)}
            </observation>
          </entry>"""
        for g in case.goals
    )
    narrative = "".join(
        f'<paragraph ID="goal-{g.ident}">{g.text}</paragraph>' for g in case.goals if g.text
    )
    return section("2.16.840.1.113883.10.20.22.2.60", "61146-7", "Goals", entries, narrative)


PLANNED = {
    "act": ("39", "act", 'classCode="ACT" moodCode="INT"'),
    "encounter": ("40", "encounter", 'classCode="ENC" moodCode="INT"'),
    "procedure": ("41", "procedure", 'classCode="PROC" moodCode="RQO"'),
    "observation": ("44", "observation", 'classCode="OBS" moodCode="RQO"'),
    "referral": ("140", "act", 'classCode="PCPR" moodCode="INT"'),
    "intervention": ("146", "act", 'classCode="ACT" moodCode="INT"'),
    "supply": ("43", "supply", 'classCode="SPLY" moodCode="INT"'),
    "medication": ("42", "substanceAdministration", 'classCode="SBADM" moodCode="INT"'),
}


def planned_entry(n: int, kind: str, text: str, *, bare: bool = False) -> str:
    number, element, attributes = PLANNED[kind]
    if kind == "medication":
        inner = f"""<statusCode code="active"/>
              <effectiveTime xsi:type="IVL_TS"><low value="20261001"/></effectiveTime>
              <consumable><manufacturedProduct classCode="MANU"><templateId root="{ENTRY}23"/>
                <manufacturedMaterial>
                  <code code="197361" codeSystem="2.16.840.1.113883.6.88" displayName="{text}"/>
                </manufacturedMaterial>
              </manufacturedProduct></consumable>"""
    elif kind == "supply":
        inner = f"""<statusCode code="active"/>
              <effectiveTime xsi:type="IVL_TS"><low value="20261001"/></effectiveTime>
              <participant typeCode="PRD"><participantRole classCode="MANU"><playingDevice>
                <code nullFlavor="OTH"><originalText>{text}</originalText></code>
              </playingDevice></participantRole></participant>"""
    else:
        inner = f"""<code nullFlavor="OTH"><originalText>{text}</originalText></code>
              <statusCode code="active"/>
              <effectiveTime value="202610011030-0400"/>"""
    body = f"""
            <{element} {attributes}>
              <templateId root="{ENTRY}{number}"/>
              <id root="{EHR}" extension="PL-{n}"/>
              {inner}
            </{element}>"""
    return (
        body
        if bare
        else f"""
          <entry>{body}
          </entry>"""
    )


def intervention_entry(case: Case) -> str:
    """A Planned Intervention Act whose parts are planned entries, serving one goal."""
    parts = "".join(
        f"""
              <entryRelationship typeCode="REFR">{planned_entry(n, k, t, bare=True)}
              </entryRelationship>"""
        for n, (k, t) in enumerate(case.intervention, start=101)
    )
    reason = (
        f"""
              <entryRelationship typeCode="RSON">
                <act classCode="ACT" moodCode="EVN">
                  <templateId root="{ENTRY}122"/>
                  <id root="{EHR}" extension="{case.intervention_goal}"/>
                  <code nullFlavor="NP"/>
                  <statusCode code="completed"/>
                </act>
              </entryRelationship>"""
        if case.intervention_goal
        else ""
    )
    return f"""
          <entry>
            <act classCode="ACT" moodCode="INT">
              <templateId root="{ENTRY}146"/>
              <id root="{EHR}" extension="PI-1"/>
              <code code="362956003" codeSystem="{SNOMED}" displayName="Intervention"/>
              <statusCode code="active"/>{parts}{reason}
            </act>
          </entry>"""


def plan_section(case: Case) -> str:
    if not case.planned and not case.intervention:
        return ""
    entries = "".join(planned_entry(n, k, t) for n, (k, _, t) in enumerate(case.planned, start=1))
    entries += intervention_entry(case) if case.intervention else ""
    return section("2.16.840.1.113883.10.20.22.2.10", "18776-5", "Plan of Treatment", entries)


def concerns_section(case: Case) -> str:
    if not case.concerns:
        return ""
    entries = "".join(
        f"""
          <entry>
            <act classCode="ACT" moodCode="EVN">
              <templateId root="{ENTRY}132" extension="2015-08-01"/>
              <id root="{EHR}" extension="HC-{n}"/>
              <code code="75310-3" codeSystem="{LOINC}"/>
              <statusCode code="active"/>
              <effectiveTime><low value="20260910"/></effectiveTime>
              <entryRelationship typeCode="REFR">
                <observation classCode="OBS" moodCode="EVN">
                  <templateId root="{ENTRY}4" extension="2015-08-01"/>
                  <code code="75253-5" codeSystem="{LOINC}"/>
                  <value xsi:type="CD" code="{code}" codeSystem="{SNOMED}" displayName="{display}"/>
                </observation>
              </entryRelationship>
            </act>
          </entry>"""
        for n, (code, display, _) in enumerate(case.concerns, start=1)
    )
    return section("2.16.840.1.113883.10.20.22.2.58", "75310-3", "Health Concerns", entries)


def payers_section(case: Case) -> str:
    if case.payers == "none":
        return ""
    time = (
        "" if case.payers == "no-time" else '<effectiveTime><low value="20260901"/></effectiveTime>'
    )
    rating = (
        ""
        if case.payers == "no-rating"
        else """<entryRelationship typeCode="REFR"><observation classCode="OBS" moodCode="EVN">
                    <code code="rating-category" codeSystem="2.16.840.1.113883.19.6.2"/>
                    <value xsi:type="CD" code="C2" codeSystem="2.16.840.1.113883.19.6.2"/>
                  </observation></entryRelationship>"""
    )
    entry = f"""
          <entry>
            <act classCode="ACT" moodCode="EVN">
              <templateId root="{ENTRY}60" extension="2015-08-01"/>
              <id root="{EHR}" extension="COV-1"/>
              <code code="48768-6" codeSystem="{LOINC}"/>
              <statusCode code="completed"/>
              <entryRelationship typeCode="COMP">
                <act classCode="ACT" moodCode="EVN">
                  <templateId root="{ENTRY}61" extension="2015-08-01"/>
                  <id root="{EHR}" extension="POL-1"/>
                  <code code="2" codeSystem="2.16.840.1.113883.3.221.5" displayName="MEDICAID"/>
                  <statusCode code="completed"/>
                  {time}
                  <performer typeCode="PRF"><assignedEntity>
                    <id root="2.16.840.1.113883.19.5.3" extension="CCA-OC"/>
                  </assignedEntity></performer>
                  {rating}
                </act>
              </entryRelationship>
            </act>
          </entry>"""
    return section("2.16.840.1.113883.10.20.22.2.18", "48768-6", "Payers", entry)


OTHER_SECTIONS = {
    "allergies": (
        "2.16.840.1.113883.10.20.22.2.6.1",
        "48765-2",
        "Allergies",
        "30",
        "Allergy Concern Act",
        'act classCode="ACT" moodCode="EVN"',
        "act",
    ),
    "problems": (
        "2.16.840.1.113883.10.20.22.2.5.1",
        "11450-4",
        "Problems",
        "3",
        "Problem Concern Act",
        'act classCode="ACT" moodCode="EVN"',
        "act",
    ),
    "meds": (
        "2.16.840.1.113883.10.20.22.2.1.1",
        "10160-0",
        "Medications",
        "16",
        "Medication Activity",
        'substanceAdministration classCode="SBADM" moodCode="EVN"',
        "substanceAdministration",
    ),
}


def other_section(name: str) -> str:
    template, code, title, entry, _, attributes, element = OTHER_SECTIONS[name]
    body = f"""
          <entry>
            <{attributes}>
              <templateId root="{ENTRY}{entry}"/>
              <id root="{EHR}" extension="{name}-1"/>
              <statusCode code="active"/>
            </{element}>
          </entry>"""
    return section(template, code, title, body)


def document(case: Case) -> str:
    if case.body == "pdf":
        body = """  <component>
    <nonXMLBody>
      <text mediaType="application/pdf" representation="B64">JVBERi0xLjQK</text>
    </nonXMLBody>
  </component>
"""
    else:
        parts = [
            care_team_section(case),
            goals_section(case),
            concerns_section(case),
            plan_section(case),
            payers_section(case),
            *(other_section(n) for n in case.other_sections),
        ]
        body = f"""  <component>
    <structuredBody>{"".join(parts)}
    </structuredBody>
  </component>
"""
    return header(case) + body + "</ClinicalDocument>\n"


# -- what each case must become -------------------------------------------------------------


def expected_goal(goal: Goal) -> dict[str, Any] | None:
    if goal.text is None:
        return None
    by = {
        "patient": {"reference": f"Patient/mbr-{KNOWN['member_id'].lower()}"},
        "none": {"reference": f"Patient/mbr-{KNOWN['member_id'].lower()}"},
        "pcp": {"display": PCP.name},
        "pcp-id-only": {"display": f"Dr. {PCP.name}"},
    }[goal.author]
    targets = goal.targets or ([{"dueDate": goal.due}] if goal.due else [])
    for target in goal.targets:
        if goal.due:
            target["dueDate"] = goal.due
    ident = f"goal-{KNOWN['member_id']}-{goal.ident}".lower()
    return {"id": ident, "description": goal.text, "expressedBy": by, "target": targets}


def expected(case: Case) -> dict[str, Any]:
    label: dict[str, Any] = {"about": case.about, "outcome": case.outcome}
    if case.outcome == "refused":
        label["refusal"] = case.refusal
        return label
    label["document_type"] = TYPES[case.kind][3]
    if case.outcome == "queued":
        return label
    team = case.team + [p for p in case.header_team if p not in case.team]
    label["generated_at"] = case.generated_at
    label["goals"] = [g for g in (expected_goal(x) for x in case.goals) if g]
    label["care_team"] = [
        {
            "member": p.name,
            "role": p.function[2] if p.function else "Care team member",
            **({"onBehalfOf": p.org} if p.org else {}),
        }
        for p in team
    ]
    ltss = [(k, t) for k, svc, t in case.planned if svc]
    label["planned"] = sorted(
        [*(t for k, svc, t in case.planned if not svc), *(t for _, t in case.intervention)]
    ) + sorted(t for _, t in ltss)
    goal = "Goal/" + f"goal-{KNOWN['member_id']}-{case.intervention_goal}".lower()
    label["planned_for_goals"] = sorted(
        f"{t} -> {goal}" for _, t in case.intervention if case.intervention_goal
    )
    label["ltss_needs"] = [d for _, d, need in case.concerns if need]
    unmapped = [
        *(f"{ENTRY}121" for g in case.goals if g.text is None),
        *(f"{ENTRY}132" for _, _, need in case.concerns if not need),
        *(f"{ENTRY}{OTHER_SECTIONS[n][3]}" for n in case.other_sections),
    ]
    label["unmapped_templates"] = sorted(unmapped)
    return label


# -- the cases ------------------------------------------------------------------------------


def text_goal(ident: str, words: str, author: str = "patient", due: str | None = None) -> Goal:
    xml = (
        f'<code code="58144-7" codeSystem="{LOINC}" displayName="Resident\'s overall goal"/>'
        f'<value xsi:type="ST">{words}</value>'
    )
    return Goal(ident, xml, words, author=author, due=due)


def sdoh_goal(ident: str, code: str, words: str, author: str = "pcp") -> Goal:
    # Gravity SDOH: the code names the domain, the value is the goal itself.
    xml = (
        f'<code code="8689-2" codeSystem="{LOINC}" displayName="History of Social function"/>'
        f'<value xsi:type="CD" code="{code}" codeSystem="{SNOMED}" displayName="{words}"/>'
    )
    return Goal(ident, xml, words, author=author)


def spo2_goal(ident: str = "G-SPO2", author: str = "pcp") -> Goal:
    xml = (
        f'<code code="59408-5" codeSystem="{LOINC}" displayName="{SPO2}"/>'
        '<text><reference value="#goal-' + ident + '"/></text>'
        '<value xsi:type="IVL_PQ"><low value="92" unit="%"/></value>'
    )
    target = {
        "measure": {
            "coding": [
                {
                    "system": "http://loinc.org",
                    "code": "59408-5",
                    "display": "Oxygen saturation in Arterial blood by Pulse oximetry",
                }
            ],
            "text": "Oxygen saturation in Arterial blood by Pulse oximetry",
        },
        "detailQuantity": {
            "value": 92,
            "comparator": ">=",
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        },
    }
    return Goal(ident, xml, "Keep my oxygen at 92% or more", [target], author=author)


def weight_goal(ident: str = "G-WT", due: str | None = "2027-03-17") -> Goal:
    xml = (
        f'<code code="289169006" codeSystem="{SNOMED}" displayName="Weight loss"/>'
        '<value xsi:type="PQ" value="10" unit="%"/>'
        '<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="GOL">'
        f'<code code="29463-7" codeSystem="{LOINC}" displayName="Body weight"/>'
        '<value xsi:type="IVL_PQ"><low value="80" unit="kg"/><high value="85" unit="kg"/></value>'
        "</observation></entryRelationship>"
    )
    targets = [
        {
            "measure": {
                "coding": [
                    {
                        "system": "http://snomed.info/sct",
                        "code": "289169006",
                        "display": "Weight loss",
                    }
                ],
                "text": "Weight loss",
            },
            "detailQuantity": {
                "value": 10,
                "unit": "%",
                "system": "http://unitsofmeasure.org",
                "code": "%",
            },
        },
        *(
            {
                "measure": {
                    "coding": [
                        {"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}
                    ],
                    "text": "Body weight",
                },
                # An interval's two bounds: at least 80 kg and at most 85 kg.
                "detailQuantity": {
                    "value": value,
                    "comparator": sign,
                    "unit": "kg",
                    "system": "http://unitsofmeasure.org",
                    "code": "kg",
                },
            }
            for sign, value in ((">=", 80), ("<=", 85))
        ),
    ]
    return Goal(ident, xml, "Weight loss 10 %", targets, author="pcp", due=due)


def narrative_goal(ident: str, words: str) -> Goal:
    xml = (
        f'<code code="58144-7" codeSystem="{LOINC}" displayName="Goal"/>'
        f'<text><reference value="#goal-{ident}"/></text>'
    )
    return Goal(ident, xml, words, author="pcp-id-only")


def original_text_goal(ident: str, words: str) -> Goal:
    xml = f'<code nullFlavor="OTH"><originalText>{words}</originalText></code>'
    return Goal(ident, xml, words, author="none")


def empty_goal(ident: str) -> Goal:
    return Goal(ident, '<code nullFlavor="UNK"/>', None)


SPO2 = "Oxygen saturation in Arterial blood by Pulse oximetry"
HOUSING = ("160245001", "Housing adequate")
FOOD = ("1078229009", "Food security")
TRANSPORT = ("713458007", "Has access to transportation")

CARE_PLAN_GOALS = [
    text_goal("G-1", "Stay in my own apartment with help at home", due="2027-09-17"),
    sdoh_goal("G-2", *HOUSING),
    spo2_goal(),
]


def cases() -> list[Case]:
    found = [
        Case(
            "01-care-plan-ehr-layout",
            "Care Plan as an EHR writes it: no function code on one "
            "member, no payers, SDOH goal, oxygen target, planned encounter and procedure.",
            team=[PCP, NURSE, PLAIN],
            goals=CARE_PLAN_GOALS,
            planned=[
                ("encounter", "", "Follow-up visit with primary care"),
                ("procedure", "", "Pulmonary function test"),
            ],
        ),
        Case(
            "02-ccd-ehr-layout",
            "CCD with header performers only, problems and medications "
            "sections, a weight-loss goal with two targets.",
            kind="ccd",
            team=[],
            header_team=[PCP, CARDIO],
            goals=[weight_goal()],
            other_sections=["problems", "meds"],
        ),
        Case(
            "03-referral-note",
            "Referral Note with a patient referral act and a social worker.",
            kind="referral",
            team=[PCP, SOCIAL],
            planned=[("referral", "", "Referral to community health worker program")],
        ),
        Case(
            "04-transfer-summary",
            "Transfer Summary with a planned encounter and an allergy.",
            kind="transfer",
            team=[NURSE],
            planned=[("encounter", "", "Home health visit")],
            other_sections=["allergies"],
        ),
        Case(
            "05-minute-precision-zone",
            "Document time with minutes and a zone west of UTC.",
            time="202609171904-0500",
            generated_at="2026-09-17T19:04:00-05:00",
        ),
        Case(
            "06-second-precision-utc",
            "Document time to the second in UTC.",
            time="20261102235930+0000",
            generated_at="2026-11-02T23:59:30Z",
        ),
        Case(
            "07-day-precision",
            "Document time with a day only: midnight where the member lives.",
            time="20260917",
            generated_at="2026-09-17T00:00:00-04:00",
        ),
        Case(
            "08-hour-precision-east",
            "Document time to the hour with a zone east of UTC.",
            time="2026091722+0530",
            generated_at="2026-09-17T22:00:00+05:30",
        ),
        Case(
            "09-zone-less-minutes",
            "Document time with minutes and no zone (read in Boston time).",
            time="202611150830",
            generated_at="2026-11-15T08:30:00-05:00",
        ),
        Case(
            "10-fraction-seconds",
            "Document time with fractions of a second.",
            time="20260917190405.123-0500",
            generated_at="2026-09-17T19:04:05-05:00",
        ),
        Case(
            "11-no-function-codes",
            "Care team whose members carry no function code at all.",
            team=[PLAIN, Person("1233333335", "Ruth", "Abernathy")],
        ),
        Case(
            "12-several-care-teams",
            "Two Care Team Organizers (primary care and behavioral health).",
            team=[PCP, NURSE, SOCIAL, CARDIO],
            organizers=2,
        ),
        Case(
            "13-organization-member",
            "A care team member on behalf of an organization.",
            team=[PCP, PHARM],
        ),
        Case(
            "14-caregiver-without-id", "A caregiver with a null-flavored id.", team=[PCP, CAREGIVER]
        ),
        Case(
            "15-header-and-organizer",
            "The same physician in the header and the organizer.",
            team=[PCP, NURSE],
            header_team=[PCP],
        ),
        Case(
            "16-sdoh-goals",
            "Three SDOH goals coded in the value, authored by the physician.",
            goals=[
                sdoh_goal("G-H", *HOUSING),
                sdoh_goal("G-F", *FOOD),
                sdoh_goal("G-T", *TRANSPORT),
            ],
        ),
        Case(
            "17-goal-text-in-narrative",
            "A goal whose text lives only in the section narrative, authored by id only.",
            goals=[narrative_goal("G-N", "Walk to the corner store twice a week")],
        ),
        Case(
            "18-goal-original-text",
            "A goal stated in the code's originalText, no author.",
            goals=[original_text_goal("G-O", "Sleep through the night")],
        ),
        Case(
            "19-goal-without-text",
            "One goal with no text anywhere beside a good one.",
            goals=[text_goal("G-1", "Cook my own meals"), empty_goal("G-X")],
        ),
        Case(
            "20-goal-patient-authored",
            "A member-authored goal with a target date.",
            goals=[text_goal("G-P", "Get back to my church choir", due="2027-06-01")],
        ),
        Case(
            "21-goal-provider-authored",
            "A provider-authored goal in free text.",
            goals=[text_goal("G-D", "Reduce emergency visits", author="pcp")],
        ),
        Case(
            "22-spo2-target",
            "An oxygen saturation goal with its >= 92 % target.",
            goals=[spo2_goal()],
        ),
        Case(
            "23-weight-targets",
            "A weight goal with a PQ target and a nested range target.",
            goals=[weight_goal(due=None)],
        ),
        Case("24-planned-act", "A Planned Act.", planned=[("act", "", "Teach inhaler technique")]),
        Case(
            "25-planned-observation",
            "A Planned Observation.",
            planned=[("observation", "", "Check blood pressure weekly")],
        ),
        Case(
            "26-planned-supply",
            "A Planned Supply with its device.",
            planned=[("supply", "", "Shower chair")],
        ),
        Case(
            "27-planned-medication",
            "A Planned Medication Activity.",
            planned=[("medication", "", "Lisinopril 10 MG Oral Tablet")],
        ),
        Case(
            "28-planned-intervention",
            "A Planned Intervention Act (no LTS-C on the team).",
            planned=[("intervention", "", "Home safety assessment")],
        ),
        Case(
            "29-every-planned-kind",
            "One of each planned template.",
            planned=[
                ("act", "", "Medication review"),
                ("encounter", "", "Annual wellness visit"),
                ("procedure", "", "Eye exam"),
                ("observation", "", "HbA1c test"),
                ("referral", "", "Referral to podiatry"),
                ("supply", "", "Glucose meter"),
                ("medication", "", "Metformin 500 MG Oral Tablet"),
            ],
        ),
        Case(
            "30-ltss-concerns",
            "Health concerns: one LTSS need, one behavioral-health need, one other.",
            concerns=[
                ("284545001", "Difficulty bathing", True),
                ("35489007", "Depressive disorder", True),
                ("38341003", "Hypertension", False),
            ],
        ),
        Case(
            "31-payers-full", "A Payers section with the plan and a rating category.", payers="full"
        ),
        Case(
            "32-payers-no-rating",
            "A Policy Activity without a rating category (taken from the stored enrollment).",
            payers="no-rating",
        ),
        Case("33-payers-no-time", "A Policy Activity without effectiveTime.", payers="no-time"),
        Case(
            "34-telecom-with-space",
            "A telecom written 'tel: 781-555-0182' with a space.",
            telecom="tel: 781-555-0182",
        ),
        Case(
            "35-gender-null-flavor",
            "A null-flavored gender (the stored one stands).",
            gender='<administrativeGenderCode nullFlavor="UNK"/>',
        ),
        Case(
            "36-masshealth-id-only",
            "The member named by the MassHealth id root only.",
            ids="masshealth",
        ),
        Case(
            "37-member-id-only", "The member named by the plan member id root only.", ids="member"
        ),
        Case(
            "38-unknown-member",
            "A document about nobody the plan knows: review queue.",
            ids="unknown",
            outcome="queued",
        ),
        Case(
            "39-no-member-ids", "Only a hospital MRN: review queue.", ids="none", outcome="queued"
        ),
        Case(
            "40-progress-note",
            "A Progress Note is refused by name.",
            kind="progress",
            outcome="refused",
            refusal="a Progress Note is not read",
        ),
        Case(
            "41-discharge-summary",
            "A Discharge Summary is refused by name.",
            kind="discharge",
            outcome="refused",
            refusal="a Discharge Summary is not read",
        ),
        Case(
            "42-consultation-note",
            "A Consultation Note is refused by name.",
            kind="consult",
            outcome="refused",
            refusal="a Consultation Note is not read",
        ),
        Case(
            "43-history-and-physical",
            "A History and Physical is refused by name.",
            kind="history",
            outcome="refused",
            refusal="a History and Physical is not read",
        ),
        Case(
            "44-embedded-pdf",
            "A CCD whose body is an embedded PDF.",
            kind="ccd",
            body="pdf",
            outcome="refused",
            refusal="Unstructured Document (nonXMLBody",
        ),
        Case(
            "47-intervention-with-parts",
            "A Planned Intervention Act made of a planned act, "
            "procedure and observation, for the oxygen goal (parts are the activities).",
            goals=[spo2_goal()],
            intervention_goal="G-SPO2",
            intervention=[
                ("act", "Elevate the head of the bed"),
                ("procedure", "Oxygen by nasal cannula"),
                ("observation", "Pulse oximetry every shift"),
            ],
        ),
        Case("45-empty-ccd", "A CCD with no sections at all.", kind="ccd", team=[]),
        Case(
            "46-care-plan-everything",
            "A Care Plan with every part: teams, goals, concerns, plan, payers, other sections.",
            team=[PCP, NURSE, SOCIAL, PLAIN, CAREGIVER],
            organizers=2,
            header_team=[CARDIO],
            goals=[*CARE_PLAN_GOALS, weight_goal("G-W2")],
            concerns=[
                ("284545001", "Difficulty bathing", True),
                ("38341003", "Hypertension", False),
            ],
            planned=[("encounter", "", "Follow-up in two weeks"), ("supply", "", "Walker")],
            payers="full",
            other_sections=["allergies", "problems"],
        ),
    ]
    return found


def rendered() -> dict[str, str]:
    files = {}
    for case in cases():
        files[f"{case.name}.xml"] = document(case)
        files[f"{case.name}.expected.json"] = json.dumps(expected(case), indent=2) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    files = rendered()
    stale = [
        n
        for n, t in files.items()
        if not (CORPUS / n).is_file() or (CORPUS / n).read_text("utf-8") != t
    ]
    extra = [p.name for p in CORPUS.glob("*") if p.name not in files] if CORPUS.is_dir() else []
    if args.check:
        for name in stale + extra:
            sys.stderr.write(f"out of date: samples/ccda/corpus/{name}\n")
        return 1 if stale or extra else 0
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name in extra:
        (CORPUS / name).unlink()
    for name in stale:
        (CORPUS / name).write_text(files[name], encoding="utf-8")
    sys.stdout.write(f"{len(stale)} file(s) written, {len(extra)} removed in samples/ccda/corpus\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
