"""Web app users: the users file (YAML) and the development sample users."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from adapter.errors import ConfigurationError
from adapter.security import Principal

DEV_USERS_FILE = Path(__file__).with_name("dev_users.yaml")
ORG_KINDS = ("plan", "cbo")
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
    values = (str(entry[f]).strip() for f in fields)
    return WebUser(name, *values, password_hash=str(entry.get("password_hash") or ""))


def dev_users() -> dict[str, WebUser]:
    return load_users(DEV_USERS_FILE)


# scrypt cost: about 50 ms per check, so guessing is slow and signing in is not.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """`scrypt:<salt hex>:<hash hex>` for the users file's `password_hash`."""
    salt = secrets.token_bytes(16)
    return f"scrypt:{salt.hex()}:{_scrypt(password, salt).hex()}"


# Checked for unknown user names too, so the answer takes as long whether or not a name exists.
UNKNOWN_USER_HASH = "scrypt:00000000000000000000000000000000:" + "00" * 32


def password_matches(user: WebUser | None, password: str) -> bool:
    stored = user.password_hash if user is not None else UNKNOWN_USER_HASH
    return _hash_matches(stored, password) and user is not None


def _hash_matches(stored: str, password: str) -> bool:
    kind, _, rest = stored.partition(":")
    salt_hex, _, hash_hex = rest.partition(":")
    if kind != "scrypt" or not salt_hex or not hash_hex:
        return False
    try:
        expected, salt = bytes.fromhex(hash_hex), bytes.fromhex(salt_hex)
    except ValueError:
        return False
    return hmac.compare_digest(_scrypt(password, salt), expected)


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
