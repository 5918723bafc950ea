"""Tables: resource versions, the search index, member service records, the exchange outbox
and the authorization server's clients and keys."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# The row a compare-and-set update races on: `version` only moves forward.
current = Table(
    "resource_current",
    metadata,
    Column("res_type", String(64), primary_key=True),
    Column("res_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("last_updated", DateTime, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("content", Text, nullable=False),
    Index("ix_current_type_updated", "res_type", "last_updated"),
)

# Every version ever written; (type, id, version) is unique so no two writers can both win.
versions = Table(
    "resource_version",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("last_updated", DateTime, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("content", Text, nullable=False),
    UniqueConstraint("res_type", "res_id", "version", name="uq_version_type_id_version"),
    Index("ix_version_updated", "last_updated"),
)

# Counters bumped in the transaction of every write that matters to a cache (store/generation.py).
generations = Table(
    "store_generation",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# One row per indexed value. token: system+value; reference: system=target type, value=id;
# string: value normalised (case and accents folded), exact=as written; uri: value;
# date: low..high, the instant range the value covers (naive UTC).
search_index = Table(
    "search_index",
    metadata,
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("param", String(64), nullable=False),
    Column("system", String(255)),
    Column("value", String(512)),
    Column("exact", String(512)),
    Column("low", DateTime),
    Column("high", DateTime),
    Index("ix_search_value", "res_type", "param", "value"),
    Index("ix_search_date", "res_type", "param", "low", "high"),
    Index("ix_search_resource", "res_type", "res_id", "param"),
    Index("ix_search_target", "param", "system", "value"),
)

# The member service's inputs, kept so an event can re-evaluate a member without the export:
# each plan's latest export header and directory, and each member's latest plan record.
plan_exports = Table(
    "plan_export",
    metadata,
    Column("plan_id", String(64), primary_key=True),
    Column("header", JSON, nullable=False),
    Column("directory", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# `revision` moves forward on every change: a compare-and-set on it keeps two concurrent
# events for one member from losing each other's item.
member_records = Table(
    "member_record",
    metadata,
    Column("member_id", String(64), primary_key=True),
    Column("plan_id", String(64), nullable=False),
    Column("masshealth_id", String(32)),
    Column("revision", Integer, nullable=False),
    Column("record", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_member_record_masshealth", "masshealth_id"),
)

# Inbound messages no member could be found for, kept for a person to resolve.
intake_reviews = Table(
    "intake_review",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source", String(255), nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Index("ix_intake_review_status", "status", "received_at"),
)


# The authorization server (adapter/security/): clients registered by an administrator, the
# server's own signing keys, and the client assertion ids (`jti`) already used.
auth_clients = Table(
    "auth_client",
    metadata,
    Column("client_id", String(128), primary_key=True),
    Column("org_kind", String(16), nullable=False),
    Column("org_id", String(64), nullable=False),
    Column("staff_id", String(64)),
    Column("scopes", Text, nullable=False),
    Column("jwks", Text),
    Column("jwks_url", String(2000)),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# `private_pem` is the PKCS#8 private key; the newest key signs, older ones stay published.
auth_signing_keys = Table(
    "auth_signing_key",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("alg", String(16), nullable=False),
    Column("private_pem", Text, nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

auth_assertion_ids = Table(
    "auth_assertion_jti",
    metadata,
    Column("client_id", String(128), primary_key=True),
    Column("jti", String(255), primary_key=True),
    Column("expires_at", DateTime, nullable=False),
    Index("ix_assertion_expiry", "expires_at"),
)


# Exchange (adapter/exchange/): the outbox, subscriptions, inbound de-duplication and polling
# cursors live beside the resources so a change and its deliveries commit together.
# One row per (change, destination). `ordering_key` groups the rows that must arrive in order
# (one member's resources); a row is only claimable when no older row of its key is pending.
outbox = Table(
    "exchange_outbox",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("destination", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("ordering_key", String(160), nullable=False),
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("version", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("payload", Text),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("lease_until", DateTime),
    Column("leased_by", String(64)),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("delivered_at", DateTime),
    Index("ix_outbox_claim", "status", "next_attempt_at"),
    Index("ix_outbox_order", "destination", "ordering_key", "seq"),
    Index("ix_outbox_resource", "destination", "res_type", "res_id"),
)

# FHIR R4 Subscriptions (rest-hook); `content` is the Subscription resource as accepted.
subscriptions = Table(
    "exchange_subscription",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("res_type", String(64), nullable=False),
    Column("criteria", String(2000), nullable=False),
    Column("status", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    # The subscriber (client, organization kind and id, staff id) as JSON: its compartment
    # decides which changes it is notified of. Null for subscriptions made before owners.
    Column("owner", Text),
    # The SubscriptionTopic canonical of a topic-based Subscription (R5 Backport), else null.
    Column("topic", String(255)),
    # Events since the subscription started: the last event number given out.
    Column("events", Integer, nullable=False, server_default="0"),
    # When the subscriber last heard from us (event or heartbeat): the heartbeat timer.
    Column("heartbeat_at", DateTime),
    Index("ix_subscription_type", "res_type", "status"),
)

# Each event a Subscription was notified of, by its number, so `$events` can replay them.
subscription_events = Table(
    "exchange_subscription_event",
    metadata,
    Column("subscription_id", String(64), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("version", String(16), nullable=False),
    Column("occurred_at", DateTime, nullable=False),
)

# Inbound versions already applied, so an overlapping poll window applies each one once.
inbound_seen = Table(
    "exchange_inbound_seen",
    metadata,
    Column("partner_id", String(128), primary_key=True),
    Column("res_type", String(64), primary_key=True),
    Column("res_id", String(64), primary_key=True),
    Column("version_id", String(64), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
)

# The `_lastUpdated` high-water mark of each polled partner.
poll_cursor = Table(
    "exchange_poll_cursor",
    metadata,
    Column("partner_id", String(128), primary_key=True),
    Column("last_updated", DateTime, nullable=False),
)

# Each run of a scheduled job (e.g. the daily re-evaluation): the day it evaluated as of,
# when it ran and what it found, so operators and the scheduler can see the last one.
job_runs = Table(
    "job_run",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("job", String(64), nullable=False),
    Column("as_of", String(10), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("summary", JSON, nullable=False),
    Index("ix_job_run_job", "job", "finished_at"),
)

# Bulk Data exports (adapter/bulk/): one row per `$export` kick-off, run by the worker process.
# `principal` is the requester as JSON (its compartment bounds the output); `output` the manifest
# entries once complete. Files live under `Settings.bulk_export_dir/<id>/` until `expires_at`.
bulk_export_jobs = Table(
    "bulk_export_job",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("principal", Text, nullable=False),
    Column("request_url", Text, nullable=False),
    Column("base_url", Text, nullable=False),
    Column("parameters", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("transaction_time", DateTime),
    Column("finished_at", DateTime),
    Column("expires_at", DateTime),
    Column("lease_until", DateTime),
    Column("progress", String(255)),
    Column("output", Text),
    Column("error", Text),
    Index("ix_bulk_export_status", "status", "created_at"),
)
