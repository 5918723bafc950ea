"""The store listener that enqueues each change's deliveries inside the change's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from adapter.exchange.outbox import enqueue
from adapter.exchange.partners import PartnerRegistry
from adapter.exchange.routing import MemberContext, ordering_key, receives, with_last_content


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
        destinations = [p.id for p in self.registry if receives(p, routed, context)]
        enqueue(conn, change, destinations, ordering_key(routed))
