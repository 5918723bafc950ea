"""Hostile or random input never raises: the validator always answers with issues."""

from __future__ import annotations

import copy

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.outcome import Issue
from tests.validation.corpus import CASES_DIR

FIXTURES = yaml.safe_load((CASES_DIR / "fixtures.yaml").read_text("utf-8"))
KEYS = sorted(
    {"status", "intent", "for", "input", "extension", "_status", "contained", "meta", "name"}
    | {"code", "valueQuantity", "valueString", "entry", "resource", "reference", "coding"}
    | {"identifier", "text", "div", "url", "system", "participant", "period", "start", "end"}
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["#p", "urn:uuid:x", "Patient/p1", "2026-02-30", "<div>x</div>"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FIXTURES)), st.data(), JSON, st.sampled_from(KEYS))
def test_random_changes_to_valid_resources_give_issues_not_exceptions(
    validator, name, data, value, key
):
    resource = copy.deepcopy(FIXTURES[name])
    path = data.draw(st.sampled_from(list(_paths(resource))))
    target = resource
    for part in path:
        target = target[part]
    if isinstance(target, dict):
        target[key] = value
    elif isinstance(target, list):
        target.append(value)
    issues = validator.validate(resource)
    assert all(isinstance(i, Issue) and i.expression for i in issues)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_arbitrary_json_gives_issues_not_exceptions(validator, value):
    issues = validator.validate(value)
    assert issues and all(i.is_error or i.severity in ("warning", "information") for i in issues)
