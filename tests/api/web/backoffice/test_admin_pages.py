"""Platform admins in the browser: enterprises (사업자등록번호 checked, certifications
corrected with a reason), institutions, brand policy and committee conflicts, and dead
webhook deliveries replayed."""

from __future__ import annotations

import pytest

from gachi_kit.brn import make_brn
from tests.api.web.backoffice.conftest import post_form, text_of
from tests.support.builders import register_enterprise
from tests.support.catalog_builders import certify, create_brand
from tests.support.dead_events import park_dead_decline
from tests.support.notify_events import ENTERPRISE_A, supplier_order_created
from tests.support.notify_receivers import HTTPReceiver, Reply, deliveries, send_all

FAST = {  # notify gives up after four quick tries (as in the notify tests)
    "DELIVERY_BACKOFF_BASE_SECONDS": "0.05",
    "DELIVERY_BACKOFF_MAX_SECONDS": "0.2",
    "DELIVERY_MAX_ATTEMPTS": "4",
    "WEBHOOK_TIMEOUT_SECONDS": "1",
}
NEW = {
    "name": "완주 김치 마을기업",
    "enterprise_type": "village_enterprise",
    "representative": "박소하",
    "sigungu_code": "52710",
    "address": "전북 완주군 고산면",
    "email": "kimchi@example.kr",
}


@pytest.fixture
def admin(people):
    return people("admin", sub="platform-admin", name="관리자")


def test_registering_an_enterprise_checks_the_business_number(admin):
    page = "/admin/enterprises/new"
    valid = make_brn("521810007")
    typo = valid[:-1] + str((int(valid[-1]) + 1) % 10)  # the check digit no longer fits
    wrong = post_form(admin, page, {**NEW, "brn": typo}, page=page)
    assert wrong.status_code == 422
    text = text_of(wrong)
    assert 'id="f-brn-error"' in text and 'aria-invalid="true"' in text
    missing = post_form(admin, page, {"name": "완주 김치 마을기업"}, page=page)
    assert missing.status_code == 422 and "사업자등록번호를 적어 주세요." in text_of(missing)
    made = post_form(admin, page, {**NEW, "brn": valid}, page=page)
    assert made.status_code == 302
    detail = text_of(admin.get(made.headers["Location"]))
    assert "완주 김치 마을기업" in detail and "마을기업" in detail
    assert "완주 김치 마을기업" in text_of(admin.get("/admin/enterprises?q=김치"))


def test_correcting_a_certification_needs_a_reason(admin, api, token):
    tofu = register_enterprise(api["catalog"], token("admin"))
    cert = certify(api["catalog"], token("admin"), tofu["id"])
    page = f"/admin/enterprises/{tofu['id']}"
    path = f"{page}/certifications/{cert['id']}"
    refused = post_form(admin, path, {"number": "2024-009"}, page=page)
    assert refused.status_code == 422 and "고친 이유를 적어 주세요." in text_of(refused)
    fixed = post_form(admin, path, {"number": "2024-009", "reason": "인증번호 오기"}, page=page)
    assert fixed.status_code == 302
    assert "2024-009" in text_of(admin.get(page))


def test_institutions_and_their_departments(admin):
    page = "/admin/institutions"
    refused = post_form(admin, page, {"name": "광명시청"}, page=page)
    assert refused.status_code == 422 and "기관 종류를 적어 주세요." in text_of(refused)
    made = post_form(
        admin,
        page,
        {"name": "광명시청", "kind": "지자체", "sido_code": "41", "departments": "총무과\n회계과"},
        page=page,
    )
    assert made.status_code == 302
    listing = text_of(admin.get(page))
    assert "광명시청" in listing and "총무과, 회계과" in listing
    institution = listing.split("/admin/institutions/")[1].split("/departments")[0]
    added = post_form(
        admin, f"{page}/{institution}/departments", {"department": "사회적경제과"}, page=page
    )
    assert added.status_code == 302 and "사회적경제과" in text_of(admin.get(page))


def test_brand_policy_and_a_members_conflict_of_interest(admin, api, token):
    create_brand(api["catalog"], token("admin"))
    tofu = register_enterprise(api["catalog"], token("admin"))
    page = "/admin/brands/BITSONE"
    assert "비츠원" in text_of(admin.get("/admin/brands"))
    bad = post_form(
        admin,
        page,
        {
            "routing_policy": "fair_share",
            "acceptance_hours": "하루",
            "price_tolerance_percent": "10",
        },
        page=page,
    )
    assert bad.status_code == 422 and "수락 기한(시간)은 0 이상의 숫자로" in text_of(bad)
    policy = {
        "routing_policy": "fair_share",
        "acceptance_hours": "48",
        "price_tolerance_percent": "5",
        "quorum": "3",
        "listing_validity_months": "24",
    }
    assert post_form(admin, page, policy, page=page).status_code == 302
    brand = api["catalog"].get("/v1/brands/BITSONE", headers=token("admin")).get_json()
    assert (brand["routing_policy"], brand["acceptance_hours"]) == ("fair_share", 48)
    member = {"user_sub": "committee-bitsone-3", "name": "박소하"}
    assert post_form(admin, f"{page}/committee", member, page=page).status_code == 302
    conflict = {"conflicted_enterprise_ids": tofu["id"]}
    declared = post_form(admin, f"{page}/committee/committee-bitsone-3", conflict, page=page)
    assert declared.status_code == 302
    members = api["catalog"].get("/v1/brands/BITSONE/committee", headers=token("admin"))
    assert members.get_json()["items"][0]["conflicted_enterprise_ids"] == [tofu["id"]]


def test_dead_webhook_deliveries_are_replayed(admin, stack, service_config, token):
    """notify gives up on a webhook that keeps answering 500 (short backoffs here); the admin
    sees it among the dead deliveries and sends it again from the page."""
    import notify
    from notify.services.events import handle_event

    quick = notify.create_app({**service_config, **FAST, "WEBHOOK_ALLOW_LOOPBACK": "1"})
    with HTTPReceiver() as receiver:
        hook = quick.test_client().post(
            "/v1/subscriptions",
            json={"channel": "webhook", "address": receiver.url, "event_types": ["*"]},
            headers=token("enterprise", ENTERPRISE_A),
        )
        assert hook.status_code == 201, hook.get_json()
        receiver.default = Reply(500)
        with quick.app_context():
            handle_event(quick.extensions["notify"], supplier_order_created())
        send_all(quick, wait=30)
        page = text_of(admin.get("/admin/deliveries/dead"))
        assert "발송 포기" in page and receiver.url in page
        receiver.default = Reply(200)
        dead = [d.id for d in deliveries(quick, channel="webhook")]
        replay = "/admin/deliveries/dead/replay"
        done = post_form(admin, replay, {"ids": dead}, page="/admin/deliveries/dead")
        assert done.status_code == 302
        assert "1건을 다시 보냈습니다." in text_of(admin.get("/admin/deliveries/dead"))
        send_all(quick)
        rows = deliveries(quick, channel="webhook")
        assert [(d.status, d.replays) for d in rows] == [("sent", 1)]
    quick.extensions["notify"].db.dispose()


def test_a_dead_event_is_replayed_from_the_page(admin, stack, service_config):
    """A poison event notify gave up on is listed under the dead deliveries; 다시 처리
    queues it once, and a second press is refused in Korean (it is no longer dead)."""
    import notify
    from notify.adapters.models import InboundEvent
    from notify.services.events import handle_event

    quick = notify.create_app({**service_config, "MAX_EVENT_ATTEMPTS": "1"})
    poison = supplier_order_created(ENTERPRISE_A)
    del poison["data"]["lines"]  # notify's handler fails on it every time
    with quick.app_context():
        with pytest.raises(Exception, match="lines"):
            handle_event(quick.extensions["notify"], poison)
        assert handle_event(quick.extensions["notify"], poison) == "dead"
    page = text_of(admin.get("/admin/deliveries/dead"))
    assert "처리하지 못한 이벤트" in page and poison["id"] in page

    replay = f"/admin/events/dead/{poison['id']}/replay"
    assert post_form(admin, replay, {}, page="/admin/deliveries/dead").status_code == 302
    assert "이벤트를 다시 처리하도록 넣었습니다." in text_of(admin.get("/admin/deliveries/dead"))
    with quick.extensions["notify"].db.reading() as session:
        row = session.get(InboundEvent, poison["id"])
        assert (row.status, row.attempts) == ("processing", 0)
    assert post_form(admin, replay, {}, page="/admin/deliveries/dead").status_code == 302
    again = text_of(admin.get("/admin/deliveries/dead"))
    assert "실패(dead) 상태인 이벤트만 다시 처리합니다." in again
    quick.extensions["notify"].db.dispose()


def test_a_dead_decline_of_orders_saga_is_listed_beside_notifys_and_replayed_by_orders(
    admin, stack
):
    """orders' re-routing saga gives up on events too: the page lists them as 주문 재배정,
    and 다시 처리 goes to orders, which queues the decline once more."""
    from orders.adapters.models import InboundEvent

    event_id = park_dead_decline(stack.orders.extensions["orders"])
    page = admin.get("/admin/deliveries/dead")
    html = page.get_data(as_text=True)
    assert event_id in html and "주문 재배정" in html
    assert 'name="consumer" value="orders"' in html

    replay = f"/admin/events/dead/{event_id}/replay"
    answer = post_form(admin, replay, {"consumer": "orders"}, page="/admin/deliveries/dead")
    assert answer.status_code == 302
    assert "이벤트를 다시 처리하도록 넣었습니다." in text_of(admin.get("/admin/deliveries/dead"))
    with stack.orders.extensions["orders"].db.reading() as session:
        row = session.get(InboundEvent, event_id)
        assert (row.status, row.attempts) == ("processing", 0)

    refused = post_form(admin, replay, {"consumer": "catalog"}, page="/admin/deliveries/dead")
    assert refused.status_code == 302
    assert "처리할 서비스를 목록에서 고르세요." in text_of(admin.get("/admin/deliveries/dead"))


def test_service_health_shows_each_apis_readiness(admin):
    page = text_of(admin.get("/admin/health"))
    assert page.count("데이터베이스: 정상") == 3 and "메시지 브로커(Redis): 정상" in page
    assert "보내지 못한 알림" in page and "0건" in page
