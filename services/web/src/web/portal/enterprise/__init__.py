"""Enterprise operators: orders to answer and ship, products, brand applications,
certifications and where notifications go. Often one person on a phone between
production runs: the most urgent thing first, one action per form."""

from __future__ import annotations

from flask import Blueprint

from web.portal.backoffice import pages

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise", template_folder="templates")

NAV = [
    ("enterprise.dashboard", "오늘 할 일"),
    ("enterprise.supplier_orders", "주문"),
    ("enterprise.quotations", "견적서"),
    ("enterprise.products", "상품"),
    ("enterprise.applications", "브랜드 신청"),
    ("enterprise.certifications", "인증"),
    ("enterprise.notifications", "알림 설정"),
]


pages.section_menu(bp, NAV)


from web.portal.enterprise import (  # noqa: E402  (routes attach to bp)
    applications,
    notifications,
    orders,
    products,
    quotations,
)

__all__ = ["applications", "bp", "notifications", "orders", "products", "quotations"]
