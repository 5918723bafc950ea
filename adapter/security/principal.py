"""Who is calling: the authenticated client (or web user) and the organization it acts for."""

from __future__ import annotations

from dataclasses import dataclass

from adapter.errors import AdapterError

ORG_KINDS = ("plan", "cbo", "ehr", "auditor", "admin")


@dataclass(frozen=True)
class Principal:
    """An authenticated caller; `org_id` is a directory id (plan_id or cbo_id)."""

    subject: str
    client_id: str
    org_kind: str  # "plan" | "cbo" | "ehr" | "auditor" | "admin"
    org_id: str
    scopes: frozenset[str]
    staff_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.org_kind == "admin"


class AuthError(AdapterError):
    """A missing or unusable bearer token (401); `error` is the RFC 6750 error code."""

    http_status = 401
    issue_code = "login"

    def __init__(self, message: str, *, error: str = "invalid_token") -> None:
        super().__init__(message)
        self.error = error


class Forbidden(AdapterError):
    """Authenticated, but the scopes or the compartment do not allow this (403)."""

    http_status = 403
    issue_code = "forbidden"
