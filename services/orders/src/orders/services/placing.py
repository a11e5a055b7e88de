"""Use case: place an institutional order.

Price every line through catalog (one batch call, outside any transaction), refuse the
whole order if any line is refused, then write the order, its supplier orders (one per
enterprise), its lines' snapshots, the outbox events and the idempotency record in one
transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem
from gachi_kit.http import UpstreamUnavailable
from gachi_kit.logging import get_logger
from orders.adapters.catalog_client import CatalogError
from orders.adapters.models import Order, OrderLine, SupplierOrder
from orders.domain.rules import needed_by_problem, today_kst
from orders.domain.split import PricedLine, Split, split_by_enterprise
from orders.services import idempotency
from orders.wiring import Orders

log = get_logger(__name__)


def place_order(
    o: Orders,
    fields: dict,
    actor: Principal,
    *,
    idempotency_key: str | None,
    raw_body: object,
    render: Callable[[Order], dict],
) -> tuple[int, dict, bool]:
    """Returns (status, body, replayed)."""
    if not actor.org:
        raise Problem(
            403, "forbidden_institution", "권한이 없습니다", "토큰에 기관(org)이 없습니다."
        )
    claim = idempotency.Claim(
        scope=f"{actor.org}/{actor.sub}",
        key=idempotency.validate_key(idempotency_key),
        request_hash=idempotency.fingerprint(raw_body),
    )
    replay = idempotency.claim(o, claim)
    if replay is not None:
        return replay.status, replay.body, True
    try:
        split = split_by_enterprise(_price(o, fields))
        with o.db.transaction() as session:
            order = _build_order(fields, actor, split)
            session.add(order)
            session.flush()
            _record_events(o, session, order)
            body = render(order)
            idempotency.complete(session, claim, 201, body)
    except BaseException:
        idempotency.release(o, claim)
        raise
    log.info("order_placed", order_id=order.id, supplier_orders=len(order.supplier_orders))
    return 201, body, False


def _price(o: Orders, fields: dict) -> list[PricedLine]:
    problem = needed_by_problem(fields["needed_by"], today_kst())
    if problem:
        raise Problem(
            422,
            "needed_by_in_past",
            "입력값이 올바르지 않습니다",
            problem,
            errors={"needed_by": [problem]},
        )
    try:
        priced = o.catalog.price(fields["lines"], fields["needed_by"])
    except UpstreamUnavailable as exc:
        log.warning("catalog_unavailable", error=str(exc))
        raise Problem(
            503,
            "catalog_unavailable",
            "상품 정보를 확인할 수 없습니다",
            "상품 카탈로그에 연결할 수 없어 주문을 받지 않았습니다. 잠시 후 다시 시도하세요.",
            headers={"Retry-After": "10"},
        ) from exc
    except CatalogError as exc:
        log.error("catalog_bad_answer", error=str(exc))
        raise Problem(
            503,
            "catalog_unavailable",
            "상품 정보를 확인할 수 없습니다",
            "상품 카탈로그의 응답이 올바르지 않아 주문을 받지 않았습니다.",
            headers={"Retry-After": "30"},
        ) from exc
    line_errors = {
        str(index): {"product_id": [answer["error"]["detail"]], "code": answer["error"]["code"]}
        for index, answer in enumerate(priced)
        if "error" in answer
    }
    if line_errors:
        raise Problem(
            422,
            "order_lines_invalid",
            "주문할 수 없는 품목이 있습니다",
            f"{len(line_errors)}개 품목을 주문할 수 없습니다. errors.lines를 확인하세요.",
            errors={"lines": line_errors},
        )
    return [
        PricedLine(line_no=index + 1, quantity=line["quantity"], snapshot=answer["snapshot"])
        for index, (line, answer) in enumerate(zip(fields["lines"], priced, strict=True))
    ]


def _build_order(fields: dict, actor: Principal, split: Split) -> Order:
    order = Order(
        institution_id=actor.org,
        department=actor.dept,
        buyer_id=actor.sub,
        status="placed",
        delivery_address=fields["delivery_address"],
        delivery_sigungu_code=fields.get("delivery_sigungu_code"),
        needed_by=fields["needed_by"],
        memo=fields.get("memo", ""),
        supply_amount=split.amounts.supply,
        vat_amount=split.amounts.vat,
        total_amount=split.amounts.total,
    )
    for part in split.parts:
        supplier_order = SupplierOrder(
            enterprise_id=part.enterprise_id,
            enterprise_name=part.lines[0].snapshot["enterprise_name"],
            status="pending",
            supply_amount=part.amounts.supply,
            vat_amount=part.amounts.vat,
            total_amount=part.amounts.total,
        )
        order.supplier_orders.append(supplier_order)
        for line in part.lines:
            snap = line.snapshot
            certification = snap.get("certification") or {}
            row = OrderLine(
                line_no=line.line_no,
                product_id=snap["product_id"],
                product_version=snap["product_version"],
                sku=snap["sku"],
                name=snap["name"],
                unit=snap["unit"],
                quantity=line.quantity,
                unit_price=snap["unit_price"],
                tax_type=snap["tax_type"],
                supply_amount=line.supply,
                enterprise_id=snap["enterprise_id"],
                enterprise_type=snap["enterprise_type"],
                certified=bool(snap["certified"]),
                certification_number=certification.get("number"),
            )
            order.lines.append(row)
            supplier_order.lines.append(row)
    return order


def _record_events(o: Orders, session, order: Order) -> None:
    o.outbox.record(
        session,
        "order.placed",
        {
            "order_id": order.id,
            "institution_id": order.institution_id,
            "department": order.department,
            "buyer_id": order.buyer_id,
            "needed_by": order.needed_by.isoformat(),
            "supply_amount": order.supply_amount,
            "vat_amount": order.vat_amount,
            "total_amount": order.total_amount,
            "supplier_orders": [
                {
                    "supplier_order_id": so.id,
                    "enterprise_id": so.enterprise_id,
                    "total_amount": so.total_amount,
                }
                for so in order.supplier_orders
            ],
        },
        aggregate_id=order.id,
    )
    for so in order.supplier_orders:
        o.outbox.record(
            session,
            "supplier_order.created",
            {
                "supplier_order_id": so.id,
                "order_id": order.id,
                "enterprise_id": so.enterprise_id,
                "enterprise_name": so.enterprise_name,
                "institution_id": order.institution_id,
                "department": order.department,
                "needed_by": order.needed_by.isoformat(),
                "delivery_address": order.delivery_address,
                "supply_amount": so.supply_amount,
                "vat_amount": so.vat_amount,
                "total_amount": so.total_amount,
                "lines": [
                    {
                        "line_no": ln.line_no,
                        "product_id": ln.product_id,
                        "sku": ln.sku,
                        "name": ln.name,
                        "unit": ln.unit,
                        "quantity": ln.quantity,
                        "unit_price": ln.unit_price,
                        "tax_type": ln.tax_type,
                        "supply_amount": ln.supply_amount,
                    }
                    for ln in so.lines
                ],
            },
            aggregate_id=so.id,
        )
