"""CHOICE-TWO: which LTS-Cs an offer puts before the member, preferring CBOs that fit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from adapter.rules.dates import age_on, parse_date
from adapter.rules.directory import Directory, on_time_off
from adapter.rules.timeline import home_county

Record = dict[str, Any]

CHOICES_PER_OFFER = 2  # CHOICE-TWO: "at least two"; more would bury the member in names
ASAP_AGE = 60  # Aging Services Access Points serve people 60 and over


@dataclass(frozen=True)
class Choices:
    staff_ids: list[str]
    fewer_choices_reason: str | None  # code from offer-choice-shortfall


def ltsc_choices(record: Record, directory: Directory, as_of: date) -> Choices:
    """One LTS-C from each of the best-fitting contracted CBOs serving the member's county."""
    county = home_county(record, as_of)
    preferred = preferred_cbo_types(record, as_of)
    language = (record.get("member") or {}).get("preferred_language")
    rank = _staff_rank(language, as_of)
    best_per_cbo: dict[str, Record] = {}
    for staff in sorted(_available_ltscs(directory, county, as_of), key=rank):
        best_per_cbo.setdefault(staff["cbo_id"], staff)
    ranked = sorted(
        best_per_cbo.values(),
        key=lambda s: (_type_rank(directory.cbos[s["cbo_id"]], preferred), *rank(s)),
    )
    chosen = [s["staff_id"] for s in ranked[:CHOICES_PER_OFFER]]
    return Choices(chosen, _shortfall(len(best_per_cbo)))


def offerable_ltscs(record: Record, directory: Directory, as_of: date) -> list[Record]:
    """CHOICE-TWO: every LTS-C who could be offered to the member on `as_of` (active, of a CBO
    under contract serving the member's county), best fits first, as a person picks from."""
    rank = _staff_rank((record.get("member") or {}).get("preferred_language"), as_of)
    preferred = preferred_cbo_types(record, as_of)
    found = _available_ltscs(directory, home_county(record, as_of), as_of)
    return sorted(
        found, key=lambda s: (_type_rank(directory.cbos[s["cbo_id"]], preferred), *rank(s))
    )


def preferred_cbo_types(record: Record, as_of: date) -> list[str]:
    """CBO types that fit the member's needs, most specific first (CBO-TYPES)."""
    goals = {g.get("category") for g in record.get("goals") or [] if g.get("status") in _LIVE_GOALS}
    needs = {n.get("category") for n in record.get("ltss_needs") or []}
    agencies = {a.get("agency") for a in record.get("agency_involvement") or []}
    birth = parse_date((record.get("member") or {}).get("birth_date"))
    preferred = []
    if "recovery" in goals or "behavioral-health" in needs or "DMH" in agencies:
        preferred.append("RLC")
    if (age_on(birth, as_of) or 0) >= ASAP_AGE:
        preferred.append("ASAP")
    if "independent-living" in goals:
        preferred.append("ILC")
    return preferred


_LIVE_GOALS = frozenset({"proposed", "active", "on-hold"})


def _available_ltscs(directory: Directory, county: str | None, as_of: date) -> list[Record]:
    """Active LTS-Cs of CBOs under contract on `as_of` whose service area has the county."""
    found = []
    for staff in directory.ltsc_staff():
        cbo = directory.cbos.get(staff["cbo_id"])
        if not staff.get("active", True) or cbo is None:
            continue
        if directory.under_contract(cbo, as_of) and county in (cbo.get("service_area") or []):
            found.append(staff)
    return found


def _staff_rank(language: str | None, as_of: date):
    """Speaks the member's language, then not on time off, then id (for a stable order)."""

    def rank(staff: Record) -> tuple[bool, bool, str]:
        speaks = bool(language) and language in (staff.get("languages") or [])
        return (not speaks, on_time_off(staff, as_of), staff["staff_id"])

    return rank


def _type_rank(cbo: Record, preferred: list[str]) -> int:
    kind = cbo.get("type")
    return preferred.index(kind) if kind in preferred else len(preferred)


def _shortfall(cbo_count: int) -> str | None:
    if cbo_count == 0:
        return "no-cbo-in-area"
    if cbo_count < CHOICES_PER_OFFER:
        return "fewer-than-two-cbos"
    return None


def shortfall_problem(record: Record, directory: Directory, offer: Record) -> str | None:
    """CHOICE-TWO: why an offer's reason for fewer than two choices is not true of the
    directory on the offer date (naming the CBOs that could have been offered), or None."""
    reason, day = offer.get("fewer_choices_reason"), parse_date(offer.get("offered_on"))
    if day is None or reason not in ("no-cbo-in-area", "fewer-than-two-cbos"):
        return None
    if len(offer.get("choices") or []) >= CHOICES_PER_OFFER:
        return None
    county = home_county(record, day)
    declined = _declined_cbo(record, directory, offer)
    available = _available_ltscs(directory, county, day)
    cbo_ids = sorted({s["cbo_id"] for s in available} - {declined})
    if len(cbo_ids) < (1 if reason == "no-cbo-in-area" else CHOICES_PER_OFFER):
        return None
    names = ", ".join(f"{c} ({directory.cbos[c].get('name') or c})" for c in cbo_ids)
    return (
        f"{reason} is not true on {day.isoformat()}: {len(cbo_ids)} contracted CBOs with active "
        f"LTS-Cs serve {county}: {names}"
    )


REOFFER_SUFFIX = "-again"  # services/referral_events: the choices offered again after a CBO said no


def _declined_cbo(record: Record, directory: Directory, offer: Record) -> str | None:
    """The CBO that declined the referral this offer re-offers, which cannot be offered again."""
    offer_id = str(offer.get("offer_id") or "")
    if not offer_id.endswith(REOFFER_SUFFIX):
        return None
    first = offer_id.removesuffix(REOFFER_SUFFIX)
    original = next((o for o in record.get("offers") or [] if o.get("offer_id") == first), None)
    staff = directory.staff.get((original or {}).get("chosen_staff_id") or "")
    return staff.get("cbo_id") if staff else None
