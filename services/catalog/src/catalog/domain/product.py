"""Products and the rules a line must meet to be priced."""

from __future__ import annotations

TAX_TYPES = {"taxable": "과세", "exempt": "면세"}
PRODUCT_STATUSES = ("draft", "active", "discontinued")
CATEGORIES = {
    "food": "식품",
    "household": "생활용품",
    "office": "사무용품",
    "craft": "공예품",
    "service": "서비스",
    "cleaning": "청소·방역",
    "gift": "선물세트",
    "agriculture": "농산물",
}


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
