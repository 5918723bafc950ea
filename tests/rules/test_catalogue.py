"""Every One Care rule id the engine enforces is documented in docs/rules.md and named by tests."""

import ast
from pathlib import Path

import pytest

from adapter.config import Settings
from adapter.rules import RuleSettings

HERE = Path(__file__).parent
DOC = HERE.parent.parent / "docs" / "rules.md"
RULE_IDS = (
    "OFFER-90", "OFFER-ANNUAL", "AVAIL-ASSESS", "AVAIL-LTSS", "AVAIL-AGENCY", "AVAIL-INSTITUTION",
    "AVAIL-REQUEST", "CHOICE", "CHOICE-TWO", "CBO-TYPES", "TEAM-DISCRETION", "LTSC-CHANGE",
    "STAFFING", "RECOMMEND", "DENIED-ALT", "VENDOR-FILL", "WAIT", "STATUS-SHARE", "CONTACT",
    "REPORT",
)  # fmt: skip


def _test_names() -> set[str]:
    names = set()
    for path in HERE.glob("test_*.py"):
        tree = ast.parse(path.read_text())
        names |= {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
    return names


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_id_is_documented_and_proved_by_a_named_test(rule):
    prefix = "test_" + rule.lower().replace("-", "_") + "_"
    assert any(name.startswith(prefix) for name in _test_names()), prefix
    assert f"| {rule} |" in DOC.read_text()


def test_rule_settings_follow_the_adapter_settings():
    settings = Settings(request_offer_days=10, annual_offer_lead_days=45)
    assert RuleSettings.from_settings(settings) == RuleSettings(10, 45)
