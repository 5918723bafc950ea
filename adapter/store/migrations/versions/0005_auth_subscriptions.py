"""Authorization server clients, signing keys and assertion ids; Subscription owners, topics and
event numbers."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_subscription") as table:
        table.add_column(sa.Column("owner", sa.Text))
        table.add_column(sa.Column("topic", sa.String(255)))
        table.add_column(sa.Column("events", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("heartbeat_at", sa.DateTime))
    op.create_table(
        "exchange_subscription_event",
        sa.Column("subscription_id", sa.String(64), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "auth_client",
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("org_kind", sa.String(16), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.String(64)),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("jwks", sa.Text),
        sa.Column("jwks_url", sa.String(2000)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "auth_signing_key",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("private_pem", sa.Text, nullable=False),
        sa.Column("public_jwk", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "auth_assertion_jti",
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("jti", sa.String(255), primary_key=True),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_assertion_expiry", "auth_assertion_jti", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_assertion_expiry", table_name="auth_assertion_jti")
    for name in (
        "auth_assertion_jti",
        "auth_signing_key",
        "auth_client",
        "exchange_subscription_event",
    ):
        op.drop_table(name)
    with op.batch_alter_table("exchange_subscription") as table:
        table.drop_column("heartbeat_at")
        table.drop_column("events")
        table.drop_column("topic")
        table.drop_column("owner")
