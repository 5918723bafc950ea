"""Exchange outbox, subscriptions, inbound de-duplication and polling cursors."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _seq() -> sa.Column:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def upgrade() -> None:
    op.create_table(
        "exchange_outbox",
        _seq(),
        sa.Column("destination", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ordering_key", sa.String(160), nullable=False),
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("lease_until", sa.DateTime),
        sa.Column("leased_by", sa.String(64)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("delivered_at", sa.DateTime),
    )
    op.create_index("ix_outbox_claim", "exchange_outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_order", "exchange_outbox", ["destination", "ordering_key", "seq"])
    op.create_index("ix_outbox_resource", "exchange_outbox", ["destination", "res_type", "res_id"])
    op.create_table(
        "exchange_subscription",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("criteria", sa.String(2000), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_subscription_type", "exchange_subscription", ["res_type", "status"])
    op.create_table(
        "exchange_inbound_seen",
        sa.Column("partner_id", sa.String(128), primary_key=True),
        sa.Column("res_type", sa.String(64), primary_key=True),
        sa.Column("res_id", sa.String(64), primary_key=True),
        sa.Column("version_id", sa.String(64), primary_key=True),
        sa.Column("applied_at", sa.DateTime, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
    )
    op.create_table(
        "exchange_poll_cursor",
        sa.Column("partner_id", sa.String(128), primary_key=True),
        sa.Column("last_updated", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exchange_poll_cursor")
    op.drop_table("exchange_inbound_seen")
    op.drop_table("exchange_subscription")
    op.drop_table("exchange_outbox")
