"""The light web app for CBOs and LTS-Cs without a FHIR system, served under /app.

    register_webapp(app, store, settings)   # from the API's app factory

Pages are server-rendered and work without JavaScript; every action is a plain form that goes
through the member service, as an API write does (docs/webapp.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, request

from adapter.api.context import EXTENSION_KEY as API_KEY
from adapter.config import Settings
from adapter.errors import ConfigurationError
from adapter.services import MemberService
from adapter.webapp.access import shared_policy
from adapter.webapp.context import EXTENSION_KEY, WebContext
from adapter.webapp.session import LOCAL_HOSTS, configure_sessions
from adapter.webapp.users import dev_users, load_users
from adapter.webapp.views import webapp

__all__ = ["register_webapp"]


def register_webapp(app: Flask, store: Any, settings: Settings) -> None:
    """Mount the web app on an API app; users from the users file, sample users in dev mode."""
    if settings.webapp_dev_login and settings.host not in LOCAL_HOSTS:
        # Anyone who can reach the server could sign in as a sample user without a password.
        raise ConfigurationError(
            "ADAPTER_WEBAPP_DEV_LOGIN=1 is for a server on 127.0.0.1 only; "
            "set ADAPTER_WEBAPP_USERS_FILE for a server others can reach"
        )
    configure_sessions(app, settings)
    api = app.extensions.get(API_KEY)
    app.extensions[EXTENSION_KEY] = WebContext(
        settings=settings,
        store=store,
        users=load_users(settings.webapp_users_file) if settings.webapp_users_file else {},
        dev_users=dev_users() if settings.webapp_dev_login else {},
        service=MemberService(store, settings, validator=api.validator if api else None),
        policy=shared_policy(app, store, settings),
    )
    _leave_web_requests_to_the_web_app(app)
    app.register_blueprint(webapp)


def _leave_web_requests_to_the_web_app(app: Flask) -> None:
    """The API's app-wide hooks (bearer tokens, FHIR query checks, per-request audit) are for
    FHIR clients; people using /app sign in with a session and are audited per action."""
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [_unless_web(hook, lambda *args: None) for hook in hooks]
    after = app.after_request_funcs.get(None, [])
    after[:] = [_unless_web(hook, lambda response: response) for hook in after]


def _unless_web(hook: Callable[..., Any], instead: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(hook)
    def guarded(*args: Any) -> Any:
        if request.blueprint == webapp.name:
            return instead(*args)
        return hook(*args)

    return guarded
