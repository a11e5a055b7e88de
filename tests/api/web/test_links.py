"""Invitations, password reset and unlock: signed, expiring, single-use e-mail links, sent
as events that notify turns into Korean e-mails."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import select, update

from gachi_kit.events import utcnow
from tests.api.web.conftest import link_path, post_form, sent_events, sign_in, signed_in_as
from web.identity.models import AuditEntry, OneTimeLink, Person

NEW_PASSWORD = "두부과자-좋아요-2026"


def admin_client(web_app, demo):
    code = pyotp.TOTP(demo.DEMO_TOTP_SECRET).now()
    return signed_in_as(web_app, "admin@gachi.example", demo.DEMO_PASSWORD, code=code)


def audit_actions(w) -> list[str]:
    with w.db.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_institution_admin_invites_a_buyer_who_accepts_and_signs_in(web_app, w, demo):
    inviter = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    response = post_form(
        inviter,
        "/account/invitations",
        {
            "email": "New.Buyer@Gwangmyeong.go.kr",
            "name": "박새내",
            "role": "buyer",
            "dept": "회계과",
        },
    )
    assert response.status_code == 302
    [event] = sent_events(w, "identity.invitation_sent")
    data = event["data"]
    assert data["email"] == "new.buyer@gwangmyeong.go.kr"
    assert (data["org_name"], data["role_label"], data["inviter"]) == (
        "광명시청",
        "구매담당자",
        "한기관",
    )
    path = link_path(event)
    page = web_app.test_client().get(path)
    assert page.status_code == 200 and "광명시청 구매담당자" in page.get_data(as_text=True)

    invitee = web_app.test_client()
    accepted = post_form(
        invitee, path, {"name": "박새내", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert accepted.status_code == 302
    account = invitee.get("/account").get_data(as_text=True)
    assert "광명시청 회계과 · 구매담당자" in account
    # single use: opening it again, or posting it again
    reopened = web_app.test_client().get(path)
    assert reopened.status_code == 410 and "이미 사용한 링크" in reopened.get_data(as_text=True)
    again = post_form(
        web_app.test_client(),
        path,
        {"name": "x", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        page="/sign-in",
    )
    assert again.status_code == 410
    assert (
        sign_in(web_app.test_client(), "new.buyer@gwangmyeong.go.kr", NEW_PASSWORD).status_code
        == 302
    )
    assert {"invitation_sent", "invitation_accepted", "membership_added"} <= set(audit_actions(w))


def test_an_expired_or_tampered_invitation_link_is_refused(web_app, w, demo):
    inviter = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    post_form(
        inviter,
        "/account/invitations",
        {"email": "late@gachi.example", "name": "늦음", "role": "buyer", "dept": "총무과"},
    )
    path = link_path(sent_events(w, "identity.invitation_sent")[0])
    tampered = web_app.test_client().get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert tampered.status_code == 400 and "링크가 올바르지 않습니다" in tampered.get_data(
        as_text=True
    )
    with w.db.transaction() as session:
        session.execute(update(OneTimeLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = web_app.test_client().get(path)
    assert expired.status_code == 410 and "유효 시간이 지났습니다" in expired.get_data(as_text=True)


def test_who_may_invite_whom(web_app, w, demo):
    member = signed_in_as(web_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    assert member.get("/account/invitations").status_code == 403
    inviter = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    refused = post_form(
        inviter,
        "/account/invitations",
        {"email": "boss@gachi.example", "name": "사장", "role": "admin"},
    )
    assert refused.status_code == 400
    no_dept = post_form(
        inviter,
        "/account/invitations",
        {"email": "nodept@gachi.example", "name": "무부서", "role": "buyer", "dept": ""},
    )
    assert no_dept.status_code == 400
    assert "구매담당자의 부서를 입력해 주세요" in no_dept.get_data(as_text=True)
    assert sent_events(w, "identity.invitation_sent") == []


def test_an_admin_invites_an_enterprise_operator_for_a_new_enterprise(web_app, w, demo):
    admin = admin_client(web_app, demo)
    response = post_form(
        admin,
        "/account/invitations",
        {
            "email": "ceo@walnut.example",
            "name": "이정민",
            "role": "enterprise",
            "org_id": "01WALNUTENTERPRISE00000000",
            "org_name": "비츠원 호두과자 사회적기업",
        },
    )
    assert response.status_code == 302
    [event] = sent_events(w, "identity.invitation_sent")
    assert event["data"]["org_name"] == "비츠원 호두과자 사회적기업"


def test_password_reset_ends_other_sessions_and_works_once(web_app, w, demo):
    elsewhere = signed_in_as(web_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    anonymous = web_app.test_client()
    for email in ("buyer@gachi.example", "nobody@gachi.example"):
        answer = post_form(anonymous, "/password/forgot", {"email": email})
        assert answer.status_code == 200 and "가입된 계정이 있으면" in answer.get_data(as_text=True)
    [event] = sent_events(w, "identity.password_reset_requested")  # only for the real one
    assert event["data"]["email"] == "buyer@gachi.example"
    path = link_path(event)
    weak = post_form(anonymous, path, {"password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "10자 이상" in weak.get_data(as_text=True)
    done = post_form(anonymous, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert elsewhere.get("/account").status_code == 302  # that session has ended
    assert (
        sign_in(web_app.test_client(), "buyer@gachi.example", demo.DEMO_PASSWORD).status_code == 401
    )
    assert sign_in(web_app.test_client(), "buyer@gachi.example", NEW_PASSWORD).status_code == 302
    reused = anonymous.get(path)
    assert reused.status_code == 410


def test_a_reset_link_lives_thirty_minutes(web_app, w, demo):
    post_form(web_app.test_client(), "/password/forgot", {"email": "buyer@gachi.example"})
    with w.db.reading() as session:
        link = session.scalar(select(OneTimeLink))
    assert timedelta(minutes=29) < link.expires_at - link.created_at <= timedelta(minutes=30)


def test_changing_the_password_keeps_this_session_and_ends_the_others(web_app, w, demo):
    here = signed_in_as(web_app, "tofu@gachi.example", demo.DEMO_PASSWORD)
    there = signed_in_as(web_app, "tofu@gachi.example", demo.DEMO_PASSWORD)
    wrong = post_form(
        here,
        "/account/password",
        {"current": "wrong-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "현재 비밀번호가 올바르지 않습니다" in wrong.get_data(
        as_text=True
    )
    changed = post_form(
        here,
        "/account/password",
        {"current": demo.DEMO_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert here.get("/account").status_code == 200
    assert there.get("/account").status_code == 302
    assert "password_changed" in audit_actions(w)


def test_sign_out_everywhere(web_app, demo):
    here = signed_in_as(web_app, "tofu@gachi.example", demo.DEMO_PASSWORD)
    there = signed_in_as(web_app, "tofu@gachi.example", demo.DEMO_PASSWORD)
    post_form(here, "/sign-out/everywhere", {}, page="/account")
    assert here.get("/account").status_code == 302
    assert there.get("/account").status_code == 302


def test_repeated_failures_lock_the_account_and_the_mail_unlocks_it(web_app, w, demo):
    client = web_app.test_client()
    for _ in range(5):
        assert sign_in(client, "tofu@gachi.example", "wrong-password").status_code == 401
    with w.db.reading() as session:
        assert session.scalar(
            select(Person.status).where(Person.email == "tofu@gachi.example")
        ) == ("locked")
    # locked: even the right password gets the same refusal (no oracle for guessers)
    locked = sign_in(client, "tofu@gachi.example", demo.DEMO_PASSWORD)
    assert locked.status_code == 401
    [event] = sent_events(w, "identity.account_locked")
    path = link_path(event)
    assert web_app.test_client().get(path).status_code == 200  # a GET uses nothing up
    assert post_form(web_app.test_client(), path, {}).status_code == 302
    assert (
        sign_in(web_app.test_client(), "tofu@gachi.example", demo.DEMO_PASSWORD).status_code == 302
    )
    assert {"account_locked", "account_unlocked"} <= set(audit_actions(w))


def test_an_address_with_too_many_failures_is_turned_away(make_web_app, w, demo):
    app = make_web_app(SIGNIN_MAX_FAILURES_PER_ADDRESS="3")
    client = app.test_client()
    for email in ("a@gachi.example", "b@gachi.example", "c@gachi.example"):
        assert sign_in(client, email, "guess-guess-guess").status_code == 401
    throttled = sign_in(client, "buyer@gachi.example", demo.DEMO_PASSWORD)
    assert throttled.status_code == 429
    assert "로그인 시도가 너무 많습니다" in throttled.get_data(as_text=True)
