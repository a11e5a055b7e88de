"""Products and the rules a line must meet to be priced."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

TAX_TYPES = {"taxable": "과세", "exempt": "면세"}
PRODUCT_STATUSES = {"draft": "준비중", "active": "판매중", "discontinued": "판매중지"}

# The built-in categories. The `category` table is the managed list (the migration seeds
# these rows and admins add more); these eight are always valid even if a row is missing.
CATEGORIES = {
    "food": "식품",
    "household": "생활용품",
    "office": "사무용품",
    "craft": "공예품",
    "service": "서비스",
    "cleaning": "청소·방역",
    "gift": "선물세트",
    "agriculture": "농산물",
    "printing": "인쇄·홍보물",
    "education": "교육·체험",
    "catering": "도시락·케이터링",
}

# Edits that change what a buyer is offered: each bumps `version`, and orders keep the
# version they priced. Stock, capacity, lead time, tags or status do not.
MATERIAL_FIELDS = ("name", "description", "unit_price", "tax_type", "unit", "image_urls")
# Edits that are recorded in the price history (with the version they produced).
PRICE_FIELDS = ("unit_price", "tax_type")

MAX_IMAGE_URLS = 10
MAX_URL_LENGTH = 500


class PricingRefusal(Exception):
    """Why one line cannot be priced; reported per line, never as a whole-request error."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def check_orderable(
    *, product_status: str, enterprise_status: str, quantity: int, min_order_qty: int
) -> None:
    if product_status != "active":
        raise PricingRefusal(
            "product_unavailable", "주문할 수 없는 상품입니다 (판매 중지 또는 준비 중)."
        )
    if enterprise_status != "active":
        raise PricingRefusal("enterprise_inactive", "공급 기업이 현재 주문을 받을 수 없습니다.")
    if quantity < min_order_qty:
        raise PricingRefusal("below_minimum_order", f"최소 주문 수량은 {min_order_qty}개입니다.")


def image_url_problem(url: str, what: str = "이미지") -> str | None:
    """Why `url` cannot be a product image (or a `what`: "문서" for application documents),
    in Korean, or None when it is fine.

    Only absolute https URLs with a host: the portal shows them to every buyer, so a
    `javascript:` or plain-http URL must never get in.
    """
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        return f"{what} 주소는 1~{MAX_URL_LENGTH}자여야 합니다."
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return f"{what} 주소에 공백이나 제어 문자가 있습니다."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"{what} 주소 형식이 올바르지 않습니다."
    if parts.scheme != "https":
        return f"{what} 주소는 https:// 로 시작해야 합니다."
    if not parts.hostname or "." not in parts.hostname or parts.username or parts.password:
        return f"{what} 주소에 올바른 호스트가 없습니다."
    if port == 0:
        return f"{what} 주소의 포트가 올바르지 않습니다."
    return None


@dataclass(frozen=True, slots=True)
class ProductChange:
    """What an edit changes: every changed field with (old, new), and what follows from it."""

    changes: dict[str, tuple[Any, Any]]

    @property
    def changed_fields(self) -> list[str]:
        return sorted(self.changes)

    @property
    def material_fields(self) -> list[str]:
        return [f for f in MATERIAL_FIELDS if f in self.changes]

    @property
    def is_material(self) -> bool:
        return bool(self.material_fields)

    @property
    def touches_price(self) -> bool:
        return any(f in self.changes for f in PRICE_FIELDS)

    def __bool__(self) -> bool:
        return bool(self.changes)


def diff(current: Mapping[str, Any], requested: Mapping[str, Any]) -> ProductChange:
    """Compare the requested values with the current ones; equal values are no change.

    Lists (tags, image URLs) compare by content and order, so re-sending the same
    values is never an edit: re-importing a file changes nothing.
    """
    return ProductChange(
        {
            field: (current.get(field), value)
            for field, value in requested.items()
            if _normal(current.get(field)) != _normal(value)
        }
    )


def _normal(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value
