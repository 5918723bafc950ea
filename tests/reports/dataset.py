"""A small fixed data set (7 members, 8 offers) whose report figures are derived by hand.

Period used by the tests: Q2 2026, 2026-04-01 .. 2026-06-30.

    member plan rating enrolled                 offers
    A      P1   C3     2026-02-01 ..            O1
    B      P1   F1     2026-03-15 ..            O2, O3
    C      P1   C2     2026-01-10 .. 2026-05-31 O4
    D      P1   C1     2026-06-01 ..            O5
    E      P2   C3     2026-03-01 ..            O6
    F      P1   C2     2025-01-01 .. 2025-12-31 (none)
    G      P1   C3     2025-11-01 ..            O7, O8

    offer member trigger(s)        trigger  due    offered outcome           choices (chosen)
    O1    A      OFFER-90 + ASSESS 2026-02-01 04-15  04-20   accepted 04-25    ILC RLC (ILC)
    O2    B      OFFER-90          2026-03-15 06-13  06-20   declined 06-25    ASAP
    O3    B      AVAIL-REQUEST     2026-06-26 07-10  -       -                 -
    O4    C      OFFER-90          2026-01-10 04-10  -       -                 -
    O5    D      OFFER-90          2026-06-01 08-30  06-10   pending           ILC RLC other
    O6    E      OFFER-90          2026-03-01 05-30  05-01   accepted 05-02    ILC ASAP (ASAP)
    O7    G      OFFER-90          2025-11-01 01-30  01-15   no-response 02-15 RLC other
    O8    G      AVAIL-ASSESS      2026-05-20 05-20  -       -                 -

    (due, offered and outcome dates are in 2026; ASSESS is AVAIL-ASSESS)
"""

from __future__ import annotations

from datetime import date

Q2_START, Q2_END = date(2026, 4, 1), date(2026, 6, 30)


def member(member_id, plan_id, rating, start, end=None):
    return {
        "member_id": member_id,
        "plan_id": plan_id,
        "rating_category": rating,
        "enrollment_start": date.fromisoformat(start),
        "enrollment_end": date.fromisoformat(end) if end else None,
    }


def offer(member_id, plan_id, rating, triggers, trigger_date, due, offered=None, **made):
    cbo_types = made.get("cbo_types", [])
    outcome_date = made.get("outcome_date")
    return {
        "member_id": member_id,
        "plan_id": plan_id,
        "trigger": triggers[0],
        "triggers": list(triggers),
        "trigger_date": date.fromisoformat(trigger_date),
        "due": date.fromisoformat(due),
        "offered_on": date.fromisoformat(offered) if offered else None,
        "outcome": made.get("outcome"),
        "outcome_date": date.fromisoformat(outcome_date) if outcome_date else None,
        "choices": len(cbo_types),
        "cbo_types": sorted(set(cbo_types)),
        "chosen_cbo_type": made.get("chosen"),
        "rating_category": rating,
    }


MEMBERS = [
    member("A", "P1", "C3", "2026-02-01"),
    member("B", "P1", "F1", "2026-03-15"),
    member("C", "P1", "C2", "2026-01-10", "2026-05-31"),
    member("D", "P1", "C1", "2026-06-01"),
    member("E", "P2", "C3", "2026-03-01"),
    member("F", "P1", "C2", "2025-01-01", "2025-12-31"),
    member("G", "P1", "C3", "2025-11-01"),
]

OFFERS = [
    offer("A", "P1", "C3", ["OFFER-90", "AVAIL-ASSESS"], "2026-02-01", "2026-04-15", "2026-04-20",
          outcome="accepted", outcome_date="2026-04-25", cbo_types=["ILC", "RLC"], chosen="ILC"),
    offer("B", "P1", "F1", ["OFFER-90"], "2026-03-15", "2026-06-13", "2026-06-20",
          outcome="declined", outcome_date="2026-06-25", cbo_types=["ASAP"]),
    offer("B", "P1", "F1", ["AVAIL-REQUEST"], "2026-06-26", "2026-07-10"),
    offer("C", "P1", "C2", ["OFFER-90"], "2026-01-10", "2026-04-10"),
    offer("D", "P1", "C1", ["OFFER-90"], "2026-06-01", "2026-08-30", "2026-06-10",
          cbo_types=["ILC", "RLC", "other"]),
    offer("E", "P2", "C3", ["OFFER-90"], "2026-03-01", "2026-05-30", "2026-05-01",
          outcome="accepted", outcome_date="2026-05-02", cbo_types=["ILC", "ASAP"], chosen="ASAP"),
    offer("G", "P1", "C3", ["OFFER-90"], "2025-11-01", "2026-01-30", "2026-01-15",
          outcome="no-response", outcome_date="2026-02-15", cbo_types=["RLC", "other"]),
    offer("G", "P1", "C3", ["AVAIL-ASSESS"], "2026-05-20", "2026-05-20"),
]  # fmt: skip
