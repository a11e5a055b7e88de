"""Where the enterprise hears about orders: channels (inbox, e-mail, SMS, 알림톡),
webhook endpoints (the signing secret shown once, rotation) and the delivery log."""

from __future__ import annotations

from flask import make_response, request, url_for

from web.identity.current import signin_required
from web.portal import api
from web.portal.backoffice import pages
from web.portal.enterprise import bp

# What an operator chooses from; notify's patterns behind each.
TOPICS = [
    ("*", "모든 알림"),
    ("supplier_order.*", "주문 알림만"),
    ("listing.*", "브랜드 심사 알림만"),
]
CONTACT_CHANNELS = [("email", "이메일"), ("sms", "문자(SMS)"), ("alimtalk", "알림톡")]
DIGESTS = [("", "바로 받기"), ("hourly", "한 시간마다 모아서"), ("daily", "하루에 한 번 모아서")]


def _subscriptions() -> list[dict]:
    return api.call("notify", "GET", "/v1/subscriptions", params={"limit": 100})["items"]


def _tested() -> dict | None:
    """The delivery of the test event just sent (`?tested=<id>`): queued until a worker
    sends it, then sent or failed; a reload shows where it stands now."""
    delivery_id = request.args.get("tested", "")[:26]
    if not delivery_id:
        return None
    try:
        return api.call("notify", "GET", f"/v1/deliveries/{delivery_id}")
    except api.ApiError:
        return None  # not one of ours, or gone: the page shows no result box


def _settings_page(errors=None, message=None, secret=None, status=200):
    items = _subscriptions()
    page = pages.render(
        "enterprise/notifications.html",
        contacts=[s for s in items if s["channel"] != "webhook"],
        webhooks=[s for s in items if s["channel"] == "webhook"],
        topics=TOPICS,
        channels=CONTACT_CHANNELS,
        digests=DIGESTS,
        secret=secret,
        tested=_tested(),
        errors=errors,
        message=message,
        active="enterprise.notifications",
    )
    response = make_response(page, status)
    if secret:  # the secret is shown once: no copy in any cache or history
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/notifications")
@signin_required("enterprise")
def notifications():
    return _settings_page()


def _topic(form) -> list[str]:
    chosen = form.get("event_types", "*")
    return [chosen if chosen in dict(TOPICS) else "*"]


def _settings_change(change, done: str):
    return pages.change_on(change, done, "enterprise.notifications", _settings_page)


@bp.post("/notifications/contacts")
@signin_required("enterprise")
def notification_add():
    def change():
        form = request.form
        channel = form.get("channel")
        errors = pages.blanks(form, {"address": "받을 주소(이메일 또는 전화번호)"})
        if channel not in dict(CONTACT_CHANNELS):
            errors["channel"] = ["받는 방법을 고르세요."]
        if errors:
            raise pages.FormInvalid(errors)
        body = {"channel": channel, "address": form["address"].strip(), "event_types": _topic(form)}
        if channel == "email" and form.get("digest") in ("hourly", "daily"):
            body["digest"] = form["digest"]
        api.call("notify", "POST", "/v1/subscriptions", json=body)

    return _settings_change(change, "받는 곳을 추가했습니다.")


@bp.post("/notifications/<subscription_id>/active")
@signin_required("enterprise")
def notification_toggle(subscription_id):
    active = request.form.get("active") == "true"
    path = f"/v1/subscriptions/{subscription_id[:26]}"
    return _settings_change(
        lambda: api.call("notify", "PATCH", path, json={"active": active}),
        "알림을 켰습니다." if active else "알림을 껐습니다.",
    )


@bp.post("/notifications/<subscription_id>/delete")
@signin_required("enterprise")
def notification_delete(subscription_id):
    path = f"/v1/subscriptions/{subscription_id[:26]}"
    return _settings_change(lambda: api.call("notify", "DELETE", path), "받는 곳을 지웠습니다.")


@bp.post("/notifications/webhooks")
@signin_required("enterprise")
def webhook_add():
    """Answered with the page itself, not a redirect: the secret exists only in this answer."""
    url = (request.form.get("address") or "").strip()
    if not url:
        return _settings_page(
            {"webhook_address": ["웹훅 주소(https://…)를 적어 주세요."]}, None, status=422
        )
    body = {"channel": "webhook", "address": url, "event_types": _topic(request.form)}
    try:
        created = api.call("notify", "POST", "/v1/subscriptions", json=body)
    except api.ApiError as refused:
        errors = {"webhook_address": refused.errors.pop("address", [])} | refused.errors
        return _settings_page(errors, pages.explain(refused), status=refused.status)
    return _settings_page(secret={"value": created.get("secret"), "address": created["address"]})


@bp.post("/notifications/webhooks/<subscription_id>/rotate")
@signin_required("enterprise")
def webhook_rotate(subscription_id):
    path = f"/v1/subscriptions/{subscription_id[:26]}/rotate-secret"
    try:
        rotated = api.call("notify", "POST", path, json={})
    except api.ApiError as refused:
        if refused.status in (401, 403, 404):
            raise
        return _settings_page(refused.errors, pages.explain(refused), status=refused.status)
    secret = {
        "value": rotated.get("secret"),
        "address": rotated["address"],
        "old_until": rotated.get("secret_rotating_until"),
    }
    return _settings_page(secret=secret)


@bp.post("/notifications/webhooks/<subscription_id>/test")
@signin_required("enterprise")
def webhook_test(subscription_id):
    path = f"/v1/subscriptions/{subscription_id[:26]}/test"
    sent = {}

    def change():
        sent.update(api.call("notify", "POST", path))

    return pages.submit(
        change,
        done="시험 이벤트를 보냈습니다.",
        then=lambda: url_for("enterprise.notifications", tested=sent["id"]),
        again=lambda errors, message: _settings_page(errors, message),
    )


@bp.get("/notifications/deliveries")
@signin_required("enterprise")
def deliveries():
    params = pages.filters("status", "channel", "cursor", longest=26, limit=50)
    page = api.call("notify", "GET", "/v1/deliveries", params=params)
    return pages.render(
        "enterprise/deliveries.html",
        page=page,
        query=request.args,
        active="enterprise.notifications",
    )
