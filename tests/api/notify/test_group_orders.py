"""Group orders and cancelled lines through notify, on the real database with real receivers:
an SMTP server (aiosmtpd) and an SMS provider speaking NHN Cloud's API on loopback.

Participants have no account and no subscription: each hears about the outcome at the
contact they gave (SMS to a mobile number, e-mail to an address, nothing to a landline),
once. The organiser's institution hears through its inbox and its subscriptions, without
the participants' contacts. Enterprises hear when a buyer cancels some of their lines."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from gachi_kit.events import new_id
from notify.adapters.models import Delivery, RateCounter, Subscription
from notify.services import deliveries as delivery_service
from tests.support.notify_events import (
    INSTITUTION_ID,
    ORGANISER,
    PEOPLE,
    enterprise_registered,
    group_order_closed,
    group_order_settled,
)
from tests.support.notify_receivers import NHN_OK, HTTPReceiver, Reply, deliveries, send_all

KIM, LEE, PARK = (PEOPLE[p][0] for p in ("kim", "lee", "park"))
REFUSED = Reply(
    200,
    {"Content-Type": "application/json"},
    b'{"header": {"isSuccessful": false, "resultCode": -2000, "resultMessage": "blocked"}}',
)


@pytest.fixture
def sms_provider():
    with HTTPReceiver(default=NHN_OK) as provider:
        yield provider


@pytest.fixture
def make_gapp(make_app, smtp, sms_provider):
    """notify sending e-mail to the SMTP server and SMS to the provider, both on loopback."""
    smtp.messages.clear()
    smtp.envelopes.clear()

    def make(**overrides):
        return make_app(
            SMTP_HOST=smtp.host,
            SMTP_PORT=str(smtp.port),
            MAIL_FROM="같이 알림 <noti@gachi.kr>",
            SMS_PROVIDER="nhncloud",
            SMS_API_URL=sms_provider.url,
            SMS_APP_KEY="appkey-123",
            SMS_SECRET_KEY="secret-456",
            SMS_SENDER_NUMBER="02-2680-0000",
            WEBHOOK_ALLOW_LOOPBACK="1",
            **overrides,
        )

    return make


@pytest.fixture
def gapp(make_gapp):
    return make_gapp()


def texts(provider) -> list[tuple[str, str, str]]:
    """(to, body, path) of every SMS the provider received."""
    found = []
    for request in provider.requests:
        body = request.json()
        (to,) = body["recipientList"]
        found.append((to["recipientNo"], body["body"], request.path))
    return found


def mails_to(smtp, address: str) -> list:
    return [m for m in smtp.messages if m["To"] == address]


def plain(message) -> str:
    """The decoded text part, with SMTP's CRLF line ends as the template wrote them."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def participant_rows(app, event_id=None) -> dict[str, Delivery]:
    where = {"recipient_type": "participant"}
    if event_id:
        where["event_id"] = event_id
    return {r.recipient_id: r for r in deliveries(app, **where)}


def not_notified(caplog) -> list[dict]:
    return [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg.get("event") == "participant_not_notified"
    ]


# --- participants -------------------------------------------------------------------------


def test_each_participant_hears_their_quantities_and_amount_once_and_a_landline_nothing(
    gapp, smtp, sms_provider, feed, token, caplog
):
    app = gapp
    event = group_order_closed()
    with caplog.at_level(logging.INFO, logger="notify.services.dispatch"):
        assert feed(app, event) == "done"
    send_all(app)

    rows = participant_rows(app)
    assert {pid: (r.channel, r.address, r.status) for pid, r in rows.items()} == {
        KIM: ("sms", "01012345678", "sent"),
        LEE: ("email", "jisu.lee@example.kr", "sent"),
    }
    assert {r.subscription_id for r in rows.values()} == {None}
    assert {r.subject_id for r in rows.values()} == {event["data"]["group_order_id"]}

    # 김순자: one short SMS (not LMS) with her quantities and her amount
    assert texts(sms_provider) == [
        (
            "01012345678",
            "[같이] 광명종합사회복… 단체 구매가 확정되었습니다. 두부과자 200g 3봉 외 1건 75,999원.",
            "/sms/v3.0/appKeys/appkey-123/sender/sms",
        )
    ]
    assert sms_provider.requests[0].json()["senderGroupingKey"] == rows[KIM].id

    # 이지수: an e-mail, Korean subject encoded and decoded back
    (mail,) = mails_to(smtp, "jisu.lee@example.kr")
    assert str(mail["Subject"]) == (
        "[같이] 단체 구매가 확정되었습니다: 광명종합사회복지관 김장 나눔 단체 구매"
    )
    assert mail["Message-ID"] == f"<{rows[LEE].id}@gachi.kr>"
    text = plain(mail)
    assert text.startswith("이지수님, 참여하신 단체 구매가 확정되어 주문을 넣었습니다.")
    assert "- 두부과자 200g 4봉\n- 호두과자 20개입 2봉" in text
    assert "부담하실 금액: 41,065원 (공급가액 37,332원 / 부가세 3,733원)" in text
    assert "41,065원" in mail.get_body(("html",)).get_content()

    # 박민호 left a landline: no row, no message, one log line without the number
    assert PARK not in rows and not [r for r in deliveries(app) if r.recipient_id == PARK]
    (logged,) = not_notified(caplog)
    assert (logged["participant_id"], logged["reason"]) == (PARK, "not a mobile number")
    assert logged["group_order_id"] == event["data"]["group_order_id"]
    assert "02-123-4567" not in caplog.text and "021234567" not in caplog.text

    # the organiser's institution: an inbox item, no contacts in it
    client = app.test_client()
    inbox = client.get("/v1/inbox", headers=token("buyer", INSTITUTION_ID, dept="총무과"))
    (item,) = inbox.get_json()["items"]
    assert item["event_type"] == "group_order.closed"
    assert item["title"] == "[단체 구매 확정] 광명종합사회복지관 김장 나눔 단체 구매 · 247,064원"
    assert "참여자 3명의 신청을 모아 주문했습니다" in item["body"]
    assert "참여자 1명에게는 알릴 수 없으니 직접 연락해 주세요" in item["body"]
    assert "010-1234-5678" not in item["body"] and "jisu.lee" not in item["body"]

    # the same event delivered again: nothing more, anywhere
    before = len(deliveries(app))
    assert feed(app, event) == "duplicate"
    send_all(app)
    assert len(deliveries(app)) == before
    assert len(sms_provider.requests) == 1
    assert len(mails_to(smtp, "jisu.lee@example.kr")) == 1
    assert len(client.get("/v1/inbox", headers=token("buyer", INSTITUTION_ID)).json["items"]) == 1


@pytest.mark.parametrize(
    ("code", "reason", "sms", "email"),
    [
        (
            "minimum_not_met",
            "마감까지 모인 수량 5개가 최소 수량 10개에 못 미쳐 단체 구매가 취소되었습니다.",
            "[같이] 광명종합사회복… 단체 구매가 최소 수량에 못 미쳐 취소되었습니다.",
            "마감까지 모인 수량이 5개로 최소 수량 10개에 못 미쳐 주문하지 않았습니다.",
        ),
        (
            "cancelled_by_organiser",
            "예산 사정으로 취소합니다",
            "[같이] 광명종합사회복… 단체 구매가 취소되었습니다. 사유: 예산 사정으로 취소합니다",
            "단체 구매를 연 기관에서 취소했습니다.\n취소 사유: 예산 사정으로 취소합니다",
        ),
    ],
)
def test_a_cancelled_group_order_tells_each_participant_why(
    gapp, smtp, sms_provider, feed, token, code, reason, sms, email
):
    app = gapp
    assert feed(app, group_order_settled("cancelled", code, reason)) == "done"
    send_all(app)

    assert [(to, body) for to, body, _ in texts(sms_provider)] == [("01012345678", sms)]
    (mail,) = mails_to(smtp, "jisu.lee@example.kr")
    assert str(mail["Subject"]) == (
        "[같이] 단체 구매가 취소되었습니다: 광명종합사회복지관 김장 나눔 단체 구매"
    )
    text = plain(mail)
    assert text.startswith("이지수님, 참여하신 단체 구매가 취소되었습니다.")
    assert email in text and "- 두부과자 200g 4봉\n- 호두과자 20개입 2봉" in text
    assert "결제나 납품은 없습니다" in text
    assert not [r for r in deliveries(app) if r.recipient_id == PARK]

    (item,) = (
        app.test_client().get("/v1/inbox", headers=token("buyer", INSTITUTION_ID)).json["items"]
    )
    assert item["title"] == "[단체 구매 취소] 광명종합사회복지관 김장 나눔 단체 구매"


def test_a_failed_group_order_tells_each_participant_the_reason(gapp, smtp, sms_provider, feed):
    app = gapp
    reason = "주문을 넣지 못했습니다: 공급할 수 있는 기업이 없는 품목이 있습니다."
    feed(app, group_order_settled("failed", "order_lines_invalid", reason))
    send_all(app)

    ((to, body, path),) = texts(sms_provider)
    assert to == "01012345678"
    assert body == f"[같이] 광명종합사회복… 단체 구매가 무산되었습니다. {reason}"
    assert path.endswith("/sender/mms")  # the reason makes it longer than one SMS: LMS
    assert sms_provider.requests[0].json()["title"] == "같이 단체 구매 무산"
    (mail,) = mails_to(smtp, "jisu.lee@example.kr")
    assert str(mail["Subject"]).startswith("[같이] 단체 구매가 무산되었습니다: ")
    assert f"사유: {reason}" in plain(mail)


def test_the_same_phone_in_many_group_orders_shares_one_daily_sms_cap(
    make_gapp, sms_provider, feed
):
    """Participant ids are new in every group order; the cap counts the phone number."""
    app = make_gapp(SMS_DAILY_CAP="2")
    for _ in range(3):
        event = group_order_closed(people=("kim",), group_order_id=new_id())
        event["data"]["participants"][0]["participant_id"] = new_id()
        feed(app, event)
    send_all(app)

    rows = deliveries(app, recipient_type="participant")
    assert sorted(r.status for r in rows) == ["sent", "sent", "skipped"]
    assert len({r.recipient_id for r in rows}) == 3
    assert len(sms_provider.requests) == 2
    with app.extensions["notify"].db.reading() as session:
        (counter,) = session.scalars(select(RateCounter)).all()
    assert (counter.recipient_type, counter.recipient_id, counter.used) == (
        "participant",
        "01012345678",
        2,
    )


# --- the organiser's side: subscriptions, without participants' contacts ----------------


def test_the_institution_its_department_and_the_organiser_hear_through_subscriptions(
    gapp, smtp, feed, token, receiver
):
    app = gapp
    client = app.test_client()
    admin_of_institution = token("institution_admin", INSTITUTION_ID, dept="총무과")
    for body, headers in (
        (
            {
                "channel": "email",
                "address": "gm-welfare@korea.kr",
                "event_types": ["group_order.*"],
            },
            admin_of_institution,
        ),
        (
            {
                "recipient_type": "department",
                "recipient_id": f"{INSTITUTION_ID}/총무과",
                "channel": "webhook",
                "address": receiver.url + "/hooks/gachi",
                "event_types": ["group_order.closed"],
            },
            admin_of_institution,
        ),
        (
            {
                "recipient_type": "user",
                "channel": "email",
                "address": "organiser@korea.kr",
                "event_types": ["group_order.closed"],
            },
            token("buyer", INSTITUTION_ID, sub=ORGANISER, dept="총무과"),
        ),
    ):
        created = client.post("/v1/subscriptions", json=body, headers=headers)
        assert created.status_code == 201, created.get_json()

    event = group_order_closed()
    feed(app, event)
    send_all(app)

    by_type = {
        (r.recipient_type, r.channel): r.status
        for r in deliveries(app, event_id=event["id"])
        if r.recipient_type != "participant"
    }
    assert by_type == {
        ("institution", "inbox"): "sent",
        ("institution", "email"): "sent",
        ("department", "webhook"): "sent",
        ("user", "email"): "sent",
    }
    (mail,) = mails_to(smtp, "gm-welfare@korea.kr")
    assert str(mail["Subject"]) == (
        "[단체 구매 확정] 광명종합사회복지관 김장 나눔 단체 구매 · 247,064원"
    )
    assert len(mails_to(smtp, "organiser@korea.kr")) == 1
    for message in (mail, *mails_to(smtp, "organiser@korea.kr")):
        assert "010-1234-5678" not in plain(message) and "jisu.lee" not in plain(message)

    (hook,) = receiver.requests
    sent = hook.json()
    assert sent["type"] == "group_order.closed" and sent["event_id"] == event["id"]
    people = sent["data"]["participants"]
    assert [p["name"] for p in people] == ["김순자", "이지수", "박민호"]
    assert [p["amount"] for p in people] == [75_999, 41_065, 130_000]
    assert all("contact" not in p and "contact_kind" not in p for p in people)
    assert b"010-1234-5678" not in hook.body and b"jisu.lee@example.kr" not in hook.body


def test_participants_cannot_be_subscribed_or_subscribed_for(gapp, token):
    app = gapp
    client, admin = app.test_client(), token("admin")
    refused = client.post(
        "/v1/subscriptions",
        json={
            "recipient_type": "participant",
            "recipient_id": KIM,
            "channel": "sms",
            "address": "010-1234-5678",
            "event_types": ["*"],
        },
        headers=admin,
    )
    assert refused.status_code == 422 and "recipient_type" in refused.get_json()["errors"]
    listed = client.get("/v1/subscriptions?recipient_type=participant", headers=admin)
    assert listed.status_code == 422
    with app.extensions["notify"].db.reading() as session:
        assert session.scalars(select(Subscription)).all() == []


# --- the delivery log, the sweep and dead letters without a subscription ---------------


def test_the_log_shows_participant_deliveries_to_the_operator_only(gapp, feed, token):
    app = gapp
    client, admin = app.test_client(), token("admin")
    event = group_order_closed()
    feed(app, event)
    send_all(app)

    listed = client.get("/v1/deliveries?recipient_type=participant", headers=admin)
    assert listed.status_code == 200, listed.get_json()
    items = {d["recipient_id"]: d for d in listed.get_json()["items"]}
    assert set(items) == {KIM, LEE}
    assert {d["subscription_id"] for d in items.values()} == {None}
    assert items[LEE]["summary"] == (
        "[같이] 단체 구매가 확정되었습니다: 광명종합사회복지관 김장 나눔 단체 구매"
    )
    assert items[KIM]["template"].startswith("sms/participant/group_order.closed@")
    one = client.get(f"/v1/deliveries/{items[KIM]['id']}", headers=admin)
    assert one.status_code == 200 and one.get_json()["address"] == "01012345678"

    buyer = token("institution_admin", INSTITUTION_ID, dept="총무과")
    theirs = client.get(f"/v1/events/{event['id']}/deliveries", headers=buyer).get_json()
    assert [d["recipient_type"] for d in theirs["items"]] == ["institution"]
    assert client.get(f"/v1/deliveries/{items[KIM]['id']}", headers=buyer).status_code == 404


def test_a_lost_enqueue_is_swept_and_a_dead_participant_message_is_replayed(
    gapp, sms_provider, feed, token
):
    app = gapp
    n = app.extensions["notify"]
    client, admin = app.test_client(), token("admin")
    sms_provider.default = REFUSED
    feed(app, group_order_closed())

    # the broker lost the enqueue: the sweep finds the subscription-less rows
    with n.db.transaction() as session:
        session.execute(update(Delivery).values(enqueued_at=None))
    with app.app_context():
        assert delivery_service.sweep(n) == 2
        assert delivery_service.sweep(n) == 0  # enqueued now: not again until requeue time
    send_all(app)

    rows = participant_rows(app)
    assert (rows[KIM].status, rows[KIM].attempts) == ("dead", 1)  # refused: permanent
    assert "blocked" in rows[KIM].last_error and rows[LEE].status == "sent"
    dead = client.get("/v1/ops/dead-deliveries", headers=admin).get_json()["items"]
    assert [(d["id"], d["subscription_id"]) for d in dead] == [(rows[KIM].id, None)]

    sms_provider.default = NHN_OK
    replay = client.post(
        "/v1/ops/dead-deliveries/replay",
        json={"all": True, "recipient_type": "participant"},
        headers=admin,
    )
    assert replay.status_code == 200, replay.get_json()
    assert replay.get_json() == {"replayed": [rows[KIM].id], "skipped": []}
    send_all(app)

    again = participant_rows(app)[KIM]
    assert (again.status, again.attempts, again.replays) == ("sent", 1, 1)
    assert [to for to, _, _ in texts(sms_provider)] == ["01012345678", "01012345678"]
    assert client.get("/v1/ops/dead-deliveries", headers=admin).get_json()["items"] == []


# --- cancelled lines (a real order in orders, its real events) --------------------------


@pytest.fixture
def cancelled_line(orders_app, catalog_app, notify_app, token):
    """A real order (두부과자 and 호두과자 from one enterprise, 포기김치 from another) in
    orders; the buyer cancels 두부과자. Returns orders' events as its outbox holds them."""
    from orders.adapters.models import OutboxMessage
    from tests.support.builders import create_product, register_enterprise, register_institution

    client, admin = catalog_app.test_client(), token("admin")
    tofu = register_enterprise(client, admin, name="광명두부마을 협동조합")
    kimchi = register_enterprise(
        client, admin, name="완주 김치 마을기업", enterprise_type="village_enterprise"
    )
    snack = create_product(client, admin, tofu["id"], name="두부과자 200g", unit_price=3333)
    walnut = create_product(
        client, admin, tofu["id"], name="호두과자 20개입", unit_price=12000, unit="상자"
    )
    kimchi10 = create_product(
        client, admin, kimchi["id"], name="포기김치 10kg", unit_price=65000, tax_type="exempt"
    )
    institution = register_institution(orders_app.test_client(), admin)
    buyer = token("buyer", institution["id"], dept="총무과")
    placed = orders_app.test_client().post(
        "/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20",
            "needed_by": (date.today() + timedelta(days=10)).isoformat(),
            "lines": [
                {"product_id": snack["id"], "quantity": 7},
                {"product_id": walnut["id"], "quantity": 2},
                {"product_id": kimchi10["id"], "quantity": 1},
            ],
        },
        headers={**buyer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert placed.status_code == 201, placed.get_json()
    order = placed.get_json()
    cancelled = orders_app.test_client().post(
        f"/v1/orders/{order['id']}/cancel",
        json={"reason": "두부과자는 다른 예산으로 구매", "line_nos": [1]},
        headers=buyer,
    )
    assert cancelled.status_code == 200, cancelled.get_json()
    with orders_app.extensions["orders"].db.reading() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    events = {}
    for row in rows:
        if row.type == "supplier_order.created" and row.data["enterprise_id"] != tofu["id"]:
            continue
        events[row.type] = row.envelope().to_dict()
    return {"enterprise_id": tofu["id"], "institution_id": institution["id"], **events}


def test_the_enterprise_hears_its_lines_were_cancelled_with_the_new_total(
    gapp, smtp, sms_provider, feed, token, cancelled_line
):
    app = gapp
    enterprise = cancelled_line["enterprise_id"]
    feed(app, enterprise_registered(enterprise, phone="010-2680-2114", email="tofu@example.kr"))
    feed(app, cancelled_line["supplier_order.created"])
    event = cancelled_line["supplier_order.lines_cancelled"]
    assert (event["data"]["reason"], event["data"]["total_amount"]) == (
        "두부과자는 다른 예산으로 구매",
        26_400,  # 호두과자 2상자 × 12,000원 + 부가세
    )
    assert feed(app, event) == "done"
    send_all(app)

    rows = deliveries(app, event_id=event["id"])
    assert sorted((r.channel, r.status) for r in rows) == [
        ("email", "sent"),
        ("inbox", "sent"),
        ("sms", "sent"),  # in the enterprise's default SMS set, like a cancellation
    ]
    so_id = event["data"]["supplier_order_id"]
    title = "[품목 취소] 두부과자 200g 취소 · 변경 합계 26,400원"  # orders flags each line
    inbox = app.test_client().get("/v1/inbox", headers=token("enterprise", enterprise)).json
    assert [i["title"] for i in inbox["items"] if i["event_type"].endswith("lines_cancelled")] == [
        title
    ]
    (mail,) = [m for m in mails_to(smtp, "tofu@example.kr") if str(m["Subject"]) == title]
    text = plain(mail)
    assert "취소 사유: 두부과자는 다른 예산으로 구매" in text
    assert "변경된 금액: 공급가액 24,000원 / 부가세 2,400원 / 합계 26,400원" in text
    enterprise_name = event["data"]["enterprise_name"]
    assert f"공급 주문 {enterprise_name}의 " in text and "의 일부 품목을 취소했습니다" in text
    assert so_id not in text
    (sms,) = [body for to, body, _ in texts(sms_provider) if "취소" in body]
    assert sms.endswith("변경 합계 26,400원.")

    assert "취소된 품목\n- 두부과자 200g 7봉" in text
    assert "남은 품목\n- 호두과자 20개입 2상자" in text
    assert sms == "[같이] 주문 품목 취소: 두부과자 200g. 변경 합계 26,400원."


def test_the_institution_hears_which_of_its_order_lines_were_cancelled(
    gapp, feed, token, cancelled_line
):
    app = gapp
    event = cancelled_line["order.lines_cancelled"]
    assert feed(app, event) == "done"
    inbox = (
        app.test_client()
        .get("/v1/inbox", headers=token("buyer", cancelled_line["institution_id"]))
        .json["items"]
    )
    (item,) = inbox
    assert item["title"].startswith("[품목 취소] ")
    assert item["title"].endswith(" 주문(91,400원)의 품목 1개를 취소했습니다")
    assert event["data"]["order_id"] not in item["title"] + item["body"]
    assert "취소한 품목 번호: 1\n취소 사유: 두부과자는 다른 예산으로 구매" in item["body"]
    assert "합계 91,400원" in item["body"]  # 26,400 + 65,000 (면세)
