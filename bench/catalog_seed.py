"""The search benchmark's catalog: N products (default 100,000) from 2,000 enterprises with
realistic Korean names, bulk-inserted into a migrated catalog database (with their
certifications, brand listings and search rows), in bounded memory (rows go in per 5,000).
Deterministic for a given seed. Used by catalog_search.py.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, insert, text
from ulid import ULID

from catalog.adapters.models import (
    Brand,
    BrandListing,
    Certification,
    Enterprise,
    Product,
    ProductSearch,
)
from catalog.domain import regions
from catalog.domain.enterprise import ENTERPRISE_TYPES
from catalog.domain.product import CATEGORIES
from catalog.domain.search_index import (
    enterprise_search_text,
    product_search_name,
    product_search_text,
)
from catalog.seed_data import BRANDS, REGION_PLAN, THEMES
from catalog.services.indexing import search_row
from gachi_kit.brn import make_brn

ENTERPRISES = 2_000
ADJECTIVES = [
    "국산",
    "유기농",
    "수제",
    "전통",
    "친환경",
    "우리밀",
    "무농약",
    "저염",
    "프리미엄",
    "실속",
    "가정용",
    "대용량",
    "소포장",
    "명품",
    "햇",
    "산지직송",
    "로컬푸드",
    "비츠원",
    "착한",
    "마을",
]


def build(url: str, products: int, seed: int = 7) -> None:
    """Bulk-insert enterprises, certifications, brands, listings and products."""
    rng = random.Random(seed)
    today = date.today()
    now = datetime.now(UTC)
    engine = create_engine(url)
    sigungu = [code for code, count, _ in REGION_PLAN for _ in range(count)]
    themes = {code: themes for code, _, themes in REGION_PLAN}
    enterprise_rows, cert_rows, product_rows, listing_rows = [], [], [], []
    per_enterprise = products // ENTERPRISES
    conn = engine.connect()
    transaction = conn.begin()
    conn.execute(insert(Brand), [b | {"created_at": now, "updated_at": now} for b in BRANDS])

    def flush() -> None:
        """Insert what is built so far, parents first, and start over (bounded memory)."""
        search_rows = [search_row(p) for p in product_rows]
        for model, rows in (
            (Enterprise, enterprise_rows),
            (Certification, cert_rows),
            (Product, product_rows),
            (BrandListing, listing_rows),
            (ProductSearch, search_rows),
        ):
            if rows:
                conn.execute(insert(model), rows)
                rows.clear()

    for i in range(ENTERPRISES):
        if len(product_rows) >= 5_000:
            flush()
        code = sigungu[i % len(sigungu)]
        region = regions.get_sigungu(code)
        etype = list(ENTERPRISE_TYPES)[i % 7]
        theme_key = rng.choice(themes[code])
        theme = THEMES[theme_key]
        name = f"{region.sigungu_name} {rng.choice(ADJECTIVES)}{theme.word} {i + 1}호"
        eid = str(ULID.from_bytes(i.to_bytes(16, "big")))
        enterprise_rows.append(
            {
                "id": eid,
                "name": name,
                "enterprise_type": etype,
                "brn": make_brn(f"{100 + i % 900:03d}{i // 900 + 10:02d}{i:04d}"),
                "representative": "김순자",
                "sido_code": region.sido_code,
                "sigungu_code": code,
                "address": "",
                "phone": None,
                "email": None,
                "contact_person": None,
                "status": "active",
                "search_text": enterprise_search_text(name, "김순자"),
                "created_at": now,
                "updated_at": now,
            }
        )
        cert_rows.append(
            {
                "id": str(ULID.from_bytes((10**9 + i).to_bytes(16, "big"))),
                "enterprise_id": eid,
                "kind": etype,
                "number": f"B-{i}",
                "issuer": "고용노동부",
                "valid_from": today - timedelta(days=400),
                "valid_to": today + timedelta(days=(-30 if i % 10 == 0 else 400)),
            }
        )
        for j in range(per_enterprise):
            n = i * per_enterprise + j
            if j < len(theme.items) and rng.random() < 0.5:
                item = theme.items[j]
            else:
                item = rng.choice(THEMES[rng.choice(list(THEMES))].items)
            category = next(t.category for t in THEMES.values() if item in t.items)
            sku, base_name, unit, price, tax, _group, tags = item
            pname = f"{rng.choice(ADJECTIVES)} {base_name}"
            description = f"{name}에서 만든 {pname}."
            pid = str(ULID.from_bytes((2 * 10**9 + n).to_bytes(16, "big")))
            product_rows.append(
                {
                    "id": pid,
                    "enterprise_id": eid,
                    "sku": f"{sku}-{j}",
                    "name": pname,
                    "description": description,
                    "category": category,
                    "unit": unit,
                    "unit_price": max(100, round(price * rng.uniform(0.8, 1.3) / 100) * 100),
                    "tax_type": tax,
                    "min_order_qty": 1,
                    "lead_time_days": 3,
                    "weekly_capacity": None,
                    "stock": None if n % 3 else n % 50,
                    "image_urls": [],
                    "tags": tags,
                    "group_code": None,
                    "status": "active",
                    "version": 1,
                    "search_text": product_search_text(
                        name=pname,
                        enterprise_name=name,
                        sku=f"{sku}-{j}",
                        category_label=CATEGORIES[category],
                        group_name=None,
                        tags=tags,
                        description=description,
                    ),
                    "search_name": product_search_name(pname),
                    "created_at": now - timedelta(seconds=n),
                    "updated_at": now,
                }
            )
            if code == "41210" and n % 2 == 0:
                listing_rows.append(
                    {
                        "id": str(ULID.from_bytes((3 * 10**9 + n).to_bytes(16, "big"))),
                        "brand_code": "BITSONE",
                        "product_id": pid,
                        "status": "approved",
                        "approved_at": now,
                        "valid_until": today + timedelta(days=300),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    flush()
    transaction.commit()
    conn.close()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
