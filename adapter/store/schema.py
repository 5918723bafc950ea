"""Tables: the current version of each resource, every version, and the search index."""

from __future__ import annotations

from sqlalchemy import (
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
