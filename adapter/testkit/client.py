"""The one HTTP client of the test kit: FHIR JSON over `requests`, timeouts and a bearer token."""

from __future__ import annotations

from typing import Any

import requests

FHIR_JSON = "application/fhir+json"
TIMEOUT_S = 30
# Searches follow `next` links; a runaway server must not keep the script paging for ever.
MAX_PAGES = 20


class ServerUnreachable(Exception):
    """No HTTP answer at all: wrong URL, server down, TLS or network failure."""


class Answer:
    """One HTTP answer: status and the JSON body when there is one."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        """Status and the server's own words, for a FAIL line."""
        text = f"HTTP {self.status}"
        if isinstance(self.body, dict) and self.body.get("resourceType") == "OperationOutcome":
            notes = [i.get("diagnostics") or i.get("code", "") for i in self.body.get("issue", [])]
            text += ": " + "; ".join(str(n) for n in notes[:3])
        return text


class FhirClient:
    """Requests against one FHIR base URL."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = TIMEOUT_S):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Accept"] = FHIR_JSON
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params: list[tuple[str, str]] | None = None) -> Answer:
        return self._send("GET", self._url(path), params=params)

    def post(self, path: str, document: Any) -> Answer:
        headers = {"Content-Type": FHIR_JSON}
        return self._send("POST", self._url(path), json=document, headers=headers)

    def search_all(self, path: str, params: list[tuple[str, str]]) -> tuple[Answer, list[Any]]:
        """Every entry of a search over its pages; the first failing page's answer if any."""
        answer = self.get(path, params)
        entries: list[Any] = []
        for _ in range(MAX_PAGES):
            if not answer.ok or not isinstance(answer.body, dict):
                return answer, entries
            entries.extend(answer.body.get("entry") or [])
            link = next_link(answer.body)
            if link is None:
                break
            answer = self._send("GET", link)
        return answer, entries

    def close(self) -> None:
        self.session.close()

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path}" if path else self.base_url

    def _send(self, method: str, url: str, **kwargs: Any) -> Answer:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ServerUnreachable(f"{method} {url}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, body)


def next_link(bundle: dict[str, Any]) -> str | None:
    return next(
        (ln.get("url") for ln in bundle.get("link") or [] if ln.get("relation") == "next"), None
    )
