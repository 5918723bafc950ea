"""Signing in and out: development users, the users file, CSRF, cookies and session timeout."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from itsdangerous import URLSafeTimedSerializer

from adapter import clock
from adapter.errors import ConfigurationError
from adapter.webapp.session import SEEN_KEY
from adapter.webapp.users import WebUser, hash_password, password_matches
from tests.webapp.conftest import CC, csrf, text_of


def test_signed_out_visitor_is_sent_to_sign_in(app):
    response = app.test_client().get("/app/work")
    assert response.status_code == 302
    assert response.location == "/app/sign-in"


def test_development_sign_in_lists_the_sample_users(app):
    page = text_of(app.test_client().get("/app/sign-in").text)
    assert "Sign in as Sean Thompson (Care Coordinator" in page
    assert "Sign in as Andrei Volkov (LTS-C, Metro Boston Independent Living Center)" in page
    assert "Sign in as Wilfredo Santiago (LTS-C, Metro Recovery Learning Community)" in page


def test_sample_users_cannot_sign_in_when_development_sign_in_is_off(make_app):
    client = make_app(webapp_dev_login=0).test_client()
    page = client.get("/app/sign-in").text
    assert "Sign in as" not in page
    assert "Sign-in is not set up on this server" in page
    form = {"csrf_token": token_without_a_form(client), "user": CC, "dev": "1"}
    response = client.post("/app/sign-in", data=form)
    assert response.status_code == 401
    assert client.get("/app/work").status_code == 302


def token_without_a_form(client) -> str:
    """A valid CSRF token for the client's session, made as Flask-WTF makes them."""
    with client.session_transaction() as session:
        session["csrf_token"] = "a-valid-token"
    signer = URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token")
    return str(signer.dumps("a-valid-token"))


def test_sign_in_without_the_csrf_token_is_refused(app):
    client = app.test_client()
    response = client.post("/app/sign-in", data={"user": CC, "dev": "1"})
    assert response.status_code == 400
    assert "The form has expired" in response.text
    assert client.get("/app/work").status_code == 302


def _users_file(tmp_path: Path) -> Path:
    path = tmp_path / "web-users.yaml"
    user = {
        "display_name": "Pat Lee (LTS-C)",
        "org_kind": "cbo",
        "org_id": "MBIL",
        "staff_id": "LTSC-0001",
        "password_hash": hash_password("correct horse battery"),
    }
    path.write_text(yaml.safe_dump({"pat.lee": user}), encoding="utf-8")
    return path


def test_users_file_user_signs_in_with_the_right_password_only(make_app, tmp_path):
    app = make_app(webapp_dev_login=0, webapp_users_file=str(_users_file(tmp_path)))
    client = app.test_client()
    wrong = {"csrf_token": csrf(client), "user": "pat.lee", "password": "guess"}
    assert client.post("/app/sign-in", data=wrong).status_code == 401
    right = {"csrf_token": csrf(client), "user": "pat.lee", "password": "correct horse battery"}
    assert client.post("/app/sign-in", data=right).status_code == 302
    assert "Signed in as Pat Lee (LTS-C)" in client.get("/app/work").text


def test_session_cookie_is_http_only_and_same_site(sign_in):
    client = sign_in(CC)
    cookie = client.get_cookie("ltsc_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # served on 127.0.0.1 in tests


def test_session_cookie_is_secure_beyond_this_host(make_app):
    app = make_app(host="0.0.0.0", webapp_dev_login=0)  # noqa: S104 -- the setting under test
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_sign_in_is_refused_on_a_server_others_can_reach(make_app):
    with pytest.raises(ConfigurationError, match="ADAPTER_WEBAPP_DEV_LOGIN=1 is for a server"):
        make_app(host="0.0.0.0")  # noqa: S104 -- the setting under test


def test_an_unknown_user_name_is_refused_like_a_wrong_password(make_app, tmp_path):
    app = make_app(webapp_dev_login=0, webapp_users_file=str(_users_file(tmp_path)))
    client = app.test_client()
    form = {"csrf_token": csrf(client), "user": "nobody", "password": "correct horse battery"}
    response = client.post("/app/sign-in", data=form)
    assert response.status_code == 401
    assert "The user name or password is not right." in response.text


def test_a_users_file_with_a_bad_entry_stops_start_up(make_app, tmp_path):
    path = tmp_path / "bad-users.yaml"
    path.write_text(yaml.safe_dump({"kim": {"display_name": "Kim", "org_kind": "ehr"}}))
    with pytest.raises(ConfigurationError, match="kim: missing org_id, staff_id"):
        make_app(webapp_users_file=str(path))


def test_idle_session_times_out(sign_in):
    client = sign_in(CC)
    with client.session_transaction() as session:
        session[SEEN_KEY] = int(clock.timestamp()) - 31 * 60
    response = client.get("/app/work")
    assert response.status_code == 302
    assert response.location == "/app/sign-in"


def test_sign_out_ends_the_session(sign_in):
    client = sign_in(CC)
    response = client.post("/app/sign-out", data={"csrf_token": csrf(client, "/app/work")})
    assert response.status_code == 302
    assert client.get("/app/work").status_code == 302


def legacy_hash(password: str) -> str:
    """A hash as the users file held them before werkzeug: `scrypt:<salt hex>:<hash hex>`."""
    salt = bytes(range(16))
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt:{salt.hex()}:{digest.hex()}"


def test_new_password_hashes_are_werkzeugs_and_legacy_ones_still_verify():
    user = WebUser("pat", "Pat", "cbo", "MBIL", "LTSC-0001", password_hash=hash_password("pw1"))
    assert user.password_hash.startswith("scrypt:") and "$" in user.password_hash
    assert password_matches(user, "pw1") and not password_matches(user, "pw2")
    old = replace(user, password_hash=legacy_hash("old secret"))
    assert password_matches(old, "old secret")
    assert not password_matches(old, "old secrets")
    assert not password_matches(replace(user, password_hash="scrypt:zz:zz"), "pw1")
    assert not password_matches(replace(user, password_hash=""), "")


def test_a_user_with_a_legacy_hash_signs_in(make_app, tmp_path):
    path = tmp_path / "web-users.yaml"
    entry = {
        "display_name": "Old Hand",
        "org_kind": "plan",
        "org_id": "CCA-OC",
        "staff_id": "CC-0008",
        "password_hash": legacy_hash("kept from last year"),
    }
    path.write_text(yaml.safe_dump({"old.hand": entry}), encoding="utf-8")
    client = make_app(webapp_dev_login=0, webapp_users_file=str(path)).test_client()
    form = {"csrf_token": csrf(client), "user": "old.hand", "password": "kept from last year"}
    assert client.post("/app/sign-in", data=form).status_code == 302


def test_a_users_file_role_must_be_known(make_app, tmp_path):
    path = tmp_path / "bad-role.yaml"
    entry = {"display_name": "Kim", "org_kind": "plan", "org_id": "CCA-OC",
             "staff_id": "CC-1", "role": "boss"}  # fmt: skip
    path.write_text(yaml.safe_dump({"kim": entry}), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="kim: role must be one of coordinator, superv"):
        make_app(webapp_users_file=str(path))


def _password_form(client, user: str, password: str) -> dict[str, str]:
    return {"csrf_token": csrf(client), "user": user, "password": password}


def test_five_wrong_passwords_lock_the_account_for_a_quarter_hour(make_app, tmp_path):
    app = make_app(webapp_dev_login=0, webapp_users_file=str(_users_file(tmp_path)))
    client = app.test_client()
    with clock.pinned("2026-12-01T10:00:00Z") as pinned:
        codes = [
            client.post("/app/sign-in", data=_password_form(client, "pat.lee", "guess")).status_code
            for _ in range(5)
        ]
        assert codes == [401, 401, 401, 401, 429]
        right = _password_form(client, "pat.lee", "correct horse battery")
        locked = client.post("/app/sign-in", data=right)
        assert locked.status_code == 429
        assert "Too many sign-in attempts failed for this user name" in text_of(locked.text)
        assert "paused for 15 minutes" in text_of(locked.text)
        assert locked.headers["Retry-After"] == "900"
        pinned.advance(minutes=14)
        assert client.post("/app/sign-in", data=right).status_code == 429
        pinned.advance(minutes=1, seconds=1)
        assert client.post("/app/sign-in", data=right).status_code == 302


def test_a_right_password_clears_the_accounts_failures(make_app, tmp_path):
    app = make_app(webapp_dev_login=0, webapp_users_file=str(_users_file(tmp_path)))
    client = app.test_client()
    with clock.pinned("2026-12-01T10:00:00Z"):
        for _ in range(4):
            client.post("/app/sign-in", data=_password_form(client, "pat.lee", "guess"))
        right = _password_form(client, "pat.lee", "correct horse battery")
        assert client.post("/app/sign-in", data=right).status_code == 302
        wrong = _password_form(client, "pat.lee", "guess")
        assert client.post("/app/sign-in", data=wrong).status_code == 401


def test_one_address_trying_many_names_is_paused(make_app, tmp_path):
    app = make_app(webapp_dev_login=0, webapp_users_file=str(_users_file(tmp_path)))
    client = app.test_client()
    with clock.pinned("2026-12-01T10:00:00Z"):
        codes = [
            client.post("/app/sign-in", data=_password_form(client, f"user{n}", "x")).status_code
            for n in range(20)
        ]
        assert codes[:19] == [401] * 19
        assert codes[19] == 429
        right = _password_form(client, "pat.lee", "correct horse battery")
        paused = client.post("/app/sign-in", data=right)
    assert paused.status_code == 429
    assert "this computer's network address" in text_of(paused.text)
