"""The conformance script: capability, transactions, read-back fidelity and scenario searches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapter.canonical import code_system_url
from adapter.testkit.capability import capability_checks
from adapter.testkit.client import FhirClient
from adapter.testkit.fidelity import resource_differences
from adapter.testkit.results import CheckResult, failed, passed

OFFER_CODE = f"{code_system_url('task-code')}|ltsc-offer"
# A FAIL line names at most this many differences; the rest are counted.
SHOWN_DIFFERENCES = 3

Scenario = tuple[str, dict[str, Any]]


def run_checks(client: FhirClient, scenarios: list[Scenario]) -> list[CheckResult]:
    """Every check, in order; raises ServerUnreachable when the server gives no answer."""
    metadata = client.get("metadata")
    bundles = [bundle for _, bundle in scenarios]
    if not metadata.ok:
        results = [failed("metadata", f"GET /metadata: {metadata.describe()}")]
    else:
        results = capability_checks(metadata.body, bundles)
    for slug, bundle in scenarios:
        posted = post_transaction(client, slug, bundle)
        results.append(posted)
        if posted.failed:
            continue
        results.append(round_trip(client, slug, bundle))
        results.extend(scenario_searches(client, slug, bundle))
    return results


def post_transaction(client: FhirClient, slug: str, bundle: dict[str, Any]) -> CheckResult:
    name = f"{slug}.transaction"
    answer = client.post("", bundle)
    if not answer.ok:
        return failed(name, f"POST transaction: {answer.describe()}")
    body = answer.body if isinstance(answer.body, dict) else {}
    if body.get("type") != "transaction-response":
        return failed(name, "the answer is not a transaction-response Bundle")
    statuses = [str((e.get("response") or {}).get("status", "")) for e in body.get("entry") or []]
    if len(statuses) != len(bundle["entry"]):
        return failed(name, f"{len(bundle['entry'])} entries sent, {len(statuses)} answered")
    bad = [s for s in statuses if not s.startswith("2")]
    if bad:
        return failed(name, f"entry statuses not 2xx: {', '.join(sorted(set(bad)))}")
    return passed(name, f"{len(statuses)} entries stored")


def round_trip(client: FhirClient, slug: str, bundle: dict[str, Any]) -> CheckResult:
    problems: list[str] = []
    for entry in bundle["entry"]:
        sent = entry["resource"]
        ref = f"{sent['resourceType']}/{sent['id']}"
        answer = client.get(ref)
        if not answer.ok or not isinstance(answer.body, dict):
            problems.append(f"GET {ref}: {answer.describe()}")
            continue
        problems.extend(resource_differences(sent, answer.body))
    name = f"{slug}.round-trip"
    if problems:
        shown = "; ".join(problems[:SHOWN_DIFFERENCES])
        more = len(problems) - SHOWN_DIFFERENCES
        return failed(name, shown + (f"; and {more} more" if more > 0 else ""))
    return passed(name, f"{len(bundle['entry'])} resources read back unchanged")


@dataclass(frozen=True)
class Search:
    """A search a scenario needs: what must come back, and what every match must satisfy."""

    name: str
    rtype: str
    params: tuple[tuple[str, str], ...]
    expected: frozenset[tuple[str, str]]
    matches: Callable[[dict[str, Any]], bool]


def scenario_searches(client: FhirClient, slug: str, bundle: dict[str, Any]) -> list[CheckResult]:
    return [expect_found(client, search) for search in searches_for(slug, bundle)]


def searches_for(slug: str, bundle: dict[str, Any]) -> list[Search]:
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(f"Patient/{r['id']}" for r in resources if r["resourceType"] == "Patient")
    offers = [r for r in resources if r["resourceType"] == "Task" and _is_offer(r)]
    team = {("CareTeam", i) for i in _ids(resources, "CareTeam")}
    plan = {("CarePlan", i) for i in _ids(resources, "CarePlan")}
    about_patient = _refers_to(patient)
    searches = [
        Search(
            f"{slug}.search.offers",
            "Task",
            (("patient", patient), ("code", OFFER_CODE)),
            frozenset(("Task", r["id"]) for r in offers),
            lambda r: about_patient(r) and _is_offer(r),
        ),
        Search(
            f"{slug}.search.care-team",
            "CareTeam",
            (("patient", patient),),
            frozenset(team),
            about_patient,
        ),
        Search(
            f"{slug}.search.care-plan",
            "CarePlan",
            (("patient", patient), ("_include", "CarePlan:care-team")),
            frozenset(plan | team),
            about_patient,
        ),
    ]
    if offers and offers[0].get("owner"):
        offer = offers[0]
        owner, status = offer["owner"]["reference"], offer["status"]
        searches.append(
            Search(
                f"{slug}.search.owner-status",
                "Task",
                (("owner", owner), ("status", status)),
                frozenset({("Task", offer["id"])}),
                lambda r: (
                    (r.get("owner") or {}).get("reference") == owner and r.get("status") == status
                ),
            )
        )
    return searches


def expect_found(client: FhirClient, search: Search) -> CheckResult:
    """Every expected resource comes back, and every match meets the search's criteria."""
    query = f"{search.rtype}?" + "&".join(f"{k}={v}" for k, v in search.params)
    answer, entries = client.search_all(search.rtype, list(search.params))
    if not answer.ok:
        return failed(search.name, f"{query}: {answer.describe()}")
    found = {(r.get("resourceType"), r.get("id")) for e in entries if (r := e.get("resource"))}
    missing = sorted(f"{t}/{i}" for t, i in search.expected - found)
    if missing:
        return failed(search.name, f"{query} did not return {', '.join(missing)}")
    wrong = sorted(
        f"{r.get('resourceType')}/{r.get('id')}"
        for e in entries
        if (e.get("search") or {}).get("mode", "match") == "match"
        and not search.matches(r := e.get("resource") or {})
    )
    if wrong:
        return failed(search.name, f"{query} matched what it should not: {', '.join(wrong[:3])}")
    return passed(search.name, f"{query} returned all {len(search.expected)} expected resources")


def _refers_to(patient: str) -> Callable[[dict[str, Any]], bool]:
    """Whether a resource is about the patient (Task.for, CareTeam/CarePlan.subject)."""

    def about(resource: dict[str, Any]) -> bool:
        subject = resource.get("for") or resource.get("subject") or {}
        return subject.get("reference") == patient

    return about


def _is_offer(task: dict[str, Any]) -> bool:
    return any(c.get("code") == "ltsc-offer" for c in (task.get("code") or {}).get("coding", []))


def _ids(resources: list[dict[str, Any]], rtype: str) -> list[str]:
    return [r["id"] for r in resources if r["resourceType"] == rtype]
