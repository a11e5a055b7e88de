"""product.category references the managed category list

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:45:00

The use cases always checked a product's category against the `category` table; now the
database does too. A product whose category row is missing (only possible if a row was
removed by hand) gets the row back, labelled with its code, before the key is added.
Works on SQLite (batch mode: the table is copied) and PostgreSQL.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO category (code, label, sort_order, created_at) "
        "SELECT DISTINCT p.category, p.category, 1000, CURRENT_TIMESTAMP FROM product p "
        "WHERE NOT EXISTS (SELECT 1 FROM category c WHERE c.code = p.category)"
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_product_category_category"), "category", ["category"], ["code"]
        )


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_product_category_category"), type_="foreignkey")
