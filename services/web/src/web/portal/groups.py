"""단체 구매 (group purchase): an organiser opens one and shares its link and QR code;
participants join from the link without an account, then change or withdraw their entry
until the deadline (their secret stays in their own browser session)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from gachi_kit.dates import today_kst
from web.identity import current
from web.portal.api import ApiError, call
from web.portal.catalogue import brands, product_groups
from web.portal.navigation import BUYERS, cart_lines
from web.portal.ordering import api_delivery, delivery_defaults, place_once
from web.qr import qr_svg

bp = Blueprint("groups", __name__, url_prefix="/group-purchases")
public_bp = Blueprint("join", __name__, url_prefix="/join")
JOINED_KEY = "portal_joined"  # share code → {id, secret} of this browser's participation
LABELS = {
    "title": "제목",
    "items": "품목",
    "deadline": "참여 마감",
    "minimum_quantity": "최소 수량",
    "needed_by": "납품 요청일",
    "delivery_address": "배송지 주소",
    "delivery_sigungu_code": "배송 지역(시군구 코드)",
    "brand_code": "브랜드",
    "name": "이름",
    "contact": "연락처",
    "reason": "사유",
}
FORM_FIELDS = ("title", "deadline", "minimum_quantity")


@bp.before_request
@current.signin_required(*BUYERS)
def _organisers_only():
    return None


def share_url(code: str) -> str:
    return url_for("join.view", code=code, _external=True)


@bp.get("")
def index():
    page = call("orders", "GET", "/v1/group-orders", params={"limit": 50})
    return render_template("portal/groups.html", groups=page["items"])


def render_new(errors=None, fields=None, status=200):
    defaults = delivery_defaults()
    defaults.setdefault("deadline", f"{today_kst() + timedelta(days=7)}T18:00")
    defaults["needed_by"] = (today_kst() + timedelta(days=14)).isoformat()
    return (
        render_template(
            "portal/group_new.html",
            errors=errors or {},
            fields=fields or defaults,
            labels=LABELS,
            brands=brands(),
            groups=product_groups(),
            cart=cart_lines(),
            chosen=set(request.form.getlist("item")) if request.method == "POST" else None,
            idempotency_key=str(uuid.uuid4()),
        ),
        status,
    )


@bp.get("/new")
def new():
    return render_new()[0]


@bp.post("/new")
def create():
    fields = {name: request.form.get(name, "").strip() for name in request.form}
    items = []
    for choice in request.form.getlist("item"):
        kind, _sep, ref = choice.partition(":")
        items.append({"product_id" if kind == "product" else "group_code": ref})
    errors = {}
    if not items:
        errors["items"] = ["함께 살 품목을 하나 이상 고르세요."]
    minimum = fields.get("minimum_quantity", "")
    if not minimum.isdigit():
        errors["minimum_quantity"] = ["최소 수량은 1 이상의 숫자입니다."]
    if errors:
        return render_new(errors, fields, 422)
    body = api_delivery(fields) | {
        "title": fields.get("title", ""),
        "items": items,
        "deadline": fields.get("deadline", ""),
        "minimum_quantity": int(minimum),
    }
    key = fields.get("idempotency_key") or str(uuid.uuid4())
    try:
        group = place_once(
            key,
            lambda: call(
                "orders", "POST", "/v1/group-orders", json=body, headers={"Idempotency-Key": key}
            ),
        )
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return render_new(exc.errors or {"_": [exc.message()]}, fields, 422)
    flash("단체 구매를 열었습니다. 참여 링크나 QR 코드를 나눠 주세요.", "success")
    return redirect(url_for("groups.detail", group_id=group["id"]))


def render_detail(group_id: str, errors=None, status=200):
    group = call("orders", "GET", f"/v1/group-orders/{group_id}")
    url = share_url(group["share_code"])
    return (
        render_template(
            "portal/group_detail.html",
            group=group,
            share=url,
            qr=qr_svg(url, "단체 구매 참여 QR 코드"),
            errors=errors or {},
        ),
        status,
    )


@bp.get("/<group_id>")
def detail(group_id: str):
    return render_detail(group_id)[0]


@bp.post("/<group_id>/close")
def close(group_id: str):
    try:
        call("orders", "POST", f"/v1/group-orders/{group_id}/close", json={})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return render_detail(group_id, {"close": [exc.detail or exc.title]}, 422)
    flash("단체 구매를 마감하고 주문을 넣었습니다.", "success")
    return redirect(url_for("groups.detail", group_id=group_id))


@bp.post("/<group_id>/cancel")
def cancel(group_id: str):
    reason = request.form.get("reason", "").strip()
    if not reason:
        return render_detail(group_id, {"reason": ["취소 사유를 입력해 주세요."]}, 422)
    try:
        call("orders", "POST", f"/v1/group-orders/{group_id}/cancel", json={"reason": reason})
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return render_detail(group_id, exc.errors or {"reason": [exc.message()]}, 422)
    flash("단체 구매를 취소했습니다. 참여자에게 알림이 갑니다.", "success")
    return redirect(url_for("groups.detail", group_id=group_id))


# --- participants: no account, the share code and their own secret ------------------------


def joined(code: str) -> dict | None:
    return (session.get(JOINED_KEY) or {}).get(code)


def remember_joined(code: str, entry: dict | None) -> None:
    saved = dict(session.get(JOINED_KEY) or {})
    if entry is None:
        saved.pop(code, None)
    else:
        saved[code] = entry
    session[JOINED_KEY] = saved


def quantities_from_form(items: list[dict]) -> tuple[list[dict], dict[str, list[str]]]:
    quantities, errors = [], {}
    for index, item in enumerate(items):
        raw = request.form.get(f"quantities.{index}.quantity", "0").replace(",", "").strip() or "0"
        if not raw.isdigit():
            errors[f"quantities.{index}.quantity"] = ["수량은 0 이상의 숫자입니다."]
            continue
        quantities.append({"item_no": item["item_no"], "quantity": int(raw)})
    return quantities, errors


def own_entry(code: str) -> dict | None:
    entry = joined(code)
    if entry is None:
        return None
    try:
        return call(
            "orders",
            "GET",
            f"/v1/group-orders/by-code/{code}/participants/{entry['id']}",
            anonymous=True,
            headers={"X-Participant-Secret": entry["secret"]},
        )
    except ApiError as exc:
        if exc.status not in (403, 404):
            raise
        remember_joined(code, None)
        return None


def render_join(code: str, errors=None, fields=None, status=200):
    group = call("orders", "GET", f"/v1/group-orders/by-code/{code}", anonymous=True)
    mine = own_entry(code)
    return (
        render_template(
            "portal/join.html",
            group=group,
            mine=mine,
            secret=(joined(code) or {}).get("secret"),
            errors=errors or {},
            fields=fields or {},
            labels=LABELS,
        ),
        status,
    )


@public_bp.get("/<code>")
def view(code: str):
    return render_join(code)[0]


def public_group(code: str) -> dict:
    return call("orders", "GET", f"/v1/group-orders/by-code/{code}", anonymous=True)


@public_bp.post("/<code>")
def join(code: str):
    group = public_group(code)
    quantities, errors = quantities_from_form(group["items"])
    fields = {
        "name": request.form.get("name", "").strip(),
        "contact": request.form.get("contact", "").strip(),
    }
    if errors:
        return render_join(code, errors, fields, 422)
    try:
        entry = call(
            "orders",
            "POST",
            f"/v1/group-orders/by-code/{code}/participants",
            anonymous=True,
            json=fields | {"quantities": quantities},
        )
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return render_join(code, exc.errors or {"_": [exc.message()]}, fields, 422)
    remember_joined(code, {"id": entry["id"], "secret": entry["secret"]})
    flash("참여했습니다. 마감 전까지 이 화면에서 수량을 바꾸거나 취소할 수 있습니다.", "success")
    return redirect(url_for("join.view", code=code))


def participant_call(code: str, method: str, **kwargs):
    entry = joined(code)
    if entry is None:
        flash("이 브라우저에서 참여한 기록이 없습니다. 다시 참여해 주세요.", "error")
        return None
    return call(
        "orders",
        method,
        f"/v1/group-orders/by-code/{code}/participants/{entry['id']}",
        anonymous=True,
        headers={"X-Participant-Secret": entry["secret"]},
        **kwargs,
    )


@public_bp.post("/<code>/change")
def change(code: str):
    group = public_group(code)
    quantities, errors = quantities_from_form(group["items"])
    if errors:
        return render_join(code, errors, status=422)
    try:
        if participant_call(code, "PUT", json={"quantities": quantities}) is not None:
            flash("수량을 바꿨습니다.", "success")
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return render_join(code, exc.errors or {"_": [exc.message()]}, status=422)
    return redirect(url_for("join.view", code=code))


@public_bp.post("/<code>/withdraw")
def withdraw(code: str):
    if joined(code) is None:
        return redirect(url_for("join.view", code=code))
    try:
        participant_call(code, "DELETE")
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return render_join(code, {"_": [exc.message()]}, status=422)
    remember_joined(code, None)
    flash("참여를 취소했습니다.", "success")
    return redirect(url_for("join.view", code=code))
