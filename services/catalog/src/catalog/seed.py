"""Demo data: deterministic, so the README can name its ids and re-seeding changes nothing.

`run(catalog)` loads three brands (비츠원 광명시, 소셜굿즈 완주군, 자활생산품 전북특별자치도),
the product groups, 126 enterprises over all seven types and fourteen 시군구, 430-odd
products with realistic Korean names and KRW prices, certifications (some lapsing within
30 days, some lapsed) and approved brand listings.

Every id is `demo_id(key)`, and every generated value comes from a fixed-seed PRNG
(`seed_plan.build`), so two runs build the same rows (dates are relative to the day of
seeding). What already exists is left as it is: rows are matched by id and by their
natural keys (사업자등록번호, SKU, brand and product), so a seed over a database people
have been using never collides with their rows. Everything is bulk-inserted in one
transaction: the whole seed or nothing.

Seeding must stay fast (a few seconds), so it writes rows directly instead of going through
the use cases; the search columns and the first price-history row are written exactly as the
use cases write them. The one event it records is `enterprise.registered` for each new
enterprise, so that notify gives the demo enterprises their default subscriptions (e-mail,
SMS) as it would real ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from catalog.adapters.models import (
    Brand,
    BrandCommitteeMember,
    BrandListing,
    Certification,
    Enterprise,
    PriceHistory,
    Product,
    ProductGroup,
    ProductSearch,
)
from catalog.seed_data import BRANDS, COMMITTEE, GROUPS
from catalog.seed_plan import build, demo_id
from catalog.services import published
from catalog.services.categories import ensure_categories
from catalog.services.indexing import search_row
from catalog.wiring import Catalog
from gachi_kit.dates import today_kst


def run(catalog: Catalog, today: date | None = None) -> dict[str, int]:
    """Create what is missing; existing records are left as they are. Returns what was added."""
    today = today or today_kst()
    plan = build(today)
    created = dict.fromkeys(
        (
            "categories",
            "brands",
            "committee_members",
            "product_groups",
            "enterprises",
            "certifications",
            "products",
            "listings",
        ),
        0,
    )
    now = datetime.now(UTC)
    with catalog.db.transaction() as session:
        created["categories"] = ensure_categories(session)

        have = set(session.scalars(select(Brand.code)))
        rows = [b | {"created_at": now, "updated_at": now} for b in BRANDS if b["code"] not in have]
        created["brands"] = _insert(session, Brand, rows)

        have = set(
            session.execute(
                select(BrandCommitteeMember.brand_code, BrandCommitteeMember.user_sub)
            ).all()
        )
        rows = [
            {
                "id": demo_id(f"committee:{code}:{sub}"),
                "brand_code": code,
                "user_sub": sub,
                "name": name,
                "is_chair": chair,
                "conflicted_enterprise_ids": [],
                "created_at": now,
                "updated_at": now,
            }
            for code, sub, name, chair in COMMITTEE
            if (code, sub) not in have
        ]
        created["committee_members"] = _insert(session, BrandCommitteeMember, rows)

        have = set(session.scalars(select(ProductGroup.code)))
        rows = [
            {
                "code": c,
                "name": n,
                "unit": u,
                "description": d,
                "created_at": now,
                "updated_at": now,
            }
            for c, n, u, d in GROUPS
            if c not in have
        ]
        created["product_groups"] = _insert(session, ProductGroup, rows)

        ids = set(session.scalars(select(Enterprise.id)))
        brns = set(session.scalars(select(Enterprise.brn)))
        rows = [e for e in plan.enterprises if e["id"] not in ids and e["brn"] not in brns]
        created["enterprises"] = _insert(session, Enterprise, rows)
        for enterprise in rows:
            published.enterprise_registered(catalog, session, enterprise, "seed")
        enterprises = set(session.scalars(select(Enterprise.id)))

        # Certifications only for enterprises without any (a seed never adds a second one).
        certified = set(session.scalars(select(Certification.enterprise_id)))
        rows = [
            c
            for c in plan.certifications
            if c["enterprise_id"] in enterprises and c["enterprise_id"] not in certified
        ]
        created["certifications"] = _insert(session, Certification, rows)

        existing = set(session.execute(select(Product.enterprise_id, Product.sku)).all())
        product_ids = set(session.scalars(select(Product.id)))
        rows = [
            p
            for p in plan.products
            if p["enterprise_id"] in enterprises
            and (p["enterprise_id"], p["sku"]) not in existing
            and p["id"] not in product_ids
        ]
        created["products"] = _insert(session, Product, rows)
        _insert(session, ProductSearch, [search_row(p) for p in rows])
        _insert(
            session,
            PriceHistory,
            [
                {
                    "id": demo_id(f"price:{p['id']}:1"),
                    "product_id": p["id"],
                    "version": 1,
                    "unit_price": p["unit_price"],
                    "tax_type": p["tax_type"],
                    "changed_at": p["created_at"],
                    "changed_by": "seed",
                }
                for p in rows
            ],
        )
        product_ids = set(session.scalars(select(Product.id)))

        listed = set(
            session.execute(select(BrandListing.brand_code, BrandListing.product_id)).all()
        )
        rows = [
            lst
            for lst in plan.listings
            if lst["product_id"] in product_ids
            and (lst["brand_code"], lst["product_id"]) not in listed
        ]
        created["listings"] = _insert(session, BrandListing, rows)
    return created


def _insert(session, model, rows: list[dict]) -> int:
    for start in range(0, len(rows), 500):
        session.execute(insert(model), rows[start : start + 500])
    return len(rows)
