"""The outbox on the one write path: whatever writes through a store, its deliveries commit
with the change.

    attach_outbox(store, registry_file)       # idempotent: one outbox listener per store
    attach_configured_outbox(store, settings) # the partners file the settings name, if any

The member service attaches it for every entry point (ingest, events, ADT, polling, web app,
re-evaluation); the API's app factory attaches the same listener for its direct writes.
"""

from __future__ import annotations

from adapter.config import Settings
from adapter.exchange.listener import OutboxListener
from adapter.exchange.registry_file import RegistryFile
from adapter.store import Store


def attach_outbox(store: Store, registry_file: RegistryFile) -> OutboxListener:
    """The store's outbox listener, added on first call."""
    for listener in getattr(store, "listeners", ()):
        if isinstance(listener, OutboxListener):
            return listener
    listener = OutboxListener(registry_file.registry, registry_file.refresh)
    store.add_listener(listener)
    return listener


def attach_configured_outbox(store: Store, settings: Settings) -> OutboxListener | None:
    """Attach the outbox for the settings' partners file; None when no file is configured."""
    if not settings.exchange_partners_file:
        return None
    return attach_outbox(store, RegistryFile(settings.exchange_partners_file))
