"""The store listener that enqueues each change's deliveries inside the change's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection

from adapter.exchange.outbox import enqueue
from adapter.exchange.partners import PartnerRegistry
from adapter.exchange.routing import MemberContext, ordering_key, receives, with_last_content

# The partner whose own change is being stored: it is not sent back its own move.
_ORIGIN: ContextVar[str | None] = ContextVar("exchange_origin", default=None)


@contextmanager
def from_partner(partner_id: str) -> Iterator[None]:
    """Writes inside the block are a partner's own changes: the others receive them."""
    token = _ORIGIN.set(partner_id)
    try:
        yield
    finally:
        _ORIGIN.reset(token)


class OutboxListener:
    """`store.add_listener(OutboxListener(registry))`: a change and its deliveries commit as one."""

    def __init__(self, registry: PartnerRegistry, refresh: Callable[[], Any] | None = None) -> None:
        self.registry = registry
        # Another process may have edited the registry file (admin API); checked per write.
        self.refresh = refresh

    def __call__(self, conn: Connection, change: dict[str, Any]) -> None:
        if self.refresh is not None:
            self.refresh()
        routed = with_last_content(conn, change)
        context = MemberContext(conn, routed)
        origin = _ORIGIN.get()
        destinations = [
            p.id for p in self.registry if p.id != origin and receives(p, routed, context)
        ]
        enqueue(conn, change, destinations, ordering_key(routed))
