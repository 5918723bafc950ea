"""Exchange with partner EHR and CBO FHIR servers: outbox delivery, inbound updates.

    register_exchange(app, store, settings)   # listeners + /admin/outbox, /admin/partners
                                              # (the API's app factory)
    OutboxListener(registry)                  # store listener: deliveries commit with the change
    SubscriptionListener(policy)              # store listener: Subscription notifications
    Worker(engine, destinations, options)     # `ltsc-adapter worker`: lease, send, settle
    TaskPoller(partner, client, store, validator)   # CBO Tasks changed since the last sync
    load_registry(path) -> PartnerRegistry    # partners YAML (see partners.example.yaml)

See docs/exchange.md for the delivery guarantees and the partner registry format.
"""

from importlib import import_module
from typing import Any

# Exported names, imported on first use: adapter.store.schema imports this package's tables,
# so importing everything here eagerly would import the store while it is still loading.
_EXPORTS = {
    "OutboxListener": "adapter.exchange.listener",
    "Partner": "adapter.exchange.partners",
    "PartnerRegistry": "adapter.exchange.partners",
    "SubscriptionListener": "adapter.exchange.subscriptions",
    "TaskPoller": "adapter.exchange.polling",
    "Worker": "adapter.exchange.worker",
    "WorkerOptions": "adapter.exchange.worker",
    "load_registry": "adapter.exchange.partners",
    "register_exchange": "adapter.exchange.admin_api",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'adapter.exchange' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
