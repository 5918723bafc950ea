"""Every user-facing failure: exception classes that know their FHIR issue code and HTTP status."""

from __future__ import annotations

from typing import Any

from adapter.outcome import Issue, operation_outcome


class AdapterError(Exception):
    """Base class; rendered as an OperationOutcome by the API and as a message by the CLI."""

    http_status = 500
    issue_code = "exception"

    def __init__(
        self, message: str, *, expression: str | None = None, issues: list[Issue] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        exprs = (expression,) if expression else ()
        self.issues = issues or [Issue("error", self.issue_code, message, exprs)]

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.issues)


class InvalidRequest(AdapterError):
    http_status = 400
    issue_code = "invalid"


class NotFound(AdapterError):
    http_status = 404
    issue_code = "not-found"


class Gone(AdapterError):
    http_status = 410
    issue_code = "deleted"


class MethodNotAllowed(AdapterError):
    http_status = 405
    issue_code = "not-supported"


class Conflict(AdapterError):
    http_status = 409
    issue_code = "conflict"


class PreconditionFailed(AdapterError):
    http_status = 412
    issue_code = "conflict"


class PayloadTooLarge(AdapterError):
    http_status = 413
    issue_code = "too-costly"


class UnsupportedMediaType(AdapterError):
    http_status = 415
    issue_code = "not-supported"


class Unprocessable(AdapterError):
    """The resource is well-formed but breaks a profile or a rule (422)."""

    http_status = 422
    issue_code = "processing"


class ConfigurationError(AdapterError):
    """Settings are missing or wrong; raised once at start-up with every bad key listed."""

    issue_code = "exception"
