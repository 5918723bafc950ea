"""A deliberately broken FHIR server of the tests' own: drops fields, answers 500 on demand."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from adapter.testkit.capability import INCLUDES, SEARCHES, profiles_by_type
from adapter.testkit.scenarios import load_scenario_bundles


@dataclass
class Faults:
    """What the server gets wrong; the defaults make a server that passes."""

    dropped_element: str | None = None  # removed from every resource read back
    metadata_status: int = 200
    search_status: int = 200
    transaction_status: int = 200
    ignore_search_params: bool = False  # every resource of the type, whatever was asked
    fhir_version: str = "4.0.1"
    list_profiles: bool = True
    seen_authorization: list[str] = field(default_factory=list)


def capability_statement(faults: Faults) -> dict[str, Any]:
    wanted = profiles_by_type([bundle for _, bundle in load_scenario_bundles()])
    resources = []
    for rtype, profiles in sorted(wanted.items()):
        entry: dict[str, Any] = {
            "type": rtype,
            "interaction": [{"code": c} for c in ("read", "update", "search-type")],
            "searchParam": [{"name": p, "type": "token"} for p in SEARCHES.get(rtype, ())],
        }
        if rtype in INCLUDES:
            entry["searchInclude"] = [INCLUDES[rtype]]
        if faults.list_profiles:
            entry["supportedProfile"] = sorted(profiles)
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "fhirVersion": faults.fhir_version,
        "format": ["json"],
        "rest": [
            {"mode": "server", "resource": resources, "interaction": [{"code": "transaction"}]}
        ],
    }


def _handler(faults: Faults, stored: dict[str, dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

        def do_GET(self) -> None:
            faults.seen_authorization.append(self.headers.get("Authorization", ""))
            path = urlsplit(self.path).path.removeprefix("/fhir/")
            if path == "metadata":
                self._answer(faults.metadata_status, capability_statement(faults))
            elif "/" in path:
                self._read(path)
            else:
                self._search(path)

        def do_POST(self) -> None:
            if faults.transaction_status != 200:
                self._answer(faults.transaction_status, None)
                return
            bundle = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            entries = []
            for entry in bundle["entry"]:
                stored[entry["request"]["url"]] = entry["resource"]
                entries.append({"response": {"status": "200 OK"}})
            self._answer(
                200, {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}
            )

        def _read(self, path: str) -> None:
            if path not in stored:
                self._answer(404, {"resourceType": "OperationOutcome", "issue": []})
                return
            resource = {k: v for k, v in stored[path].items() if k != faults.dropped_element}
            self._answer(200, resource)

        def _search(self, rtype: str) -> None:
            if faults.search_status != 200:
                self._answer(
                    faults.search_status,
                    {
                        "resourceType": "OperationOutcome",
                        "issue": [
                            {
                                "severity": "error",
                                "code": "exception",
                                "diagnostics": "search is down",
                            }
                        ],
                    },
                )
                return
            params = parse_qsl(urlsplit(self.path).query)
            of_type = [r for r in stored.values() if r["resourceType"] == rtype]
            found = (
                of_type
                if faults.ignore_search_params
                else [r for r in of_type if all(_matches(r, k, v) for k, v in params)]
            )
            entries = [{"resource": r, "search": {"mode": "match"}} for r in found]
            if ("_include", "CarePlan:care-team") in params:
                refs = {t["reference"] for r in found for t in r.get("careTeam", [])}
                entries += [
                    {"resource": stored[ref], "search": {"mode": "include"}}
                    for ref in sorted(refs)
                    if ref in stored
                ]
            self._answer(200, {"resourceType": "Bundle", "type": "searchset", "entry": entries})

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _matches(resource: dict[str, Any], name: str, value: str) -> bool:
    """Just enough search for the scenario queries: references, status and Task.code."""
    if name.startswith("_"):
        return True
    if name == "patient":
        subject = resource.get("for") or resource.get("subject") or {}
        return subject.get("reference") == value
    if name == "owner":
        return (resource.get("owner") or {}).get("reference") == value
    if name == "status":
        return resource.get("status") == value
    if name == "code":
        system, _, code = value.rpartition("|")
        codings = (resource.get("code") or {}).get("coding") or []
        return any(c.get("system") == system and c.get("code") == code for c in codings)
    return False


@contextmanager
def broken_server(faults: Faults) -> Iterator[str]:
    """Serve on a free 127.0.0.1 port in a thread; yields the FHIR base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(faults, {}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    finally:
        server.shutdown()
        server.server_close()
