"""The test suite's own HTTP servers on 127.0.0.1: a small FHIR partner, a SMART token
endpoint, and a fault-injecting proxy that drops, delays and answers 429/500/503 on a schedule.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import urllib.parse
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import requests

from adapter import clock

FHIR_JSON = "application/fhir+json"


class Background:
    """A ThreadingHTTPServer on a free loopback port, serving in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.app = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


class Handler(BaseHTTPRequestHandler):
    """Common plumbing: JSON bodies in and out, quiet logs."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle plus delayed ACKs
        # stall every keep-alive answer by 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return None

    @property
    def app(self) -> Any:
        return self.server.app  # type: ignore[attr-defined]

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", FHIR_JSON)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def outcome(code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }


class PartnerHandler(Handler):
    def do_GET(self) -> None:
        self.app.handle(self, "GET")

    def do_PUT(self) -> None:
        self.app.handle(self, "PUT")

    def do_POST(self) -> None:
        self.app.handle(self, "POST")

    def do_DELETE(self) -> None:
        self.app.handle(self, "DELETE")


class MiniPartner(Background):
    """A partner FHIR server in memory: PUT/GET/DELETE by id, conditional PUT by identifier,
    transaction Bundles, Task search; optionally a SMART token endpoint and bearer checks.
    `scripted` answers (status, headers, body) are sent first, one per request."""

    def __init__(
        self,
        *,
        require_token: bool = False,
        public_key: str | None = None,
        refuse_client_ids: bool = False,
    ) -> None:
        super().__init__(PartnerHandler)
        # Like servers that never create a resource under an id the client chose.
        self.refuse_client_ids = refuse_client_ids
        self.resources: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.scripted: deque[tuple[int, dict[str, str], Any]] = deque()
        self.require_token = require_token
        self.public_key = public_key
        self.tokens: dict[str, float] = {}
        self.assertions: list[dict[str, Any]] = []
        self.client_secret = "client-1:s3cret"  # "id:secret" as HTTP Basic sends it
        self.lock = threading.Lock()

    @property
    def fhir(self) -> str:
        return f"{self.url}/fhir"

    def handle(self, request: Handler, method: str) -> None:
        body = request.body()
        path = urllib.parse.urlsplit(request.path)
        with self.lock:
            self.requests.append((method, request.path))
            if path.path == "/fhir/.well-known/smart-configuration":
                request.answer(200, {"token_endpoint": f"{self.url}/token"})
                return
            if path.path == "/token":
                request.answer(*self._token(body, request.headers.get("Authorization", "")))
                return
            if self.require_token and not self._authorised(request):
                request.answer(401, outcome("login", "bearer token missing or expired"))
                return
            if self.scripted:
                status, headers, scripted_body = self.scripted.popleft()
                request.answer(status, scripted_body, headers)
                return
            request.answer(*self._fhir(method, path, body))

    def _authorised(self, request: Handler) -> bool:
        header = request.headers.get("Authorization", "")
        expires = self.tokens.get(header.removeprefix("Bearer "))
        return expires is not None and expires > clock.timestamp()

    def _token(self, body: bytes, authorization: str) -> tuple[int, Any]:
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if "client_assertion" not in form:
            return self._client_secret_token(authorization)
        try:
            claims = jwt.decode(
                form.get("client_assertion", ""),
                self.public_key,
                algorithms=["RS384", "ES384"],
                audience=f"{self.url}/token",
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError as error:
            return 401, {"error": "invalid_client", "error_description": str(error)}
        if claims.get("exp", 0) <= clock.timestamp():
            return 401, {"error": "invalid_client", "error_description": "assertion expired"}
        header = jwt.get_unverified_header(form["client_assertion"])
        self.assertions.append({"claims": claims, "header": header, "form": form})
        return 200, self._issue()

    def _client_secret_token(self, authorization: str) -> tuple[int, Any]:
        expected = "Basic " + base64.b64encode(self.client_secret.encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        return 200, self._issue()

    def _issue(self) -> dict[str, Any]:
        token = f"tok-{len(self.tokens) + 1}"
        self.tokens[token] = clock.timestamp() + 300
        return {"access_token": token, "token_type": "bearer", "expires_in": 300}

    def _fhir(self, method: str, path: Any, body: bytes) -> tuple[int, Any]:
        parts = path.path.removeprefix("/fhir").strip("/").split("/")
        if method == "POST" and parts == [""]:
            return self._transaction(json.loads(body))
        if method == "PUT" and len(parts) == 1 and path.query:
            resource = json.loads(body)
            if self.refuse_client_ids and resource.get("id"):
                return 400, outcome("processing", "cannot create as update with client id")
            return self._put(
                parts[0], self._by_identifier(parts[0], path.query, resource), resource
            )
        if len(parts) == 1 and method == "POST":
            created = {**json.loads(body), "id": f"new-{len(self.resources)}"}
            return self._put(parts[0], created["id"], created)
        if len(parts) == 1 and method == "GET":
            return 200, self._search(parts[0], urllib.parse.parse_qs(path.query))
        key = "/".join(parts[:2])
        if method == "PUT":
            return self._put(parts[0], parts[1], json.loads(body))
        if method == "DELETE":
            return (204, None) if self.resources.pop(key, None) else (404, None)
        found = self.resources.get(key)
        return (200, found) if found else (404, outcome("not-found", key))

    def _by_identifier(self, rtype: str, query: str, resource: dict[str, Any]) -> str:
        wanted = urllib.parse.parse_qs(query)["identifier"][0]
        for key, stored in self.resources.items():
            for ident in stored.get("identifier", []):
                if key.startswith(rtype + "/") and f"{ident['system']}|{ident['value']}" == wanted:
                    return key.split("/")[1]
        return resource.get("id") or f"new-{len(self.resources)}"

    def _put(self, rtype: str, rid: str, resource: dict[str, Any]) -> tuple[int, Any]:
        key = f"{rtype}/{rid}"
        old = self.resources.get(key)
        version = int(old["meta"]["versionId"]) + 1 if old else 1
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        meta = {**resource.get("meta", {}), "versionId": str(version), "lastUpdated": stamp}
        self.resources[key] = {**resource, "id": rid, "meta": meta}
        return (200 if old else 201), self.resources[key]

    def _transaction(self, bundle: dict[str, Any]) -> tuple[int, Any]:
        entries = []
        for entry in bundle["entry"]:
            rtype, rid = entry["request"]["url"].split("/")
            if entry["request"]["method"] == "DELETE":
                self.resources.pop(f"{rtype}/{rid}", None)
                entries.append({"response": {"status": "204"}})
            else:
                status, _ = self._put(rtype, rid, entry["resource"])
                entries.append({"response": {"status": str(status)}})
        return 200, {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}

    def _search(self, rtype: str, params: dict[str, list[str]]) -> dict[str, Any]:
        """Oldest change first, `_count` at most, and no `next` link: like servers that page
        only by the `_lastUpdated` watermark."""
        owner = params.get("owner", [None])[0]
        watermark = params.get("_lastUpdated", ["gt0"])[0]
        prefix, since = watermark[:2], _instant(watermark[2:])
        found = sorted(
            (
                r
                for key, r in self.resources.items()
                if key.startswith(rtype + "/")
                and (owner is None or r.get("owner", {}).get("reference") == owner)
                and (
                    _instant(r["meta"]["lastUpdated"]) > since
                    if prefix == "gt"
                    else _instant(r["meta"]["lastUpdated"]) >= since
                )
            ),
            key=lambda r: r["meta"]["lastUpdated"],
        )
        found = found[: int(params.get("_count", ["1000"])[0])]
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": r} for r in found],
        }


def _instant(text: str) -> datetime:
    if text in ("", "0"):
        return datetime.min.replace(tzinfo=UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class ProxyHandler(Handler):
    def do_GET(self) -> None:
        self.app.forward(self, "GET")

    def do_PUT(self) -> None:
        self.app.forward(self, "PUT")

    def do_POST(self) -> None:
        self.app.forward(self, "POST")

    def do_DELETE(self) -> None:
        self.app.forward(self, "DELETE")


class FaultProxy(Background):
    """Forwards to `target`, unless the schedule says otherwise for this request.

    Schedule entries, used one per request: "pass", "drop" (close without answering),
    ("delay", seconds), or a status (429 with Retry-After: 1, 500, 503). `down=True` drops
    everything until set back to False.
    """

    def __init__(self, target: str, schedule: list[Any] | None = None) -> None:
        super().__init__(ProxyHandler)
        self.target = target.rstrip("/")
        self.schedule: deque[Any] = deque(schedule or [])
        self.down = False
        self.seen: list[str] = []
        self.forwarded: list[str] = []
        self.lock = threading.Lock()
        self.session = requests.Session()

    def next_fault(self) -> Any:
        with self.lock:
            if self.down:
                return "drop"
            return self.schedule.popleft() if self.schedule else "pass"

    def forward(self, request: Handler, method: str) -> None:
        body = request.body()
        fault = self.next_fault()
        with self.lock:
            self.seen.append(f"{fault} {method} {request.path}")
        if fault == "drop":
            request.close_connection = True
            request.connection.shutdown(socket.SHUT_RDWR)
            return
        if isinstance(fault, int):
            headers = {"Retry-After": "1"} if fault == 429 else {}
            request.answer(fault, outcome("transient", f"injected {fault}"), headers)
            return
        if isinstance(fault, tuple) and fault[0] == "delay":
            time.sleep(fault[1])
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        with self.lock:
            self.forwarded.append(f"{method} {request.path}")
        upstream = self.session.request(
            method, self.target + request.path, data=body, headers=headers, timeout=30
        )
        request.send_response(upstream.status_code)
        for name, value in upstream.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(upstream.content)))
        request.end_headers()
        request.wfile.write(upstream.content)


class HookHandler(Handler):
    def do_POST(self) -> None:
        app = self.app
        body = self.body()
        with app.lock:
            app.received.append((self.path, dict(self.headers), body))
            status = app.statuses.popleft() if app.statuses else 200
        self.answer(status, None if status < 300 else outcome("exception", "hook failed"))


class HookReceiver(Background):
    """A rest-hook endpoint: records every notification; answers `statuses` first, then 200."""

    def __init__(self) -> None:
        super().__init__(HookHandler)
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: deque[int] = deque()
        self.lock = threading.Lock()
