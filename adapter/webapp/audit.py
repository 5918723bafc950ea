"""Web reads and writes recorded in the API's audit trail, as the signed-in person."""

from __future__ import annotations

from flask import current_app, request

from adapter.security.audit import Access
from adapter.webapp.access import SECURITY_KEY
from adapter.webapp.context import user


def record_web_access(
    interaction: str, resource_id: str, status: int, resource_type: str = "Patient"
) -> None:
    """One AuditEvent for a page read or a write (about a member, or one's own details)."""
    security = current_app.extensions.get(SECURITY_KEY)
    trail = getattr(security, "audit", None)
    if trail is None:
        return
    access = Access(
        interaction=interaction,
        status=status,
        resource_type=resource_type,
        resource_id=resource_id,
        address=request.remote_addr,
    )
    trail.record(user().principal, access)
