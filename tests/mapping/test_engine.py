"""One member → one transaction Bundle: structure, references, and the One Care rules it carries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from adapter.canonical import BASE, code_system_url, extension_url
from adapter.mapping.engine import map_member
from adapter.mapping.ids import full_url
from adapter.mapping.models import canonical_form
from adapter.mapping.output import bundle_json
from adapter.mapping.pipeline import as_of_date
from adapter.rules import evaluate_member

from .conftest import ENTRY_TYPE_ORDER

Scenario = tuple[dict[str, Any], dict[str, Any]]


def bundle_of(scenario: Scenario, member_index: int = 0) -> dict[str, Any]:
    document, derived = scenario
    record = document["members"][member_index]
    member_derived = derived[record["member"]["member_id"]]
    return map_member(record, document["directory"], member_derived, document["export"])


def resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type
    ]


def one(bundle: dict[str, Any], resource_type: str, rid: str) -> dict[str, Any]:
    found = [r for r in resources(bundle, resource_type) if r["id"] == rid]
    assert len(found) == 1, f"{resource_type}/{rid}"
    return found[0]


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "reference" and isinstance(inner, str):
                yield inner
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def coded(concept: dict[str, Any], system_id: str) -> list[str]:
    return [
        c["code"] for c in concept.get("coding", []) if c["system"] == code_system_url(system_id)
    ]


# --- Bundle structure (docs/architecture.md §4) -------------------------------------------


def test_bundle_is_a_transaction_of_puts_with_urn_uuid_full_urls(scenario: Scenario) -> None:
    bundle = bundle_of(scenario)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "transaction"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        url = f"{resource['resourceType']}/{resource['id']}"
        assert entry["request"] == {"method": "PUT", "url": url}
        assert entry["fullUrl"] == full_url(resource["resourceType"], resource["id"])


def test_entries_follow_the_fixed_type_order(scenario: Scenario) -> None:
    types = [e["resource"]["resourceType"] for e in bundle_of(scenario)["entry"]]
    assert [ENTRY_TYPE_ORDER.index(t) for t in types] == sorted(
        ENTRY_TYPE_ORDER.index(t) for t in types
    )
    # A Procedure appears only once a service was delivered (a completed fulfillment).
    assert set(types) == set(ENTRY_TYPE_ORDER) - {"Procedure"}


def test_every_resource_names_its_profile_under_our_base(scenario: Scenario) -> None:
    for resource in (e["resource"] for e in bundle_of(scenario)["entry"]):
        (profile,) = resource["meta"]["profile"]
        assert profile.startswith(f"{BASE}/StructureDefinition/")


def test_every_reference_is_relative_and_resolves_inside_the_bundle(scenario: Scenario) -> None:
    bundle = bundle_of(scenario)
    urls = {e["request"]["url"] for e in bundle["entry"]}
    found = list(references([e["resource"] for e in bundle["entry"]]))
    assert found
    for reference in found:
        assert re.fullmatch(r"[A-Z][A-Za-z]+/[a-z0-9.-]{1,64}", reference), reference
        assert reference in urls, reference


def test_ids_follow_the_architecture_patterns(scenario: Scenario) -> None:
    urls = [e["request"]["url"] for e in bundle_of(scenario)["entry"]]
    for expected in (
        "Organization/plan-cca-oc",
        "Organization/cbo-bcil",
        "Organization/vendor-v-homecare-1",
        "Practitioner/prac-ltsc-0001",
        "PractitionerRole/role-cc-0001",
        "Patient/mbr-m100001",
        "CareTeam/team-m100001",
        "CarePlan/plan-m100001",
        "Goal/goal-m100001-g-1",
        "ServiceRequest/servicerequest-m100001-sr-1",
        "Consent/consent-m100001-cn-1",
        "Communication/communication-m100001-cm-1",
        "Task/offer-m100001-enrollment-1",
        "Task/svc-m100001-sr-1-authorization",
        "Provenance/prov-m100001",
    ):
        assert expected in urls


def test_same_input_gives_byte_identical_output(scenario: Scenario) -> None:
    first = bundle_json(bundle_of(scenario))
    again = bundle_json(bundle_of(json.loads(json.dumps(scenario))))
    assert first == again


def test_elements_are_written_in_fhir_definition_order(scenario: Scenario) -> None:
    for resource in (e["resource"] for e in bundle_of(scenario)["entry"]):
        assert key_paths(resource) == key_paths(canonical_form(resource)), resource["id"]


def key_paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in [prefix + k, *key_paths(v, prefix + k + ".")]]
    if isinstance(value, list):
        return [p for v in value for p in key_paths(v, prefix)]
    return []


def test_provenance_names_every_other_entry_and_the_mapping_version(scenario: Scenario) -> None:
    bundle = bundle_of(scenario)
    provenance = one(bundle, "Provenance", "prov-m100001")
    others = [e["request"]["url"] for e in bundle["entry"]][:-1]
    assert [t["reference"] for t in provenance["target"]] == others
    assert provenance["recorded"] == "2026-11-01T06:00:00Z"
    assert provenance["policy"] == [f"{BASE}/mapping/1.0.0"]
    assert provenance["entity"][0]["what"]["identifier"]["value"] == "M100001"


def test_only_directory_entries_the_member_touches_are_carried(scenario: Scenario) -> None:
    document, derived = scenario
    document["directory"]["ltsc_staff"].append(
        {"staff_id": "LTSC-0999", "cbo_id": "BCIL", "name": {"family": "Unrelated"}, "active": True}
    )
    urls = [e["request"]["url"] for e in bundle_of((document, derived))["entry"]]
    assert "Practitioner/prac-ltsc-0999" not in urls
    assert "Organization/cbo-crlc" in urls  # LTSC-0007 was offered, so their CBO comes along


# --- One Care rules carried by the mapping ------------------------------------------------


def test_offer_90_due_date_is_the_restriction_period_end(scenario: Scenario) -> None:
    offer = one(bundle_of(scenario), "Task", "offer-m100001-enrollment-1")
    assert offer["restriction"]["period"]["end"] == "2026-05-30"
    # One reason per obligation: the assessment's offer is its own Task.
    assert coded(offer["reasonCode"], "offer-trigger") == ["OFFER-90"]
    assessment = one(bundle_of(scenario), "Task", "offer-m100001-assessment-as-1")
    assert coded(assessment["reasonCode"], "offer-trigger") == ["AVAIL-ASSESS"]
    assert coded(offer["code"], "task-code") == ["ltsc-offer"]
    assert offer["owner"] == {"reference": "PractitionerRole/role-cc-0001"}


def test_choice_two_choices_are_inputs_and_decision_is_output(scenario: Scenario) -> None:
    offer = one(bundle_of(scenario), "Task", "offer-m100001-enrollment-1")
    choices = [i["valueReference"]["reference"] for i in offer["input"]]
    assert choices == ["PractitionerRole/role-ltsc-0001", "PractitionerRole/role-ltsc-0007"]
    decision, chosen = offer["output"]
    assert coded(decision["type"], "task-io-type") == ["offer-decision"]
    assert coded(decision["valueCodeableConcept"], "offer-outcome") == ["accepted"]
    assert chosen["valueReference"] == {"reference": "PractitionerRole/role-ltsc-0001"}


def test_choice_two_shortfall_reason_is_recorded_when_one_choice_was_offered() -> None:
    from .conftest import GOLDEN_DIR, load_scenario

    bundle = bundle_of(load_scenario(GOLDEN_DIR / "ltsc-change-denied"), member_index=1)
    offer = one(bundle, "Task", "offer-m200002-enrollment-1")
    (shortfall,) = offer["extension"]
    assert shortfall["url"] == extension_url("offer-shortfall-reason")
    assert coded(shortfall["valueCodeableConcept"], "offer-choice-shortfall") == ["no-cbo-in-area"]
    assert coded(offer["output"][0]["valueCodeableConcept"], "offer-outcome") == ["declined"]
    assert len(offer["output"]) == 1  # CHOICE: a decline names no LTS-C


def test_avail_institution_offer_keeps_its_urgent_priority(scenario: Scenario) -> None:
    document, derived = scenario
    record = document["members"][0]
    record["ltsc_assignments"] = []
    record["institutional_admissions"] = [
        {"admission_id": "IA-1", "facility_type": "nursing-facility",
         "facility_name": "Mercy Rehab", "expected_date": "2026-10-20",
         "identified_on": "2026-10-01"}
    ]  # fmt: skip
    as_of = as_of_date(document["export"])
    derived["M100001"] = evaluate_member(record, document["directory"], as_of)
    offer = one(bundle_of(scenario), "Task", "offer-m100001-admission-ia-1")
    assert offer["priority"] == "urgent"
    assert coded(offer["reasonCode"], "offer-trigger") == ["AVAIL-INSTITUTION"]
    assert "output" not in offer and "input" not in offer


def test_team_discretion_ltsc_row_names_its_consent_and_period(scenario: Scenario) -> None:
    team = one(bundle_of(scenario), "CareTeam", "team-m100001")
    patient_row, cc_row, ltsc_row = team["participant"]
    assert patient_row["role"][0]["coding"][0]["code"] == "116154003"
    assert coded(cc_row["role"][0], "ltsc-role") == ["cc"]
    assert ltsc_row["extension"][0]["valueReference"] == {
        "reference": "Consent/consent-m100001-cn-1"
    }
    assert ltsc_row["period"] == {"start": "2026-04-15"}
    assert "onBehalfOf" not in ltsc_row


def test_ltsc_change_keeps_the_closed_row_with_its_end_date() -> None:
    from .conftest import GOLDEN_DIR, load_scenario

    team = one(
        bundle_of(load_scenario(GOLDEN_DIR / "ltsc-change-denied")), "CareTeam", "team-m200001"
    )
    ltsc_rows = [p for p in team["participant"] if coded(p["role"][0], "ltsc-role") == ["ltsc"]]
    assert [r["period"] for r in ltsc_rows] == [
        {"start": "2025-02-10", "end": "2026-06-30"},
        {"start": "2026-07-10"},
    ]


def test_team_discretion_consent_lists_what_is_shared_with_the_ltsc(scenario: Scenario) -> None:
    consent = one(bundle_of(scenario), "Consent", "consent-m100001-cn-1")
    provision = consent["provision"]
    assert provision["type"] == "permit"
    assert provision["actor"][0]["reference"] == {"reference": "PractitionerRole/role-ltsc-0001"}
    shared = [c for concept in provision["code"] for c in coded(concept, "consent-share")]
    assert shared == ["care-plan", "contact", "assessments"]
    assert consent["category"][0]["coding"][0]["code"] == "IDSCL"


def test_comm_prefs_preferences_and_accessibility_needs_are_on_the_patient(
    scenario: Scenario,
) -> None:
    patient = one(bundle_of(scenario), "Patient", "mbr-m100001")
    by_url = {e["url"]: e for e in patient["extension"]}
    need = by_url[extension_url("accessibility-need")]
    assert coded(need["valueCodeableConcept"], "accessibility-need") == ["large-print"]
    assert need["valueCodeableConcept"]["text"] == "18pt or larger"
    preference = by_url[extension_url("communication-preference")]
    assert preference["extension"] == [
        {"url": "method", "valueCode": "sms"},
        {"url": "note", "valueString": "texts before calls"},
    ]
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "pt"


def test_status_share_facility_stay_is_a_temporary_address_with_a_period(
    scenario: Scenario,
) -> None:
    patient = one(bundle_of(scenario), "Patient", "mbr-m100001")
    stay = [a for a in patient["address"] if a["use"] == "temp"]
    assert stay == [
        {
            "use": "temp",
            "type": "physical",
            "text": "Mercy Rehab",
            "line": ["5 Rehab Way"],
            "city": "Worcester",
            "district": "Worcester",
            "state": "MA",
            "postalCode": "01605",
            "country": "US",
            "period": {"start": "2026-09-20", "end": "2026-10-05"},
        }
    ]


def test_cbo_types_cbo_carries_its_type_and_leaves_when_its_contract_ended(
    scenario: Scenario,
) -> None:
    bundle = bundle_of(scenario)
    bcil = one(bundle, "Organization", "cbo-bcil")
    crlc = one(bundle, "Organization", "cbo-crlc")
    assert coded(bcil["type"][0], "cbo-type") == ["ILC"]
    assert bcil["active"] is True
    assert crlc["active"] is False  # contract ended 2026-06-30, before the export


def test_contact_ltsc_role_carries_direct_line_email_and_time_off(scenario: Scenario) -> None:
    role = one(bundle_of(scenario), "PractitionerRole", "role-ltsc-0001")
    assert role["organization"] == {"reference": "Organization/cbo-bcil"}
    assert role["telecom"] == [
        {"system": "phone", "value": "617-338-6665 x214", "use": "work"},
        {"system": "email", "value": "jreyes@bcil.example.org", "use": "work"},
    ]
    assert role["notAvailable"][0]["during"] == {"start": "2026-12-22", "end": "2027-01-02"}
    assert role["availabilityExceptions"] == "Mon-Thu 8:30-4:30"


def test_recommend_proposal_from_ltsc_and_order_based_on_it(scenario: Scenario) -> None:
    bundle = bundle_of(scenario)
    proposal = one(bundle, "ServiceRequest", "servicerequest-m100001-sr-1")
    order = one(bundle, "ServiceRequest", "servicerequest-m100001-sr-1-order")
    assert (proposal["intent"], proposal["status"]) == ("proposal", "completed")
    assert proposal["requester"] == {"reference": "PractitionerRole/role-ltsc-0001"}
    assert proposal["quantityRatio"]["numerator"]["value"] == 10
    assert order["intent"] == "order"
    assert order["basedOn"] == [{"reference": "ServiceRequest/servicerequest-m100001-sr-1"}]
    assert order["performer"] == [{"reference": "Organization/vendor-v-homecare-1"}]


def test_recommend_authorization_task_is_approve_on_the_proposal(scenario: Scenario) -> None:
    task = one(bundle_of(scenario), "Task", "svc-m100001-sr-1-authorization")
    assert task["code"]["coding"][0]["code"] == "approve"
    assert task["focus"] == {"reference": "ServiceRequest/servicerequest-m100001-sr-1"}
    assert task["owner"] == {"reference": "Organization/plan-cca-oc"}


def test_vendor_fill_fulfillment_task_names_vendor_and_expected_start(scenario: Scenario) -> None:
    task = one(bundle_of(scenario), "Task", "svc-m100001-sr-1-fulfillment")
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"] == {"reference": "ServiceRequest/servicerequest-m100001-sr-1-order"}
    assert task["restriction"]["period"]["start"] == "2026-06-01"
    assert task["owner"] == {"reference": "Organization/vendor-v-homecare-1"}
    assert [o.get("valueDate") for o in task["output"]] == [None, "2026-06-01"]


def test_denied_alt_denial_reason_and_alternative_replaces_the_denied_one() -> None:
    from .conftest import GOLDEN_DIR, load_scenario

    bundle = bundle_of(load_scenario(GOLDEN_DIR / "ltsc-change-denied"))
    denied = one(bundle, "Task", "svc-m200001-sr-3-authorization")
    assert denied["status"] == "rejected"
    assert denied["statusReason"] == {"text": "does not meet clinical criteria"}
    search = one(bundle, "Task", "svc-m200001-sr-3-alternative-search")
    assert coded(search["code"], "task-code") == ["alternative-search"]
    assert search["owner"] == {"reference": "PractitionerRole/role-cc-0201"}
    alternative = one(bundle, "ServiceRequest", "servicerequest-m200001-sr-4")
    assert alternative["replaces"] == [{"reference": "ServiceRequest/servicerequest-m200001-sr-3"}]
    assert one(bundle, "ServiceRequest", "servicerequest-m200001-sr-3")["status"] == "revoked"


def test_wait_fulfillment_on_hold_says_why(scenario: Scenario) -> None:
    from .conftest import GOLDEN_DIR, load_scenario

    bundle = bundle_of(load_scenario(GOLDEN_DIR / "ltsc-change-denied"))
    task = one(bundle, "Task", "svc-m200001-sr-4-fulfillment")
    assert task["status"] == "on-hold"
    assert coded(task["businessStatus"], "service-business-status") == ["wait-listed"]
    assert task["statusReason"] == {"text": "staffing shortage"}


def test_staffing_notification_is_a_communication_from_the_new_ltsc() -> None:
    from .conftest import GOLDEN_DIR, load_scenario

    bundle = bundle_of(load_scenario(GOLDEN_DIR / "ltsc-change-denied"))
    (note,) = [
        c
        for c in resources(bundle, "Communication")
        if coded(c["category"][0], "communication-topic") == ["staffing-change"]
    ]
    assert note["sender"] == {"reference": "PractitionerRole/role-ltsc-0102"}
    # STAFFING: the CC and the member both receive the notice, about the care team.
    assert note["recipient"] == [
        {"reference": "PractitionerRole/role-cc-0201"},
        {"reference": "Patient/mbr-m200001"},
    ]
    assert note["about"] == [{"reference": "CareTeam/team-m200001"}]


def test_goals_care_plan_references_goals_team_and_activities_only(scenario: Scenario) -> None:
    plan = one(bundle_of(scenario), "CarePlan", "plan-m100001")
    assert plan["category"][0]["coding"][0]["code"] == "assess-plan"
    assert plan["careTeam"] == [{"reference": "CareTeam/team-m100001"}]
    assert plan["goal"] == [{"reference": "Goal/goal-m100001-g-1"}]
    assert all(set(a) == {"reference"} for a in plan["activity"])
    assert plan["author"] == {"reference": "PractitionerRole/role-cc-0001"}
    goal = one(bundle_of(scenario), "Goal", "goal-m100001-g-1")
    assert goal["description"] == {"text": "I want to keep living in my own apartment"}
    assert goal["expressedBy"] == {"reference": "Patient/mbr-m100001"}


@pytest.mark.parametrize("drop", ["goals", "consents", "communications", "service_recommendations"])
def test_a_member_without_optional_records_still_maps(scenario: Scenario, drop: str) -> None:
    document, derived = scenario
    document["members"][0][drop] = []
    urls = [e["request"]["url"] for e in bundle_of((document, derived))["entry"]]
    assert "Patient/mbr-m100001" in urls
