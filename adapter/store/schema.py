"""Tables: current and past resource versions, the search index, and member service records."""

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
