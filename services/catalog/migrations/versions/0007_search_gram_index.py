"""product_search: a gram index that serves every search term, two-syllable words too

Revision ID: 0007_search
Revises: 0006
Create Date: 2026-11-30 08:30:00

Each product gets one `product_search` row holding the distinct characters and adjacent
pairs of its `search_text` (a frozen copy of `catalog.domain.search_text.grams`: a migration
must not change when the code does), backfilled here for existing products.

- PostgreSQL: `grams` is a `text[]` with a GIN index; the pg_trgm index on
  `product.search_text` (0002) goes: it served only terms of three or more characters, and
  the gram index serves every length (the extension stays; downgrade rebuilds the index).
- SQLite: `grams` is one space-separated string; an FTS5 table over it (external content,
  rowid = `product_search.id`, no positions since only membership is asked) is filled with
  'rebuild' and then kept in step by three triggers on `product_search`. The triggers live
  on this table, which no batch migration of `product` recreates.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007_search"
down_revision = "0006"
branch_labels = None
depends_on = None

FTS = "product_search_fts"
TRIGGERS = {
    "product_search_ai": f"AFTER INSERT ON product_search BEGIN "
    f"INSERT INTO {FTS}(rowid, grams) VALUES (new.id, new.grams); END",
    "product_search_ad": f"AFTER DELETE ON product_search BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.id, old.grams); END",
    "product_search_au": f"AFTER UPDATE ON product_search BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, grams) VALUES ('delete', old.id, old.grams); "
    f"INSERT INTO {FTS}(rowid, grams) VALUES (new.id, new.grams); END",
}


def _grams(text: str) -> list[str]:
    out: set[str] = set()
    for field in text.replace("#", "|").split("|"):
        out.update(field)
        out.update(field[i : i + 2] for i in range(len(field) - 1))
    return sorted(out)


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    grams_type = postgresql.ARRAY(sa.Text()) if postgres else sa.Text()
    table = op.create_table(
        "product_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("grams", grams_type, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_search_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_search")),
        sa.UniqueConstraint("product_id", name=op.f("uq_product_search_product_id")),
    )
    product = sa.table("product", sa.column("id"), sa.column("search_text"))
    rows = bind.execute(sa.select(product.c.id, product.c.search_text).order_by(product.c.id))
    while batch := rows.fetchmany(5_000):
        op.bulk_insert(
            table,
            [
                {"product_id": id_, "grams": g if postgres else " ".join(g)}
                for id_, g in ((r.id, _grams(r.search_text)) for r in batch)
            ],
        )
    op.create_index(
        "ix_product_search_grams",
        "product_search",
        ["grams"],
        postgresql_using="gin",
        sqlite_where=sa.text("0"),  # SQLite: an always-empty stand-in; FTS5 serves there
    )
    op.drop_index("ix_product_search_text_trgm", table_name="product")
    if not postgres:
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(grams, content='product_search', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 0', detail='none', "
            "columnsize=0)"
        )
        op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # trusted since PostgreSQL 13
    else:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute(f"DROP TABLE {FTS}")
    op.create_index(
        "ix_product_search_text_trgm",
        "product",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
        sqlite_where=sa.text("0"),
    )
    op.drop_index("ix_product_search_grams", table_name="product_search")
    op.drop_table("product_search")
