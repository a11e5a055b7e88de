"""Signing in with e-mail and password: sessions, CSRF, fixation, no enumeration."""

from __future__ import annotations

from http.cookies import SimpleCookie

from tests.api.web.conftest import csrf_of, post_form, sign_in

REFUSED = "이메일 또는 비밀번호가 올바르지 않습니다"


def session_cookie(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        if "gachi_session" in cookie:
            return header
    return None


def test_demo_buyer_signs_in_and_lands_where_they_wanted(web_app, demo):
    client = web_app.test_client()
    first = client.get("/account")
    assert first.status_code == 302
    assert first.headers["Location"].startswith("/sign-in?next=/account")
    page = client.get("/sign-in?next=/account")
    response = client.post(
        "/sign-in",
        data={
            "email": "Buyer@Gachi.example",  # any case
            "password": demo.DEMO_PASSWORD,
            "next": "/account",
            "csrf_token": csrf_of(page),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    account = client.get("/account").get_data(as_text=True)
    assert "정구매" in account
    assert "광명시청 총무과 · 구매담당자" in account


def test_cookie_is_httponly_lax_and_holds_only_an_id(web_app, demo):
    client = web_app.test_client()
    response = sign_in(client, "buyer@gachi.example", demo.DEMO_PASSWORD)
    header = session_cookie(response)
    assert header is not None
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "정구매" not in header and "buyer" not in header


def test_a_new_session_id_at_sign_in(web_app, demo):
    """Session fixation: an id planted before sign-in is not the one signed in."""
    client = web_app.test_client()
    before = client.get("/sign-in")
    planted = SimpleCookie(session_cookie(before))["gachi_session"].value
    response = client.post(
        "/sign-in",
        data={
            "email": "buyer@gachi.example",
            "password": demo.DEMO_PASSWORD,
            "csrf_token": csrf_of(before),
        },
    )
    after = SimpleCookie(session_cookie(response))["gachi_session"].value
    assert after != planted
    attacker = web_app.test_client()
    attacker.set_cookie("gachi_session", planted)
    assert attacker.get("/account").status_code == 302  # the planted id is signed in to nothing


def test_unknown_email_and_wrong_password_get_the_same_answer(web_app, demo):
    client = web_app.test_client()
    wrong = sign_in(client, "buyer@gachi.example", "not-the-password")
    unknown = sign_in(client, "nobody@gachi.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert REFUSED in wrong.get_data(as_text=True)
    # the same page, but for the address typed back into the field
    assert _without_csrf(wrong).replace("buyer@", "X@") == _without_csrf(unknown).replace(
        "nobody@", "X@"
    )


def test_unknown_email_costs_an_argon2_verify_too(web_app, w, demo, monkeypatch):
    """Same work for both answers: count the hash verifications, not the clock."""
    from argon2 import PasswordHasher

    calls = []
    original = PasswordHasher.verify

    def counting(self, hash_, password):
        calls.append(hash_)
        return original(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    client = web_app.test_client()
    sign_in(client, "buyer@gachi.example", "not-the-password")
    sign_in(client, "nobody@gachi.example", "not-the-password")
    assert len(calls) == 2
    assert all(h.startswith("$argon2id$") for h in calls)


def test_a_form_without_csrf_token_is_refused_in_korean(web_app, demo):
    client = web_app.test_client()
    response = client.post(
        "/sign-in", data={"email": "buyer@gachi.example", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 400
    assert "보안 토큰이 없거나 만료되었습니다" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_form_errors_are_korean_and_next_to_the_field(web_app):
    client = web_app.test_client()
    response = post_form(client, "/sign-in", {"email": "not-an-email", "password": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and "이메일 형식이 아닙니다" in html
    assert 'id="password-error"' in html and "비밀번호를 입력해 주세요" in html


def test_next_never_leaves_the_site(web_app, demo):
    client = web_app.test_client()
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": "buyer@gachi.example",
            "password": demo.DEMO_PASSWORD,
            "next": "//evil.example/phish",
            "csrf_token": csrf_of(page),
        },
    )
    assert response.headers["Location"] == "/"


def test_sign_out_ends_the_session(web_app, demo):
    client = web_app.test_client()
    sign_in(client, "buyer@gachi.example", demo.DEMO_PASSWORD)
    response = post_form(client, "/sign-out", {}, page="/account")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def _without_csrf(response) -> str:
    html = response.get_data(as_text=True)
    return html.replace(csrf_of(response), "")


def test_sessions_end_after_their_absolute_lifetime(make_web_app, demo):
    app = make_web_app(SESSION_ABSOLUTE_HOURS="0")
    client = app.test_client()
    assert sign_in(client, "buyer@gachi.example", demo.DEMO_PASSWORD).status_code == 302
    assert client.get("/account").status_code == 302


def test_the_stored_session_expires_after_the_idle_timeout(web_app, demo, redis_client):
    client = web_app.test_client()
    response = sign_in(client, "buyer@gachi.example", demo.DEMO_PASSWORD)
    sid = SimpleCookie(session_cookie(response))["gachi_session"].value
    ttl = redis_client.ttl(f"web:session:{sid}")
    assert 0 < ttl <= 30 * 60  # SESSION_IDLE_MINUTES, renewed by each request
