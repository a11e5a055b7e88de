"""inbound_event.envelope: a dead event kept for an operator's replay

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_event") as batch:
        batch.add_column(sa.Column("envelope", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_event") as batch:
        batch.drop_column("envelope")
