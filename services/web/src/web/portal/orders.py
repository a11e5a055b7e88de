"""A purchase officer's orders: the list with filters, one order with its split, routing
explanation, cancel, and 검수 (inspection) of each delivered supplier order."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from web.identity import current
from web.portal.api import ApiError, call
from web.portal.filters import ORDER_STATUSES, day_in_korea
from web.portal.navigation import BUYERS

bp = Blueprint("orders", __name__, url_prefix="/orders")

# The happy path a supplier order walks; the timeline marks where it is.
TIMELINE = [
    ("pending", "수락 대기"),
    ("accepted", "수락"),
    ("in_production", "생산 중"),
    ("shipped", "배송 중"),
    ("delivered", "납품 완료"),
    ("inspected", "검수 완료"),
    ("invoiced", "세금계산서"),
    ("paid", "대금 지급"),
]
STEP = {code: index for index, (code, _label) in enumerate(TIMELINE)}
STEP["partially_accepted"] = STEP["accepted"]
VOID = {"declined", "expired", "cancelled"}
CANCELLABLE = {"pending", "accepted", "partially_accepted", "in_production"}
# The list reads at most this many orders to filter (orders has no server-side filters yet).
LIST_PAGES, LIST_PAGE_SIZE = 5, 100
LINE_FIELD = re.compile(r"^lines\.\d+\.\w+$")
FILTERS = ("status", "department", "from", "to")
TRIGGERS = {"placement": "주문 때", "declined": "거절 후 재배정", "expired": "기한 만료 후 재배정"}


@bp.before_request
@current.signin_required(*BUYERS)
def _buyers_only():
    return None


def timeline(status: str) -> list[dict]:
    if status in VOID:
        return [
            {
                "label": {"declined": "거절", "expired": "기한 만료", "cancelled": "취소"}[status],
                "state": "void",
            }
        ]
    here = STEP.get(status, 0)
    return [
        {"label": label, "state": "done" if i < here else "current" if i == here else "todo"}
        for i, (_code, label) in enumerate(TIMELINE)
    ]


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def order_filters() -> tuple[dict, dict[str, list[str]]]:
    args = {key: request.args.get(key, "").strip() for key in FILTERS}
    errors = {}
    for key in ("from", "to"):
        if args[key] and parse_day(args[key]) is None:
            errors[key] = ["날짜를 2026-12-24 형식으로 입력해 주세요."]
    if args["status"] and args["status"] not in ORDER_STATUSES:
        errors["status"] = ["목록에 있는 상태를 고르세요."]
    start, end = parse_day(args["from"]), parse_day(args["to"])
    if start and end and start > end:
        errors["to"] = ["끝 날짜는 시작 날짜와 같거나 뒤여야 합니다."]
    return args, errors


def matches(order: dict, args: dict) -> bool:
    created = day_in_korea(order["created_at"]).isoformat() if order.get("created_at") else ""
    if args["status"] and order["status"] != args["status"]:
        return False
    if args["department"] and (order.get("department") or "") != args["department"]:
        return False
    if args["from"] and created < args["from"]:
        return False
    return not (args["to"] and created > args["to"])


@bp.get("")
def index():
    args, errors = order_filters()
    orders, cursor = [], None
    for _ in range(LIST_PAGES):
        params = {"limit": LIST_PAGE_SIZE} | ({"cursor": cursor} if cursor else {})
        page = call("orders", "GET", "/v1/orders", params=params)
        orders.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    departments = sorted({o["department"] for o in orders if o.get("department")})
    shown = orders if errors else [o for o in orders if matches(o, args)]
    return render_template(
        "portal/orders.html",
        orders=shown,
        args=args,
        errors=errors,
        departments=departments,
        statuses=ORDER_STATUSES,
        truncated=bool(cursor),
    )


def routing_story(routing: dict, order: dict) -> list[dict]:
    """Each routing decision as sentences a purchase officer reads without a manual."""
    names = {line["line_no"]: line for line in order["lines"]}
    stories = []
    for decision in routing.get("decisions", []):
        line = names.get(decision["line_no"], {})
        chosen = [c for c in decision["candidates"] if c.get("allocated_quantity")]
        others = [c for c in decision["candidates"] if not c.get("allocated_quantity")]
        stories.append(
            {
                "line_no": decision["line_no"],
                "name": line.get("name", decision.get("group_code")),
                "unit": line.get("unit", ""),
                "quantity": decision["quantity"],
                "trigger": TRIGGERS.get(decision["trigger"], decision["trigger"]),
                "policy": decision["policy"],
                "chosen": chosen,
                "others": others,
                "unallocated": decision["unallocated_quantity"],
                "at": decision["created_at"],
            }
        )
    return stories


def by_line_field(exc: ApiError, general_key: str) -> dict[str, list[str]]:
    """The API's messages for one line's field stay on that field; the rest (a rule about
    the whole line or order) go to the top of the form."""
    on_fields = {key: msgs for key, msgs in exc.errors.items() if LINE_FIELD.match(key)}
    general = [msg for key, msgs in exc.errors.items() if key not in on_fields for msg in msgs]
    return on_fields | {general_key: general or ([] if on_fields else [exc.message()])}


def render_order(order_id: str, errors: dict | None = None, focus: str | None = None, status=200):
    order = call("orders", "GET", f"/v1/orders/{order_id}")
    routing = call("orders", "GET", f"/v1/orders/{order_id}/routing")
    cancellable_lines, shipped = set(), False
    for supplier_order in order["supplier_orders"]:
        supplier_order["timeline"] = timeline(supplier_order["status"])
        supplier_order["cancellable"] = supplier_order["status"] in CANCELLABLE
        shipped |= supplier_order["status"] not in CANCELLABLE | VOID
        if supplier_order["cancellable"]:
            cancellable_lines |= {
                line["order_line_no"] for line in supplier_order["lines"] if not line["cancelled"]
            }
    return (
        render_template(
            "portal/order.html",
            order=order,
            stories=routing_story(routing, order),
            errors=errors or {},
            focus=focus,
            cancellable_lines=cancellable_lines if order["status"] == "placed" else set(),
            whole_cancellable=order["status"] == "placed" and not shipped,
            just_placed=bool(request.args.get("placed")),
        ),
        status,
    )


@bp.get("/<order_id>")
def detail(order_id: str):
    return render_order(order_id)[0]


@bp.post("/<order_id>/cancel")
def cancel(order_id: str):
    body: dict = {"reason": request.form.get("reason", "").strip()}
    line_nos = [int(n) for n in request.form.getlist("line_nos") if n.isdigit()]
    if request.form.get("scope") == "lines":
        body["line_nos"] = line_nos
    errors = {}
    if not body["reason"]:
        errors["reason"] = ["취소 사유를 입력해 주세요."]
    if request.form.get("scope") == "lines" and not line_nos:
        errors["line_nos"] = ["취소할 품목을 하나 이상 고르세요."]
    if not errors:
        try:
            call("orders", "POST", f"/v1/orders/{order_id}/cancel", json=body)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = exc.errors or {"cancel": [exc.message()]}
    if errors:
        return render_order(order_id, errors, focus="cancel", status=422)
    flash("취소했습니다.", "success")
    return redirect(url_for("orders.detail", order_id=order_id))


@bp.post("/<order_id>/supplier-orders/<supplier_order_id>/inspect")
def inspect(order_id: str, supplier_order_id: str):
    """검수: per line how many were accepted and rejected, with a reason for rejections."""
    lines, errors = [], {}
    line_nos = request.form.getlist("line_no")
    for index, raw_no in enumerate(line_nos):
        accepted = request.form.get(f"lines.{index}.accepted_quantity", "").strip()
        rejected = request.form.get(f"lines.{index}.rejected_quantity", "0").strip() or "0"
        reason = request.form.get(f"lines.{index}.reason", "").strip()
        if not accepted.isdigit() or not rejected.isdigit():
            errors[f"lines.{index}.accepted_quantity"] = ["합격·불합격 수량은 0 이상의 숫자입니다."]
            continue
        line = {
            "line_no": int(raw_no),
            "accepted_quantity": int(accepted),
            "rejected_quantity": int(rejected),
        }
        if int(rejected) and not reason:
            errors[f"lines.{index}.reason"] = ["불합격 수량이 있으면 사유를 적어 주세요."]
        if reason:
            line["reason"] = reason
        lines.append(line)
    if not errors:
        body = {"lines": lines}
        if request.form.get("version", "").isdigit():
            body["version"] = int(request.form["version"])
        try:
            call("orders", "POST", f"/v1/supplier-orders/{supplier_order_id}/inspect", json=body)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = by_line_field(exc, "inspect")
    if errors:
        return render_order(order_id, errors, focus=supplier_order_id, status=422)
    flash("검수 결과를 기록했습니다.", "success")
    return redirect(url_for("orders.detail", order_id=order_id) + f"#so-{supplier_order_id}")
