"""Scenario bundles: up to date with the generator, valid against the profiles, loadable."""

from __future__ import annotations

import json

import pytest

from adapter.rules.task_states import OWNER, check_transition
from adapter.store import open_store
from adapter.testkit.scenarios import (
    ACCEPT_EXAMPLE_FILE,
    OPEN_OFFER_MEMBER,
    OPEN_OFFER_TASK,
    SCENARIOS,
    SCENARIOS_DIR,
    find_resource,
    load_scenario_bundles,
    member_bundles,
    scenario_files,
)

BUNDLES = load_scenario_bundles()
SLUGS = [slug for slug, _ in BUNDLES]


@pytest.fixture(scope="module")
def validator():
    from adapter.validation import default_validator

    return default_validator()


def test_scenario_files_are_up_to_date_with_the_generator():
    stale = [
        str(path.relative_to(SCENARIOS_DIR))
        for path, text in scenario_files()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `python -m adapter.testkit.scenarios` to regenerate"


def test_every_issue_scenario_has_a_bundle_and_a_readme():
    expected = {
        "new-enrollee-offer", "c3-assessment", "contemplated-admission",
        "accepted-offer-care-team", "declined-offer", "ltsc-change",
        "service-denied-alternative", "vendor-fill", "wait-list",
    }  # fmt: skip
    assert set(SLUGS) == expected
    for scenario in SCENARIOS:
        readme = (SCENARIOS_DIR / scenario.slug / "README.md").read_text(encoding="utf-8")
        assert scenario.member_id in readme
        assert all(rule_id in readme for rule_id in scenario.rule_ids)


@pytest.mark.parametrize(("slug", "bundle"), BUNDLES, ids=SLUGS)
def test_scenario_bundle_is_valid_against_the_profiles(slug, bundle, validator):
    assert bundle["type"] == "transaction"
    errors = [
        f"{entry['request']['url']}: {issue.message}"
        for entry in bundle["entry"]
        for issue in validator.validate(entry["resource"])
        if issue.is_error
    ]
    assert errors == []


@pytest.mark.parametrize(("slug", "bundle"), BUNDLES, ids=SLUGS)
def test_scenario_transaction_loads_into_a_fresh_store(slug, bundle, tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/scenario.db")
    try:
        response = store.transaction(bundle)
        statuses = [entry["response"]["status"] for entry in response["entry"]]
        assert len(statuses) == len(bundle["entry"])
        assert all(status.startswith("201") for status in statuses)
        patient = next(
            e["resource"] for e in bundle["entry"] if e["request"]["url"].startswith("Patient/")
        )
        assert store.read("Patient", patient["id"]).resource["id"] == patient["id"]
    finally:
        store.close()


def test_offer_90_new_enrollee_offer_is_due_ninety_days_after_enrollment():
    bundle = dict(BUNDLES)["new-enrollee-offer"]
    task = find_resource(bundle, "Task", "offer-m100001-enrollment-1")
    assert task["status"] == "ready"
    assert task["restriction"]["period"]["end"] == "2026-11-30"  # enrolled 2026-09-01


def test_choice_accept_example_is_a_legal_offer_transition_by_the_owner(validator):
    open_offer = find_resource(
        member_bundles({OPEN_OFFER_MEMBER})[OPEN_OFFER_MEMBER], "Task", OPEN_OFFER_TASK
    )
    accepted = json.loads((SCENARIOS_DIR / ACCEPT_EXAMPLE_FILE).read_text(encoding="utf-8"))
    assert open_offer["status"] == "in-progress"
    assert check_transition("offer", open_offer, accepted, actor=OWNER) == []
    assert [i for i in validator.validate(accepted) if i.is_error] == []
