"""The 주문서 (cart, kept in the server-side session) and placing it as one order.

Placing carries the form's own Idempotency-Key: a double click or a reload of the answer
sends the same key, and orders replays the first order instead of placing a second."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from gachi_kit.dates import today_kst
from web.identity import current
from web.portal.api import ApiError, call
from web.portal.catalogue import brands
from web.portal.navigation import BUYERS, CART_KEY, cart_lines

bp = Blueprint("ordering", __name__, url_prefix="/order-sheet")
DELIVERY_KEY = "portal_delivery"
PLACED_KEY = "portal_placed"  # Idempotency-Key → order id, for a resubmitted form
DELIVERY_FIELDS = ("delivery_address", "delivery_sigungu_code", "needed_by", "brand_code", "memo")
IN_FLIGHT_RETRIES = 10
LABELS = {
    "delivery_address": "배송지 주소",
    "delivery_sigungu_code": "배송 지역(시군구 코드)",
    "needed_by": "납품 요청일",
    "brand_code": "브랜드",
    "memo": "요청 사항",
    "lines": "주문 품목",
}


@bp.before_request
@current.signin_required(*BUYERS)
def _buyers_only():
    return None


def delivery_defaults() -> dict:
    """The last delivery details used, else the institution's region and two weeks ahead."""
    saved = session.get(DELIVERY_KEY)
    if saved:
        return dict(saved)
    membership = current.current_membership()
    defaults = {"needed_by": (today_kst() + timedelta(days=14)).isoformat()}
    try:
        institution = call("orders", "GET", f"/v1/institutions/{membership.org_id}")
    except ApiError:
        return defaults
    defaults["delivery_sigungu_code"] = institution.get("sigungu_code") or ""
    address = institution.get("name", "")
    if membership.dept:
        address = f"{address} {membership.dept}"
    defaults["delivery_address"] = address
    return defaults


def delivery_from_form() -> dict:
    fields = {name: request.form.get(name, "").strip() for name in DELIVERY_FIELDS}
    session[DELIVERY_KEY] = fields
    return fields


def api_delivery(fields: dict) -> dict:
    """The delivery fields as orders takes them: optional ones left out when empty."""
    body = {"delivery_address": fields["delivery_address"], "needed_by": fields["needed_by"]}
    for optional in ("delivery_sigungu_code", "brand_code", "memo"):
        if fields.get(optional):
            body[optional] = fields[optional]
    if not body["needed_by"]:
        body.pop("needed_by")
    return body


def line_messages(errors: dict[str, list[str]]) -> dict[int, list[str]]:
    """orders reports a line's problem under `lines.<index>` (a refused line, whose
    message `why_not` completes) or `lines.<index>.<field>` (a field the schema refused)."""
    by_line: dict[int, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
            by_line.setdefault(int(parts[1]), []).extend(messages)
    return by_line


def why_not(refused: ApiError) -> dict[str, list[str]]:
    """A refused product-group line: say why its candidate suppliers could not take it
    ("브랜드 승인이 없거나 만료되었습니다: 6곳"), in the words routing gave."""
    errors = dict(refused.errors)
    lines = (refused.body.get("errors") or {}).get("lines")
    for index, problem in lines.items() if isinstance(lines, dict) else []:
        candidates = problem.get("candidates") if isinstance(problem, dict) else None
        if not candidates:
            continue
        reasons = Counter(
            reason["detail"] for candidate in candidates for reason in candidate["reasons"]
        )
        summary = ", ".join(f"{detail}: {count}곳" for detail, count in reasons.most_common())
        errors[f"lines.{index}"] = [
            *errors.get(f"lines.{index}", []),
            f"후보 기업 사정 — {summary}",
        ]
    return errors


def parse_quantity(raw: str | None) -> int | None:
    try:
        value = int((raw or "").replace(",", "").strip())
    except ValueError:
        return None
    return value if value > 0 else None


def render_cart(errors: dict | None = None, fields: dict | None = None, status: int = 200):
    errors = errors or {}
    return (
        render_template(
            "portal/cart.html",
            lines=cart_lines(),
            fields=fields or delivery_defaults(),
            errors=errors,
            line_errors=line_messages(errors),
            labels=LABELS,
            brands=brands(),
            idempotency_key=str(uuid.uuid4()),
        ),
        status,
    )


@bp.get("")
def cart():
    return render_cart()


@bp.post("/lines")
def add_line():
    quantity = parse_quantity(request.form.get("quantity"))
    product_id = request.form.get("product_id", "").strip()
    group_code = request.form.get("group_code", "").strip()
    back = request.form.get("next") or request.referrer or url_for("catalogue.search")
    if quantity is None:
        flash("수량은 1 이상의 숫자로 입력해 주세요.", "error")
        return redirect(back)
    if product_id:
        item = call("catalog", "GET", f"/v1/products/{product_id}")
        line = {
            "kind": "product",
            "ref": product_id,
            "name": item["name"],
            "enterprise_name": item["enterprise_name"],
            "unit": item["unit"],
            "unit_price": item["unit_price"],
            "tax_type": item["tax_type"],
            "min_order_qty": item.get("min_order_qty") or 1,
        }
    elif group_code:
        group = call("catalog", "GET", f"/v1/product-groups/{group_code}")
        line = {"kind": "group", "ref": group_code, "name": group["name"], "unit": group["unit"]}
    else:
        flash("담을 상품을 고르세요.", "error")
        return redirect(back)
    lines = cart_lines()
    for existing in lines:
        if (existing["kind"], existing["ref"]) == (line["kind"], line["ref"]):
            existing["quantity"] += quantity
            break
    else:
        lines.append({**line, "quantity": quantity})
    session[CART_KEY] = lines
    flash(f"‘{line['name']}’ {quantity:,}{line['unit']}을(를) 주문서에 담았습니다.", "success")
    return redirect(back)


def quantities_from_form(lines: list[dict]) -> tuple[list[dict], dict[str, list[str]]]:
    """The quantities typed in the 주문서; a line whose 삭제 was pressed is dropped."""
    removed = request.form.get("remove")
    kept, errors = [], {}
    for index, line in enumerate(lines):
        if removed == str(index):
            continue
        raw = request.form.get(f"lines.{index}.quantity", str(line["quantity"]))
        quantity = parse_quantity(raw)
        if quantity is None:
            errors[f"lines.{len(kept)}.quantity"] = ["수량은 1 이상의 숫자로 입력해 주세요."]
        else:
            line = {**line, "quantity": quantity}
        kept.append(line)
    return kept, errors


@bp.post("")
def update():
    lines, errors = quantities_from_form(cart_lines())
    session[CART_KEY] = lines
    fields = delivery_from_form()
    if errors:
        return render_cart(errors, fields, 422)
    flash("주문서를 저장했습니다.", "success")
    return redirect(url_for("ordering.cart"))


@bp.post("/clear")
def clear():
    session[CART_KEY] = []
    flash("주문서를 비웠습니다.", "success")
    return redirect(url_for("ordering.cart"))


def place_once(key: str, send) -> dict:
    """Send a placing request; while the same key is still being processed (a double click
    that arrived first), wait for it and take its answer."""
    for _ in range(IN_FLIGHT_RETRIES):
        try:
            return send()
        except ApiError as exc:
            if exc.code != "idempotency_request_in_flight":
                raise
            time.sleep(0.5)
    return send()


def remember_placed(key: str, order_id: str) -> None:
    placed = dict(session.get(PLACED_KEY) or {})
    placed[key] = order_id
    session[PLACED_KEY] = dict(list(placed.items())[-20:])


def already_placed(key: str) -> str | None:
    return (session.get(PLACED_KEY) or {}).get(key)


@bp.post("/place")
def place():
    key = request.form.get("idempotency_key", "").strip() or str(uuid.uuid4())
    placed = already_placed(key)
    if placed:
        return redirect(url_for("orders.detail", order_id=placed))
    lines, errors = quantities_from_form(cart_lines())
    session[CART_KEY] = lines
    fields = delivery_from_form()
    if not lines:
        errors["lines"] = ["주문서에 담긴 품목이 없습니다."]
    if errors:
        return render_cart(errors, fields, 422)
    body = api_delivery(fields) | {
        "lines": [
            {
                ("product_id" if line["kind"] == "product" else "group_code"): line["ref"],
                "quantity": line["quantity"],
            }
            for line in lines
        ]
    }
    try:
        order = place_once(
            key,
            lambda: call(
                "orders", "POST", "/v1/orders", json=body, headers={"Idempotency-Key": key}
            ),
        )
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return render_cart(why_not(exc) or {"_": [exc.message()]}, fields, 422)
    remember_placed(key, order["id"])
    session[CART_KEY] = []
    flash("주문을 접수했습니다. 공급 기업별로 나뉜 내역을 확인하세요.", "success")
    return redirect(url_for("orders.detail", order_id=order["id"], placed=1))
