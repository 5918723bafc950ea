"""Sending outbox items to one partner over HTTP and judging each answer."""

from __future__ import annotations

import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from adapter.exchange.auth import AuthError, Credentials
from adapter.exchange.outbox import OutboxItem
from adapter.exchange.partners import Partner
from adapter.exchange.retry import (
    RECONCILE_STATUSES,
    RETRYABLE_STATUSES,
    is_retryable,
    parse_retry_after,
)
from adapter.mapping.ids import full_url
from adapter.outcome import Issue, operation_outcome

FHIR_JSON = "application/fhir+json"
# Connect quickly or give up; a partner may take a while to write a large Bundle.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0
_VERSION_META = ("versionId", "lastUpdated")
# Entries below which a batch is not split into parallel Bundles: each Bundle costs the partner
# a transaction (and a commit), so tiny ones would trade its disk for our parallelism.
MIN_BUNDLE_ENTRIES = 10
# A gateway or the server itself saying it is not serving yet.
UNAVAILABLE = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Verdict:
    """What to do with an item after an attempt."""

    outcome: str  # delivered | retry | dead
    error: dict[str, Any] | None = None
    retry_after_s: float | None = None


DELIVERED = Verdict("delivered")


def failure(message: str, code: str = "transient", **extra: Any) -> dict[str, Any]:
    return operation_outcome([Issue("error", code, message)]) | extra


class PartnerClient:
    """One partner's FHIR endpoint: per-resource PUT/DELETE or one transaction Bundle."""

    def __init__(
        self,
        partner: Partner,
        session: requests.Session,
        credentials: Credentials,
        *,
        concurrency: int = 1,
    ) -> None:
        self.partner = partner
        self.concurrency = max(concurrency, 1)
        self.session = session
        self.credentials = credentials
        # `auto` delivery: whether the partner takes transaction Bundles, once it has said so.
        self._transactions: bool | None = None
        if self.concurrency > 1:
            pooled = HTTPAdapter(pool_maxsize=self.concurrency)
            session.mount("http://", pooled)
            session.mount("https://", pooled)
        tls = partner.tls
        if tls.client_cert:
            session.cert = (tls.client_cert, tls.client_key) if tls.client_key else tls.client_cert
        if tls.ca_bundle:
            session.verify = tls.ca_bundle

    def deliver(self, items: list[OutboxItem]) -> dict[int, Verdict]:
        if self.sends_transactions() and len(items) > 1:
            return self._send_transactions(items)
        return self._one_by_one(items)

    def sends_transactions(self) -> bool:
        if self.partner.delivery == "transaction":
            return True
        if self.partner.delivery != "auto":
            return False
        if self._transactions is None:
            self._transactions = self._capability_lists_transaction()
        return bool(self._transactions)

    def _capability_lists_transaction(self) -> bool | None:
        """From GET [base]/metadata; None (ask again next batch) when the partner is unreachable."""
        answer = self.request("GET", f"{self.partner.base_url}/metadata")
        if isinstance(answer, Verdict) or answer.status_code in RETRYABLE_STATUSES:
            return None
        try:
            statement = answer.json() if answer.ok else {}
        except ValueError:
            statement = {}
        return supports_transaction(statement)

    def probe(self) -> bool:
        """Whether the partner answers at all (GET [base]/metadata), after it was unreachable."""
        answer = self.request("GET", f"{self.partner.base_url}/metadata")
        # Any answer of its own counts (a server without /metadata says 404 or 501).
        return not isinstance(answer, Verdict) and answer.status_code not in UNAVAILABLE

    def deliver_one(self, item: OutboxItem) -> Verdict:
        method, url, body = self._request_for(item)
        answer = self.request(method, url, body)
        if isinstance(answer, Verdict):
            return answer
        if method == "DELETE" and answer.status_code in (404, 410):
            return DELIVERED  # already gone: the delete's purpose is met
        if answer.status_code in RECONCILE_STATUSES:
            return self._reconcile(item, answer)
        return judge(answer)

    def _request_for(self, item: OutboxItem) -> tuple[str, str, dict[str, Any] | None]:
        url = f"{self.partner.base_url}/{item.res_type}/{item.res_id}"
        if item.action == "delete" or item.payload is None:
            return "DELETE", url, None
        body = outgoing(item.payload)
        condition = identifier_condition(body)
        if self.partner.delivery == "conditional-update" and condition:
            url = f"{self.partner.base_url}/{item.res_type}?{condition}"
            # The partner keeps its own ids: servers that refuse to create a resource under a
            # client-assigned id (HAPI, Medplum) create it from the condition instead.
            body = {k: v for k, v in body.items() if k != "id"}
        return "PUT", url, body

    def _send_transactions(self, items: list[OutboxItem]) -> dict[int, Verdict]:
        """The batch as up to `concurrency` Bundles sent side by side; a Bundle the partner
        refuses as a whole is resent one resource at a time, which finds the bad entry."""
        size = max(MIN_BUNDLE_ENTRIES, -(-len(items) // self.concurrency))
        bundles = [items[start : start + size] for start in range(0, len(items), size)]
        if len(bundles) == 1:
            answers = [self._send_transaction(items)]
        else:
            # A claimed batch holds at most one item per member: Bundles in parallel keep order.
            with ThreadPoolExecutor(len(bundles)) as pool:
                answers = list(pool.map(self._send_transaction, bundles))
        verdicts: dict[int, Verdict] = {}
        for bundle, answer in zip(bundles, answers, strict=True):
            verdicts |= answer if answer is not None else self._one_by_one(bundle)
        return verdicts

    def _one_by_one(self, items: list[OutboxItem]) -> dict[int, Verdict]:
        if self.concurrency == 1 or len(items) == 1:
            return {item.seq: self.deliver_one(item) for item in items}
        # A claimed batch holds at most one item per member, so sending it in parallel keeps
        # every member's order.
        with ThreadPoolExecutor(min(self.concurrency, len(items))) as pool:
            verdicts = pool.map(self.deliver_one, items)
            return {item.seq: verdict for item, verdict in zip(items, verdicts, strict=True)}

    def _send_transaction(self, items: list[OutboxItem]) -> dict[int, Verdict] | None:
        bundle = transaction_bundle(items)
        answer = self.request("POST", self.partner.base_url, bundle)
        if isinstance(answer, Verdict):
            return {item.seq: answer for item in items}
        if answer.ok or is_retryable(answer.status_code):
            verdict = judge(answer)
            return {item.seq: verdict for item in items}
        # One bad entry fails the whole Bundle; resending one by one finds it.
        return None

    def _reconcile(self, item: OutboxItem, conflict: requests.Response) -> Verdict:
        """A 409/412: the partner holds another version; done if it already equals ours."""
        answer = self.request("GET", f"{self.partner.base_url}/{item.res_type}/{item.res_id}")
        if isinstance(answer, Verdict):
            return answer
        if answer.status_code == 200 and item.payload is not None:
            try:
                if same_content(answer.json(), item.payload):
                    return DELIVERED
            except (ValueError, AttributeError):
                pass  # not a resource: the conflict stands
        return Verdict("retry", remote_outcome(conflict))

    def request(
        self, method: str, url: str, body: dict[str, Any] | None = None
    ) -> requests.Response | Verdict:
        """One HTTP exchange; a network or token failure comes back as a Verdict."""
        for first_try in (True, False):
            try:
                headers = {"Accept": FHIR_JSON, **self.credentials.header()}
                if body is not None:
                    headers["Content-Type"] = FHIR_JSON
                response = self.session.request(
                    method,
                    url,
                    json=body,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
                )
            except AuthError as error:
                outcome = "retry" if error.retryable else "dead"
                return Verdict(outcome, failure(str(error), "security"))
            except requests.RequestException as error:
                return Verdict("retry", failure(f"{method} {url} failed: {error}"))
            if response.status_code == 401 and first_try:
                self.credentials.forget()  # a revoked or rotated token: fetch a new one once
                continue
            return response
        return response


def supports_transaction(statement: Any) -> bool:
    """Whether a CapabilityStatement's server part lists the system `transaction` interaction."""
    if not isinstance(statement, dict) or statement.get("resourceType") != "CapabilityStatement":
        return False
    for rest in statement.get("rest") or []:
        if isinstance(rest, dict) and rest.get("mode", "server") == "server":
            codes = {i.get("code") for i in rest.get("interaction") or [] if isinstance(i, dict)}
            if "transaction" in codes:
                return True
    return False


def judge(answer: requests.Response) -> Verdict:
    """Delivered on 2xx; retry on 408, 429 and 5xx; dead-letter any other answer."""
    status = answer.status_code
    if 200 <= status < 300:
        return DELIVERED
    retry_after = parse_retry_after(answer.headers.get("Retry-After"))
    if is_retryable(status):
        return Verdict("retry", remote_outcome(answer), retry_after)
    return Verdict("dead", remote_outcome(answer))


def remote_outcome(answer: requests.Response) -> dict[str, Any]:
    """The partner's OperationOutcome when it sent one, else one describing its answer."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
        return body | {"httpStatus": answer.status_code}
    text = (answer.text or "").strip()[:500]
    message = f"{answer.request.method} {answer.url} answered HTTP {answer.status_code}"
    return failure(f"{message}: {text}" if text else message, "exception") | {
        "httpStatus": answer.status_code
    }


def outgoing(resource: dict[str, Any]) -> dict[str, Any]:
    """Our resource minus our version metadata: the partner keeps its own versions."""
    meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in _VERSION_META}
    body = {k: v for k, v in resource.items() if k != "meta"}
    return body | {"meta": meta} if meta else body


def same_content(theirs: dict[str, Any], ours: dict[str, Any]) -> bool:
    return outgoing(theirs) == outgoing(ours)


def identifier_condition(resource: dict[str, Any]) -> str | None:
    """`identifier=system|value` of the first full identifier, for conditional update."""
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") and identifier.get("value"):
            token = f"{identifier['system']}|{identifier['value']}"
            return "identifier=" + urllib.parse.quote(token, safe="")
    return None


def transaction_bundle(items: list[OutboxItem]) -> dict[str, Any]:
    """Items as one transaction Bundle; deterministic ids make every entry an idempotent PUT."""
    entries = []
    for item in items:
        entry: dict[str, Any] = {"fullUrl": full_url(item.res_type, item.res_id)}
        if item.action == "delete" or item.payload is None:
            entry["request"] = {"method": "DELETE", "url": item.reference}
        else:
            entry["resource"] = outgoing(item.payload)
            entry["request"] = {"method": "PUT", "url": item.reference}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}
