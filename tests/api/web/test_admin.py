"""Roles removed, audit log read and exported, enterprise sign-up approved or declined,
API clients with OAuth 2.0 client credentials."""

from __future__ import annotations

import csv
import io

import jwt
import pyotp
from sqlalchemy import select

from gachi_kit.auth import TokenVerifier
from gachi_kit.brn import make_brn
from gachi_kit.jwks import KeySet
from tests.api.web.conftest import post_form, sent_events, signed_in_as
from web.identity.models import Membership, Organisation

CLIENT_SECRET_RE = 'class="client-secret">'


def admin_client(web_app, demo):
    code = pyotp.TOTP(demo.DEMO_TOTP_SECRET).now()
    return signed_in_as(web_app, "admin@gachi.example", demo.DEMO_PASSWORD, code=code)


def membership_of(w, email):
    from web.identity.models import Person

    with w.db.reading() as session:
        return session.scalar(select(Membership).join(Person).where(Person.email == email))


def test_an_institution_admin_removes_a_buyer_who_then_gets_no_token(web_app, w, demo):
    buyer = signed_in_as(web_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    assert buyer.get("/account").status_code == 200
    manager = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    page = manager.get("/account/people").get_data(as_text=True)
    people = page.split('id="main"', 1)[1]  # the page's content, not the header's "who"
    assert "정구매" in people and "한기관" not in people  # only the roles it may take back
    target = membership_of(w, "buyer@gachi.example")
    response = post_form(manager, f"/account/people/{target.id}/remove", {}, page="/account/people")
    assert response.status_code == 302
    # the buyer's session no longer acts as that membership; no new token for it
    page = buyer.get("/account").get_data(as_text=True)
    assert "역할 없음" in page
    with web_app.test_request_context():
        import time

        import pytest
        from flask import session

        from web.identity import current

        session[current.PERSON] = target.person_id
        session[current.SIGNED_IN_AT] = time.time()
        assert current.current_person().name == "정구매"
        assert current.current_membership() is None
        with pytest.raises(PermissionError):
            current.access_token()


def test_nobody_removes_a_role_outside_their_organisation(web_app, w, demo):
    manager = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    tofu = membership_of(w, "tofu@gachi.example")
    post_form(manager, f"/account/people/{tofu.id}/remove", {}, page="/account/people")
    assert membership_of(w, "tofu@gachi.example").removed_at is None


def test_the_audit_log_is_an_admins_and_exports_as_csv(web_app, w, demo):
    signed_in_as(web_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
    post_form(web_app.test_client(), "/sign-in", {"email": "buyer@gachi.example", "password": "x"})
    assert (
        signed_in_as(web_app, "buyer@gachi.example", demo.DEMO_PASSWORD)
        .get("/admin/audit")
        .status_code
        == 403
    )
    admin = admin_client(web_app, demo)
    page = admin.get("/admin/audit?email=buyer@gachi.example").get_data(as_text=True)
    assert "로그인 실패" in page and "로그인" in page
    exported = admin.get("/admin/audit.csv?action=signin_failed")
    assert exported.status_code == 200
    assert exported.headers["Content-Type"].startswith("text/csv")
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["시각", "활동", "활동 코드"]
    assert {r[2] for r in rows[1:]} == {"signin_failed"}
    assert any(r[4] == "buyer@gachi.example" for r in rows[1:])


def test_an_enterprise_applies_and_an_admin_approves_it(web_app, w, demo):
    public = web_app.test_client()
    brn = make_brn("123456789")
    wrong_check_digit = brn[:9] + str((int(brn[9]) + 1) % 10)
    bad = post_form(
        public,
        "/join/enterprise",
        {"brn": wrong_check_digit, "enterprise_name": "완주 로컬푸드 협동조합",
         "contact_name": "최완주", "contact_email": "choi@wanju.example"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "검증번호가 올바르지 않습니다" in bad.get_data(as_text=True)
    good = post_form(
        public,
        "/join/enterprise",
        {"brn": f"{brn[:3]}-{brn[3:5]}-{brn[5:]}", "enterprise_name": "완주 로컬푸드 협동조합",
         "contact_name": "최완주", "contact_email": "Choi@Wanju.example"},
    )  # fmt: skip
    assert good.status_code == 201
    admin = admin_client(web_app, demo)
    listing = admin.get("/admin/applications").get_data(as_text=True)
    assert "완주 로컬푸드 협동조합" in listing
    from web.identity.models import EnterpriseApplication

    with w.db.reading() as session:
        application = session.scalar(select(EnterpriseApplication))
    enterprise_id = "01WANJULOCALFOOD0000000000"
    response = post_form(
        admin,
        f"/admin/applications/{application.id}/approve",
        {"enterprise_id": enterprise_id},
        page="/admin/applications",
    )
    assert response.status_code == 302
    with w.db.reading() as session:
        org = session.get(Organisation, enterprise_id)
    assert (org.kind, org.brn, org.name) == ("enterprise", brn, "완주 로컬푸드 협동조합")
    [invitation] = sent_events(w, "identity.invitation_sent")
    assert invitation["data"]["email"] == "choi@wanju.example"
    assert invitation["data"]["role_label"] == "기업 담당자"


def test_a_declined_application_tells_the_contact_why(web_app, w, demo):
    brn = make_brn("220813456")
    post_form(
        web_app.test_client(),
        "/join/enterprise",
        {"brn": brn, "enterprise_name": "어느 기업", "contact_name": "김담당",
         "contact_email": "kim@example.kr"},
    )  # fmt: skip
    from web.identity.models import EnterpriseApplication

    with w.db.reading() as session:
        application = session.scalar(select(EnterpriseApplication))
    admin = admin_client(web_app, demo)
    post_form(
        admin,
        f"/admin/applications/{application.id}/decline",
        {"reason": "사회적경제기업 인증서를 확인할 수 없습니다."},
        page="/admin/applications",
    )
    [event] = sent_events(w, "identity.enterprise_declined")
    assert event["data"]["reason"] == "사회적경제기업 인증서를 확인할 수 없습니다."


def make_client(client, role="institution_admin"):
    page = post_form(client, "/account/clients", {"name": "회계 ERP", "role": role})
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    secret = html.split(CLIENT_SECRET_RE, 1)[1].split("<", 1)[0]
    client_id = html.split("<dt>client_id</dt><dd><code>", 1)[1].split("<", 1)[0]
    return client_id, secret


def test_an_api_client_gets_tokens_with_client_credentials(web_app, w, demo, tmp_path):
    manager = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    client_id, secret = make_client(manager)
    assert secret not in manager.get("/account/clients").get_data(as_text=True)  # shown once
    machine = web_app.test_client()
    response = machine.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] <= 900
    jwks = tmp_path / "jwks.json"
    jwks.write_text(machine.get("/.well-known/jwks.json").get_data(as_text=True))
    principal = TokenVerifier("", "orders", keys=KeySet(jwks_file=jwks)).verify(
        body["access_token"]
    )
    assert (principal.role, principal.org) == ("institution_admin", demo.GWANGMYEONG_CITY)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["client_id"] == client_id
    # client_secret_post works too; a wrong secret does not
    posted = machine.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert posted.status_code == 200
    wrong = machine.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, "guess")
    )
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "invalid_client"


def test_a_revoked_client_gets_no_token(web_app, w, demo):
    manager = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    client_id, secret = make_client(manager)
    response = post_form(
        manager, f"/account/clients/{client_id}/revoke", {}, page="/account/clients"
    )
    assert response.status_code == 302
    refused = web_app.test_client().post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"


def test_a_client_is_scoped_to_its_creators_organisation_and_roles(web_app, w, demo):
    tofu = signed_in_as(web_app, "tofu@gachi.example", demo.DEMO_PASSWORD)
    refused = post_form(tofu, "/account/clients", {"name": "쇼핑몰", "role": "buyer"})
    assert refused.status_code == 400
    client_id, _secret = make_client(tofu, role="enterprise")
    with w.db.reading() as session:
        from web.identity.models import ApiClient

        row = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    assert (row.org_id, row.role) == (demo.GWANGMYEONG_TOFU, "enterprise")
    other = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    post_form(other, f"/account/clients/{client_id}/revoke", {}, page="/account/clients")
    with w.db.reading() as session:
        assert session.get(ApiClient, row.id).revoked_at is None


def test_an_admin_disables_an_account_which_then_cannot_sign_in(web_app, w, demo):
    tofu = signed_in_as(web_app, "tofu@gachi.example", demo.DEMO_PASSWORD)
    admin = admin_client(web_app, demo)
    person_id = membership_of(w, "tofu@gachi.example").person_id
    response = post_form(admin, f"/admin/people/{person_id}/disable", {}, page="/account/people")
    assert response.status_code == 302
    assert tofu.get("/account").status_code == 302  # its open session ended
    refused = post_form(
        web_app.test_client(),
        "/sign-in",
        {"email": "tofu@gachi.example", "password": demo.DEMO_PASSWORD},
    )
    assert refused.status_code == 401
    manager = signed_in_as(web_app, "institution@gachi.example", demo.DEMO_PASSWORD)
    buyer_id = membership_of(w, "buyer@gachi.example").person_id
    post_form(manager, f"/admin/people/{buyer_id}/disable", {}, page="/account/people")
    assert signed_in_as(web_app, "buyer@gachi.example", demo.DEMO_PASSWORD)  # only admins may
