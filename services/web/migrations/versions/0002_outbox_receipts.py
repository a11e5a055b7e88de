"""outbox: consumers confirm what they received (check_after, confirmed_at, resends), and
the trace an event was recorded in (trace_parent)

Rows from before stay unconfirmed and are never asked about (check_after is NULL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 16:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("check_after", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resends", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("trace_parent", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_outbox_check_after"), ["check_after"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(batch.f("ix_outbox_check_after"))
        batch.drop_column("trace_parent")
        batch.drop_column("resends")
        batch.drop_column("confirmed_at")
        batch.drop_column("check_after")
