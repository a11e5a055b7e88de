"""listing documents: files uploaded with a brand application

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:25:00

Written by hand against the models; works on SQLite and PostgreSQL (bytea).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_document",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("listing_id", sa.String(length=26), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["brand_listing.id"],
            name=op.f("fk_listing_document_listing_id_brand_listing"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_document")),
    )
    with op.batch_alter_table("listing_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_document_listing_id"), ["listing_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("listing_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_document_listing_id"))
    op.drop_table("listing_document")
