"""Security fixtures: the sample members in one SQLite store, tokens for each kind of client."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapter.api import create_app
from adapter.api.command import load_samples
from adapter.config import Settings
from adapter.security.dev_keys import issue_dev_token
from adapter.store import open_store

# Sample facts (samples/plan-export.json): MBIL's LTS-C serves M100016 with a permit Consent;
# MRLC serves M100008; M100018's latest Consent for its MBIL LTS-C denies sharing.
MBIL_MEMBER = "mbr-m100016"
MRLC_MEMBER = "mbr-m100008"
DENIED_MEMBER = "mbr-m100018"
MBIL_TASK = "svc-m100016-cbo-mbil"
MRLC_TASK = "svc-m100008-cbo-mrlc"
MBIL_SERVICE = "servicerequest-m100016-cbo-mbil"
AUDIT_FIXTURE = "audit-fixture"

# Each kind of client in the matrix, with the scopes its token asks for.
CLIENT_TOKENS = {
    "plan": ("dev-plan", ["system/*.cruds"]),
    "cbo_a": ("dev-cbo-mbil", ["system/*.cruds"]),
    "cbo_b": ("dev-cbo-mrlc", ["system/*.cruds"]),
    "ehr": ("dev-ehr", ["system/*.rs"]),
    "auditor": ("dev-auditor", ["system/AuditEvent.rs"]),
    "admin": ("dev-admin", ["system/*.cruds"]),
}


def cbo_task(task_id: str, member: str, owner: str) -> dict[str, Any]:
    return {
        "resourceType": "Task",
        "id": task_id,
        "status": "requested",
        "intent": "order",
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]
        },
        "focus": {"reference": f"ServiceRequest/{MBIL_SERVICE}"},
        "for": {"reference": f"Patient/{member}"},
        "authoredOn": "2026-05-10",
        "requester": {"reference": "Organization/plan-cca-oc"},
        "owner": {"reference": owner},
    }


def cbo_service(member: str, performer: str) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": MBIL_SERVICE,
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{member}"},
        "performer": [{"reference": performer}],
    }


def audit_fixture() -> dict[str, Any]:
    return {
        "resourceType": "AuditEvent",
        "id": AUDIT_FIXTURE,
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
        },
        "recorded": "2026-11-01T00:00:00+00:00",
        "agent": [{"who": {"display": "fixture"}, "requestor": True}],
        "source": {"observer": {"display": "ltsc-adapter"}},
    }


@dataclass
class World:
    settings: Settings
    store: Any
    app: Any

    def client(self) -> Any:
        return self.app.test_client()

    def headers(self, kind: str, scopes: list[str] | None = None, **claims: Any) -> dict[str, str]:
        client_id, default_scopes = CLIENT_TOKENS[kind]
        token = issue_dev_token(self.settings, client_id, scopes or default_scopes, **claims)
        return {"Authorization": f"Bearer {token}"}

    def flush_audit(self) -> None:
        self.app.extensions["ltsc_security"].audit.flush()

    def forget_compartments(self) -> None:
        self.app.extensions["ltsc_security"].policy.forget()

    def copy_of(self, resource_type: str, resource_id: str, new_id: str) -> dict[str, Any]:
        resource = copy.deepcopy(self.store.read(resource_type, resource_id).resource)
        resource["id"] = new_id
        resource.pop("meta", None)
        return resource


def build_world(tmp: Path, **changes: Any) -> World:
    changes.setdefault("database_url", f"sqlite:///{tmp}/security.db")
    settings = Settings(
        auth_dev_dir=str(tmp / "auth"),
        validation_mode="off",
        page_size_default=5,
        page_size_max=50,
        **changes,
    )
    store = open_store(settings.database_url, page_size_default=5, page_size_max=50)
    load_samples(store, settings)
    store.update("ServiceRequest", MBIL_SERVICE, cbo_service(MBIL_MEMBER, "Organization/cbo-mbil"))
    store.update("Task", MBIL_TASK, cbo_task(MBIL_TASK, MBIL_MEMBER, "Organization/cbo-mbil"))
    owner = "PractitionerRole/role-ltsc-0016"  # an MRLC LTS-C
    store.update("Task", MRLC_TASK, cbo_task(MRLC_TASK, MRLC_MEMBER, owner))
    store.update("AuditEvent", AUDIT_FIXTURE, audit_fixture())
    return World(settings, store, create_app(settings, store=store))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Shared by a module's read-only tests; write tests use `fresh_world`."""
    built = build_world(tmp_path_factory.mktemp("security"))
    yield built
    built.flush_audit()
    built.store.close()


@pytest.fixture
def fresh_world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    yield built
    built.flush_audit()
    built.store.close()
