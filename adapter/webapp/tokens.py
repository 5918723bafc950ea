"""Opaque page ids for members, so no member id or name ever appears in a URL or a log line."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def member_token(secret: str | bytes, member_id: str) -> str:
    """A stable id that reveals nothing without the app's secret key."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"member:{member_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def member_for_token(secret: str | bytes, token: str, allowed: Iterable[str]) -> str | None:
    """The member among those the user may see whose token this is; None for any other."""
    for member_id in allowed:
        if hmac.compare_digest(member_token(secret, member_id), token):
            return member_id
    return None
