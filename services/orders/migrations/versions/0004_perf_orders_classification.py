"""우선구매 categories recorded at placement: supplier_order_category (the union of a
supplier order's line categories, indexed per category for the report), and a backfill of
every supplier order placed before this revision; and 견적서 (quotation, quotation_line).

The backfill does what placement now does: each line's categories from the enterprise type
and certification it snapshotted, under the category lists as they stand; supplier orders
recorded before (by a report) keep their rows. Self-contained (no application import), in
batches, the same on SQLite and PostgreSQL. Downgrade drops the new table; the line rows
stay (0003 reads them).

Revision ID: 0004_perf_orders
Revises: 0003
Create Date: 2026-11-30 08:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_perf_orders"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 2000

category = sa.table("priority_category", sa.column("code"), sa.column("members", sa.JSON))
supplier_order = sa.table("supplier_order", sa.column("id"))
line = sa.table(
    "supplier_order_line",
    sa.column("id"),
    sa.column("supplier_order_id"),
    sa.column("enterprise_type"),
    sa.column("certified", sa.Boolean),
)
classified = sa.table(
    "classified_supplier_order",
    sa.column("supplier_order_id"),
    sa.column("enterprise_type"),
    sa.column("certified", sa.Boolean),
    sa.column("classified_at", sa.DateTime(timezone=True)),
)
line_category = sa.table(
    "supplier_order_line_category",
    sa.column("supplier_order_line_id"),
    sa.column("category_code"),
    sa.column("supplier_order_id"),
)
order_category = sa.table(
    "supplier_order_category", sa.column("supplier_order_id"), sa.column("category_code")
)


def upgrade() -> None:
    op.create_table(
        "supplier_order_category",
        sa.Column("supplier_order_id", sa.String(length=26), nullable=False),
        sa.Column("category_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_order_id"],
            ["supplier_order.id"],
            name=op.f("fk_supplier_order_category_supplier_order_id_supplier_order"),
        ),
        sa.PrimaryKeyConstraint(
            "supplier_order_id", "category_code", name=op.f("pk_supplier_order_category")
        ),
    )
    op.create_index(
        "ix_supplier_order_category_code",
        "supplier_order_category",
        ["category_code", "supplier_order_id"],
        unique=False,
    )
    _create_quotations()
    bind = op.get_bind()
    _classify_unrecorded(bind)
    bind.execute(
        order_category.insert().from_select(
            ["supplier_order_id", "category_code"],
            sa.select(line_category.c.supplier_order_id, line_category.c.category_code).distinct(),
        )
    )


def downgrade() -> None:
    op.drop_table("quotation_line")
    with op.batch_alter_table("quotation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotation_request_id"))
        batch_op.drop_index(batch_op.f("ix_quotation_institution_id"))
        batch_op.drop_index(batch_op.f("ix_quotation_enterprise_id"))
    op.drop_table("quotation")
    op.drop_index("ix_supplier_order_category_code", table_name="supplier_order_category")
    op.drop_table("supplier_order_category")


def _create_quotations() -> None:
    op.create_table(
        "quotation",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("request_id", sa.String(length=26), nullable=False),
        sa.Column("institution_id", sa.String(length=26), nullable=False),
        sa.Column("institution_name", sa.String(length=100), nullable=False),
        sa.Column("institution_brn", sa.String(length=10), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=26), nullable=False),
        sa.Column("enterprise_name", sa.String(length=100), nullable=False),
        sa.Column("enterprise_brn", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("supply_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_amount", sa.BigInteger(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_quotation_institution_id_institution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotation")),
        sa.UniqueConstraint("number", name=op.f("uq_quotation_number")),
    )
    with op.batch_alter_table("quotation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quotation_enterprise_id"), ["enterprise_id"])
        batch_op.create_index(batch_op.f("ix_quotation_institution_id"), ["institution_id"])
        batch_op.create_index(batch_op.f("ix_quotation_request_id"), ["request_id"])
    op.create_table(
        "quotation_line",
        sa.Column("quotation_id", sa.String(length=26), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("product_version", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("tax_type", sa.String(length=10), nullable=False),
        sa.Column("supply_amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quotation_id"],
            ["quotation.id"],
            name=op.f("fk_quotation_line_quotation_id_quotation"),
        ),
        sa.PrimaryKeyConstraint("quotation_id", "line_no", name=op.f("pk_quotation_line")),
    )


def _classify_unrecorded(bind) -> None:
    members = {
        code: [(m["enterprise_type"], bool(m.get("certified_only"))) for m in listed or []]
        for code, listed in bind.execute(sa.select(category.c.code, category.c.members))
    }

    def codes(kind: str, certified: bool) -> list[str]:
        return [
            code
            for code, admitted in members.items()
            if any(t == kind and (certified or not only) for t, only in admitted)
        ]

    from datetime import UTC, datetime

    now = datetime.now(UTC)
    while True:
        pending = list(
            bind.scalars(
                sa.select(supplier_order.c.id)
                .outerjoin(classified, classified.c.supplier_order_id == supplier_order.c.id)
                .where(classified.c.supplier_order_id.is_(None))
                .limit(BATCH)
            )
        )
        if not pending:
            return
        rows = bind.execute(
            sa.select(line.c.supplier_order_id, line.c.id, line.c.enterprise_type, line.c.certified)
            .where(line.c.supplier_order_id.in_(pending))
            .order_by(line.c.supplier_order_id, line.c.id)
        ).all()
        types = {so_id: ("", False) for so_id in pending}
        per_line = []
        for so_id, line_id, kind, certified in rows:
            types[so_id] = (kind, bool(certified))
            per_line += [
                {"supplier_order_line_id": line_id, "category_code": c, "supplier_order_id": so_id}
                for c in codes(kind, bool(certified))
            ]
        if per_line:
            bind.execute(line_category.insert(), per_line)
        bind.execute(
            classified.insert(),
            [
                {"supplier_order_id": so_id, "enterprise_type": kind, "certified": cert,
                 "classified_at": now}
                for so_id, (kind, cert) in types.items()
            ],
        )  # fmt: skip
