"""Versioned FHIR resource storage, history, search index and outbox (SQLite or PostgreSQL).

    store = open_store("sqlite:///var/adapter.db")      # or postgresql+psycopg://host/db
    store.read(type, id) / vread(type, id, version)     # NotFound, Gone
    store.create(resource, if_none_exist="identifier=sys|val")
    store.update(type, id, resource, if_match='W/"3"')  # upsert; "unchanged" when equal
    store.conditional_update(type, "identifier=sys|val", resource)
    store.delete(type, id, if_match=None)
    store.history(type=None, id=None, since=None, count=50, offset=0)
    store.search(type, [("status:not", "completed"), ("_count", "10")], strict=False)
    store.search(type, params, scope=fn)                # fn(type) -> criteria for every hop
    store.stream(type, params, scope=fn)                # every match, a batch at a time
    store.delete_matches(type, ids)                     # several deletes, one transaction
    store.transaction(bundle) / store.batch(bundle)     # response Bundles
    store.transaction(bundle, before_commit=fn)         # fn(connection) joins the transaction
    store.add_listener(fn)                              # fn(connection, change) per write
    adapter.store.members                               # member records, plan exports, reviews

Every write is one database transaction: a compare-and-set on the current row plus a unique
(type, id, version) key keep concurrent writers from losing updates.
"""

from adapter.store.model import HistoryPage, SearchPage, StoredResource, WriteOutcome
from adapter.store.params import SUPPORTED_TYPES, supported_search_params
from adapter.store.store import Store, open_store

__all__ = [
    "SUPPORTED_TYPES",
    "HistoryPage",
    "SearchPage",
    "Store",
    "StoredResource",
    "WriteOutcome",
    "open_store",
    "supported_search_params",
]
