"""The portal's contract: web.identity.current, as a portal view would use it."""

from __future__ import annotations

import jwt
import pyotp
import pytest
from flask import Blueprint, jsonify

from gachi_kit.jwks import KeySet
from tests.api.web.conftest import post_form, signed_in_as
from web.identity import current


@pytest.fixture
def portal_app(make_web_app):
    """A web app with a stand-in portal page that uses the contract."""
    app = make_web_app()
    bp = Blueprint("stand_in_portal", __name__)

    @bp.get("/orders-page")
    @current.signin_required("buyer")
    def orders_page():
        m = current.current_membership()
        return jsonify(
            person=current.current_person().name,
            role=m.role,
            org=m.org_id,
            org_name=m.org_name,
            dept=m.dept,
            label=m.label,
            memberships=[x.label for x in current.person_memberships()],
            token=current.access_token(),
            again=current.access_token(),
        )

    @bp.get("/public-page")
    def public_page():
        return jsonify(person=current.current_person(), token=current.service_token("catalog"))

    app.register_blueprint(bp)
    return app


def test_a_buyer_page_gets_the_membership_and_a_token_for_the_apis(portal_app, demo):
    client = signed_in_as(portal_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    body = client.get("/orders-page").get_json()
    assert body["person"] == "정구매"
    assert (body["role"], body["org"], body["dept"]) == ("buyer", demo.GWANGMYEONG_CITY, "총무과")
    assert body["label"] == "광명시청 총무과 · 구매담당자"
    assert body["token"] == body["again"]  # cached in the session while it is fresh
    header = jwt.get_unverified_header(body["token"])
    assert header["alg"] == "RS256" and header["kid"].startswith("web-")
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["sub"] == "buyer-demo"
    assert set(claims["aud"]) == {"catalog", "orders", "notify"}
    assert claims["exp"] - claims["iat"] <= 15 * 60
    assert claims["role"] == "buyer" and claims["org"] == demo.GWANGMYEONG_CITY


def test_the_token_verifies_against_the_published_key_set(portal_app, demo, tmp_path):
    client = signed_in_as(portal_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    token = client.get("/orders-page").get_json()["token"]
    jwks = tmp_path / "jwks.json"
    jwks.write_text(portal_app.test_client().get("/.well-known/jwks.json").get_data(as_text=True))
    from gachi_kit.auth import TokenVerifier

    verifier = TokenVerifier("", audience="orders", keys=KeySet(jwks_file=jwks))
    principal = verifier.verify(token)
    assert (principal.sub, principal.role, principal.dept) == ("buyer-demo", "buyer", "총무과")


def test_anonymous_is_sent_to_sign_in_and_another_role_gets_403(portal_app, demo):
    anonymous = portal_app.test_client().get("/orders-page?q=두부")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/sign-in?next=")
    tofu = signed_in_as(portal_app, "tofu@gachi.example", demo.DEMO_PASSWORD)
    assert tofu.get("/orders-page").status_code == 403


def test_the_access_token_is_renewed_before_it_expires(portal_app, demo, monkeypatch):
    client = signed_in_as(portal_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    first = client.get("/orders-page").get_json()["token"]
    monkeypatch.setattr(current, "RENEW_SECONDS", 16 * 60)  # as if it were about to expire
    second = client.get("/orders-page").get_json()["token"]
    assert second != first


def test_a_person_with_two_memberships_switches_and_the_token_follows(portal_app, demo):
    code = pyotp.TOTP(demo.DEMO_TOTP_SECRET).now()
    client = signed_in_as(portal_app, "chair@gachi.example", demo.DEMO_PASSWORD, code=code)
    assert client.get("/orders-page").status_code == 403  # acting as the committee chair
    page = client.get("/account/membership").get_data(as_text=True)
    assert "비츠원 · 위원장" in page and "광명시청 사회적경제과 · 구매담당자" in page
    with portal_app.app_context():
        from web.wiring import web

        with web().db.reading() as session:
            from sqlalchemy import select

            from web.identity.models import Membership

            buyer = session.scalar(
                select(Membership).where(
                    Membership.role == "buyer", Membership.dept == "사회적경제과"
                )
            )
    response = post_form(client, "/account/membership", {"membership_id": buyer.id})
    assert response.status_code == 302
    body = client.get("/orders-page").get_json()
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert (claims["role"], claims["dept"], claims["sub"]) == (
        "buyer",
        "사회적경제과",
        "committee-bitsone-chair",
    )


def test_switching_to_a_membership_of_someone_else_is_refused(portal_app, demo):
    client = signed_in_as(portal_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    response = post_form(client, "/account/membership", {"membership_id": "01NOTMINE"})
    assert response.status_code == 400
    assert client.get("/orders-page").status_code == 200


def test_anonymous_public_pages_get_webs_own_service_token(portal_app, demo):
    body = portal_app.test_client().get("/public-page").get_json()
    assert body["person"] is None
    header = jwt.get_unverified_header(body["token"])
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert header["kid"] == "service-web"
    assert (claims["role"], claims["sub"], claims["aud"]) == ("service", "web", "catalog")
