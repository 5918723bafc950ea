"""Synthetic plan exports: a realistic directory and members, deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adapter.records import synthetic_data as data

GENERATED_AT = "2026-11-01T06:00:00Z"
AS_OF = date(2026, 11, 1)
FORMAT_VERSION = "1.0"
SOURCE_SYSTEM = "CareNet 7.2"

Record = dict[str, Any]


def generate_export(
    members: int, seed: int, track: Callable[[range], Iterable[int]] = iter
) -> Record:
    """An export of `members` synthetic members; the same seed gives the same export. `track`
    sees the member numbers go by (a progress bar counts them)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data must be reproducible, not secret
    directory = generate_directory(rng)
    areas = service_areas(directory)
    return {
        "export": export_header(),
        "directory": directory,
        "members": [generate_member(rng, i, directory, areas) for i in track(range(members))],
    }


def export_header() -> Record:
    return {
        "format_version": FORMAT_VERSION,
        "plan": data.PLAN,
        "generated_at": GENERATED_AT,
        "source_system": SOURCE_SYSTEM,
    }


# ---- directory --------------------------------------------------------------------------------


def generate_directory(rng: random.Random) -> Record:
    """Twelve CBOs of all four types, their LTS-Cs, the plan's care coordinators and vendors."""
    cbos = [_cbo(rng, *template) for template in data.CBOS]
    staff: list[Record] = []
    for cbo, template in zip(cbos, data.CBOS, strict=True):
        for _ in range(template[-1]):
            staff.append(_ltsc(rng, len(staff) + 1, cbo))
    coordinators = [_care_coordinator(rng, n) for n in range(1, data.CARE_COORDINATOR_COUNT + 1)]
    return {
        "cbos": cbos,
        "ltsc_staff": staff,
        "care_coordinators": coordinators,
        "vendors": [_vendor(rng, *v) for v in data.VENDORS],
    }


def _cbo(
    rng: random.Random,
    cbo_id: str,
    name: str,
    kind: str,
    area: list[str],
    city: str,
    start: str,
    end: str | None,
    _staff: int,
) -> Record:
    return {
        "cbo_id": cbo_id,
        "name": name,
        "type": kind,
        "service_area": area,
        "phone": _phone(rng, _area_code(city)),
        "email": f"ltsc@{cbo_id.lower()}.example.org",
        "address": _street_address(rng, city),
        "contract": {"start": start, "end": end},
    }


def _ltsc(rng: random.Random, number: int, cbo: Record) -> Record:
    language = _language(rng)
    given, family = _name(rng, language)
    ended = cbo["contract"]["end"] is not None
    return {
        "staff_id": f"LTSC-{number:04d}",
        "cbo_id": cbo["cbo_id"],
        "name": {"given": [given], "family": family},
        "phone": f"{cbo['phone']} x{200 + number}",
        "email": _email(given, family, f"{cbo['cbo_id'].lower()}.example.org"),
        "schedule": rng.choice(data.SCHEDULES),
        "languages": ["en"] if language == "en" else ["en", language],
        "time_off": _time_off(rng),
        "active": not ended,
    }


def _care_coordinator(rng: random.Random, number: int) -> Record:
    given, family = _name(rng, _language(rng))
    return {
        "staff_id": f"CC-{number:04d}",
        "name": {"given": [given], "family": family},
        "phone": f"617-555-01{number:02d}",
        "email": _email(given, family, "plan.example.com"),
        "schedule": rng.choice(data.SCHEDULES),
        "time_off": _time_off(rng),
        "active": True,
    }


def _vendor(rng: random.Random, vendor_id: str, name: str, city: str) -> Record:
    return {"vendor_id": vendor_id, "name": name, "phone": _phone(rng, _area_code(city))}


def _time_off(rng: random.Random) -> list[Record]:
    if rng.random() < 0.6:
        return []
    start = AS_OF + timedelta(days=rng.randrange(10, 80))
    return [
        {
            "start": start.isoformat(),
            "end": (start + timedelta(days=rng.randrange(2, 12))).isoformat(),
        }
    ]


def service_areas(directory: Record) -> dict[str, list[list[Record]]]:
    """County -> for each CBO in the network that serves it, that CBO's active LTS-Cs."""
    areas: dict[str, list[list[Record]]] = {county: [] for county in data.PLACES}
    for cbo in directory["cbos"]:
        if cbo["contract"]["end"] is not None:
            continue
        staff = [s for s in directory["ltsc_staff"] if s["cbo_id"] == cbo["cbo_id"] and s["active"]]
        for county in cbo["service_area"]:
            areas[county].append(staff)
    return areas


# ---- people and places -----------------------------------------------------------------------


def _language(rng: random.Random) -> str:
    codes = list(data.NAME_POOLS)
    return rng.choices(codes, weights=[data.NAME_POOLS[c][0] for c in codes])[0]


def _name(rng: random.Random, language: str, gender: str | None = None) -> tuple[str, str]:
    _, women, men, family = data.NAME_POOLS[language]
    if gender not in ("female", "male"):
        gender = rng.choice(["female", "male"])
    return rng.choice(women if gender == "female" else men), rng.choice(family)


def _email(given: str, family: str, domain: str) -> str:
    local = "".join(ch for ch in f"{given[0]}{family}".lower() if ch.isascii() and ch.isalnum())
    return f"{local}@{domain}"


def _phone(rng: random.Random, area_code: str) -> str:
    return f"{area_code}-555-01{rng.randrange(100):02d}"


def _place(city: str) -> tuple[str, str, str]:
    """(county, ZIP code, area code) of a city in PLACES."""
    for county, places in data.PLACES.items():
        for name, postal_code, area_code in places:
            if name == city:
                return county, postal_code, area_code
    raise KeyError(city)


def _area_code(city: str) -> str:
    return _place(city)[2]


def _street_address(rng: random.Random, city: str) -> Record:
    county, postal_code, _ = _place(city)
    return {
        "line": [f"{rng.randrange(1, 400)} {rng.choice(data.STREETS)}"],
        "city": city,
        "county": county,
        "state": "MA",
        "postal_code": postal_code,
    }


def home_address(rng: random.Random, county: str, since: date) -> Record:
    """A member's home address in a random city of `county`, valid from `since`."""
    city, postal_code, _ = rng.choice(data.PLACES[county])
    line = [f"{rng.randrange(1, 300)} {rng.choice(data.STREETS)}"]
    if rng.random() < 0.5:
        line.append(f"Apt {rng.randrange(1, 40)}")
    return {
        "kind": "home",
        "line": line,
        "city": city,
        "county": county,
        "state": "MA",
        "postal_code": postal_code,
        "facility_name": None,
        "period": {"start": since.isoformat(), "end": None},
    }


def day(value: date) -> str:
    return value.isoformat()


def instant(on: date, hour: int, minute: int = 0) -> str:
    """A Boston wall-clock time on `on`, written with its offset (EST or EDT)."""
    return datetime(on.year, on.month, on.day, hour, minute, tzinfo=_BOSTON).isoformat()


_BOSTON = ZoneInfo("America/New_York")


# ---- members ---------------------------------------------------------------------------------


def empty_record(member: Record) -> Record:
    """A member record with every list present and empty."""
    return {
        "member": member,
        "enrollments": [],
        "care_coordinator_assignments": [],
        "ltsc_assignments": [],
        "assessments": [],
        "agency_involvement": [],
        "ltss_needs": [],
        "institutional_admissions": [],
        "ltsc_requests": [],
        "offers": [],
        "consents": [],
        "goals": [],
        "service_recommendations": [],
        "status_events": [],
        "communications": [],
    }


def member_identity(
    rng: random.Random, member_id: str, language: str, county: str, since: date
) -> Record:
    """Name, birth date, address, phone and preferences of a One Care member (21-64)."""
    gender = rng.choices(["female", "male", "other", "unknown"], [48, 48, 3, 1])[0]
    given, family = _name(rng, language, gender)
    home = home_address(rng, county, since)
    phone = _phone(rng, _area_code(home["city"]))
    return {
        "member_id": member_id,
        "masshealth_id": f"1{rng.randrange(10**4):04d}{int(member_id[1:]) % 10**7:07d}",
        "name": {"given": [given], "family": family},
        "birth_date": day(AS_OF - timedelta(days=rng.randrange(22 * 365, 64 * 365))),
        "gender": gender,
        "addresses": [home],
        "telecom": [{"system": "phone", "value": phone, "use": rng.choice(["home", "mobile"])}],
        "preferred_language": language,
        "interpreter_needed": language != "en" and rng.random() < 0.7,
        "communication_preferences": _preferences(rng),
        "accessibility_needs": _accessibility(rng, language),
        "date_of_death": None,
    }


def _preferences(rng: random.Random) -> list[Record]:
    notes = {
        "sms": "texts before calls",
        "phone": "mornings only",
        "mail": None,
        "in-person": "at home visits",
        "email": None,
        "video": "with captions",
    }
    methods = rng.sample(list(notes), rng.choice([0, 1, 1, 2]))
    return [{"method": m, "note": notes[m]} for m in methods]


def _accessibility(rng: random.Random, language: str) -> list[Record]:
    if language == "ase":
        return [{"code": "asl-interpreter", "note": "for every visit and call"}]
    if rng.random() < 0.75:
        return []
    code = rng.choice(["large-print", "plain-language", "wheelchair-access", "screen-reader"])
    return [{"code": code, "note": None}]


def offer_choices(
    rng: random.Random, areas: dict[str, list[list[Record]]], county: str
) -> tuple[list[str], str | None]:
    """Two LTS-Cs from different CBOs serving the county when possible (CHOICE-TWO)."""
    cbos = [staff for staff in areas[county] if staff]
    if not cbos:
        return [], "no-cbo-in-area"
    if len(cbos) == 1:
        return [rng.choice(cbos[0])["staff_id"]], "fewer-than-two-cbos"
    first, second = rng.sample(cbos, 2)
    return [rng.choice(first)["staff_id"], rng.choice(second)["staff_id"]], None


def generate_member(
    rng: random.Random, index: int, directory: Record, areas: dict[str, list[list[Record]]]
) -> Record:
    """One member's story: enrollment, assessments, the LTS-C offer and what followed."""
    counties = list(data.COUNTY_WEIGHTS)
    county = rng.choices(counties, [data.COUNTY_WEIGHTS[c] for c in counties])[0]
    start = _enrollment_start(rng)
    member = member_identity(rng, f"M{200001 + index}", _language(rng), county, start)
    record = empty_record(member)
    category = rng.choices(["C1", "C2", "C3", "F1"], [40, 25, 20, 15])[0]
    record["enrollments"].append(
        {
            "plan_id": data.PLAN["plan_id"],
            "start": day(start),
            "end": None,
            "rating_category": category,
        }
    )
    cc = rng.choice(directory["care_coordinators"])["staff_id"]
    record["care_coordinator_assignments"].append(
        {"staff_id": cc, "start": day(start), "end": None}
    )
    _assessments(rng, record, start, category)
    _offers_at_assessments(rng, record, category, areas, county, directory)
    return record


def _enrollment_start(rng: random.Random) -> date:
    months = rng.randrange(0, 94)  # One Care enrollment starts on the first of a month
    year, month = divmod(2026 * 12 + 10 - 1 - months, 12)
    return date(year, month + 1, 1)


def _assessments(rng: random.Random, record: Record, start: date, category: str) -> None:
    # The initial comprehensive assessment falls inside the 90-day window, then yearly.
    when, kind, n = start + timedelta(days=rng.randrange(20, 60)), "initial", 1
    while when < AS_OF:
        record["assessments"].append(
            {
                "assessment_id": f"AS-{n}",
                "date": day(when),
                "kind": kind,
                "rating_category": category,
                "ltsc_requested": rng.random() < 0.1,
            }
        )
        when, kind, n = when + timedelta(days=rng.randrange(340, 380)), "annual", n + 1


def _offers_at_assessments(
    rng: random.Random,
    record: Record,
    category: str,
    areas: dict[str, list[list[Record]]],
    county: str,
    directory: Record,
) -> None:
    """The CC offers an LTS-C at intake and at each later assessment until one is accepted."""
    if rng.random() < 0.04:
        return  # a member the plan never reached: offers overdue (OFFER-90, REPORT)
    for assessment in record["assessments"]:
        offer = _offer(rng, record, assessment, _trigger(assessment, category), areas, county)
        if offer["outcome"] == "accepted":
            cc = record["care_coordinator_assignments"][0]["staff_id"]
            _ltsc_joins(rng, record, offer, cc, directory)
            return


def _trigger(assessment: Record, category: str) -> str:
    if assessment["kind"] == "initial":
        return "OFFER-90"
    if category in ("C3", "F1") or assessment["ltsc_requested"]:
        return "AVAIL-ASSESS"
    return "OFFER-ANNUAL"


def _offer(
    rng: random.Random,
    record: Record,
    assessment: Record,
    trigger: str,
    areas: dict[str, list[list[Record]]],
    county: str,
) -> Record:
    offered_on = date.fromisoformat(assessment["date"])
    choices, reason = offer_choices(rng, areas, county)
    outcome = None
    if offered_on < AS_OF - timedelta(days=30) and choices:
        outcome = rng.choices(["accepted", "declined", "no-response"], [22, 53, 25])[0]
    # No answer is recorded as such after a month of follow-up calls.
    wait = 30 if outcome == "no-response" else rng.randrange(0, 15)
    offer = {
        "offer_id": f"OF-{len(record['offers']) + 1}",
        "trigger": trigger,
        "offered_on": day(offered_on),
        "choices": choices,
        "fewer_choices_reason": reason,
        "outcome": outcome,
        "outcome_date": day(offered_on + timedelta(days=wait)) if outcome else None,
        "chosen_staff_id": choices[0] if outcome == "accepted" else None,
    }
    record["offers"].append(offer)
    return offer


def _ltsc_joins(
    rng: random.Random, record: Record, offer: Record, cc: str, directory: Record
) -> None:
    ltsc, joined = offer["chosen_staff_id"], date.fromisoformat(offer["outcome_date"])
    record["ltsc_assignments"].append(
        {"staff_id": ltsc, "start": day(joined), "end": None, "end_reason": None}
    )
    extra = rng.sample(["assessments", "behavioral-health"], rng.randrange(3))
    share = ["care-plan", "contact", *extra]
    record["consents"].append(
        {
            "consent_id": "CN-1",
            "date": day(joined),
            "staff_id": ltsc,
            "decision": "permit",
            "share": share,
        }
    )
    _goals(rng, record, joined)
    _recommendations(rng, record, joined, ltsc, cc)


def _goals(rng: random.Random, record: Record, since: date) -> None:
    for n, category in enumerate(rng.sample(list(data.GOAL_TEXTS), rng.randrange(1, 4)), start=1):
        start = since + timedelta(days=rng.randrange(3, 30))
        record["goals"].append(
            {
                "goal_id": f"G-{n}",
                "description": rng.choice(data.GOAL_TEXTS[category]),
                "category": category,
                "start": day(start),
                "target_date": day(start + timedelta(days=365)),
                "status": rng.choices(["active", "proposed", "completed"], [7, 2, 1])[0],
                "expressed_by": rng.choice(["member", "member", "ltsc", "cc"]),
            }
        )


def _recommendations(rng: random.Random, record: Record, since: date, ltsc: str, cc: str) -> None:
    for n in range(1, rng.randrange(0, 3) + 1):
        recommended_on = since + timedelta(days=rng.randrange(7, 60))
        if recommended_on >= AS_OF - timedelta(days=7):
            return
        service = rng.choice(list(data.SERVICES))
        recommendation = _recommendation(rng, f"SR-{n}", service, recommended_on, ltsc, record)
        record["service_recommendations"].append(recommendation)
        decision = recommendation["authorization"]
        if decision["decision"] != "pending":
            topic = "service-authorized" if decision["decision"] == "approved" else "service-denied"
            record["communications"].append(
                {
                    "communication_id": f"CM-{len(record['communications']) + 1}",
                    "sent": instant(date.fromisoformat(decision["decided_on"]), 10, 15),
                    "sender": cc,
                    "recipients": [ltsc],
                    "topic": topic,
                    "text": f"{service.replace('-', ' ').capitalize()}: {decision['decision']}",
                }
            )


def _recommendation(
    rng: random.Random, rec_id: str, service: str, on: date, ltsc: str, record: Record
) -> Record:
    unit, per, amounts, vendors = data.SERVICES[service]
    decision = rng.choices(["approved", "denied", "pending"], [70, 15, 15])[0]
    decided_on = on + timedelta(days=rng.randrange(3, 20))
    approved = decision == "approved"
    vendor = rng.choice(vendors) if approved and vendors else None
    return {
        "recommendation_id": rec_id,
        "service_type": service,
        "recommended_on": day(on),
        "recommended_by": ltsc,
        "goal_ids": [g["goal_id"] for g in record["goals"][:1]],
        "quantity": {"value": rng.choice(amounts), "unit": unit, "per": per},
        "note": None,
        "self_directed": service == "personal-care" and rng.random() < 0.3,
        "authorization": {
            "decision": decision,
            "decided_on": day(decided_on) if decision != "pending" else None,
            "reason": "not medically necessary at this level" if decision == "denied" else None,
            "authorization_id": f"AUTH-{rng.randrange(10000, 99999)}" if approved else None,
        },
        "vendor_id": vendor,
        "expected_start": day(decided_on + timedelta(days=14)) if vendor else None,
        "wait_list": None,
        "fulfillment_status": _fulfillment(decision, vendor),
        "alternative_for": None,
    }


def _fulfillment(decision: str, vendor: str | None) -> str:
    if decision == "denied":
        return "cancelled"
    if decision == "approved" and vendor:
        return "vendor-identified"
    return "pending"
