"""Security: SMART bearer tokens, scopes, per-organization compartments, audit, safe logs.

from adapter.security import Principal, AccessPolicy, authenticate_bearer, AuthError

authenticator = Authenticator.from_settings(settings, engine)   # issuers, JWKS, clients
authenticator.server.token(form)                         # /auth/token (authorization_server)
principal = authenticate_bearer(request.headers.get("Authorization"), authenticator)
policy = AccessPolicy(store)
policy.allows(principal, "read", "Task")                 # SMART scopes
policy.can_access(principal, resource)                   # compartment, one resource
policy.member_ids(principal)                             # Patient ids, None = all
GuardedStore(store, policy, principal)                   # the store inside the compartment
"""

from adapter.security.authenticate import Authenticator, authenticate_bearer
from adapter.security.guarded_store import GuardedStore
from adapter.security.policy import AccessPolicy
from adapter.security.principal import AuthError, Forbidden, Principal

__all__ = [
    "AccessPolicy",
    "AuthError",
    "Authenticator",
    "Forbidden",
    "GuardedStore",
    "Principal",
    "authenticate_bearer",
]
