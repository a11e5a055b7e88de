"""Catalog search benchmark: 100,000 products, Korean queries, three layers side by side.

Builds a migrated catalog database in a temporary folder (SQLite; and PostgreSQL too when
DATABASE_URL_BASE is set, in a database of its own that is dropped afterwards), bulk-inserts
N products (default 100,000) from 2,000 enterprises with realistic Korean names
(catalog_seed.py), then times each query

- through HTTP: `GET /v1/products` on the real app (JWT check, schema, use case, JSON),
- through the use case: `catalog.services.search.search_products`,
- as raw SQL: the exact statements the use case runs (one scan that returns the page's ids
  and the facet counts, then the page's rows by primary key), compiled to SQL text and
  executed on a bare DBAPI cursor,

and prints p50/p95 for each, the number of matches, and the SQL of one query.

    .venv/bin/python bench/catalog_search.py [--products N] [--seconds S] [--max-runs R]
        [--databases sqlite,postgresql]

Bounded: each query and layer stops after S seconds (default 3) or R runs (default 30).
Only local databases are touched. Also printed: the CPU per request summed over this
process and the PostgreSQL backends serving it (the figure a loaded machine does not
inflate), HTTP p95 as a multiple of raw SQL p95, and the sizes of the gram index beside
the product table. `--products 1000000` builds in bounded memory (rows go in per 5,000).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text, true  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from bench.catalog_seed import ENTERPRISES, build  # noqa: E402
from bench.load import percentile  # noqa: E402
from catalog import create_app  # noqa: E402
from catalog.migrate import migrate  # noqa: E402
from catalog.services import search  # noqa: E402
from catalog.services.search import plan_search, search_products  # noqa: E402
from gachi_kit.auth import Principal, generate_keypair, issue_token  # noqa: E402

QUERIES = [
    ("partial word", "q=김치"),
    ("partial word (3 syllables)", "q=두부과"),
    ("초성", "q=ㄷㅂㄱㅈ"),
    ("spaced", "q=호두 과자"),
    ("partial + filters", "q=김치&sido=52&price_max=50000&certified_on={today}"),
    ("brand word", "q=비츠원"),
    ("brand filter, by price", "brand=BITSONE&sort=price_asc"),
    ("browse a category", "category=office&sort=newest"),
]


def timed(fn, seconds: float, max_runs: int, cpu) -> tuple[list[float], float]:
    """Wall-clock samples (ms) and the CPU ms per run, this process plus the database's."""
    fn()  # warm-up (caches, plans)
    samples, deadline = [], time.monotonic() + seconds
    cpu_before = cpu()
    while len(samples) < max_runs and time.monotonic() < deadline:
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, (cpu() - cpu_before) * 1000 / len(samples)


def cpu_counter(engine):
    """CPU seconds so far of this process and, on PostgreSQL, of every server backend of the
    benchmark's database (read from /proc: the server is local; a parallel worker that
    starts and ends within one request is not seen). On SQLite the database works inside
    this process."""
    if engine.dialect.name != "postgresql":
        return time.process_time
    with engine.connect() as conn:
        database = conn.execute(text("SELECT current_database()")).scalar()
    admin = create_engine(engine.url.set(database="postgres"), poolclass=NullPool)
    tick = os.sysconf("SC_CLK_TCK")

    def backends() -> float:
        with admin.connect() as conn:
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database}
            ).scalars()
            total = 0.0
            for pid in pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        return total

    return lambda: time.process_time() + backends()


def index_sizes(engine) -> str:
    """The gram index beside the product table it serves, in MB."""
    mb = 1024 * 1024
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            names = ["product", "product_search", "ix_product_search_grams"]
            sizes = [
                conn.execute(text("SELECT pg_relation_size(:n)"), {"n": n}).scalar() for n in names
            ]
        else:
            rows = dict(
                conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")).all()
            )
            names = ["product", "product_search", "product_search_fts"]
            fts = sum(v for k, v in rows.items() if k.startswith("product_search_fts"))
            sizes = [rows["product"], rows["product_search"], fts]
    return ", ".join(f"{n} {size / mb:.1f} MB" for n, size in zip(names, sizes, strict=True))


def parse_query(qs: str) -> dict:
    from catalog.api.schemas.products import ProductSearchQuery

    pairs = dict(part.split("=", 1) for part in qs.split("&"))
    return ProductSearchQuery().load(pairs)


def _sql(statement, dialect) -> str:
    """SQL text with the values inlined. psycopg's paramstyle doubles `%`; with no parameters
    the text is sent as is, so undo that (LIKE '%%x%%' would match the same, but read oddly)."""
    text_ = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return text_.replace("%%", "%") if dialect.name == "postgresql" else text_


def plan_without_index(query: dict, actor, dialect: str):
    """The same plan with the gram-index condition replaced by TRUE: the LIKE scan that
    search ran before the index, measured in the same run as the baseline it replaces."""
    holds_grams = search.holds_grams
    search.holds_grams = lambda *_: true()
    try:
        return plan_search(query, actor, dialect)
    finally:
        search.holds_grams = holds_grams


def run_queries(label: str, url: str, seconds: float, max_runs: int) -> None:
    private, public = generate_keypair()
    app = create_app(
        {
            "CATALOG_DATABASE_URL": url,
            "JWT_PUBLIC_KEY": public,
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            # No Redis here, so no rate limit either: bench/rate_limit.py measures its cost.
            "RATE_LIMIT_ENABLED": "0",
            "GACHI_DATA_DIR": tempfile.gettempdir(),
        }
    )
    cat = app.extensions["catalog"]
    client = app.test_client()
    buyer = Principal(sub="bench", role="buyer", org="INST-BENCH")
    headers = {
        "Authorization": "Bearer "
        + issue_token(private, sub="bench", role="buyer", org="INST-BENCH", audience="catalog")
    }
    dialect = cat.db.engine.dialect
    today = date.today().isoformat()
    cpu = cpu_counter(cat.db.engine)
    print(f"\n{label}\nsizes: {index_sizes(cat.db.engine)}")
    print(
        f"{'query':<28} {'matches':>8} | {'HTTP p50':>9} {'p95':>7} {'CPU':>6} | "
        f"{'use case p50':>12} {'p95':>7} | {'raw SQL p50':>11} {'p95':>7} {'CPU':>6} | "
        f"{'p95 ×raw':>8} | {'no index p50':>12} {'CPU':>4} | runs"
    )
    shown_sql = None
    for name, qs in QUERIES:
        qs = qs.format(today=today)
        with app.app_context():
            query = parse_query(qs)
            plan = plan_search(query, buyer, dialect.name)
            unindexed = plan_without_index(query, buyer, dialect.name)
        scan_sql = _sql(plan.statement, dialect)
        shown_sql = shown_sql or (name, qs, scan_sql)

        def http(qs=qs):
            response = client.get(f"/v1/products?{qs}", headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()

        def use_case(query=query):
            with app.app_context():
                return search_products(cat, query, buyer)

        raw_conn = cat.db.engine.raw_connection()

        def raw(scan_sql=scan_sql, plan=plan, raw_conn=raw_conn):
            """The same two statements: the one scan, then the page's rows by id."""
            cursor = raw_conn.cursor()
            for setting in plan.settings:
                cursor.execute(setting)
            cursor.execute(scan_sql)
            ids = [row[1] for row in cursor.fetchall() if row[0] == "i"][: plan.page_size]
            cursor.execute(_sql(plan.page(ids), dialect))
            cursor.fetchall()
            cursor.close()
            raw_conn.rollback()

        matches = http()["total"]
        h, h_cpu = timed(http, seconds, max_runs, cpu)
        u, _ = timed(use_case, seconds, max_runs, cpu)
        r, r_cpu = timed(raw, seconds, max_runs, cpu)
        if "q=" in qs:
            like_sql = _sql(unindexed.statement, dialect)
            s, s_cpu = timed(lambda p=unindexed, q=like_sql: raw(q, p), seconds, max_runs, cpu)
            scan = f"{percentile(s, 50):>7.1f}ms {s_cpu:>5.1f}ms"
        else:
            scan = f"{'(no q)':>16}"
        raw_conn.close()
        print(
            f"{name:<28} {matches:>8} | {percentile(h, 50):>7.1f}ms {percentile(h, 95):>5.1f}ms "
            f"{h_cpu:>4.1f}ms | {percentile(u, 50):>10.1f}ms {percentile(u, 95):>5.1f}ms | "
            f"{percentile(r, 50):>9.1f}ms {percentile(r, 95):>5.1f}ms {r_cpu:>4.1f}ms | "
            f"{percentile(h, 95) / percentile(r, 95):>7.2f}× | {scan} | {len(h)}/{len(u)}/{len(r)}"
        )
    name, qs, items_sql = shown_sql
    print(f"\nThe scan for {name!r} ({qs}); then the page's rows are read by primary key:\n")
    print(items_sql)
    cat.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0, help="per query and layer")
    parser.add_argument("--max-runs", type=int, default=30, help="per query and layer")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated; postgresql runs only when DATABASE_URL_BASE is set",
    )
    args = parser.parse_args()
    wanted = set(args.databases.split(","))
    print(
        f"catalog search benchmark: {args.products:,} products, {ENTERPRISES:,} enterprises; "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; each query and layer: up to {args.seconds:g}s or "
        f"{args.max_runs} runs"
    )
    with tempfile.TemporaryDirectory(prefix="gachi-bench-") as folder:
        targets = []
        if "sqlite" in wanted:
            targets.append(("SQLite", f"sqlite:///{Path(folder) / 'catalog.db'}", None))
        base = os.environ.get("DATABASE_URL_BASE")
        if base and "postgresql" in wanted:
            name = f"gachi_bench_catalog_{os.getpid()}"
            admin = create_engine(base.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                version = conn.execute(text("SHOW server_version")).scalar()
            url = make_url(base.rstrip("/") + "/" + name).render_as_string(hide_password=False)
            targets.append((f"PostgreSQL {version}", url, (admin, name)))
        for label, url, cleanup in targets:
            started = time.perf_counter()
            migrate(url)
            build(url, args.products)
            took = time.perf_counter() - started
            try:
                run_queries(
                    f"{label} (built and bulk-inserted in {took:.1f}s)",
                    url,
                    args.seconds,
                    args.max_runs,
                )
            finally:
                if cleanup:
                    admin, name = cleanup
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    admin.dispose()


if __name__ == "__main__":
    main()
