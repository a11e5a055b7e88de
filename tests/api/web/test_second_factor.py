"""TOTP: required for platform admins and committee chairs, optional for others; recovery
codes work once; a code works once."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import update

from tests.api.web.conftest import post_form, sign_in
from web.identity.models import Person


def test_the_admin_needs_its_code_after_the_password(web_app, demo):
    client = web_app.test_client()
    response = sign_in(client, "admin@gachi.example", demo.DEMO_PASSWORD)
    assert response.headers["Location"].startswith("/sign-in/code")
    assert client.get("/account").status_code == 302  # not signed in yet
    wrong = post_form(client, "/sign-in/code", {"code": "000000"})
    assert wrong.status_code == 401 and "인증 코드가 올바르지 않습니다" in wrong.get_data(
        as_text=True
    )
    code = pyotp.TOTP(demo.DEMO_TOTP_SECRET).now()
    assert post_form(client, "/sign-in/code", {"code": code}).status_code == 302
    assert client.get("/account").status_code == 200
    # the same code cannot sign in a second time (someone who saw it over a shoulder)
    other = web_app.test_client()
    sign_in(other, "admin@gachi.example", demo.DEMO_PASSWORD)
    assert post_form(other, "/sign-in/code", {"code": code}).status_code == 401


def test_a_chair_without_a_second_factor_must_set_one_up(web_app, w, demo):
    with w.db.transaction() as session:
        session.execute(
            update(Person)
            .where(Person.email == "chair@gachi.example")
            .values(totp_secret=None, totp_enabled_at=None)
        )
    client = web_app.test_client()
    assert sign_in(client, "chair@gachi.example", demo.DEMO_PASSWORD).status_code == 302
    page = client.get("/account")
    assert page.status_code == 302 and page.headers["Location"].startswith("/account/totp")
    setup = client.get("/account/totp").get_data(as_text=True)
    assert "이 역할은 2단계 인증을 써야 합니다" in setup
    assert "<title>인증 앱으로 찍을 2단계 인증 QR 코드</title>" in setup  # a phone scans it
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", setup).group(1)
    bad = post_form(client, "/account/totp", {"code": "123456"})
    assert bad.status_code == 400
    done = post_form(client, "/account/totp", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9A-F]{10})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/account").status_code == 200
    # next time: a recovery code instead of the app, once
    again = web_app.test_client()
    sign_in(again, "chair@gachi.example", demo.DEMO_PASSWORD)
    assert post_form(again, "/sign-in/code", {"code": codes[0].lower()}).status_code == 302
    third = web_app.test_client()
    sign_in(third, "chair@gachi.example", demo.DEMO_PASSWORD)
    assert post_form(third, "/sign-in/code", {"code": codes[0]}).status_code == 401


def test_a_buyer_may_turn_on_a_second_factor(web_app, demo):
    client = web_app.test_client()
    sign_in(client, "buyer@gachi.example", demo.DEMO_PASSWORD)
    assert client.get("/account").status_code == 200  # optional: not forced
    setup = client.get("/account/totp").get_data(as_text=True)
    assert "이 역할은 2단계 인증을 써야 합니다" not in setup
