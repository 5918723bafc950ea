"""Web sessions: signed cookies, idle timeout, CSRF tokens (Flask-WTF) and the signed-in user."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, current_app, session
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from adapter import clock
from adapter.config import Settings

SECRET_FILE_NAME = "webapp-secret-key"  # noqa: S105 - a file name, not a secret
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
USER_KEY, SEEN_KEY = "user", "seen"
CSRF_FIELD = "csrf_token"  # Flask-WTF's default field name, which every form posts
EXPIRED_FORM = "The form has expired. Go back, reload the page and try again."
CSRF_EXTENSION = "ltsc_webapp_csrf"


def configure_sessions(app: Flask, settings: Settings) -> None:
    """Cookie flags and lifetime; Secure whenever the server is reachable beyond this host."""
    if not app.secret_key:
        app.secret_key = settings.webapp_secret_key or shared_secret_key(
            settings.state_path(SECRET_FILE_NAME)
        )
    app.config.update(
        SESSION_COOKIE_NAME="ltsc_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.host not in LOCAL_HOSTS,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.webapp_session_minutes),
        # Only the web app's forms are checked (see check_csrf); the FHIR API takes bearer
        # tokens, not cookies, so its POSTs need no CSRF token.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_FIELD_NAME=CSRF_FIELD,
        # A token lives as long as its session, whose idle timeout the product clock decides;
        # Flask-WTF's own time limit would read the machine's clock.
        WTF_CSRF_TIME_LIMIT=None,
        # Pages are sent with `Referrer-Policy: no-referrer`, so HTTPS posts carry no Referer
        # to compare; the token and the SameSite session cookie do the work.
        WTF_CSRF_SSL_STRICT=False,
    )
    if CSRF_EXTENSION not in app.extensions:
        app.extensions[CSRF_EXTENSION] = CSRFProtect(app)


def shared_secret_key(path: Path) -> str:
    """A random key created once and read by every worker process on this host."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):  # another worker may be writing it right now
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"the web app's secret key file {path} is empty")


def sign_in(user_name: str) -> None:
    """A fresh session (no fixation): the user, the time of this request; the next page
    gets a new CSRF token."""
    session.clear()
    session.permanent = True
    session[USER_KEY] = user_name
    session[SEEN_KEY] = int(clock.timestamp())


def sign_out() -> None:
    session.clear()


def current_user_name(timeout_minutes: int) -> str | None:
    """The signed-in user's name, or None when nobody is or the session sat idle too long."""
    name, seen = session.get(USER_KEY), session.get(SEEN_KEY)
    if not name or not isinstance(seen, int):
        return None
    now = int(clock.timestamp())
    if now - seen > timeout_minutes * 60:
        session.clear()
        return None
    session[SEEN_KEY] = now
    return str(name)


def csrf_token() -> str:
    """The session's CSRF token; signed-out visitors get one for the sign-in form."""
    return generate_csrf()


def check_csrf() -> None:
    """Every POST carries the session's token in a hidden field; anything else is refused."""
    try:
        app_csrf().protect()
    except CSRFError:
        abort(400, description=EXPIRED_FORM)


def app_csrf() -> CSRFProtect:
    return current_app.extensions[CSRF_EXTENSION]
