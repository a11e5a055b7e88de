"""Revision 0002 on a database that already holds 0001 data (SQLite or PostgreSQL): the new
search columns and the first price-history row are backfilled; downgrade and upgrade again."""

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from catalog.domain.search_index import product_search_name, product_search_text
from gachi_kit.migrations import alembic_config

SERVICE_DIR = Path(__file__).resolve().parents[2] / "services" / "catalog"


def test_0002_backfills_rows_written_under_0001(fresh_url):
    config = alembic_config(SERVICE_DIR, fresh_url)
    command.upgrade(config, "0001")
    engine = create_engine(fresh_url)
    stamp = "2026-01-05 09:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enterprise (id, name, enterprise_type, brn, representative, "
                "sido_code, sigungu_code, address, status, created_at, updated_at) VALUES "
                "('E1', '광명두부마을 협동조합', 'cooperative', '1018100001', '김순자', '41', "
                "'41210', '', 'active', :t, :t)"
            ),
            {"t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO product (id, enterprise_id, sku, name, description, category, unit, "
                "unit_price, tax_type, min_order_qty, lead_time_days, weekly_capacity, tags, "
                "status, version, created_at, updated_at) VALUES ('P1', 'E1', 'TOFU-SNACK-200', "
                "'국산콩 두부과자 200g', '바삭한 간식', 'food', '봉', 3500, 'taxable', 1, 3, 500, "
                "'[\"간식\"]', 'active', 3, :t, :t)"
            ),
            {"t": stamp},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        product = conn.execute(
            text("SELECT search_text, search_name, image_urls, stock FROM product")
        ).one()
        history = conn.execute(
            text("SELECT product_id, version, unit_price, tax_type FROM product_price_history")
        ).all()
        categories = conn.execute(text("SELECT label FROM category ORDER BY sort_order")).all()
        enterprise_text = conn.execute(text("SELECT search_text FROM enterprise")).scalar()
    assert product.search_text == product_search_text(
        name="국산콩 두부과자 200g",
        enterprise_name="광명두부마을 협동조합",
        sku="TOFU-SNACK-200",
        category_label="식품",
        group_name=None,
        tags=["간식"],
        description="바삭한 간식",
    )
    assert product.search_name == product_search_name("국산콩 두부과자 200g")
    assert product.stock is None and product.image_urls in ([], "[]")
    assert [tuple(h) for h in history] == [("P1", 3, 3500, "taxable")]
    assert [c.label for c in categories][:8] == [
        "식품",
        "생활용품",
        "사무용품",
        "공예품",
        "서비스",
        "청소·방역",
        "선물세트",
        "농산물",
    ]
    assert "광명두부마을협동조합" in enterprise_text

    # the CHECK constraints hold on both databases
    with engine.connect() as conn, pytest.raises(IntegrityError, match=r"(?i)check"):
        conn.execute(text("UPDATE product SET unit_price = -1"))

    command.downgrade(config, "0001")
    command.upgrade(config, "head")
    engine.dispose()
