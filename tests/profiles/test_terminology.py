"""CodeSystems and ValueSets: the codes of docs/architecture.md §3, complete and consistent."""

from __future__ import annotations

import pytest

from adapter.canonical import code_system_url, value_set_url
from adapter.validation.definitions import load_base_r4
from tests.profiles.loading import KNOWN_EXTERNAL_SYSTEMS, all_codes, artifacts, of_type

# docs/architecture.md §3: the contract the mapping writes and the validator checks.
CODES = {
    "report-measure": [
        "members-enrolled",
        "offers-due",
        "offers-made",
        "offer-90",
        "assess-offers",
        "uptake",
        "days-to-offer-median",
        "days-to-offer-p90",
        "overdue-open",
        "choice-two",
        "offer-90-due",
        "offer-90-on-time",
        "assess-due",
        "assess-on-time",
        "offers-decided",
        "accepted",
        "declined",
        "no-response",
        "pending",
        "members-first-offer",
        "members-offered",
        "members-two-choices",
        "rating-category",
        "trigger",
        "cbo-type",
    ],
    "ltsc-role": ["ltsc", "cc"],
    "cbo-type": ["ILC", "RLC", "ASAP", "other"],
    "rating-category": ["F1", "C3", "C2", "C1"],
    "offer-trigger": [
        "OFFER-90",
        "OFFER-ANNUAL",
        "AVAIL-ASSESS",
        "AVAIL-LTSS",
        "AVAIL-AGENCY",
        "AVAIL-INSTITUTION",
        "AVAIL-REQUEST",
    ],
    "offer-outcome": ["accepted", "declined", "no-response"],
    "offer-business-status": ["due", "offered", "accepted", "declined", "no-response", "overdue"],
    "offer-choice-shortfall": [
        "fewer-than-two-cbos",
        "member-requested-specific",
        "no-cbo-in-area",
    ],
    "task-code": ["ltsc-offer", "alternative-search", "interim-alternative"],
    "task-io-type": [
        "ltsc-choice",
        "offer-decision",
        "chosen-ltsc",
        "vendor",
        "expected-start",
        "resulting-activity",
        "assigned-ltsc",
    ],
    "service-business-status": [
        "pending-authorization",
        "authorized",
        "denied",
        "vendor-identified",
        "wait-listed",
        "in-service",
        "completed",
        "cancelled",
    ],
    "ltss-service-type": [
        "personal-care",
        "homemaker",
        "adult-day-health",
        "adult-foster-care",
        "home-modification",
        "durable-medical-equipment",
        "peer-support",
        "recovery-coaching",
        "transportation",
        "day-habilitation",
        "respite",
        "home-delivered-meals",
        "employment-support",
        "other",
    ],
    "communication-topic": [
        "staffing-change",
        "ltsc-change",
        "hospitalization",
        "worsening-condition",
        "death",
        "address-change",
        "facility-stay",
        "service-authorized",
        "service-denied",
        "vendor-fill",
        "wait-list",
        "offer",
        "general",
    ],
    "accessibility-need": [
        "asl-interpreter",
        "large-print",
        "braille",
        "screen-reader",
        "plain-language",
        "wheelchair-access",
        "tty-relay",
        "other",
    ],
    "communication-method": ["phone", "sms", "email", "mail", "in-person", "video"],
    "goal-category": [
        "independent-living",
        "recovery",
        "community",
        "cultural-identity",
        "health",
        "employment",
    ],
    "consent-share": ["care-plan", "contact", "assessments", "behavioral-health"],
}


def local_code_systems() -> dict[str, dict]:
    return {cs["url"]: cs for cs in of_type("CodeSystem")}


def test_code_systems_are_exactly_those_of_the_architecture():
    assert {cs["id"] for cs in of_type("CodeSystem")} == set(CODES)


@pytest.mark.parametrize("cs_id", sorted(CODES))
def test_code_system_has_the_contracted_codes_in_order(cs_id):
    cs = artifacts()[code_system_url(cs_id)]
    assert [c["code"] for c in cs["concept"]] == CODES[cs_id]
    assert cs["count"] == len(CODES[cs_id])


@pytest.mark.parametrize("cs", of_type("CodeSystem"), ids=lambda cs: cs["id"])
def test_code_system_is_complete_case_sensitive_and_defined(cs):
    assert cs["content"] == "complete"
    assert cs["caseSensitive"] is True
    assert cs["valueSet"] == value_set_url(cs["id"])
    for concept in cs["concept"]:
        assert concept["display"].strip() and len(concept["definition"]) > 10, concept["code"]


@pytest.mark.parametrize("cs_id", sorted(CODES))
def test_each_code_system_has_an_all_codes_value_set_of_the_same_id(cs_id):
    vs = artifacts()[value_set_url(cs_id)]
    assert vs["compose"]["include"] == [{"system": code_system_url(cs_id)}]


def test_careteam_role_value_set_adds_the_mcc_patient_role():
    include = artifacts()[value_set_url("careteam-role")]["compose"]["include"]
    assert {"system": code_system_url("ltsc-role")} in include
    snomed = next(i for i in include if i["system"] == "http://snomed.info/sct")
    assert [c["code"] for c in snomed["concept"]] == ["116154003"]


def system_is_known(system: str) -> bool:
    return (
        system in local_code_systems()
        or system in load_base_r4().code_systems
        or system in KNOWN_EXTERNAL_SYSTEMS
    )


@pytest.mark.parametrize("vs", of_type("ValueSet"), ids=lambda vs: vs["id"])
def test_value_set_draws_on_known_systems_and_existing_codes(vs):
    base = load_base_r4().code_systems
    for include in vs["compose"]["include"]:
        assert system_is_known(include["system"]), include["system"]
        source = local_code_systems().get(include["system"]) or base.get(include["system"])
        if source and source.get("content") == "complete" and "concept" in include:
            assert {c["code"] for c in include["concept"]} <= all_codes(source)
