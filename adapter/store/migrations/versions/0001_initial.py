"""Current and versioned resources and the search index."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resource_current",
        sa.Column("res_type", sa.String(64), primary_key=True),
        sa.Column("res_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_updated", sa.DateTime, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )
    op.create_index("ix_current_type_updated", "resource_current", ["res_type", "last_updated"])
    op.create_table(
        "resource_version",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_updated", sa.DateTime, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.UniqueConstraint("res_type", "res_id", "version", name="uq_version_type_id_version"),
    )
    op.create_index("ix_version_updated", "resource_version", ["last_updated"])
    op.create_table(
        "search_index",
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("param", sa.String(64), nullable=False),
        sa.Column("system", sa.String(255)),
        sa.Column("value", sa.String(512)),
        sa.Column("exact", sa.String(512)),
        sa.Column("low", sa.DateTime),
        sa.Column("high", sa.DateTime),
    )
    op.create_index("ix_search_value", "search_index", ["res_type", "param", "value"])
    op.create_index("ix_search_date", "search_index", ["res_type", "param", "low", "high"])
    op.create_index("ix_search_resource", "search_index", ["res_type", "res_id", "param"])
    op.create_index("ix_search_target", "search_index", ["param", "system", "value"])


def downgrade() -> None:
    op.drop_table("search_index")
    op.drop_table("resource_version")
    op.drop_table("resource_current")
