"""Web app users: the users file (YAML) and the development sample users."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from werkzeug.security import check_password_hash, generate_password_hash

from adapter.errors import ConfigurationError
from adapter.security import Principal

DEV_USERS_FILE = Path(__file__).with_name("dev_users.yaml")
ORG_KINDS = ("plan", "cbo")
# A coordinator's lists show their own caseload; a supervisor may also list every member their
# organization may see (docs/webapp.md, "Caseloads").
ROLES = ("coordinator", "supervisor")
# A person acting in the web app reads what their organization may read and writes through
# the member service; the scopes say so in the API's own terms.
WEB_SCOPES = frozenset({"user/*.rs", "user/Task.rus"})


@dataclass(frozen=True)
class WebUser:
    """One person who may sign in: a plan's Care Coordinator or a CBO's LTS-C."""

    name: str
    display_name: str
    org_kind: str
    org_id: str
    staff_id: str
    password_hash: str = ""  # empty: only the development sign-in can admit this user
    role: str = "coordinator"

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def principal(self) -> Principal:
        return Principal(
            subject=self.name,
            client_id="webapp",
            org_kind=self.org_kind,
            org_id=self.org_id,
            scopes=WEB_SCOPES,
            staff_id=self.staff_id,
        )


def load_users(path: str | Path) -> dict[str, WebUser]:
    """Users by name; one ConfigurationError lists every bad entry."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"cannot read the web users file {path}: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"the web users file {path} must map user names to users")
    users, problems = {}, []
    for name, entry in raw.items():
        user = _user(str(name), entry, problems)
        if user is not None:
            users[user.name] = user
    if problems:
        raise ConfigurationError(f"the web users file {path} is not valid: " + "; ".join(problems))
    return users


def _user(name: str, entry: Any, problems: list[str]) -> WebUser | None:
    fields = ("display_name", "org_kind", "org_id", "staff_id")
    if not isinstance(entry, dict):
        problems.append(f"{name}: must be a mapping with {', '.join(fields)}")
        return None
    missing = [f for f in fields if not str(entry.get(f) or "").strip()]
    if missing:
        problems.append(f"{name}: missing {', '.join(missing)}")
        return None
    if entry["org_kind"] not in ORG_KINDS:
        problems.append(f"{name}: org_kind must be one of {', '.join(ORG_KINDS)}")
        return None
    role = str(entry.get("role") or "coordinator")
    if role not in ROLES:
        problems.append(f"{name}: role must be one of {', '.join(ROLES)}")
        return None
    values = (str(entry[f]).strip() for f in fields)
    return WebUser(name, *values, password_hash=str(entry.get("password_hash") or ""), role=role)


def dev_users() -> dict[str, WebUser]:
    return load_users(DEV_USERS_FILE)


# New hashes: werkzeug's scrypt (`scrypt:32768:8:1$salt$hash`), about 50-100 ms per check, so
# guessing is slow and signing in is not.
PASSWORD_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
# The users files written before werkzeug hashed passwords hold `scrypt:<salt hex>:<hash hex>`
# with these costs; such a hash still verifies (docs/webapp.md says how to replace it).
LEGACY_SCRYPT_N, LEGACY_SCRYPT_R, LEGACY_SCRYPT_P = 2**14, 8, 1
LEGACY_PREFIX = "scrypt:"


def hash_password(password: str) -> str:
    """The `password_hash` to put in the users file (`ltsc-adapter` docs: docs/webapp.md)."""
    return generate_password_hash(password, method=PASSWORD_METHOD)


# Checked for unknown user names too, so the answer takes as long whether or not a name exists.
UNKNOWN_USER_HASH = generate_password_hash("no such user", method=PASSWORD_METHOD)


def password_matches(user: WebUser | None, password: str) -> bool:
    stored = user.password_hash if user is not None else UNKNOWN_USER_HASH
    return hash_matches(stored, password) and user is not None


def hash_matches(stored: str, password: str) -> bool:
    """werkzeug's hashes, and the legacy `scrypt:<salt>:<hash>` form."""
    if is_legacy_hash(stored):
        return _legacy_matches(stored, password)
    try:
        return check_password_hash(stored, password)
    except ValueError:  # an unknown method or a malformed hash never matches
        return False


def is_legacy_hash(stored: str) -> bool:
    parts = stored.split(":")
    return len(parts) == 3 and stored.startswith(LEGACY_PREFIX) and "$" not in stored


def _legacy_matches(stored: str, password: str) -> bool:
    _, salt_hex, hash_hex = stored.split(":")
    try:
        expected, salt = bytes.fromhex(hash_hex), bytes.fromhex(salt_hex)
    except ValueError:
        return False
    computed = hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=LEGACY_SCRYPT_N,
        r=LEGACY_SCRYPT_R,
        p=LEGACY_SCRYPT_P,
        dklen=len(expected) or 32,
    )
    return hmac.compare_digest(computed, expected)
