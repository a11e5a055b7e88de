"""Brands (routing policy, price tolerance, acceptance hours, quorum) with their committee
members, and the notification deliveries and events that gave up, replayed from here."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from web.identity.current import signin_required
from web.portal import api
from web.portal.admin import bp
from web.portal.backoffice import pages

BRAND_NUMBERS = {
    "acceptance_hours": "수락 기한(시간)",
    "price_tolerance_percent": "가격 허용 범위(%)",
    "quorum": "정족수",
    "listing_validity_months": "승인 유효기간(개월)",
}
POLICIES = [
    ("local_first", "지역 우선"),
    ("fair_share", "고른 배분"),
    ("lowest_price", "최저가 우선"),
    ("fastest", "가장 빠른 납품 우선"),
]


# The services that consume events and keep the ones they gave up on (gachi_kit.dead_events).
EVENT_CONSUMERS = {"notify": "알림", "orders": "주문 재배정"}


@bp.get("/brands")
@signin_required("admin")
def brands():
    items = api.call("catalog", "GET", "/v1/brands")["items"]
    return pages.render("admin/brands.html", items=items)


def _brand_page(code: str, errors=None, message=None):
    brand = api.call("catalog", "GET", f"/v1/brands/{code}")
    members = api.call("catalog", "GET", f"/v1/brands/{code}/committee")["items"]
    return pages.render(
        "admin/brand.html",
        brand=brand,
        members=members,
        policies=POLICIES,
        errors=errors,
        message=message,
        active="platform.brands",
    )


@bp.get("/brands/<code>")
@signin_required("admin")
def brand(code):
    return _brand_page(code[:40])


def _brand_change(code: str, change, done: str):
    return pages.change_on(change, done, "platform.brand", _brand_page, code=code[:40])


@bp.post("/brands/<code>")
@signin_required("admin")
def brand_update(code):
    def change():
        current = api.call("catalog", "GET", f"/v1/brands/{code[:40]}")
        body, errors = {}, {}
        for name, label in BRAND_NUMBERS.items():
            try:
                body[name] = pages.read_int(request.form, name, label=label)
            except pages.FormInvalid as refused:
                errors.update(refused.errors)
        if request.form.get("routing_policy") in dict(POLICIES):
            body["routing_policy"] = request.form["routing_policy"]
        if errors:
            raise pages.FormInvalid(errors)
        changed = {k: v for k, v in body.items() if current.get(k) != v}
        if changed:
            api.call("catalog", "PATCH", f"/v1/brands/{code[:40]}", json=changed)

    return _brand_change(code, change, "브랜드 정책을 고쳤습니다.")


def _conflicts(form) -> list[str]:
    text = (form.get("conflicted_enterprise_ids") or "").replace(",", " ")
    return [part.strip() for part in text.split() if part.strip()]


@bp.post("/brands/<code>/committee")
@signin_required("admin")
def member_add(code):
    def change():
        form = request.form
        errors = pages.blanks(form, {"user_sub": "위원 계정 ID", "name": "이름"})
        if errors:
            raise pages.FormInvalid(errors)
        body = {
            "user_sub": form["user_sub"].strip(),
            "name": form["name"].strip(),
            "is_chair": form.get("is_chair") == "true",
            "conflicted_enterprise_ids": _conflicts(form),
        }
        api.call("catalog", "POST", f"/v1/brands/{code[:40]}/committee", json=body)

    return _brand_change(code, change, "위원을 추가했습니다.")


@bp.post("/brands/<code>/committee/<sub>")
@signin_required("admin")
def member_update(code, sub):
    """Chair or not, and the enterprises the member declared a conflict of interest with
    (the member then no longer sees their applications' documents and votes)."""
    path = f"/v1/brands/{code[:40]}/committee/{sub[:100]}"
    if request.form.get("remove") == "true":
        return _brand_change(code, lambda: api.call("catalog", "DELETE", path), "위원을 뺐습니다.")
    body = {
        "is_chair": request.form.get("is_chair") == "true",
        "conflicted_enterprise_ids": _conflicts(request.form),
    }
    return _brand_change(
        code, lambda: api.call("catalog", "PATCH", path, json=body), "위원 정보를 고쳤습니다."
    )


# -- operations -----------------------------------------------------------------------------

SERVICE_NAMES = {
    "catalog": "상품·브랜드 (catalog)",
    "orders": "주문 (orders)",
    "notify": "알림 (notify)",
}
CHECK_NAMES = {"database": "데이터베이스", "broker": "메시지 브로커(Redis)"}


def readiness(service: str) -> dict:
    """What a service's /readyz says (database, broker); a service that does not answer, or
    answers 503, is shown as not ready rather than breaking the page."""
    try:
        answer = api.call(service, "GET", "/readyz", anonymous=True)
    except (api.ApiError, api.UpstreamUnavailable) as exc:
        return {"ready": False, "checks": {}, "error": str(exc)}
    return {
        "ready": answer.get("status") == "ok",
        "checks": answer.get("checks", {}),
    }


@bp.get("/health")
@signin_required("admin")
def health():
    services = {name: readiness(name) for name in SERVICE_NAMES}
    dead = api.call("notify", "GET", "/v1/ops/dead-deliveries", params={"limit": 100})
    return pages.render(
        "admin/health.html",
        services=services,
        names=SERVICE_NAMES,
        checks=CHECK_NAMES,
        dead=len(dead["items"]),
        more=bool(dead.get("next_cursor")),
    )


@bp.get("/deliveries/dead")
@signin_required("admin")
def dead_deliveries():
    params = pages.filters("channel", "cursor", longest=26, limit=50)
    page = api.call("notify", "GET", "/v1/ops/dead-deliveries", params=params)
    events = [
        {**event, "consumer": consumer}
        for consumer in EVENT_CONSUMERS
        for event in api.call(consumer, "GET", "/v1/ops/dead-events", params={"limit": 50})["items"]
    ]
    events.sort(key=lambda event: event["received_at"], reverse=True)
    return pages.render(
        "admin/dead_deliveries.html",
        page=page,
        events=events,
        consumers=EVENT_CONSUMERS,
        query=request.args,
    )


@bp.post("/events/dead/<event_id>/replay")
@signin_required("admin")
def replay_event(event_id):
    """A poison event handled again once its handler is fixed, by the service that gave up
    on it (notify keeps the event; orders' saga reads it from its outbox)."""
    consumer = request.form.get("consumer", "notify")
    if consumer not in EVENT_CONSUMERS:
        flash("처리할 서비스를 목록에서 고르세요.", "error")
        return redirect(url_for("platform.dead_deliveries"))
    try:
        api.call(consumer, "POST", f"/v1/ops/dead-events/{event_id[:26]}/replay")
    except api.ApiError as refused:
        flash(refused.message(), "error")
    else:
        flash("이벤트를 다시 처리하도록 넣었습니다.", "success")
    return redirect(url_for("platform.dead_deliveries"))


@bp.post("/deliveries/dead/replay")
@signin_required("admin")
def replay():
    ids = [i[:26] for i in request.form.getlist("ids") if i]
    everything = request.form.get("all") == "true"
    if not ids and not everything:
        flash("다시 보낼 발송을 고르세요.", "error")
        return redirect(url_for("platform.dead_deliveries"))
    body = {"all": True} if everything else {"ids": ids}
    result = api.call("notify", "POST", "/v1/ops/dead-deliveries/replay", json=body)
    skipped = len(result.get("skipped", []))
    note = f"{len(result.get('replayed', []))}건을 다시 보냈습니다."
    if skipped:
        note += f" {skipped}건은 건너뛰었습니다."
    flash(note, "success")
    return redirect(url_for("platform.dead_deliveries"))
