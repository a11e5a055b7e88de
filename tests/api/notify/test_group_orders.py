"""Group orders' participants through notify, on the real database with real receivers:
an SMTP server (aiosmtpd) and an SMS provider speaking NHN Cloud's API on loopback.

Participants have no account and no subscription: each hears about the outcome at the
contact they gave (SMS to a mobile number, e-mail to an address, nothing to a landline),
once. The operator alone sees their deliveries, sweeps them and replays dead ones."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from gachi_kit.events import new_id
from notify.adapters.models import Delivery, RateCounter, Subscription
from notify.services import deliveries as delivery_service
from tests.support.notify_events import (
    INSTITUTION_ID,
    PEOPLE,
    group_order_closed,
    group_order_settled,
)
from tests.support.notify_messages import mails_to, plain, texts
from tests.support.notify_receivers import NHN_OK, Reply, deliveries, send_all

KIM, LEE, PARK = (PEOPLE[p][0] for p in ("kim", "lee", "park"))
REFUSED = Reply(
    200,
    {"Content-Type": "application/json"},
    b'{"header": {"isSuccessful": false, "resultCode": -2000, "resultMessage": "blocked"}}',
)


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
