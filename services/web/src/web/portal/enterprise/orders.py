"""The operator's day: what waits for an answer (with its deadline), what to produce and
ship, and one supplier order's page with every step of its life."""

from __future__ import annotations

from flask import request

from web.identity.current import current_membership, signin_required
from web.portal import api
from web.portal.backoffice import pages
from web.portal.backoffice.present import parse_instant
from web.portal.enterprise import bp

# States in which the goods are still to be made or sent, in the order they happen.
TO_SHIP = ("accepted", "partially_accepted", "in_production")
FILTERS = [
    ("", "전체"),
    ("pending", "수락 대기"),
    ("accepted", "수락"),
    ("partially_accepted", "부분 수락"),
    ("in_production", "생산 중"),
    ("shipped", "배송 중"),
    ("delivered", "납품 완료"),
    ("inspected", "검수 완료"),
    ("declined", "거절"),
    ("expired", "기한 만료"),
    ("cancelled", "취소"),
]
CARRIERS = ["CJ대한통운", "우체국택배", "한진택배", "롯데택배", "로젠택배", "직접 배송"]


def _supplier_orders(status: str, limit: int = 50, cursor: str | None = None) -> dict:
    params = {"status": status, "limit": limit}
    if cursor:
        params["cursor"] = cursor
    return api.call("orders", "GET", "/v1/supplier-orders", params=params)


def _by_deadline(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda so: parse_instant(so.get("acceptance_deadline")) or 0)


@bp.get("/")
@signin_required("enterprise")
def dashboard():
    waiting = _by_deadline(_supplier_orders("pending")["items"])
    to_ship = [so for status in TO_SHIP for so in _supplier_orders(status)["items"]]
    inbox = api.call("notify", "GET", "/v1/inbox", params={"unread": "true", "limit": 5})
    return pages.render(
        "enterprise/dashboard.html",
        membership=current_membership(),
        waiting=waiting,
        to_ship=to_ship,
        inbox=inbox,
    )


@bp.get("/supplier-orders")
@signin_required("enterprise")
def supplier_orders():
    status = request.args.get("status", "")
    if status not in dict(FILTERS):
        status = ""
    params = pages.filters("cursor", longest=26, limit=20)
    if status:
        params["status"] = status
    page = api.call("orders", "GET", "/v1/supplier-orders", params=params)
    return pages.render(
        "enterprise/supplier_orders.html", page=page, status=status, filters=FILTERS
    )


def _order_page(so_id: str, errors=None, message=None, form=None):
    so = api.call("orders", "GET", f"/v1/supplier-orders/{so_id}")
    return pages.render(
        "enterprise/supplier_order.html",
        so=so,
        errors=errors,
        message=message,
        form=form if form is not None else request.form,
        carriers=CARRIERS,
        active="enterprise.supplier_orders",
    )


@bp.get("/supplier-orders/<so_id>")
@signin_required("enterprise")
def supplier_order(so_id):
    return _order_page(so_id[:26])


def _act(so_id: str, action: str, body: dict | None = None, *, done: str):
    so_id = so_id[:26]

    def change():
        payload = dict(body() if callable(body) else (body or {}))
        version = pages.read_int(request.form, "version", required=False)
        if version is not None:
            payload["version"] = version
        api.call("orders", "POST", f"/v1/supplier-orders/{so_id}/{action}", json=payload)

    return pages.change_on(change, done, "enterprise.supplier_order", _order_page, so_id=so_id)


def answer_lines(form, lines: list[dict]) -> dict:
    """The accept form: one quantity per line (blank = all of it) and a reason for what is
    not accepted. No `lines` at all when everything is accepted, as the API expects."""
    answers, errors, partial = [], {}, False
    for line in lines:
        key = f"accepted_{line['line_no']}"
        try:
            quantity = pages.read_int(form, key, required=False, label="수락 수량")
        except pages.FormInvalid as refused:
            errors.update(refused.errors)
            continue
        quantity = line["quantity"] if quantity is None else quantity
        reason = pages.read_text(form, f"reason_{line['line_no']}")
        if quantity > line["quantity"]:
            errors[key] = [f"주문 수량({line['quantity']:,})보다 많이 수락할 수 없습니다."]
        elif quantity < line["quantity"] and not reason:
            errors[f"reason_{line['line_no']}"] = ["수락하지 않는 수량의 사유를 적어 주세요."]
        partial = partial or quantity != line["quantity"]
        answers.append(
            {"line_no": line["line_no"], "accepted_quantity": quantity, "reason": reason}
        )
    if errors:
        raise pages.FormInvalid(errors)
    if not partial:
        return {}
    return {
        "lines": [
            {k: v for k, v in answer.items() if v is not None or k != "reason"}
            for answer in answers
        ]
    }


@bp.post("/supplier-orders/<so_id>/accept")
@signin_required("enterprise")
def accept(so_id):
    def body():
        so = api.call("orders", "GET", f"/v1/supplier-orders/{so_id[:26]}")
        return answer_lines(request.form, so["lines"])

    return _act(so_id, "accept", body, done="주문에 답했습니다. 구매 기관에 알렸습니다.")


@bp.post("/supplier-orders/<so_id>/decline")
@signin_required("enterprise")
def decline(so_id):
    def body():
        reason = pages.read_text(request.form, "decline_reason")
        if not reason:
            raise pages.FormInvalid({"decline_reason": ["거절 사유를 적어 주세요."]})
        return {"reason": reason}

    return _act(so_id, "decline", body, done="주문을 거절했습니다. 다른 기업에 다시 배정됩니다.")


@bp.post("/supplier-orders/<so_id>/production")
@signin_required("enterprise")
def production(so_id):
    return _act(so_id, "production", done="생산 중으로 표시했습니다.")


@bp.post("/supplier-orders/<so_id>/ship")
@signin_required("enterprise")
def ship(so_id):
    def body():
        errors = {}
        carrier = pages.read_text(request.form, "carrier")
        tracking = pages.read_text(request.form, "tracking_number")
        if not carrier:
            errors["carrier"] = ["택배사(또는 직접 배송)를 적어 주세요."]
        if not tracking:
            errors["tracking_number"] = [
                "송장 번호를 적어 주세요. 직접 배송이면 차량 번호를 적어요."
            ]
        if errors:
            raise pages.FormInvalid(errors)
        return {"carrier": carrier, "tracking_number": tracking}

    return _act(so_id, "ship", body, done="발송했습니다. 구매 기관에 송장 번호를 알렸습니다.")


@bp.post("/supplier-orders/<so_id>/deliver")
@signin_required("enterprise")
def deliver(so_id):
    return _act(so_id, "deliver", done="납품 완료로 표시했습니다. 구매 기관의 검수를 기다립니다.")


@bp.post("/supplier-orders/<so_id>/invoice")
@signin_required("enterprise")
def invoice(so_id):
    return _act(so_id, "invoice", done="세금계산서 발행으로 표시했습니다.")
