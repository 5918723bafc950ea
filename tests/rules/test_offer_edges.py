"""LTS-C offer Task edges (Table C) that no other test reaches: each is pinned here."""

import pytest

from adapter.rules import check_transition


def offer(status: str, **extra) -> dict:
    return {
        "resourceType": "Task",
        "status": status,
        "owner": {"reference": "PractitionerRole/cc"},
        "statusReason": {"text": "member asked to wait"},
        **extra,
    }


def errors(old: str, new: str, actor: str) -> list:
    return [i for i in check_transition("offer", offer(old), offer(new), actor) if i.is_error]


@pytest.mark.parametrize("actor", ["owner", "patient"])
@pytest.mark.parametrize("new", ["ready", "in-progress"])
def test_an_offer_on_hold_resumes(actor, new):
    assert errors("on-hold", new, actor) == []


@pytest.mark.parametrize("new", ["ready", "in-progress"])
def test_the_requester_does_not_resume_an_offer_on_hold(new):
    assert [i.code for i in errors("on-hold", new, "requester")] == ["forbidden"]


@pytest.mark.parametrize("old", ["ready", "in-progress"])
def test_an_offer_is_put_on_hold_by_the_owner_or_member(old):
    assert errors(old, "on-hold", "owner") == []
    assert errors(old, "on-hold", "patient") == []
    assert errors(old, "on-hold", "requester") != []
