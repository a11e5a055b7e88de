"""Revision 0007_search on a database that already holds products (SQLite or PostgreSQL):
the gram index is backfilled and answers at once, follows inserts, updates and deletes
(SQLite: the FTS5 triggers; both: the cascade), and downgrade restores the pg_trgm index."""

from pathlib import Path

from alembic import command
from sqlalchemy import delete, insert, inspect, select, text, update

from catalog.adapters.models import Product, ProductSearch
from catalog.adapters.queries import holds_grams
from catalog.domain.search_index import product_search_text
from catalog.domain.search_text import grams
from gachi_kit.db import make_engine
from gachi_kit.migrations import alembic_config

SERVICE_DIR = Path(__file__).resolve().parents[2] / "services" / "catalog"
STAMP = "2026-01-05 09:00:00+00:00"


def _add_product(conn, id_: str, name: str) -> None:
    conn.execute(
        text(
            "INSERT INTO product (id, enterprise_id, sku, name, description, category, unit, "
            "unit_price, tax_type, min_order_qty, lead_time_days, tags, image_urls, status, "
            "version, search_text, search_name, created_at, updated_at) VALUES (:id, 'E1', :id, "
            ":name, '', 'food', '봉', 3500, 'taxable', 1, 3, '[]', '[]', 'active', 1, :st, '', "
            ":t, :t)"
        ),
        {"id": id_, "name": name, "t": STAMP, "st": _text(name)},
    )


def _text(name: str) -> str:
    return product_search_text(
        name=name,
        enterprise_name="광명두부마을 협동조합",
        sku="SKU",
        category_label="식품",
        group_name=None,
        tags=[],
        description="",
    )


def test_0007_indexes_existing_products_and_follows_writes(fresh_url):
    config = alembic_config(SERVICE_DIR, fresh_url)
    command.upgrade(config, "0006")
    engine = make_engine(fresh_url)  # SQLite: foreign keys on, as the services run
    dialect = engine.dialect.name
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enterprise (id, name, enterprise_type, brn, representative, "
                "sido_code, sigungu_code, address, status, search_text, created_at, "
                "updated_at) VALUES ('E1', '광명두부마을 협동조합', 'cooperative', '1018100001', "
                "'김순자', '41', '41210', '', 'active', '', :t, :t)"
            ),
            {"t": STAMP},
        )
        _add_product(conn, "P1", "국산콩 두부과자 200g")
        _add_product(conn, "P2", "포기김치 10kg")
    command.upgrade(config, "head")

    def found(term: str) -> list[str]:
        with engine.connect() as conn:
            query = select(Product.id).where(holds_grams(term, dialect)).order_by(Product.id)
            return list(conn.scalars(query))

    with engine.connect() as conn:
        rows = conn.execute(select(ProductSearch.product_id, ProductSearch.grams)).all()
    assert sorted(rows) == [
        ("P1", grams(_text("국산콩 두부과자 200g"))),
        ("P2", grams(_text("포기김치 10kg"))),
    ]
    assert found("두부과") == ["P1"] and found("ㄷㅂㄱㅈ") == ["P1"] and found("김치") == ["P2"]
    assert found("광명") == ["P1", "P2"] and found("떡") == []

    with engine.begin() as conn:
        _add_product(conn, "P3", "쑥떡 1kg")
        conn.execute(insert(ProductSearch).values(product_id="P3", grams=grams(_text("쑥떡"))))
    assert found("떡") == ["P3"]
    with engine.begin() as conn:
        p3 = ProductSearch.product_id == "P3"
        conn.execute(update(ProductSearch).where(p3).values(grams=grams(_text("찹쌀떡"))))
    assert found("쑥떡") == [] and found("찹쌀") == ["P3"]
    with engine.begin() as conn:
        conn.execute(delete(Product).where(Product.id == "P3"))  # cascades to product_search
    assert found("찹쌀") == [] and found("광명") == ["P1", "P2"]

    command.downgrade(config, "0006")
    indexes = {i["name"] for i in inspect(engine).get_indexes("product")}
    assert "ix_product_search_text_trgm" in indexes
    assert not inspect(engine).has_table("product_search")
    command.upgrade(config, "head")
    assert found("김치") == ["P2"]
    engine.dispose()
