"""listing re-reviews (renewal, material change), review rounds, reviewed price

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:10:00

Written by hand against the models:
- brand_listing gains the re-review columns, review_round (server default 1) and the price the
  committee last reviewed (backfilled from the product for approved listings);
- a vote belongs to a review round: listing_vote.round (server default 1) and the unique
  constraint becomes (listing_id, round, member_sub), under the same name.
Works on SQLite (batch mode) and PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("brand_listing", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_round", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("rereview_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("rereview_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("rereview_opened_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("rereview_changes", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("renewal_opened_for", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_unit_price", sa.Integer(), nullable=True))

    op.execute(
        "UPDATE brand_listing SET reviewed_unit_price = "
        "(SELECT product.unit_price FROM product WHERE product.id = brand_listing.product_id) "
        "WHERE status IN ('approved', 'suspended')"
    )

    with op.batch_alter_table("listing_vote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_constraint("uq_listing_vote_listing_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_listing_vote_listing_id", ["listing_id", "round", "member_sub"]
        )


def downgrade() -> None:
    with op.batch_alter_table("listing_vote", schema=None) as batch_op:
        batch_op.drop_constraint("uq_listing_vote_listing_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_listing_vote_listing_id", ["listing_id", "member_sub"]
        )
        batch_op.drop_column("round")

    with op.batch_alter_table("brand_listing", schema=None) as batch_op:
        batch_op.drop_column("reviewed_unit_price")
        batch_op.drop_column("renewal_opened_for")
        batch_op.drop_column("rereview_changes")
        batch_op.drop_column("rereview_opened_at")
        batch_op.drop_column("rereview_kind")
        batch_op.drop_column("rereview_status")
        batch_op.drop_column("review_round")
