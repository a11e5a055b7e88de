"""A year's 우선구매 report for one institution with 200,000 supplier-order lines and 50
departments, beside the raw SQL aggregate it needs; then the .xlsx export of those lines
(time, CPU and peak memory: it is streamed with XlsxWriter's constant-memory mode).

    .venv/bin/python bench/performance_report.py [--lines 200000] [--departments 50]

A fresh orders database (SQLite in a temp folder, or PostgreSQL with DATABASE_URL_BASE and
TEST_DB_PREFIX) filled with bulk inserts; the use cases run in-process (no HTTP), so the
figures are the report's own cost. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
from sqlalchemy import func, insert, select, text

from gachi_kit.auth import Principal, generate_keypair
from gachi_kit.dates import today_kst
from gachi_kit.events import new_id
from orders import create_app
from orders.adapters.models import (
    Department,
    Institution,
    Order,
    OrderLine,
    SupplierOrder,
    SupplierOrderLine,
)
from orders.adapters.performance_models import SupplierOrderCategory
from orders.domain.performance import year_bounds
from orders.services.performance import exports, report
from orders.services.performance.classification import classify_pending
from tests.support import infra

TYPES = [
    ("social_enterprise", True),
    ("social_cooperative", False),
    ("cooperative", False),
    ("village_enterprise", False),
    ("self_reliance_enterprise", False),
    ("preliminary_social_enterprise", False),
]
LINES_PER_SUPPLIER_ORDER, SUPPLIER_ORDERS_PER_ORDER = 2, 2


def fill(db, institution_id: str, departments: list[str], lines: int, seed: int = 7) -> None:
    """Orders of two supplier orders of two lines each; 90 % inspected this year (spread
    over the year so far), 5 % cancelled, 5 % delivered and not inspected."""
    rng = random.Random(seed)
    year = today_kst().year
    start, _ = year_bounds(year)
    span = max(1, int((datetime.now(UTC) - start).total_seconds()))
    enterprises = [(new_id(), f"기업 {i:03d}", *TYPES[i % len(TYPES)]) for i in range(300)]
    orders, order_lines, supplier_orders, so_lines = [], [], [], []
    per_order = LINES_PER_SUPPLIER_ORDER * SUPPLIER_ORDERS_PER_ORDER
    for _ in range(lines // per_order):
        order_id, department = new_id(), rng.choice(departments)
        orders.append(
            dict(id=order_id, institution_id=institution_id, institution_name="벤치시청",
                 department=department, buyer_id="bench", routing_policy="local_first",
                 acceptance_hours=24, status="placed", delivery_address="벤치시 1",
                 needed_by=start.date(), memo="", supply_amount=0, vat_amount=0,
                 total_amount=0, version=1, created_at=start)
        )  # fmt: skip
        for s in range(SUPPLIER_ORDERS_PER_ORDER):
            eid, name, kind, certified = rng.choice(enterprises)
            roll = rng.random()
            status = "inspected" if roll < 0.9 else ("cancelled" if roll < 0.95 else "delivered")
            moment = start + timedelta(seconds=rng.randrange(span))
            so_id, supply = new_id(), 0
            for n in range(LINES_PER_SUPPLIER_ORDER):
                line_id, qty, price = new_id(), rng.randint(1, 40), rng.randint(1_000, 90_000)
                supply += qty * price
                order_lines.append(
                    dict(id=line_id, order_id=order_id, line_no=s * 2 + n + 1, product_id=None,
                         group_code=None, name="두부과자", unit="봉", quantity=qty, status="open",
                         unfulfillable_quantity=0, cancelled_quantity=0)
                )  # fmt: skip
                so_lines.append(
                    dict(id=new_id(), supplier_order_id=so_id, order_line_id=line_id,
                         line_no=n + 1, product_id=new_id(), product_version=1, sku="B-1",
                         name="두부과자", unit="봉", quantity=qty, unit_price=price,
                         tax_type="taxable", enterprise_type=kind, certified=certified,
                         certification_number=None, capacity_week=start.date(),
                         accepted_quantity=qty, inspected_accepted_quantity=qty,
                         inspected_rejected_quantity=0, cancelled=status == "cancelled")
                )  # fmt: skip
            void = status == "cancelled"
            vat = 0 if void else supply // 10
            supplier_orders.append(
                dict(id=so_id, order_id=order_id, enterprise_id=eid, enterprise_name=name,
                     status=status, supply_amount=0 if void else supply, vat_amount=vat,
                     total_amount=0 if void else supply + vat, acceptance_deadline=moment,
                     inspected_at=moment if status == "inspected" else None,
                     delivered_at=moment, version=1, created_at=moment, updated_at=moment)
            )  # fmt: skip
    with db.transaction() as session:
        for model, rows in (
            (Order, orders),
            (OrderLine, order_lines),
            (SupplierOrder, supplier_orders),
            (SupplierOrderLine, so_lines),
        ):
            for i in range(0, len(rows), 5000):
                session.execute(insert(model), rows[i : i + 5000])


def raw_aggregate(db, institution_id: str) -> tuple[int, int]:
    """The SQL the report needs at its core, by hand: the year's counted supply per
    department, and per category (through the categories recorded per supplier order)."""
    start, end = year_bounds(today_kst().year)
    counted = (
        select(SupplierOrder.id, SupplierOrder.supply_amount, Order.department)
        .join(Order, Order.id == SupplierOrder.order_id)
        .where(
            Order.institution_id == institution_id,
            SupplierOrder.status.not_in(("declined", "expired", "cancelled")),
            SupplierOrder.inspected_at >= start,
            SupplierOrder.inspected_at < end,
        )
        .subquery()
    )
    with db.reading() as session:
        by_department = session.execute(
            select(counted.c.department, func.sum(counted.c.supply_amount)).group_by(
                counted.c.department
            )
        ).all()
        by_category = session.execute(
            select(SupplierOrderCategory.category_code, func.sum(counted.c.supply_amount))
            .join(SupplierOrderCategory, SupplierOrderCategory.supplier_order_id == counted.c.id)
            .group_by(SupplierOrderCategory.category_code)
        ).all()
    return sum(int(v) for _, v in by_department), len(by_category)


class PeakRss:
    """The process's resident memory before and at its highest during a `with` block."""

    def __enter__(self):
        self.process = psutil.Process()
        self.before = self.peak = self.process.memory_info().rss
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *_exc) -> None:
        self.running = False
        self.thread.join()


def cpu_seconds(db) -> float:
    """CPU used so far by this process and, on PostgreSQL, by the server processes serving
    this benchmark's database (the work the SQL costs happens there)."""
    own = psutil.Process().cpu_times()
    total = own.user + own.system
    if db.engine.dialect.name == "postgresql":
        name = db.engine.url.database
        for process in psutil.process_iter(["name", "cmdline"]):
            try:
                if process.info["name"] == "postgres" and name in " ".join(
                    process.info["cmdline"] or ()
                ):
                    times = process.cpu_times()
                    total += times.user + times.system
            except psutil.Error:
                continue
    return total


def timed(label: str, work, db, runs: int = 5):
    """Wall time and CPU (all processes) per run; the machine is shared, so the CPU figure
    is the steadier one and the ratio below is taken on it."""
    samples, cpu, result = [], [], None
    for _ in range(runs):
        began, cpu_began = time.perf_counter(), cpu_seconds(db)
        result = work()
        samples.append((time.perf_counter() - began) * 1000)
        cpu.append((cpu_seconds(db) - cpu_began) * 1000)
    print(f"{label:<52}{min(samples):>10.0f} ms wall, {statistics.median(cpu):.0f} ms CPU "
          f"(best wall / median CPU of {runs})")  # fmt: skip
    return result, statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--departments", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gachi-bench-performance-"))
    url = infra.database_url("orders", folder, "_bench_performance")
    private, public = generate_keypair()
    app = create_app(
        {"ORDERS_DATABASE_URL": url, "GACHI_DATA_DIR": str(folder), "JWT_PRIVATE_KEY": private,
         "JWT_PUBLIC_KEY": public, "LOG_LEVEL": "WARNING", "REDIS_URL": "redis://127.0.0.1:1/0"}
    )  # fmt: skip
    wiring = app.extensions["orders"]
    departments = [f"부서{i:02d}" for i in range(1, args.departments + 1)]
    institution_id = new_id()
    with wiring.db.transaction() as session:
        session.add(
            Institution(id=institution_id, name="벤치시청", kind="지자체", sido_code="41",
                        departments=[Department(name=d) for d in departments])
        )  # fmt: skip
    print("== gachi 우선구매 report benchmark ==")
    print(f"date:       {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"machine:    {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"python:     {platform.python_version()}")
    print(f"database:   {wiring.db.engine.dialect.name}")
    began = time.perf_counter()
    fill(wiring.db, institution_id, departments, args.lines)
    took = time.perf_counter() - began
    print(f"data:       {args.lines:,} supplier-order lines, {args.lines // 2:,} supplier orders,")
    print(f"            {args.departments} departments, 300 enterprises ({took:.1f} s to insert)")
    with wiring.db.transaction() as session:
        began = time.perf_counter()
        classified = classify_pending(session)
    took = (time.perf_counter() - began) * 1000
    label = "categories backfilled (migration 0004's work)"
    print(f"{label:<52}{took:>10.0f} ms ({classified:,} supplier orders)")
    if wiring.db.engine.dialect.name == "postgresql":
        # A bulk load leaves the planner without statistics until autovacuum gets to it;
        # without them it nests loops over 100,000-row tables. A real database has them.
        with wiring.db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()

    actor = Principal(sub="bench", role="institution_admin", org=institution_id)
    query = {"fiscal_year": today_kst().year}
    (total, _), raw_ms = timed(
        "raw SQL aggregate (by department, by category)",
        lambda: raw_aggregate(wiring.db, institution_id),
        wiring.db,
    )
    body, report_ms = timed(
        "report use case (every view, 1 grouped SQL + assembly)",
        lambda: report.build_report(wiring, actor, institution_id, query),
        wiring.db,
    )
    assert body["totals"]["supply"] == total, "the report and the raw aggregate disagree"
    print(f"{'report / raw SQL (CPU)':<52}{report_ms / raw_ms:>10.2f} x   "
          f"(totals agree: {total:,}원)")  # fmt: skip

    target = folder / "export.xlsx"
    sampler = PeakRss()
    began, cpu_began = time.perf_counter(), cpu_seconds(wiring.db)
    with sampler:
        exports.write_workbook(wiring, actor, institution_id, query, target)
    seconds, cpu = time.perf_counter() - began, cpu_seconds(wiring.db) - cpu_began
    print(f"{'xlsx export (every view + every line)':<52}{seconds * 1000:>10.0f} ms wall, "
          f"{cpu * 1000:.0f} ms CPU, {target.stat().st_size / 1e6:.1f} MB file")  # fmt: skip
    print(f"{'  CPU per exported line':<52}{cpu * 1e6 / args.lines:>10.0f} µs")
    print(f"{'  process RSS before → peak while exporting':<52}{sampler.before / 1e6:>10.0f} → "
          f"{sampler.peak / 1e6:.0f} MB (sampled every 20 ms)")  # fmt: skip
    wiring.db.dispose()


if __name__ == "__main__":
    main()
