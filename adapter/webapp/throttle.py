"""Sign-in rate limits: failed passwords lock an account, and a client address, for a while.

Counts are kept in the process (each server worker counts on its own) and timed by the product
clock (`adapter/clock.py`), so tests and the clock-ahead run move them like everything else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from adapter import clock

# Five wrong passwords in a quarter of an hour is more than people mistype; one more try every
# fifteen minutes keeps guessing a password out of reach without shutting a person out for long.
ACCOUNT_FAILURES = 5
# An address gets more room: several people may sign in from one office behind one address.
ADDRESS_FAILURES = 20
WINDOW_SECONDS = 15 * 60
LOCK_SECONDS = 15 * 60
# Past this many tracked names or addresses, the ones with nothing recent are forgotten.
MAX_TRACKED = 10_000


@dataclass
class _Failures:
    times: list[float] = field(default_factory=list)
    locked_until: float = 0.0


@dataclass(frozen=True)
class Lockout:
    """Why sign-in is refused for now, and for how many more seconds."""

    scope: str  # "account" | "address"
    seconds_left: int

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.seconds_left // 60))
        what = "this user name" if self.scope == "account" else "this computer's network address"
        return (
            f"Too many sign-in attempts failed for {what}. Sign-in is paused for {minutes} "
            f"minute{'s' if minutes != 1 else ''}; try again then, or ask your administrator "
            "to check your account."
        )


class SignInThrottle:
    """Failed sign-ins per account and per client address, with lockouts."""

    def __init__(
        self,
        account_failures: int = ACCOUNT_FAILURES,
        address_failures: int = ADDRESS_FAILURES,
    ) -> None:
        self.limits = {"account": account_failures, "address": address_failures}
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._lock = threading.Lock()

    def lockout(self, account: str, address: str) -> Lockout | None:
        """The lockout in force for this account or address, if any."""
        now = clock.timestamp()
        with self._lock:
            for scope, key in (("account", account), ("address", address)):
                found = self._failures.get((scope, key))
                if found is not None and found.locked_until > now:
                    return Lockout(scope, int(found.locked_until - now + 0.999))
        return None

    def failed(self, account: str, address: str) -> Lockout | None:
        """Count a failed sign-in; the lockout it starts, if any."""
        now = clock.timestamp()
        started = None
        with self._lock:
            self._forget_old(now)
            for scope, key in (("account", account), ("address", address)):
                entry = self._failures.setdefault((scope, key), _Failures())
                entry.times = [t for t in entry.times if now - t < WINDOW_SECONDS] + [now]
                if len(entry.times) >= self.limits[scope] and started is None:
                    entry.locked_until = now + LOCK_SECONDS
                    entry.times = []
                    started = Lockout(scope, LOCK_SECONDS)
        return started

    def succeeded(self, account: str) -> None:
        """A right password clears the account's failures (not the address's)."""
        with self._lock:
            self._failures.pop(("account", account), None)

    def _forget_old(self, now: float) -> None:
        if len(self._failures) < MAX_TRACKED:
            return
        stale = [
            key
            for key, entry in self._failures.items()
            if entry.locked_until <= now and all(now - t >= WINDOW_SECONDS for t in entry.times)
        ]
        for key in stale:
            del self._failures[key]
