"""The bundled sample export: curated members that exercise every rule id, plus generated ones.

Regenerate the files in samples/ with `python -m adapter.records.scenarios`.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

from adapter.records import generator as gen
from adapter.records.writers import write_export

SEED = 2026
GENERATED_MEMBERS = 14
PLAN_ID = "CCA-OC"
# LTS-C who left Metro Boston ILC in September 2026 (STAFFING).
DEPARTED_LTSC = "LTSC-0003"

Record = dict[str, Any]


# ---- building blocks -------------------------------------------------------------------------


def _member(
    n: int,
    given: str,
    family: str,
    gender: str,
    born: str,
    language: str,
    county: str,
    enrolled: str,
    category: str,
    cc: str = "CC-0001",
) -> Record:
    """A member enrolled once, with a CC from enrollment; details seeded by the member number."""
    rng = random.Random(SEED * 1000 + n)  # noqa: S311 - reproducible synthetic data
    member_id = f"M{100000 + n}"
    identity = gen.member_identity(rng, member_id, language, county, date.fromisoformat(enrolled))
    identity.update(name={"given": [given], "family": family}, gender=gender, birth_date=born)
    record = gen.empty_record(identity)
    record["enrollments"].append(
        {"plan_id": PLAN_ID, "start": enrolled, "end": None, "rating_category": category}
    )
    record["care_coordinator_assignments"].append({"staff_id": cc, "start": enrolled, "end": None})
    return record


def _offer(
    record: Record,
    trigger: str,
    offered_on: str,
    choices: list[str],
    outcome: str | None = None,
    outcome_date: str | None = None,
    chosen: str | None = None,
    reason: str | None = None,
) -> Record:
    offer = {
        "offer_id": f"OF-{len(record['offers']) + 1}",
        "trigger": trigger,
        "offered_on": offered_on,
        "choices": choices,
        "fewer_choices_reason": reason,
        "outcome": outcome,
        "outcome_date": outcome_date,
        "chosen_staff_id": chosen,
    }
    record["offers"].append(offer)
    return offer


def _accept(
    record: Record,
    trigger: str,
    offered_on: str,
    choices: list[str],
    on: str,
    share: tuple[str, ...] = ("care-plan", "contact", "assessments"),
    reason: str | None = None,
) -> str:
    """An accepted offer of the first choice, the LTS-C's assignment and the member's consent."""
    ltsc = choices[0]
    _offer(record, trigger, offered_on, choices, "accepted", on, ltsc, reason)
    record["ltsc_assignments"].append(
        {"staff_id": ltsc, "start": on, "end": None, "end_reason": None}
    )
    _consent(record, on, ltsc, "permit", share)
    return ltsc


def _consent(record: Record, on: str, ltsc: str, decision: str, share: tuple[str, ...]) -> None:
    record["consents"].append(
        {
            "consent_id": f"CN-{len(record['consents']) + 1}",
            "date": on,
            "staff_id": ltsc,
            "decision": decision,
            "share": list(share),
        }
    )


def _assessment(record: Record, on: str, kind: str, category: str, requested: bool = False) -> None:
    record["assessments"].append(
        {
            "assessment_id": f"AS-{len(record['assessments']) + 1}",
            "date": on,
            "kind": kind,
            "rating_category": category,
            "ltsc_requested": requested,
        }
    )


def _goal(record: Record, category: str, text: str, start: str, by: str = "member") -> str:
    goal_id = f"G-{len(record['goals']) + 1}"
    target = (
        f"{int(start[:4]) + 1}{start[4:]}"
        if start[5:] != "02-29"
        else f"{int(start[:4]) + 1}-03-01"
    )
    record["goals"].append(
        {
            "goal_id": goal_id,
            "description": text,
            "category": category,
            "start": start,
            "target_date": target,
            "status": "active",
            "expressed_by": by,
        }
    )
    return goal_id


def _recommend(
    record: Record,
    service: str,
    on: str,
    by: str,
    goal_ids: list[str],
    quantity: Record | None,
    decision: str,
    decided_on: str | None,
    **fields: Any,
) -> str:
    rec_id = f"SR-{len(record['service_recommendations']) + 1}"
    authorization = {
        "decision": decision,
        "decided_on": decided_on,
        "reason": fields.pop("reason", None),
        "authorization_id": f"AUTH-{record['member']['member_id'][1:]}{rec_id[3:]}"
        if decision == "approved"
        else None,
    }
    recommendation = {
        "recommendation_id": rec_id,
        "service_type": service,
        "recommended_on": on,
        "recommended_by": by,
        "goal_ids": goal_ids,
        "quantity": quantity,
        "note": None,
        "self_directed": False,
        "authorization": authorization,
        "vendor_id": None,
        "expected_start": None,
        "wait_list": None,
        "fulfillment_status": "pending",
        "alternative_for": None,
    }
    recommendation.update(fields)
    record["service_recommendations"].append(recommendation)
    return rec_id


def _tell(
    record: Record,
    on: str,
    hour: int,
    sender: str,
    recipients: list[str],
    topic: str,
    text: str,
) -> None:
    record["communications"].append(
        {
            "communication_id": f"CM-{len(record['communications']) + 1}",
            "sent": gen.instant(date.fromisoformat(on), hour, 30),
            "sender": sender,
            "recipients": recipients,
            "topic": topic,
            "text": text,
        }
    )


def _event(
    record: Record,
    kind: str,
    on: str,
    by: str | None,
    text: str,
    facility: str | None = None,
    address: Record | None = None,
) -> None:
    record["status_events"].append(
        {
            "event_id": f"EV-{len(record['status_events']) + 1}",
            "type": kind,
            "date": on,
            "reported_by": by,
            "description": text,
            "facility_name": facility,
            "address": address,
        }
    )


def _hours(value: float, per: str = "wk") -> Record:
    return {"value": value, "unit": "h", "per": per}


# ---- the curated members ---------------------------------------------------------------------

SCENARIOS: list[tuple[tuple[str, ...], str, Any]] = []


def scenario(*rules: str, story: str) -> Any:
    """Register a curated member with the rule ids it demonstrates and its story."""

    def register(build: Any) -> Any:
        SCENARIOS.append((rules, story, build))
        return build

    return register


@scenario("OFFER-90", story="New enrollee (2026-09-01), no offer yet: OFFER-90 due 2026-11-30.")
def new_enrollee() -> Record:
    return _member(
        1,
        "Keisha",
        "Robinson",
        "female",
        "1988-07-19",
        "en",
        "Suffolk",
        "2026-09-01",
        "C2",
        cc="CC-0002",
    )


@scenario("OFFER-90", "REPORT", story="Enrolled 2026-05-01, never offered: offer overdue.")
def overdue_offer() -> Record:
    return _member(
        2,
        "Wilfredo",
        "Colón",
        "male",
        "1967-02-03",
        "es",
        "Hampden",
        "2026-05-01",
        "C1",
        cc="CC-0003",
    )


@scenario(
    "OFFER-ANNUAL",
    "CHOICE",
    story="Declined at intake (2024); educated again at the "
    "2026 annual assessment and declined again.",
)
def annual_assessment() -> Record:
    record = _member(
        3,
        "Thu",
        "Pham",
        "female",
        "1975-11-30",
        "vi",
        "Middlesex",
        "2024-03-01",
        "C1",
        cc="CC-0004",
    )
    _assessment(record, "2024-03-28", "initial", "C1")
    _offer(record, "OFFER-90", "2024-03-28", ["LTSC-0005", "LTSC-0016"], "declined", "2024-04-04")
    _assessment(record, "2025-03-20", "annual", "C1")
    _offer(
        record, "OFFER-ANNUAL", "2025-03-20", ["LTSC-0006", "LTSC-0017"], "declined", "2025-03-20"
    )
    _assessment(record, "2026-03-16", "annual", "C2")
    _offer(
        record, "OFFER-ANNUAL", "2026-03-16", ["LTSC-0007", "LTSC-0028"], "declined", "2026-03-30"
    )
    return record


@scenario(
    "AVAIL-ASSESS",
    "CHOICE-TWO",
    "CBO-TYPES",
    "TEAM-DISCRETION",
    story="Rating C3: LTS-C "
    "at the comprehensive assessment; LTS-Cs of two CBOs (an ILC and an RLC) offered; accepted.",
)
def c3_assessment() -> Record:
    record = _member(
        4,
        "Manuel",
        "Furtado",
        "male",
        "1962-05-08",
        "pt",
        "Bristol",
        "2026-05-01",
        "C3",
        cc="CC-0005",
    )
    _accept(
        record,
        "AVAIL-ASSESS",
        "2026-06-10",
        ["LTSC-0014", "LTSC-0022"],
        "2026-06-10",
        share=("care-plan", "contact", "assessments", "behavioral-health"),
    )
    _assessment(record, "2026-06-10", "initial", "C3")
    _goal(
        record,
        "independent-living",
        "I want to keep living at home with my wife",
        "2026-06-24",
        by="member",
    )
    return record


@scenario(
    "AVAIL-ASSESS",
    "CHOICE",
    story="Rating F1: LTS-C offered at the assessment; the member never answered (no-response).",
)
def f1_assessment() -> Record:
    record = _member(
        5,
        "Jacques",
        "Desir",
        "male",
        "1979-09-14",
        "ht",
        "Norfolk",
        "2026-02-01",
        "F1",
        cc="CC-0006",
    )
    _assessment(record, "2026-03-05", "initial", "F1")
    _offer(
        record,
        "AVAIL-ASSESS",
        "2026-03-05",
        ["LTSC-0001", "LTSC-0018"],
        "no-response",
        "2026-04-05",
    )
    return record


@scenario("AVAIL-ASSESS", story="Rating C1 member who asked for an LTS-C during the assessment.")
def requested_at_assessment() -> Record:
    record = _member(
        6,
        "Olga",
        "Sokolova",
        "female",
        "1970-01-22",
        "ru",
        "Worcester",
        "2026-04-01",
        "C1",
        cc="CC-0007",
    )
    _assessment(record, "2026-05-12", "initial", "C1", requested=True)
    _accept(record, "AVAIL-ASSESS", "2026-05-12", ["LTSC-0011", "LTSC-0028"], "2026-05-19")
    return record


@scenario(
    "AVAIL-LTSS",
    "RECOMMEND",
    "VENDOR-FILL",
    "CONTACT",
    story="Member asks for help with "
    "bathing and meals; LTS-C recommends personal care; vendor fills with an expected start.",
)
def ltss_need_vendor_fill() -> Record:
    record = _member(
        7,
        "Maria",
        "Santos",
        "female",
        "1971-03-14",
        "pt",
        "Worcester",
        "2025-01-01",
        "C2",
        cc="CC-0001",
    )
    _offer(record, "OFFER-90", "2025-02-10", ["LTSC-0012", "LTSC-0029"], "declined", "2025-02-20")
    record["ltss_needs"].append(
        {
            "need_id": "N-1",
            "identified_on": "2026-05-02",
            "identified_by": "member",
            "category": "ltss",
            "description": "help with bathing and meals",
        }
    )
    ltsc = _accept(record, "AVAIL-LTSS", "2026-05-04", ["LTSC-0012", "LTSC-0029"], "2026-05-08")
    goal = _goal(
        record, "independent-living", "I want to keep living in my own apartment", "2026-05-15"
    )
    _recommend(
        record,
        "personal-care",
        "2026-05-20",
        ltsc,
        [goal],
        _hours(10),
        "approved",
        "2026-05-29",
        vendor_id="V-HOMECARE-3",
        expected_start="2026-06-08",
        fulfillment_status="vendor-identified",
    )
    _tell(
        record,
        "2026-05-29",
        11,
        "CC-0001",
        [ltsc],
        "service-authorized",
        "Personal care approved, 10 h/week.",
    )
    _tell(
        record,
        "2026-06-01",
        9,
        "CC-0001",
        [ltsc],
        "vendor-fill",
        "Blackstone Valley Personal Care can start on 2026-06-08.",
    )
    return record


@scenario(
    "AVAIL-LTSS",
    "GOALS",
    story="Care team sees behavioral-health needs; an RLC peer LTS-C "
    "is accepted; recovery goal and peer support.",
)
def behavioral_health_need() -> Record:
    record = _member(
        8,
        "Darnell",
        "Jackson",
        "male",
        "1990-12-02",
        "en",
        "Suffolk",
        "2025-06-01",
        "C2",
        cc="CC-0002",
    )
    _offer(
        record, "OFFER-90", "2025-07-15", ["LTSC-0002", "LTSC-0016"], "no-response", "2025-08-15"
    )
    record["ltss_needs"].append(
        {
            "need_id": "N-1",
            "identified_on": "2026-07-08",
            "identified_by": "care-team",
            "category": "behavioral-health",
            "description": "isolation and anxiety after a move",
        }
    )
    ltsc = _accept(
        record,
        "AVAIL-LTSS",
        "2026-07-10",
        ["LTSC-0016", "LTSC-0002"],
        "2026-07-14",
        share=("care-plan", "contact", "behavioral-health"),
    )
    goal = _goal(
        record, "recovery", "I want to go to a peer support group every week", "2026-07-21"
    )
    _recommend(
        record,
        "peer-support",
        "2026-07-21",
        ltsc,
        [goal],
        _hours(8, "mo"),
        "approved",
        "2026-07-28",
        fulfillment_status="in-service",
    )
    return record


@scenario(
    "AVAIL-AGENCY", story="DMH targeted case management identified at intake; LTS-C accepted."
)
def dmh_case_management() -> Record:
    record = _member(
        9,
        "Erin",
        "Walsh",
        "female",
        "1984-04-27",
        "en",
        "Hampden",
        "2026-03-01",
        "C2",
        cc="CC-0003",
    )
    record["agency_involvement"].append(
        {
            "agency": "DMH",
            "service": "targeted-case-management",
            "start": "2025-06-01",
            "end": None,
            "identified_on": "2026-03-05",
        }
    )
    _accept(
        record,
        "AVAIL-AGENCY",
        "2026-03-09",
        ["LTSC-0019", "LTSC-0008"],
        "2026-03-16",
        share=("care-plan", "contact", "behavioral-health"),
    )
    return record


@scenario("AVAIL-AGENCY", story="DDS affiliation; offer made 2026-10-27 and still open.")
def dds_affiliation() -> Record:
    record = _member(
        10, "Casey", "Nash", "other", "1996-08-09", "ase", "Essex", "2026-08-01", "C2", cc="CC-0004"
    )
    record["agency_involvement"].append(
        {
            "agency": "DDS",
            "service": "affiliation",
            "start": "2014-09-01",
            "end": None,
            "identified_on": "2026-10-20",
        }
    )
    _offer(record, "OFFER-90", "2026-08-20", ["LTSC-0005", "LTSC-0029"], "declined", "2026-08-27")
    _offer(record, "AVAIL-AGENCY", "2026-10-27", ["LTSC-0006", "LTSC-0028"])
    return record


@scenario(
    "AVAIL-INSTITUTION",
    "CONTACT",
    story="Nursing-facility admission contemplated "
    "after a fall; urgent LTS-C offer accepted the same week.",
)
def nursing_facility_contemplated() -> Record:
    record = _member(
        11,
        "Sokha",
        "Chea",
        "female",
        "1959-12-12",
        "km",
        "Middlesex",
        "2023-01-01",
        "C3",
        cc="CC-0005",
    )
    _offer(record, "OFFER-90", "2023-02-02", ["LTSC-0007", "LTSC-0017"], "declined", "2023-02-09")
    record["institutional_admissions"].append(
        {
            "admission_id": "IA-1",
            "facility_type": "nursing-facility",
            "facility_name": "Merrimack Rehabilitation and Nursing",
            "expected_date": "2026-09-20",
            "identified_on": "2026-09-01",
        }
    )
    ltsc = _accept(
        record, "AVAIL-INSTITUTION", "2026-09-02", ["LTSC-0017", "LTSC-0007"], "2026-09-04"
    )
    _goal(
        record,
        "independent-living",
        "I want to go back home instead of a nursing home",
        "2026-09-08",
    )
    _tell(
        record,
        "2026-09-08",
        15,
        ltsc,
        ["CC-0005"],
        "general",
        "Met with Ms. Chea; she wants home supports instead of a facility.",
    )
    return record


@scenario("AVAIL-REQUEST", story="Member phoned to ask for an LTS-C outside any assessment.")
def ad_hoc_request() -> Record:
    record = _member(
        12,
        "Ana",
        "Medeiros",
        "female",
        "1981-06-30",
        "pt",
        "Bristol",
        "2025-09-01",
        "C1",
        cc="CC-0006",
    )
    _offer(
        record, "OFFER-90", "2025-10-01", ["LTSC-0015", "LTSC-0023"], "no-response", "2025-11-01"
    )
    record["ltsc_requests"].append(
        {
            "request_id": "RQ-1",
            "date": "2026-07-01",
            "channel": "phone",
            "note": "wants help finding a day program",
        }
    )
    _accept(record, "AVAIL-REQUEST", "2026-07-08", ["LTSC-0023", "LTSC-0015"], "2026-07-10")
    return record


@scenario(
    "CHOICE",
    "AVAIL-REQUEST",
    story="Declined at enrollment, asked for an LTS-C a year later: "
    "the decline did not block the request.",
)
def decline_then_request() -> Record:
    record = _member(
        13, "Luis", "Rivera", "male", "1973-10-05", "es", "Essex", "2025-01-01", "C2", cc="CC-0007"
    )
    _offer(record, "OFFER-90", "2025-02-03", ["LTSC-0005", "LTSC-0028"], "declined", "2025-02-10")
    record["ltsc_requests"].append(
        {"request_id": "RQ-1", "date": "2026-08-12", "channel": "in-person", "note": None}
    )
    _accept(record, "AVAIL-REQUEST", "2026-08-18", ["LTSC-0028", "LTSC-0006"], "2026-08-25")
    return record


@scenario(
    "CHOICE-TWO",
    "OFFER-90",
    story="Lives on Nantucket, served by one CBO only: one choice, reason fewer-than-two-cbos.",
)
def single_cbo_area() -> Record:
    record = _member(
        14,
        "Colleen",
        "McCarthy",
        "female",
        "1966-03-03",
        "en",
        "Nantucket",
        "2026-06-01",
        "C2",
        cc="CC-0008",
    )
    _accept(
        record, "OFFER-90", "2026-06-22", ["LTSC-0024"], "2026-06-29", reason="fewer-than-two-cbos"
    )
    return record


@scenario(
    "LTSC-CHANGE",
    "TEAM-DISCRETION",
    story="Member changed from an ILC LTS-C to an RLC "
    "LTS-C for a recovery focus; CC, old and new LTS-C informed.",
)
def ltsc_change() -> Record:
    record = _member(
        15, "Ryan", "Kelly", "male", "1986-01-17", "en", "Suffolk", "2025-03-01", "C2", cc="CC-0001"
    )
    old = _accept(record, "OFFER-90", "2025-04-01", ["LTSC-0004", "LTSC-0018"], "2025-04-08")
    record["ltsc_assignments"][0].update(end="2026-05-01", end_reason="member-choice")
    record["ltsc_assignments"].append(
        {"staff_id": "LTSC-0018", "start": "2026-05-01", "end": None, "end_reason": None}
    )
    _consent(
        record, "2026-05-01", "LTSC-0018", "permit", ("care-plan", "contact", "behavioral-health")
    )
    _tell(
        record,
        "2026-04-28",
        10,
        "CC-0001",
        [old, "LTSC-0018"],
        "ltsc-change",
        "Mr. Kelly chose a peer LTS-C from the Metro RLC starting 2026-05-01.",
    )
    return record


@scenario(
    "STAFFING",
    "CONTACT",
    story="The member's LTS-C left the CBO; a colleague took over and "
    "the CC got the new LTS-C's name, phone and e-mail.",
)
def staff_left() -> Record:
    record = _member(
        16,
        "Linda",
        "Sullivan",
        "female",
        "1964-08-21",
        "en",
        "Norfolk",
        "2024-10-01",
        "C3",
        cc="CC-0002",
    )
    _accept(record, "OFFER-90", "2024-11-04", [DEPARTED_LTSC, "LTSC-0017"], "2024-11-12")
    record["ltsc_assignments"][0].update(end="2026-09-15", end_reason="staff-left")
    record["ltsc_assignments"].append(
        {"staff_id": "LTSC-0001", "start": "2026-09-15", "end": None, "end_reason": None}
    )
    _consent(record, "2026-09-15", "LTSC-0001", "permit", ("care-plan", "contact", "assessments"))
    _tell(
        record,
        "2026-09-12",
        14,
        "LTSC-0001",
        ["CC-0002"],
        "staffing-change",
        "I am Ms. Sullivan's new LTS-C from 2026-09-15; reach me at my direct line or e-mail.",
    )
    return record


@scenario(
    "TEAM-DISCRETION",
    story="Member accepted an LTS-C but shares only contact details and "
    "the care plan, not assessments or behavioral health.",
)
def limited_sharing() -> Record:
    record = _member(
        17, "Wei", "Chen", "male", "1977-04-04", "zh", "Middlesex", "2025-11-01", "C1", cc="CC-0003"
    )
    _accept(
        record,
        "OFFER-90",
        "2025-12-01",
        ["LTSC-0006", "LTSC-0016"],
        "2025-12-05",
        share=("care-plan", "contact"),
    )
    return record


@scenario(
    "TEAM-DISCRETION",
    "CHOICE",
    story="Member accepted an LTS-C, then refused to let the "
    "LTS-C join the care team (consent deny).",
)
def consent_denied() -> Record:
    record = _member(
        18,
        "Layla",
        "Haddad",
        "female",
        "1983-09-09",
        "ar",
        "Suffolk",
        "2026-01-01",
        "C2",
        cc="CC-0004",
    )
    _accept(record, "OFFER-90", "2026-02-02", ["LTSC-0002", "LTSC-0017"], "2026-02-09")
    _consent(record, "2026-03-01", "LTSC-0002", "deny", ())
    return record


@scenario(
    "GOALS", story="Person-centered goals of every category, expressed by member, CC and LTS-C."
)
def goals_every_category() -> Record:
    record = _member(
        19,
        "Tyrone",
        "Harris",
        "male",
        "1980-02-14",
        "en",
        "Hampden",
        "2025-04-01",
        "C3",
        cc="CC-0005",
    )
    ltsc = _accept(record, "OFFER-90", "2025-04-21", ["LTSC-0009", "LTSC-0020"], "2025-04-28")
    _goal(record, "independent-living", "I want to do my own grocery shopping", "2025-05-05")
    _goal(record, "recovery", "I want to stay sober and keep my apartment", "2025-05-05")
    _goal(
        record,
        "community",
        "I want to coach the youth basketball team again",
        "2025-05-05",
        by="ltsc",
    )
    _goal(record, "cultural-identity", "I want to attend my church's gospel choir", "2025-05-05")
    _goal(record, "health", "I want to keep my blood pressure under control", "2025-05-05", by="cc")
    _goal(
        record,
        "employment",
        "I want a part-time job at the hardware store",
        "2025-05-05",
        by="ltsc",
    )
    record["goals"][4]["status"] = "completed"
    _recommend(
        record,
        "employment-support",
        "2025-06-02",
        ltsc,
        ["G-6"],
        _hours(4),
        "approved",
        "2025-06-12",
        fulfillment_status="in-service",
    )
    return record


@scenario(
    "RECOMMEND",
    "VENDOR-FILL",
    story="LTS-C recommends adult day health; authorized; the service is running.",
)
def recommendation_approved() -> Record:
    record = _member(
        20,
        "Migdalia",
        "Ortiz",
        "female",
        "1961-07-07",
        "es",
        "Middlesex",
        "2024-06-01",
        "C3",
        cc="CC-0006",
    )
    ltsc = _accept(record, "OFFER-90", "2024-06-20", ["LTSC-0005", "LTSC-0016"], "2024-06-27")
    goal = _goal(record, "community", "I want to spend my days with other people", "2024-07-08")
    _recommend(
        record,
        "adult-day-health",
        "2024-07-15",
        ltsc,
        [goal],
        {"value": 3, "unit": "d", "per": "wk"},
        "approved",
        "2024-07-25",
        vendor_id="V-ADH-1",
        expected_start="2024-08-05",
        fulfillment_status="in-service",
    )
    _tell(
        record,
        "2024-07-25",
        13,
        "CC-0006",
        [ltsc],
        "service-authorized",
        "Adult day health approved, 3 days a week.",
    )
    return record


@scenario(
    "DENIED-ALT",
    "RECOMMEND",
    story="Home modification denied; CC told the LTS-C; they "
    "found an alternative (portable ramp through flexible benefits), approved.",
)
def denied_with_alternative() -> Record:
    record = _member(
        21,
        "Kevin",
        "Murphy",
        "male",
        "1968-11-11",
        "en",
        "Plymouth",
        "2024-01-01",
        "C3",
        cc="CC-0007",
    )
    ltsc = _accept(record, "OFFER-90", "2024-02-01", ["LTSC-0014", "LTSC-0022"], "2024-02-08")
    goal = _goal(
        record, "independent-living", "I want to get in and out of my house safely", "2024-02-20"
    )
    denied = _recommend(
        record,
        "home-modification",
        "2026-06-02",
        ltsc,
        [goal],
        None,
        "denied",
        "2026-06-20",
        reason="rented home; landlord approval missing",
        fulfillment_status="cancelled",
    )
    _tell(
        record,
        "2026-06-20",
        16,
        "CC-0007",
        [ltsc],
        "service-denied",
        "Ramp installation denied: landlord approval missing. Can we look at alternatives?",
    )
    _recommend(
        record,
        "other",
        "2026-06-27",
        ltsc,
        [goal],
        None,
        "approved",
        "2026-07-06",
        note="portable aluminium ramp under flexible benefits",
        alternative_for=denied,
        vendor_id="V-DME-1",
        expected_start="2026-07-20",
        fulfillment_status="vendor-identified",
    )
    return record


@scenario(
    "WAIT",
    "RECOMMEND",
    story="Approved homemaker hours wait-listed for staffing; CC notified; "
    "meals delivered meanwhile.",
)
def wait_listed() -> Record:
    record = _member(
        22,
        "Rose",
        "Joseph",
        "female",
        "1972-05-25",
        "ht",
        "Suffolk",
        "2025-08-01",
        "C2",
        cc="CC-0008",
    )
    ltsc = _accept(record, "OFFER-90", "2025-08-25", ["LTSC-0001", "LTSC-0016"], "2025-09-02")
    goal = _goal(record, "independent-living", "I want a clean and safe apartment", "2025-09-10")
    _recommend(
        record,
        "homemaker",
        "2026-08-03",
        ltsc,
        [goal],
        _hours(4),
        "approved",
        "2026-08-14",
        wait_list={"since": "2026-08-20", "reason": "staffing shortage"},
        fulfillment_status="wait-listed",
    )
    _tell(
        record,
        "2026-08-20",
        10,
        ltsc,
        ["CC-0008"],
        "wait-list",
        "Homemaker vendor has no staff until December; proposing home-delivered meals meanwhile.",
    )
    _recommend(
        record,
        "home-delivered-meals",
        "2026-08-21",
        ltsc,
        [goal],
        {"value": 7, "unit": "meal", "per": "wk"},
        "approved",
        "2026-08-26",
        vendor_id="V-MEALS-1",
        expected_start="2026-09-01",
        fulfillment_status="in-service",
    )
    return record


@scenario(
    "STATUS-SHARE",
    "CONTACT",
    story="Hospitalized after a fall; the LTS-C told the CC the same day.",
)
def hospitalization() -> Record:
    record = _member(
        23,
        "Patricia",
        "Coleman",
        "female",
        "1958-12-30",
        "en",
        "Worcester",
        "2023-05-01",
        "C3",
        cc="CC-0001",
    )
    ltsc = _accept(record, "OFFER-90", "2023-05-22", ["LTSC-0013", "LTSC-0029"], "2023-05-30")
    _event(
        record,
        "hospitalization",
        "2026-08-03",
        ltsc,
        "admitted after a fall at home",
        facility="UMass Memorial Medical Center",
    )
    _tell(
        record,
        "2026-08-03",
        17,
        ltsc,
        ["CC-0001"],
        "hospitalization",
        "Ms. Coleman was admitted to UMass Memorial after a fall this afternoon.",
    )
    return record


@scenario("STATUS-SHARE", story="Worsening diabetes reported by the LTS-C.")
def worsening_condition() -> Record:
    record = _member(
        24, "Duc", "Tran", "male", "1969-06-18", "vi", "Hampden", "2024-09-01", "C2", cc="CC-0002"
    )
    ltsc = _accept(record, "OFFER-90", "2024-09-23", ["LTSC-0010", "LTSC-0021"], "2024-09-30")
    _event(
        record,
        "worsening-condition",
        "2026-10-06",
        ltsc,
        "blood sugar readings high for two weeks; missed two appointments",
    )
    _tell(
        record,
        "2026-10-06",
        12,
        ltsc,
        ["CC-0002"],
        "worsening-condition",
        "Mr. Tran's blood sugar has been high for two weeks; can we schedule a visit?",
    )
    return record


@scenario("STATUS-SHARE", story="Member died; LTS-C informed the CC.")
def death() -> Record:
    record = _member(
        25,
        "Dmitri",
        "Petrov",
        "male",
        "1960-03-29",
        "ru",
        "Middlesex",
        "2022-07-01",
        "F1",
        cc="CC-0003",
    )
    ltsc = _accept(record, "OFFER-90", "2022-07-18", ["LTSC-0007", "LTSC-0017"], "2022-07-25")
    record["member"]["date_of_death"] = "2026-09-27"
    record["enrollments"][0]["end"] = "2026-09-30"
    record["ltsc_assignments"][0]["end"] = "2026-09-27"
    _event(record, "death", "2026-09-27", ltsc, "died at home")
    _tell(
        record,
        "2026-09-28",
        9,
        ltsc,
        ["CC-0003"],
        "death",
        "Mr. Petrov died at home yesterday; his daughter called me.",
    )
    return record


@scenario(
    "STATUS-SHARE",
    "COMM-PREFS",
    story="Moved from Lynn to Salem; the LTS-C shared the new address; prefers texts before calls.",
)
def address_change() -> Record:
    record = _member(
        26,
        "Yolanda",
        "Cruz",
        "female",
        "1982-10-10",
        "es",
        "Essex",
        "2024-04-01",
        "C2",
        cc="CC-0004",
    )
    ltsc = _accept(record, "OFFER-90", "2024-04-15", ["LTSC-0005", "LTSC-0028"], "2024-04-22")
    old = record["member"]["addresses"][0]
    old.update(line=["88 Union St", "Apt 2"], city="Lynn", postal_code="01902")
    old["period"]["end"] = "2026-07-31"
    new = {
        "kind": "home",
        "line": ["17 Derby St"],
        "city": "Salem",
        "county": "Essex",
        "state": "MA",
        "postal_code": "01970",
        "facility_name": None,
        "period": {"start": "2026-08-01", "end": None},
    }
    record["member"]["addresses"].append(new)
    record["member"]["communication_preferences"] = [
        {"method": "sms", "note": "texts before calls"}
    ]
    address = {k: new[k] for k in ("line", "city", "county", "state", "postal_code")}
    _event(record, "address-change", "2026-08-01", ltsc, "moved to Salem", address=address)
    _tell(
        record,
        "2026-08-02",
        11,
        ltsc,
        ["CC-0004"],
        "address-change",
        "Ms. Cruz moved to 17 Derby St, Salem on 2026-08-01.",
    )
    return record


@scenario(
    "STATUS-SHARE", story="Short rehabilitation stay recorded as a temporary-facility address."
)
def temporary_facility_stay() -> Record:
    record = _member(
        27, "João", "Silva", "male", "1963-01-08", "pt", "Bristol", "2023-09-01", "C3", cc="CC-0005"
    )
    ltsc = _accept(record, "OFFER-90", "2023-09-18", ["LTSC-0015", "LTSC-0022"], "2023-09-25")
    record["member"]["addresses"].append(
        {
            "kind": "temporary-facility",
            "line": ["200 Hospital Rd"],
            "city": "New Bedford",
            "county": "Bristol",
            "state": "MA",
            "postal_code": "02740",
            "facility_name": "Whaling City Rehabilitation Center",
            "period": {"start": "2026-10-12", "end": "2026-11-09"},
        }
    )
    _event(
        record,
        "facility-stay",
        "2026-10-12",
        ltsc,
        "three-week rehab stay after hip surgery",
        facility="Whaling City Rehabilitation Center",
    )
    _tell(
        record,
        "2026-10-12",
        16,
        ltsc,
        ["CC-0005"],
        "facility-stay",
        "Mr. Silva is at Whaling City Rehabilitation until about 2026-11-09.",
    )
    return record


@scenario(
    "COMM-PREFS",
    "CONTACT",
    story="Deaf member: ASL interpreter, TTY relay, video calls; "
    "LTS-C and CC keep each other informed.",
)
def communication_preferences() -> Record:
    record = _member(
        28,
        "Jordan",
        "Bishop",
        "female",
        "1991-02-02",
        "ase",
        "Berkshire",
        "2025-02-01",
        "C2",
        cc="CC-0006",
    )
    record["member"]["interpreter_needed"] = True
    record["member"]["communication_preferences"] = [
        {"method": "video", "note": "ASL video calls"},
        {"method": "email", "note": None},
    ]
    record["member"]["accessibility_needs"] = [
        {"code": "asl-interpreter", "note": "for every visit"},
        {"code": "tty-relay", "note": None},
    ]
    record["member"]["telecom"].append(
        {"system": "email", "value": "jbishop@example.net", "use": "home"}
    )
    ltsc = _accept(record, "OFFER-90", "2025-02-24", ["LTSC-0026", "LTSC-0019"], "2025-03-03")
    _tell(
        record,
        "2026-09-15",
        10,
        "CC-0006",
        [ltsc],
        "general",
        "Annual reassessment set for 2026-10-06 with an ASL interpreter booked.",
    )
    _tell(
        record,
        "2026-09-16",
        9,
        ltsc,
        ["CC-0006"],
        "general",
        "I will attend; I am out 2026-10-20 to 2026-10-24, call my direct line otherwise.",
    )
    return record


@scenario(
    "STAFFING",
    "CBO-TYPES",
    "LTSC-CHANGE",
    story="The member's CBO left the network "
    "(contract ended 2026-06-30); member chose a new LTS-C from another CBO.",
)
def cbo_contract_ended() -> Record:
    record = _member(
        29,
        "Brian",
        "Lewis",
        "male",
        "1974-07-04",
        "en",
        "Plymouth",
        "2024-05-01",
        "C2",
        cc="CC-0007",
    )
    _accept(record, "OFFER-90", "2024-05-28", ["LTSC-0030", "LTSC-0014"], "2024-06-04")
    record["ltsc_assignments"][0].update(end="2026-06-30", end_reason="cbo-left-network")
    _tell(
        record,
        "2026-06-10",
        10,
        "CC-0007",
        ["LTSC-0030"],
        "staffing-change",
        "South Shore Community Access leaves the network on 2026-06-30.",
    )
    record["ltsc_requests"].append(
        {
            "request_id": "RQ-1",
            "date": "2026-06-12",
            "channel": "phone",
            "note": "wants to keep having an LTS-C",
        }
    )
    _accept(record, "AVAIL-REQUEST", "2026-06-15", ["LTSC-0014", "LTSC-0023"], "2026-06-22")
    record["ltsc_assignments"][1]["start"] = "2026-07-01"
    return record


@scenario("OFFER-90", story="Enrollment starting on Feb 29 (2024): 90 days end 2024-05-29.")
def leap_day_enrollment() -> Record:
    record = _member(
        30,
        "Nadège",
        "Etienne",
        "female",
        "1987-08-08",
        "ht",
        "Suffolk",
        "2024-02-29",
        "C1",
        cc="CC-0008",
    )
    _accept(record, "OFFER-90", "2024-05-20", ["LTSC-0004", "LTSC-0018"], "2024-05-27")
    return record


@scenario(
    "OFFER-90",
    "REPORT",
    story="Re-enrolled on 2026-07-01 after a gap (2021-2023): a new "
    "OFFER-90 window for the new enrollment.",
)
def re_enrollment() -> Record:
    record = _member(
        31,
        "Vannak",
        "Sok",
        "male",
        "1976-12-24",
        "km",
        "Middlesex",
        "2021-01-01",
        "C2",
        cc="CC-0001",
    )
    record["enrollments"][0]["end"] = "2023-06-30"
    record["care_coordinator_assignments"][0]["end"] = "2023-06-30"
    _offer(record, "OFFER-90", "2021-02-10", ["LTSC-0006", "LTSC-0016"], "declined", "2021-02-17")
    record["enrollments"].append(
        {"plan_id": PLAN_ID, "start": "2026-07-01", "end": None, "rating_category": "C2"}
    )
    record["care_coordinator_assignments"].append(
        {"staff_id": "CC-0002", "start": "2026-07-01", "end": None}
    )
    _accept(record, "OFFER-90", "2026-08-10", ["LTSC-0017", "LTSC-0007"], "2026-08-17")
    return record


# ---- the sample export -----------------------------------------------------------------------


def sample_export() -> Record:
    """The bundled sample: curated scenario members, then generated members (same every time)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic data
    directory = gen.generate_directory(rng)
    for staff in directory["ltsc_staff"]:
        if staff["staff_id"] == DEPARTED_LTSC:
            staff["active"] = False
    areas = gen.service_areas(directory)
    curated = [build() for _, _, build in SCENARIOS]
    generated = [gen.generate_member(rng, i, directory, areas) for i in range(GENERATED_MEMBERS)]
    return {"export": gen.export_header(), "directory": directory, "members": curated + generated}


def scenario_table() -> list[tuple[str, str, str]]:
    """(member id, rule ids, story) for each curated member, for samples/README.md."""
    return [
        (build()["member"]["member_id"], ", ".join(rules), story)
        for rules, story, build in SCENARIOS
    ]


def write_samples(folder: Path) -> None:
    """Write plan-export.json, plan-export.ndjson, csv/ and README.md into `folder`."""
    document = sample_export()
    write_export(document, folder / "plan-export.json", "json")
    write_export(document, folder / "plan-export.ndjson", "ndjson")
    write_export(document, folder / "csv", "csv")
    (folder / "README.md").write_text(samples_readme(len(document["members"])), encoding="utf-8")


def samples_readme(member_count: int) -> str:
    """samples/README.md: what the files are and which member shows which rule."""
    rows = [f"| {member} | {rules} | {story} |" for member, rules, story in scenario_table()]
    return "\n".join([*_README_HEAD.format(members=member_count).splitlines(), *rows, ""])


_README_HEAD = """# Sample plan export

A synthetic One Care plan export (no real people, addresses or phone numbers: every phone number
is in the fictional 555-01xx range), as of `2026-11-01T06:00:00Z`, in the three input forms
described in `docs/input-contract.md`. All three hold the same {members} members and read to
identical records:

- `plan-export.json`: one JSON document;
- `plan-export.ndjson`: a header line, then one member per line;
- `csv/`: one CSV file per record kind, joined by `member_id`.

The directory has twelve CBOs of all four types (CBO-TYPES), among them South Shore Community
Access, whose contract ended on 2026-06-30, and Cape and Islands Access Services, the only CBO
serving Dukes and Nantucket counties. LTS-C `LTSC-0003` left Metro Boston ILC in September 2026
and is inactive.

The files are generated; do not edit them by hand. Regenerate with

    python -m adapter.records.scenarios

Members `M100001` to `M100031` are curated scenarios (below); members from `M200001` on are
generated (`adapter.records.generator`) and show everyday cases: offers accepted, declined,
unanswered or still open, LTS-Cs, consents, goals, authorized and denied services.

| member | rule ids | scenario |
|---|---|---|"""


if __name__ == "__main__":
    from adapter.config import SAMPLES_DIR

    write_samples(SAMPLES_DIR)
