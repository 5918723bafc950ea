"""The CSV folder form: which file holds which records, and each file's columns.

A column name is the dotted path of the field inside its record ("name.given",
"authorization.decision"). Kinds: text, number, bool, list (items joined by "|"), periods
("start/end" intervals joined by "|"). An empty cell is an absent field.
"""

from __future__ import annotations

Columns = tuple[tuple[str, str], ...]

EXPORT_FILE = "export.csv"
MEMBERS_FILE = "members.csv"

_ADDRESS = ("line", "city", "county", "state", "postal_code")


def _address(prefix: str) -> Columns:
    return tuple((f"{prefix}.{name}", "list" if name == "line" else "text") for name in _ADDRESS)


def _text(*names: str) -> Columns:
    return tuple((name, "text") for name in names)


EXPORT_COLUMNS: Columns = (
    *_text("format_version", "plan.plan_id", "plan.name", "plan.phone"),
    *_address("plan.address"),
    *_text("generated_at", "source_system"),
)

# Directory kind -> (file, columns).
DIRECTORY_FILES: dict[str, tuple[str, Columns]] = {
    "cbos": (
        "cbos.csv",
        (
            *_text("cbo_id", "name", "type"),
            ("service_area", "list"),
            *_text("phone", "email"),
            *_address("address"),
            *_text("contract.start", "contract.end"),
        ),
    ),
    "ltsc_staff": (
        "ltsc_staff.csv",
        (
            *_text("staff_id", "cbo_id"),
            ("name.given", "list"),
            *_text("name.family", "phone", "email", "schedule"),
            ("languages", "list"),
            ("time_off", "periods"),
            ("active", "bool"),
        ),
    ),
    "care_coordinators": (
        "care_coordinators.csv",
        (
            ("staff_id", "text"),
            ("name.given", "list"),
            *_text("name.family", "phone", "email", "schedule"),
            ("time_off", "periods"),
            ("active", "bool"),
        ),
    ),
    "vendors": ("vendors.csv", _text("vendor_id", "name", "phone")),
}

# The `member` object of each record; its list fields come from MEMBER_PART_FILES.
MEMBER_COLUMNS: Columns = (
    *_text("member_id", "masshealth_id"),
    ("name.given", "list"),
    *_text("name.family", "birth_date", "gender", "preferred_language"),
    ("interpreter_needed", "bool"),
    ("date_of_death", "text"),
)

# member.<field> -> (file, columns after the leading member_id column).
MEMBER_PART_FILES: dict[str, tuple[str, Columns]] = {
    "addresses": (
        "member_addresses.csv",
        (
            ("kind", "text"),
            ("line", "list"),
            *_text("city", "county", "state", "postal_code", "facility_name"),
            *_text("period.start", "period.end"),
        ),
    ),
    "telecom": ("member_telecom.csv", _text("system", "value", "use")),
    "communication_preferences": (
        "member_communication_preferences.csv",
        _text("method", "note"),
    ),
    "accessibility_needs": ("member_accessibility_needs.csv", _text("code", "note")),
}

# <record list> -> (file, columns after the leading member_id column).
MEMBER_LIST_FILES: dict[str, tuple[str, Columns]] = {
    "enrollments": ("enrollments.csv", _text("plan_id", "start", "end", "rating_category")),
    "care_coordinator_assignments": (
        "care_coordinator_assignments.csv",
        _text("staff_id", "start", "end"),
    ),
    "ltsc_assignments": ("ltsc_assignments.csv", _text("staff_id", "start", "end", "end_reason")),
    "assessments": (
        "assessments.csv",
        (*_text("assessment_id", "date", "kind", "rating_category"), ("ltsc_requested", "bool")),
    ),
    "agency_involvement": (
        "agency_involvement.csv",
        _text("agency", "service", "start", "end", "identified_on"),
    ),
    "ltss_needs": (
        "ltss_needs.csv",
        _text("need_id", "identified_on", "identified_by", "category", "description"),
    ),
    "institutional_admissions": (
        "institutional_admissions.csv",
        _text("admission_id", "facility_type", "facility_name", "expected_date", "identified_on"),
    ),
    "ltsc_requests": ("ltsc_requests.csv", _text("request_id", "date", "channel", "note")),
    "offers": (
        "offers.csv",
        (
            *_text("offer_id", "trigger", "offered_on"),
            ("choices", "list"),
            *_text("fewer_choices_reason", "outcome", "outcome_date", "chosen_staff_id"),
        ),
    ),
    "consents": (
        "consents.csv",
        (*_text("consent_id", "date", "staff_id", "decision"), ("share", "list")),
    ),
    "goals": (
        "goals.csv",
        _text("goal_id", "description", "category", "start", "target_date", "status")
        + _text("expressed_by"),
    ),
    "service_recommendations": (
        "service_recommendations.csv",
        (
            *_text("recommendation_id", "service_type", "recommended_on", "recommended_by"),
            ("goal_ids", "list"),
            ("quantity.value", "number"),
            *_text("quantity.unit", "quantity.per", "note"),
            ("self_directed", "bool"),
            *_text("authorization.decision", "authorization.decided_on"),
            *_text("authorization.reason", "authorization.authorization_id"),
            *_text("vendor_id", "expected_start", "wait_list.since", "wait_list.reason"),
            *_text("fulfillment_status", "alternative_for"),
        ),
    ),
    "status_events": (
        "status_events.csv",
        (
            *_text("event_id", "type", "date", "reported_by", "description", "facility_name"),
            *_address("address"),
        ),
    ),
    "communications": (
        "communications.csv",
        (
            *_text("communication_id", "sent", "sender"),
            ("recipients", "list"),
            *_text("topic", "text"),
        ),
    ),
}

MEMBER_ID_COLUMN = "member_id"


def all_files() -> list[str]:
    """Every file a CSV export folder must hold, header file first."""
    return [
        EXPORT_FILE,
        *(f for f, _ in DIRECTORY_FILES.values()),
        MEMBERS_FILE,
        *(f for f, _ in MEMBER_PART_FILES.values()),
        *(f for f, _ in MEMBER_LIST_FILES.values()),
    ]
