"""Demo data: deterministic, so the README can name its ids and re-seeding changes nothing."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from ulid import ULID

from catalog.adapters.models import Enterprise, Product
from catalog.domain.brn import make_brn
from catalog.services import products, registry
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem

SEEDER = Principal(sub="seed", role="admin")


def demo_id(key: str) -> str:
    """A stable ULID for a demo record, so ids survive re-seeding."""
    return str(ULID.from_bytes(hashlib.sha256(key.encode()).digest()[:16]))


# (key, name, type, representative, sigungu, products: (sku, name, category, unit, price, tax))
ENTERPRISES = [
    (
        "gm-tofu",
        "광명두부마을 협동조합",
        "cooperative",
        "김순자",
        "41210",
        [
            ("TOFU-SNACK-200", "국산콩 두부과자 200g", "food", "봉", 3500, "taxable"),
            ("TOFU-1KG", "손두부 1kg", "food", "모", 6000, "exempt"),
        ],
    ),
    (
        "gm-walnut",
        "비츠원 호두과자 사회적기업",
        "social_enterprise",
        "이정민",
        "41210",
        [
            ("WALNUT-20", "호두과자 20개입", "food", "상자", 12000, "taxable"),
        ],
    ),
    (
        "wj-kimchi",
        "완주 로컬푸드 김치 마을기업",
        "village_enterprise",
        "박영희",
        "52710",
        [
            ("KIMCHI-10KG", "포기김치 10kg", "food", "박스", 65000, "exempt"),
            ("KIMCHI-STEW-5KG", "김치찌개용 묵은지 5kg", "food", "박스", 38000, "exempt"),
        ],
    ),
    (
        "jj-soap",
        "전주 자활 수제비누 사업단",
        "self_reliance_work_group",
        "최민수",
        "52111",
        [
            ("SOAP-HANDMADE", "천연 수제 비누 선물세트", "household", "세트", 15000, "taxable"),
        ],
    ),
    (
        "gm-clean",
        "광명 희망 청소·방역 자활기업",
        "self_reliance_enterprise",
        "정해진",
        "41210",
        [
            (
                "CLEAN-OFFICE",
                "사무실 정기 방역 서비스 (월 1회)",
                "cleaning",
                "회",
                120000,
                "taxable",
            ),
        ],
    ),
    (
        "gm-office",
        "함께 사무용품 사회적협동조합",
        "social_cooperative",
        "한지우",
        "41210",
        [
            ("A4-500", "A4 복사용지 500매", "office", "권", 5200, "taxable"),
        ],
    ),
]


def run(cat: Catalog, today: date | None = None) -> dict[str, int]:
    """Create what is missing; existing records (by id) are left as they are."""
    today = today or date.today()
    created = {"enterprises": 0, "products": 0}
    for index, (key, name, etype, rep, sigungu, items) in enumerate(ENTERPRISES):
        enterprise_id = demo_id(f"enterprise:{key}")
        with cat.db.reading() as session:
            exists = session.get(Enterprise, enterprise_id) is not None
        if not exists:
            enterprise = registry.register_enterprise(
                cat,
                {
                    "id": enterprise_id,
                    "name": name,
                    "enterprise_type": etype,
                    "brn": make_brn(f"{101 + index:03d}81{index:04d}"),
                    "representative": rep,
                    "sigungu_code": sigungu,
                    "address": "",
                    "phone": "02-000-0000",
                    "email": f"{key}@example.kr",
                },
                SEEDER,
            )
            registry.add_certification(
                cat,
                enterprise.id,
                {
                    "kind": etype,
                    "number": f"2024-{index + 1:03d}",
                    "issuer": "고용노동부",
                    "valid_from": today - timedelta(days=365),
                    "valid_to": today + timedelta(days=20 if index == 0 else 700),
                },
            )
            created["enterprises"] += 1
        for sku, pname, category, unit, price, tax in items:
            product_id = demo_id(f"product:{key}:{sku}")
            with cat.db.reading() as session:
                if session.get(Product, product_id) is not None:
                    continue
            try:
                products.create_product(
                    cat,
                    {
                        "id": product_id,
                        "enterprise_id": enterprise_id,
                        "sku": sku,
                        "name": pname,
                        "category": category,
                        "unit": unit,
                        "unit_price": price,
                        "tax_type": tax,
                        "description": f"{name}에서 만든 {pname}",
                        "min_order_qty": 1,
                        "lead_time_days": 3,
                        "weekly_capacity": 500,
                        "tags": [],
                        "status": "active",
                    },
                    SEEDER,
                )
            except Problem as exc:  # already there under another id: keep what exists
                if exc.code != "product_sku_taken":
                    raise
            created["products"] += 1
    return created
