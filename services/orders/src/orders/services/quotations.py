"""Use cases: 견적서 (quotations). A buyer asks for quotations for a cart; orders prices it
through catalog as placement does, splits it by enterprise and issues one quotation per
enterprise (both parties with their 사업자등록번호, lines, supply value, VAT, total, valid
for 30 days). The PDF is drawn by a Celery task and cached; only the requesting
institution and the enterprise it is addressed to may read either.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.errors import Problem, invalid, not_found
from gachi_kit.events import new_id
from gachi_kit.paging import keyset_page
from orders.adapters import pdf_documents
from orders.adapters.quotation_models import Quotation, QuotationLine
from orders.domain.documents import (
    KINDS,
    QUOTATION_VALID_DAYS,
    Document,
    DocumentLine,
    Party,
    document_number,
)
from orders.domain.money import invoice_amounts, line_supply
from orders.domain.pricing import PricedProduct, RefusedLine
from orders.services.placing import require_institution
from orders.wiring import OrdersWiring


def request_quotations(wiring: OrdersWiring, actor: Principal, fields: dict) -> list[Quotation]:
    """One quotation per enterprise of the cart, issued today."""
    institution = require_institution(wiring, actor)
    today = today_kst()
    needed_by = fields.get("needed_by")
    if needed_by is not None and needed_by < today:
        raise invalid("needed_by", "오늘이나 그 뒤의 날짜여야 합니다.", code="needed_by_in_past")
    priced = wiring.catalog.price(fields["lines"], needed_by or today)
    errors, by_enterprise = {}, {}
    for index, (requested, answer) in enumerate(zip(fields["lines"], priced.lines, strict=True)):
        if isinstance(answer, RefusedLine):
            errors[str(index)] = {"code": answer.code, "detail": answer.detail}
        elif not isinstance(answer, PricedProduct):
            errors[str(index)] = {
                "code": "group_line_not_quotable",
                "detail": "표준 품목은 견적을 받을 수 없습니다. 공급 기업의 상품을 골라 담으세요.",
            }
        else:
            snapshot = answer.snapshot
            by_enterprise.setdefault(snapshot.enterprise_id, []).append(
                (snapshot, requested["quantity"])
            )
    if errors:
        raise Problem(
            422,
            "quotation_lines_invalid",
            "견적을 받을 수 없는 품목이 있습니다",
            f"{len(errors)}개 품목은 견적을 받을 수 없습니다. errors.lines를 확인하세요.",
            errors={"lines": errors},
        )
    enterprises = {eid: wiring.catalog.enterprise(eid) for eid in by_enterprise}
    request_id = new_id()
    with wiring.db.transaction() as session:
        created = []
        for enterprise_id, parts in by_enterprise.items():
            quotation = _quotation(actor, institution, fields, today, request_id, parts)
            entry = enterprises[enterprise_id]
            quotation.enterprise_brn = entry.brn if entry else None
            session.add(quotation)
            created.append(quotation)
    return created


def _quotation(actor, institution, fields, today, request_id, parts) -> Quotation:
    quotation_id = new_id()
    amounts = invoice_amounts((qty, s.unit_price, s.tax_type) for s, qty in parts)
    return Quotation(
        id=quotation_id,
        number=document_number("quotation", quotation_id, today),
        request_id=request_id,
        institution_id=institution.id,
        institution_name=institution.name,
        institution_brn=institution.brn,
        department=actor.dept,
        requested_by=actor.sub,
        enterprise_id=parts[0][0].enterprise_id,
        enterprise_name=parts[0][0].enterprise_name,
        note=fields.get("note") or "",
        needed_by=fields.get("needed_by"),
        issued_on=today,
        valid_until=today + timedelta(days=QUOTATION_VALID_DAYS),
        supply_amount=amounts.supply,
        vat_amount=amounts.vat,
        total_amount=amounts.total,
        lines=[
            QuotationLine(
                line_no=no,
                product_id=s.product_id,
                product_version=s.product_version,
                sku=s.sku,
                name=s.name,
                unit=s.unit,
                quantity=qty,
                unit_price=s.unit_price,
                tax_type=s.tax_type,
                supply_amount=line_supply(qty, s.unit_price),
            )
            for no, (s, qty) in enumerate(parts, start=1)
        ],
    )


def _visible(actor: Principal):
    """The quotations `actor` may read: its institution's, or those addressed to it."""
    if actor.role == "enterprise":
        return Quotation.enterprise_id == actor.org
    if actor.role == "institution_admin" and actor.org:
        return Quotation.institution_id == actor.org
    if actor.role == "buyer" and actor.org:  # as for orders: the buyer's department
        return (Quotation.institution_id == actor.org) & (Quotation.department == actor.dept)
    return None


def list_quotations(wiring: OrdersWiring, actor: Principal, query: dict) -> dict:
    """Newest first; a buyer sees the institution's, an enterprise those addressed to it."""
    condition = _visible(actor)
    if condition is None:
        raise Problem(403, "forbidden", "권한이 없습니다", "견적서를 볼 수 있는 역할이 아닙니다.")
    stmt = select(Quotation).where(condition)
    if query.get("request_id"):
        stmt = stmt.where(Quotation.request_id == query["request_id"])
    with wiring.db.reading() as session:
        page = keyset_page(session, stmt, query, order_by=(Quotation.id,), descending=True)
    for quotation in page.items:
        quotation.pdf_ready = cached_path(wiring, quotation).exists()
    return page.as_dict()


def get_quotation(wiring: OrdersWiring, quotation_id: str, actor: Principal) -> Quotation:
    condition = _visible(actor)
    with wiring.db.reading() as session:
        quotation = (
            None
            if condition is None
            else session.scalar(select(Quotation).where(Quotation.id == quotation_id, condition))
        )
    if quotation is None:
        raise not_found("quotation", "견적서")
    quotation.pdf_ready = cached_path(wiring, quotation).exists()
    return quotation


def cached_path(wiring: OrdersWiring, quotation: Quotation) -> Path:
    return pdf_documents.cached_file(wiring.settings.exports_dir, f"quotation-{quotation.id}.pdf")


def find_pdf(wiring: OrdersWiring, quotation_id: str, actor: Principal) -> tuple[Path, bool, str]:
    """(path, ready, download name) after the visibility check."""
    quotation = get_quotation(wiring, quotation_id, actor)
    path = cached_path(wiring, quotation)
    return path, path.exists(), f"{KINDS['quotation']}-{quotation.number}.pdf"


def render_cached(wiring: OrdersWiring, quotation_id: str) -> str:
    """The task's work: draw the quotation unless it is cached already (it never changes)."""
    with wiring.db.reading() as session:
        quotation = session.get(Quotation, quotation_id)
    if quotation is None:
        return "missing"
    return pdf_documents.write_once(cached_path(wiring, quotation), lambda: as_document(quotation))


def as_document(quotation: Quotation) -> Document:
    notes = [f"유효기간: {quotation.valid_until:%Y-%m-%d}까지 ({QUOTATION_VALID_DAYS}일)"]
    if quotation.needed_by:
        notes.append(f"납품 희망일: {quotation.needed_by:%Y-%m-%d}")
    department = f" {quotation.department}" if quotation.department else ""
    notes.append(f"요청: {quotation.institution_name}{department}")
    if quotation.note:
        notes.append(f"요청 사항: {quotation.note}")
    notes.append("위와 같이 견적합니다. 단가는 발행일의 카탈로그 가격입니다.")
    return Document(
        kind="quotation",
        number=quotation.number,
        issued_on=quotation.issued_on,
        supplier=Party("공급자", quotation.enterprise_name, quotation.enterprise_brn),
        buyer=Party("수신", quotation.institution_name, quotation.institution_brn),
        lines=tuple(
            DocumentLine(
                ln.line_no,
                ln.name,
                ln.unit,
                ln.quantity,
                ln.unit_price,
                ln.supply_amount,
                ln.tax_type,
            )
            for ln in quotation.lines
        ),
        supply=quotation.supply_amount,
        vat=quotation.vat_amount,
        total=quotation.total_amount,
        notes=tuple(notes),
    )
