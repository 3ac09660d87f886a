"""checkpoints: indexes for the check; alert retries (channels done, lease)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

import statuspage.models  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The checkpoint check reads open incidents and each one's latest update only.
    with op.batch_alter_table("incident") as batch_op:
        batch_op.create_index("ix_incident_status", ["status"])
    with op.batch_alter_table("update") as batch_op:
        batch_op.create_index(
            "ix_update_incident_published", ["incident_id", "published_at"]
        )
    # Failed alert sends are retried per channel, under a lease.
    with op.batch_alter_table("alert") as batch_op:
        batch_op.add_column(
            sa.Column(
                "channels_done", sa.String(100), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column(
                "lease_until",
                statuspage.models.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("alert") as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("channels_done")
    with op.batch_alter_table("update") as batch_op:
        batch_op.drop_index("ix_update_incident_published")
    with op.batch_alter_table("incident") as batch_op:
        batch_op.drop_index("ix_incident_status")
