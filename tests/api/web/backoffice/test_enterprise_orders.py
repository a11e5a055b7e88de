"""An enterprise operator's orders in the browser: the dashboard, answering a supplier
order (all, part of a line, or declining), producing, shipping and delivering."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from tests.api.web.backoffice.conftest import csrf_of, post_form, text_of
from tests.support.builders import enterprise_body, product_body


@pytest.fixture
def shop(api, token, people):
    """광명두부마을 with two products, 광명시청 that ordered both, and the operator signed in."""
    admin = token("admin")
    tofu = api["catalog"].post("/v1/enterprises", json=enterprise_body(), headers=admin).get_json()
    products = [
        api["catalog"]
        .post("/v1/products", json=product_body(tofu["id"], **fields), headers=admin)
        .get_json()
        for fields in ({"name": "두부과자 200g"}, {"name": "국산콩 두부 1모", "tax_type": "exempt"})
    ]
    city = (
        api["orders"]
        .post(
            "/v1/institutions",
            json={
                "name": "광명시청",
                "kind": "지자체",
                "sido_code": "41",
                "departments": ["총무과"],
            },
            headers=admin,
        )
        .get_json()
    )
    order = api["orders"].post(
        "/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": (date.today() + timedelta(days=10)).isoformat(),
            "lines": [
                {"product_id": products[0]["id"], "quantity": 100},
                {"product_id": products[1]["id"], "quantity": 40},
            ],
        },
        headers={**token("buyer", city["id"], dept="총무과"), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert order.status_code == 201, order.get_json()
    (so,) = order.get_json()["supplier_orders"]
    client = people("enterprise", tofu["id"], tofu["name"])
    return {"tofu": tofu, "so": so, "client": client, "admin": admin, "city": city}


def page_of(shop):
    return f"/enterprise/supplier-orders/{shop['so']['id']}"


def status_of(api, token, shop):
    headers = token("enterprise", shop["tofu"]["id"])
    return api["orders"].get(f"/v1/supplier-orders/{shop['so']['id']}", headers=headers).get_json()


def test_dashboard_shows_the_order_waiting_with_its_deadline(shop):
    page = text_of(shop["client"].get("/enterprise/"))
    assert "답을 기다리는 주문" in page
    assert "두부과자 200g 외 1건" in page
    assert "남음" in page  # the acceptance deadline counts down
    assert "생산하거나 발송할 주문이 없습니다." in page


def test_accepting_part_of_a_line_with_a_reason(shop, api, token):
    response = post_form(
        shop["client"],
        page_of(shop) + "/accept",
        {"accepted_1": "100", "accepted_2": "25", "reason_2": "이번 주 콩 입고 부족"},
        page=page_of(shop),
    )
    assert response.status_code == 302 and response.headers["Location"] == page_of(shop)
    so = status_of(api, token, shop)
    assert so["status"] == "partially_accepted"
    assert [line["accepted_quantity"] for line in so["lines"]] == [100, 25]
    page = text_of(shop["client"].get(page_of(shop)))
    assert "주문에 답했습니다." in page and "이번 주 콩 입고 부족" in page


def test_partial_acceptance_without_a_reason_is_refused_next_to_the_field(shop, api, token):
    response = post_form(
        shop["client"], page_of(shop) + "/accept", {"accepted_2": "열 개"}, page=page_of(shop)
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "수락 수량은 0 이상의 숫자로 적어 주세요." in page
    assert 'aria-invalid="true"' in page
    response = post_form(
        shop["client"], page_of(shop) + "/accept", {"accepted_2": "10"}, page=page_of(shop)
    )
    assert response.status_code == 422
    assert "수락하지 않는 수량의 사유를 적어 주세요." in text_of(response)
    assert status_of(api, token, shop)["status"] == "pending"


def test_declining_needs_a_reason(shop, api, token):
    response = post_form(shop["client"], page_of(shop) + "/decline", {}, page=page_of(shop))
    assert response.status_code == 422 and "거절 사유를 적어 주세요." in text_of(response)
    response = post_form(
        shop["client"],
        page_of(shop) + "/decline",
        {"decline_reason": "설비 점검으로 생산 중단"},
        page=page_of(shop),
    )
    assert response.status_code == 302
    assert status_of(api, token, shop)["status"] == "declined"


def test_accept_produce_ship_and_deliver(shop, api, token):
    client, page = shop["client"], page_of(shop)
    assert post_form(client, page + "/accept", {}, page=page).status_code == 302
    assert post_form(client, page + "/production", {}, page=page).status_code == 302
    refused = post_form(client, page + "/ship", {"carrier": "CJ대한통운"}, page=page)
    assert refused.status_code == 422
    assert "송장 번호를 적어 주세요." in text_of(refused)
    shipped = post_form(
        client,
        page + "/ship",
        {"carrier": "CJ대한통운", "tracking_number": "6012-3456-7890"},
        page=page,
    )
    assert shipped.status_code == 302
    assert "CJ대한통운 · 송장 6012-3456-7890" in text_of(client.get(page))
    assert post_form(client, page + "/deliver", {}, page=page).status_code == 302
    assert status_of(api, token, shop)["status"] == "delivered"
    assert "구매 기관의 검수를 기다리고 있습니다." in text_of(client.get(page))


def test_a_stale_form_is_refused_with_the_current_state(shop):
    client, page = shop["client"], page_of(shop)
    stale = csrf_of(client.get(page))  # the page as it was, version 1
    assert post_form(client, page + "/accept", {}, page=page).status_code == 302
    again = client.post(
        page + "/decline",
        data={"decline_reason": "두 번 누름", "version": "1", "csrf_token": stale},
    )
    assert again.status_code == 409
    assert "다른 사용자가 먼저 변경했습니다" in text_of(again)


def test_inspection_result_is_shown(shop, api, token):
    client, page = shop["client"], page_of(shop)
    for action, data in (
        ("accept", {}),
        ("ship", {"carrier": "직접 배송", "tracking_number": "12가3456"}),
        ("deliver", {}),
    ):
        assert post_form(client, f"{page}/{action}", data, page=page).status_code == 302
    buyer = token("buyer", shop["city"]["id"], dept="총무과")
    inspected = api["orders"].post(
        f"/v1/supplier-orders/{shop['so']['id']}/inspect",
        json={
            "lines": [
                {
                    "line_no": 1,
                    "accepted_quantity": 95,
                    "rejected_quantity": 5,
                    "reason": "포장 파손",
                },
                {"line_no": 2, "accepted_quantity": 40, "rejected_quantity": 0},
            ]
        },
        headers=buyer,
    )
    assert inspected.status_code == 200, inspected.get_json()
    text = text_of(client.get(page))
    assert "합격 95봉" in text and "불합격 5봉" in text and "포장 파손" in text


def test_another_enterprises_order_is_not_found(shop, people, api, token):
    other = (
        api["catalog"]
        .post(
            "/v1/enterprises",
            json=enterprise_body(name="완주 김치 마을기업"),
            headers=shop["admin"],
        )
        .get_json()
    )
    stranger = people("enterprise", other["id"], other["name"], sub="kimchi-operator")
    assert stranger.get(page_of(shop)).status_code == 404


def test_the_portal_link_in_the_email_lands_on_the_order_after_sign_in(shop, stack):
    """The e-mail notify writes for the new supplier order links its portal page; a
    signed-out operator who opens it signs in and comes back to that very page."""
    from sqlalchemy import select

    from notify.services.events import handle_event
    from orders.adapters.models import OutboxMessage
    from tests.support.notify_events import enterprise_registered
    from tests.support.notify_receivers import deliveries
    from web.identity.models import Person

    tofu = shop["tofu"]
    with stack.orders.extensions["orders"].db.reading() as session:
        (created,) = session.scalars(
            select(OutboxMessage).where(OutboxMessage.type == "supplier_order.created")
        ).all()
        created = created.envelope().to_dict()
    with stack.notify.app_context():
        n = stack.notify.extensions["notify"]
        handle_event(n, enterprise_registered(tofu["id"], email="tofu@example.kr"))
        assert handle_event(n, created) == "done"
    (mail,) = deliveries(stack.notify, channel="email", event_id=created["id"])
    found = re.search(r"포털에서 처리\(부분 수락·발송\): (\S+)", mail.payload["text"])
    assert found, mail.payload["text"]
    path = "/" + found.group(1).split("/", 3)[3]
    assert path == page_of(shop)

    w = stack.web.extensions["web"]
    with w.db.transaction() as session:
        operator = session.scalars(select(Person).where(Person.email.like("enterprise-%"))).one()
        operator.password_hash = w.passwords.hash("두부-비밀번호-2026")
        operator.totp_enabled_at = None  # an operator signs in with a password alone
        email = operator.email
    browser = stack.web.test_client()  # signed out
    opened = browser.get(path)
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/sign-in?next={path}"
    signed_in = post_form(
        browser,
        opened.headers["Location"],
        {"email": email, "password": "두부-비밀번호-2026", "next": path},
        page=opened.headers["Location"],
    )
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == path
    page = text_of(browser.get(path))
    assert "두부과자 200g 외 1건" in page and "일부만 수락하는 사유" in page
