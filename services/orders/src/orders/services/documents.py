"""Use cases: 거래명세서 and 검수조서 of a supplier order as PDF, rendered by a Celery task
and cached per supplier-order version; only the buyer's side and the enterprise may read
them (the supplier order's own visibility rule)."""

from __future__ import annotations

from pathlib import Path

from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.errors import invalid, invalid_transition
from orders.adapters import pdf_documents
from orders.adapters.models import Institution, SupplierOrder
from orders.domain.documents import (
    KINDS,
    Document,
    DocumentLine,
    Party,
    document_number,
)
from orders.domain.performance import korean_day
from orders.services.allocation import billable_quantity
from orders.services.reading import get_supplier_order
from orders.wiring import OrdersWiring

SYSTEM = Principal(sub="system", role="admin")


def cached_path(wiring: OrdersWiring, supplier_order: SupplierOrder, kind: str) -> Path:
    name = f"{supplier_order.id}-{kind}-v{supplier_order.version}.pdf"
    return pdf_documents.cached_file(wiring.settings.exports_dir, name)


def find(
    wiring: OrdersWiring, supplier_order_id: str, kind: str, actor: Principal
) -> tuple[Path, bool, str]:
    """(path, ready, download name) after the visibility and state checks."""
    if kind not in KINDS:
        raise invalid("kind", f"다음 중 하나여야 합니다: {', '.join(KINDS)}.")
    supplier_order = get_supplier_order(wiring, supplier_order_id, actor)
    _check_state(supplier_order, kind)
    path = cached_path(wiring, supplier_order, kind)
    return path, path.exists(), f"{KINDS[kind]}-{supplier_order.id}.pdf"


def render_cached(wiring: OrdersWiring, supplier_order_id: str, kind: str) -> str:
    """The task's work: draw the document unless this version is cached already."""
    supplier_order = get_supplier_order(wiring, supplier_order_id, SYSTEM)
    return pdf_documents.write_once(
        cached_path(wiring, supplier_order, kind), lambda: build(wiring, supplier_order, kind)
    )


def build(wiring: OrdersWiring, supplier_order: SupplierOrder, kind: str) -> Document:
    _check_state(supplier_order, kind)
    with wiring.db.reading() as session:
        institution = session.get(Institution, supplier_order.order.institution_id)
    enterprise = wiring.catalog.enterprise(supplier_order.enterprise_id)
    if kind == "inspection":
        issued_on = korean_day(supplier_order.inspected_at)
    elif supplier_order.delivered_at:
        issued_on = korean_day(supplier_order.delivered_at)
    else:
        issued_on = today_kst()
    lines = []
    for line in supplier_order.lines:
        quantity = billable_quantity(line)
        note = ""
        if kind == "inspection" and line.inspected_rejected_quantity:
            note = f"불합격 {line.inspected_rejected_quantity} ({line.inspection_reason})"
        lines.append(
            DocumentLine(line.line_no, line.name, line.unit, quantity, line.unit_price,
                         quantity * line.unit_price, line.tax_type, note)
        )  # fmt: skip
    notes = [f"주문번호 {supplier_order.order_id}, 부서 {supplier_order.order.department or '-'}"]
    if kind == "inspection":
        notes.append("위와 같이 검수하였음을 확인합니다.  검수자: ____________ (인)")
    return Document(
        kind=kind,
        number=document_number(kind, supplier_order.id, issued_on),
        issued_on=issued_on,
        supplier=Party(
            "공급자", supplier_order.enterprise_name, enterprise.brn if enterprise else None
        ),
        buyer=Party("공급받는자", institution.name, institution.brn),
        lines=tuple(lines),
        supply=supplier_order.supply_amount,
        vat=supplier_order.vat_amount,
        total=supplier_order.total_amount,
        notes=tuple(notes),
    )


def _check_state(supplier_order: SupplierOrder, kind: str) -> None:
    if kind == "inspection" and supplier_order.inspected_at is None:
        raise invalid_transition(
            supplier_order.status, "검수조서는 검수가 끝난 뒤에 만들 수 있습니다."
        )
    if kind == "statement" and supplier_order.status in (
        "pending",
        "declined",
        "expired",
        "cancelled",
    ):
        raise invalid_transition(
            supplier_order.status, "거래명세서는 수락된 공급 주문에만 있습니다."
        )
