"""The demo data's plan: which enterprises, certifications, products and listings the seed
writes, built from `seed_data` and a fixed-seed PRNG (pure: no database), so two builds on
the same day are the same rows and every id is `demo_id(key)`."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ulid import ULID

from catalog.domain import regions
from catalog.domain.brand import add_months
from catalog.domain.product import CATEGORIES
from catalog.domain.search_index import (
    enterprise_search_text,
    product_search_name,
    product_search_text,
)
from catalog.seed_data import (
    ADJECTIVES,
    AREA_CODES,
    CERTIFICATIONS,
    FIXED_ENTERPRISES,
    GIVEN,
    GROUPS,
    IMAGE_BASE,
    PLACES,
    REGION_PLAN,
    STREETS,
    SURNAMES,
    THEMES,
    TYPES,
)
from gachi_kit.brn import make_brn

SEED = 20261125


def demo_id(key: str) -> str:
    """A stable ULID for a demo record, so ids survive re-seeding."""
    return str(ULID.from_bytes(hashlib.sha256(key.encode()).digest()[:16]))


@dataclass
class Plan:
    """Rows to insert, keyed by their natural keys so existing ones can be skipped."""

    enterprises: list[dict] = field(default_factory=list)
    certifications: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    listings: list[dict] = field(default_factory=list)


def build(today: date) -> Plan:
    rng = random.Random(SEED)
    plan = Plan()
    base_time = datetime.combine(today, datetime.min.time(), UTC) - timedelta(days=30)
    specs = []
    for index, (key, name, etype, rep, sigungu, items) in enumerate(FIXED_ENTERPRISES):
        products = [
            (sku, pname, category, unit, price, tax, group, [])
            for sku, pname, category, unit, price, tax, group in items
        ]
        specs.append(
            (
                key,
                name,
                etype,
                rep,
                sigungu,
                make_brn(f"{101 + index:03d}81{index:04d}"),
                products,
                None,
            )
        )
    names_used = {s[1] for s in specs}
    serial = 0
    for sigungu, count, themes in REGION_PLAN:
        for _ in range(count):
            serial += 1
            etype = TYPES[(serial * 3) % len(TYPES)]
            theme_key = themes[rng.randrange(len(themes))]
            theme = THEMES[theme_key]
            name = _enterprise_name(rng, PLACES[sigungu], theme.word, etype, names_used)
            names_used.add(name)
            rep = rng.choice(SURNAMES) + rng.choice(GIVEN)
            k = min(len(theme.items), 3 + serial % 2)
            picked = [theme.items[0], *rng.sample(theme.items[1:], k - 1)]
            products = [
                (sku, pname, theme.category, unit, _price(rng, base), tax, group, tags)
                for sku, pname, unit, base, tax, group, tags in picked
            ]
            specs.append(
                (
                    f"e{serial:03d}",
                    name,
                    etype,
                    rep,
                    sigungu,
                    make_brn(f"{300 + serial:03d}82{serial:04d}"),
                    products,
                    theme_key,
                )
            )

    for index, (key, name, etype, rep, sigungu, brn, products, _theme) in enumerate(specs):
        region = regions.get_sigungu(sigungu)
        enterprise_id = demo_id(f"enterprise:{key}")
        fixed = index < len(FIXED_ENTERPRISES)
        status = "active"
        if not fixed and index % 41 == 0:
            status = "suspended"
        elif not fixed and index % 59 == 0:
            status = "closed"
        created_at = base_time + timedelta(minutes=index)
        area = AREA_CODES[region.sido_code]
        plan.enterprises.append(
            {
                "id": enterprise_id,
                "name": name,
                "enterprise_type": etype,
                "brn": brn,
                "representative": rep,
                "sido_code": region.sido_code,
                "sigungu_code": sigungu,
                "address": f"{regions.sido_codes()[region.sido_code]} {region.sigungu_name} "
                f"{STREETS[index % len(STREETS)]} {10 + index * 7 % 290}",
                "phone": f"{area}-{2000 + index * 37 % 7000:04d}-{1000 + index * 91 % 9000:04d}",
                "email": f"{key}@example.kr",
                "contact_person": SURNAMES[(index * 5) % len(SURNAMES)] + GIVEN[index % len(GIVEN)],
                "status": status,
                "search_text": enterprise_search_text(name, rep),
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
        plan.certifications.append(_certification(index, enterprise_id, etype, today, fixed))
        for position, (sku, pname, category, unit, price, tax, group, tags) in enumerate(products):
            product_id = demo_id(f"product:{key}:{sku}")
            serial_no = len(plan.products)
            product_status = "active"
            if not fixed and serial_no % 37 == 5:
                product_status = "draft"
            elif not fixed and serial_no % 43 == 7:
                product_status = "discontinued"
            service = category in ("cleaning", "education", "printing", "service")
            stock = None if service or serial_no % 3 else (serial_no * 13) % 400
            capacity = None if serial_no % 7 == 0 else 50 + (serial_no * 31) % 20 * 50
            description = f"{name}에서 만든 {pname}. {_blurb(category)}"
            plan.products.append(
                {
                    "id": product_id,
                    "enterprise_id": enterprise_id,
                    "sku": sku,
                    "name": pname,
                    "description": description,
                    "category": category,
                    "unit": unit,
                    "unit_price": price,
                    "tax_type": tax,
                    "min_order_qty": 1 if price >= 10000 else (1, 5, 10)[serial_no % 3],
                    "lead_time_days": 7 if service else 2 + serial_no % 4,
                    "weekly_capacity": capacity,
                    "stock": stock,
                    "image_urls": [f"{IMAGE_BASE}/{sku.lower()}.jpg"],
                    "tags": tags,
                    "group_code": group,
                    "status": product_status,
                    "version": 1,
                    "search_text": product_search_text(
                        name=pname,
                        enterprise_name=name,
                        sku=sku,
                        category_label=CATEGORIES[category],
                        group_name=dict((g[0], g[1]) for g in GROUPS).get(group),
                        tags=tags,
                        description=description,
                    ),
                    "search_name": product_search_name(pname),
                    "created_at": created_at + timedelta(seconds=position),
                    "updated_at": created_at + timedelta(seconds=position),
                }
            )
            for brand in _brands_for(region.sido_code, sigungu, etype):
                plan.listings.append(
                    _listing(brand, product_id, enterprise_id, price, serial_no, today, created_at)
                )
    return plan


def _enterprise_name(rng, place: str, word: str, etype: str, used: set[str]) -> str:
    for attempt in range(50):
        adj = rng.choice(ADJECTIVES)
        name = {
            "social_enterprise": f"(주){adj}{word}",
            "preliminary_social_enterprise": f"{adj}{word} 주식회사",
            "cooperative": f"{place}{adj}{word} 협동조합",
            "social_cooperative": f"{place} {adj}{word} 사회적협동조합",
            "village_enterprise": f"{place} {adj}마을 {word} 마을기업",
            "self_reliance_enterprise": f"{place} {adj} {word} 자활기업",
            "self_reliance_work_group": f"{place}지역자활센터 {adj}{word} 사업단",
        }[etype]
        if attempt:
            name = f"{name} {attempt + 1}호"
        if name not in used:
            return name
    raise AssertionError("could not find a free demo name")


def _price(rng, base: int) -> int:
    step = 500 if base >= 20000 else 100
    return max(step, round(base * rng.uniform(0.9, 1.15) / step) * step)


def _blurb(category: str) -> str:
    return {
        "food": "국산 원재료로 매일 만듭니다.",
        "agriculture": "산지에서 바로 보냅니다.",
        "household": "피부와 환경에 순한 재료만 씁니다.",
        "office": "관공서 납품 규격에 맞춥니다.",
        "cleaning": "전문 교육을 받은 직원이 방문합니다.",
        "catering": "당일 조리해 약속 시간에 배달합니다.",
        "craft": "장인이 하나씩 손으로 만듭니다.",
        "printing": "시안 확인 후 제작합니다.",
        "education": "강사가 찾아가는 프로그램입니다.",
        "gift": "명절·행사 선물로 좋습니다.",
    }.get(category, "")


def _certification(index: int, enterprise_id: str, etype: str, today: date, fixed: bool) -> dict:
    """Most certifications run for years; every 11th lapses within 30 days, every 17th has
    lapsed (the README's enterprises are always certified)."""
    if not fixed and index % 11 == 3:
        valid_to = today + timedelta(days=3 + index % 25)
    elif not fixed and index % 17 == 4:
        valid_to = today - timedelta(days=5 + index % 40)
    else:
        valid_to = today + timedelta(days=300 + index * 17 % 900)
    valid_from = valid_to - timedelta(days=365 * 3)
    return {
        "id": demo_id(f"certification:{enterprise_id}:1"),
        "enterprise_id": enterprise_id,
        "kind": CERTIFICATIONS[etype][0],
        "number": f"{valid_from.year}-{index + 1:03d}",
        "issuer": CERTIFICATIONS[etype][1],
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _brands_for(sido: str, sigungu: str, etype: str) -> list[str]:
    brands = []
    if sigungu == "41210":
        brands.append("BITSONE")
    if sigungu == "52710":
        brands.append("SOCIAL-GOODS")
    if sido == "52" and etype in ("self_reliance_enterprise", "self_reliance_work_group"):
        brands.append("JB-JAHWAL")
    return brands


def _listing(
    brand: str,
    product_id: str,
    enterprise_id: str,
    price: int,
    serial_no: int,
    today: date,
    created_at,
) -> dict:
    status, valid_until, approved_at = "approved", add_months(today, 12), created_at
    if serial_no % 9 == 4:
        status, valid_until, approved_at = "submitted", None, None
    elif serial_no % 13 == 6:
        valid_until = today + timedelta(days=10)  # approval lapsing soon
    return {
        "id": demo_id(f"listing:{brand}:{product_id}"),
        "brand_code": brand,
        "product_id": product_id,
        "enterprise_id": enterprise_id,
        "status": status,
        "submitted_at": created_at,
        "approved_at": approved_at,
        "decided_at": approved_at,
        "valid_until": valid_until,
        "reviewed_unit_price": price if status == "approved" else None,
        "created_at": created_at,
        "updated_at": created_at,
    }
