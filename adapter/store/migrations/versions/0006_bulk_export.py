"""Bulk Data export jobs."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_export_job",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("principal", sa.Text, nullable=False),
        sa.Column("request_url", sa.Text, nullable=False),
        sa.Column("base_url", sa.Text, nullable=False),
        sa.Column("parameters", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("transaction_time", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("lease_until", sa.DateTime),
        sa.Column("progress", sa.String(255)),
        sa.Column("output", sa.Text),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_bulk_export_status", "bulk_export_job", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_bulk_export_status", "bulk_export_job")
    op.drop_table("bulk_export_job")
