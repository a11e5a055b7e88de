"""Revision 0004_perf_orders on a database that holds 0003 data (SQLite or PostgreSQL): every
supplier-order line placed before it gets its 우선구매 categories (the ones a report had
recorded are kept as they were), each supplier order the union of its lines'; downgrade and
upgrade again."""

from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import JSON, column, create_engine, select, table, text

from gachi_kit.migrations import alembic_config
from orders.migrate import seed_reference_rows

SERVICE_DIR = Path(__file__).resolve().parents[2] / "services" / "orders"
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def rows(name: str, values: list[dict]):
    return table(name, *[column(key) for key in values[0]]), values


def an_order(order_id: str, lines: list[tuple[str, str, str, bool]]) -> list:
    """(supplier order id, line id, enterprise type, certified) per line, one order."""
    orders = [
        dict(id=order_id, institution_id="I1", institution_name="광명시청", department="총무과",
             buyer_id="b", routing_policy="local_first", acceptance_hours=24, status="placed",
             delivery_address="광명시청", needed_by=date(2026, 3, 9), memo="", supply_amount=0,
             vat_amount=0, total_amount=0, version=1, created_at=NOW)
    ]  # fmt: skip
    order_lines, supplier_orders, so_lines = [], {}, []
    for n, (so_id, line_id, kind, certified) in enumerate(lines, start=1):
        order_lines.append(
            dict(id=f"OL{line_id}", order_id=order_id, line_no=n, product_id=None,
                 group_code=None, name="두부과자", unit="봉", quantity=1, status="open",
                 unfulfillable_quantity=0, cancelled_quantity=0)
        )  # fmt: skip
        supplier_orders[so_id] = dict(
            id=so_id, order_id=order_id, enterprise_id=f"E{so_id}", enterprise_name="기업",
            status="inspected", supply_amount=1000, vat_amount=100, total_amount=1100,
            acceptance_deadline=NOW, inspected_at=NOW, delivered_at=NOW, version=1,
            created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        so_lines.append(
            dict(id=line_id, supplier_order_id=so_id, order_line_id=f"OL{line_id}", line_no=n,
                 product_id="P1", product_version=1, sku="B-1", name="두부과자", unit="봉",
                 quantity=1, unit_price=1000, tax_type="taxable", enterprise_type=kind,
                 certified=certified, certification_number=None, capacity_week=date(2026, 3, 9),
                 accepted_quantity=1, inspected_accepted_quantity=1,
                 inspected_rejected_quantity=0, cancelled=False)
        )  # fmt: skip
    return [
        rows("purchase_order", orders),
        rows("order_line", order_lines),
        rows("supplier_order", list(supplier_orders.values())),
        rows("supplier_order_line", so_lines),
    ]


def test_0004_records_the_categories_of_lines_placed_before_it(fresh_url):
    config = alembic_config(SERVICE_DIR, fresh_url)
    command.upgrade(config, "0003")
    seed_reference_rows(fresh_url)  # what `orders.migrate` did after 0003
    engine = create_engine(fresh_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO institution (id, name, kind, sido_code, status, created_at) "
                 "VALUES ('I1', '광명시청', '지자체', '41', 'active', :t)"),
            {"t": NOW},
        )  # fmt: skip
        for model, values in [
            *an_order("O1", [("S1", "L1", "social_enterprise", True)]),
            *an_order(
                "O2",
                [
                    ("S2", "L2", "social_enterprise", False),
                    ("S2", "L3", "social_enterprise", False),
                    ("S3", "L4", "self_reliance_enterprise", False),
                ],
            ),
        ]:
            conn.execute(model.insert(), values)
        # A report under 0003 had recorded S1 already: kept as it was, not recorded again.
        conn.execute(
            text("INSERT INTO classified_supplier_order VALUES ('S1', 'social_enterprise', "
                 ":c, :t)"),
            {"c": True, "t": NOW},
        )  # fmt: skip
        conn.execute(
            text("INSERT INTO supplier_order_line_category VALUES ('L1', "
                 "'social_enterprise_products', 'S1')")
        )  # fmt: skip
        # …and an administrator removed 사회적기업 from the local category meanwhile.
        category = table("priority_category", column("code"), column("members", JSON))
        conn.execute(
            category.update()
            .where(category.c.code == "gwangmyeong_social_economy")
            .values(members=[{"enterprise_type": "self_reliance_enterprise"}])
        )

    command.upgrade(config, "head")
    with engine.connect() as conn:
        per_line = set(conn.execute(text("SELECT * FROM supplier_order_line_category")))
        per_order = set(conn.execute(text("SELECT * FROM supplier_order_category")))
        classified = {
            so_id: kind
            for so_id, kind in conn.execute(
                text("SELECT supplier_order_id, enterprise_type FROM classified_supplier_order")
            )
        }
    assert per_line == {
        ("L1", "social_enterprise_products", "S1"),
        # 예비 (not certified) 사회적기업: no national category, and no longer the local one
        ("L4", "self_reliance_products", "S3"),
        ("L4", "gwangmyeong_social_economy", "S3"),
    }
    assert per_order == {
        ("S1", "social_enterprise_products"),
        ("S3", "self_reliance_products"),
        ("S3", "gwangmyeong_social_economy"),
    }
    assert classified == {
        "S1": "social_enterprise",
        "S2": "social_enterprise",
        "S3": "self_reliance_enterprise",
    }

    command.downgrade(config, "0003")
    with engine.connect() as conn:
        tables = {
            row[0]
            for row in conn.execute(
                select(column("name")).select_from(table("sqlite_master"))
                if engine.dialect.name == "sqlite"
                else text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
        }
    assert "supplier_order_category" not in tables
    assert "supplier_order_line_category" in tables
    command.upgrade(config, "head")
    with engine.connect() as conn:
        again = set(conn.execute(text("SELECT * FROM supplier_order_category")))
    assert again == per_order
    engine.dispose()
