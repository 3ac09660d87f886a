"""incident change token: a publish re-reads only incidents that changed

Revision ID: 0006
Revises: 0005

Every write that changes what an incident's public pages show sets a new random
token on the incident row. The site build reads `(id, change_token)` of every
incident and re-reads in full only those whose token it has not seen.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import statuspage.models  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A fresh random token per existing row, in each dialect's own SQL.
_FILL = {
    "sqlite": "UPDATE incident SET change_token = lower(hex(randomblob(16)))",
    "postgresql": (
        "UPDATE incident SET change_token = "
        "md5(random()::text || clock_timestamp()::text || id::text)"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch_op:
        batch_op.add_column(
            sa.Column("change_token", sa.String(32), nullable=False, server_default="")
        )
    with op.batch_alter_table("incident") as batch_op:
        # The build reads every token from the index alone, and looks up the
        # incidents of the new ones.
        batch_op.create_index("ix_incident_change_token", ["change_token"])
    dialect = op.get_bind().dialect.name
    if dialect in _FILL:
        op.execute(_FILL[dialect])
    else:  # pragma: no cover - other databases: one token per row from Python
        rows = op.get_bind().execute(sa.text("SELECT id FROM incident")).fetchall()
        for (incident_id,) in rows:
            op.execute(
                sa.text(
                    "UPDATE incident SET change_token = :t WHERE id = :i"
                ).bindparams(t=statuspage.models.new_change_token(), i=incident_id)
            )


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch_op:
        batch_op.drop_index("ix_incident_change_token")
        batch_op.drop_column("change_token")
