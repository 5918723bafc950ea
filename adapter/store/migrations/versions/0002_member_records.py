"""Member service records: plan export headers, member records and the intake review queue."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_export",
        sa.Column("plan_id", sa.String(64), primary_key=True),
        sa.Column("header", sa.JSON, nullable=False),
        sa.Column("directory", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "member_record",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("masshealth_id", sa.String(32)),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_member_record_masshealth", "member_record", ["masshealth_id"])
    op.create_table(
        "intake_review",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_intake_review_status", "intake_review", ["status", "received_at"])


def downgrade() -> None:
    op.drop_table("intake_review")
    op.drop_table("member_record")
    op.drop_table("plan_export")
