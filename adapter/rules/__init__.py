"""One Care LTS-C rules: which offer Tasks must exist, when they are due, and compliance."""

from adapter.rules.compliance import compliance_rows, compliance_summary
from adapter.rules.engine import evaluate_member
from adapter.rules.settings import RuleSettings
from adapter.rules.task_states import check_snapshot, check_transition, task_kind

__all__ = [
    "RuleSettings",
    "check_snapshot",
    "check_transition",
    "compliance_rows",
    "compliance_summary",
    "evaluate_member",
    "task_kind",
]
