"""web, orders and notify as real processes: a token web issues is accepted by orders, which
knows web's keys only through the published JWKS; web's key rotates under load with no
request refused; an invitation travels as an event through web's outbox to notify's worker
and arrives as a Korean e-mail whose link works."""

from __future__ import annotations

import email
import re
import threading
from collections import Counter
from email import policy
from pathlib import Path

import jwt
import pytest
import requests

from tests.support import infra
from tests.support.web_identity import seed_with_client

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(service_config, jwt_keys, tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e-web")
    running = infra.Platform(
        folder,
        service_config["REDIS_URL"],
        jwt_keys,
        services=("web", "orders", "notify"),
        tag="_e2e_web",
        extra={"WEB_KEY_ACTIVATION_SECONDS": "2", "JWKS_REFETCH_COOLDOWN_SECONDS": "1"},
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def api_client(platform):
    """The demo people and an API client of 광명시청, made in web's own database."""
    return seed_with_client(platform.config)


def web_token(platform, api_client) -> str:
    response = requests.post(
        f"{platform.urls['web']}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=api_client,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def list_orders(platform, token: str) -> requests.Response:
    return requests.get(
        f"{platform.urls['orders']}/v1/orders",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_orders_accepts_a_token_web_issued(platform, api_client):
    token = web_token(platform, api_client)
    assert jwt.get_unverified_header(token)["kid"].startswith("web-")
    response = list_orders(platform, token)
    assert response.status_code == 200, response.text
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    refused = list_orders(platform, forged)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"


def test_web_rotates_its_key_under_load_and_no_request_is_refused(platform, api_client):
    from web.identity.keys import new_key_file

    keys = Path(platform.config["GACHI_DATA_DIR"]) / "keys" / "web"
    [old_key] = sorted(keys.glob("*.pem"))
    statuses: Counter = Counter()
    kids: Counter = Counter()
    stop = threading.Event()

    def load():
        while not stop.is_set():
            token = web_token(platform, api_client)
            kids[jwt.get_unverified_header(token)["kid"]] += 1
            statuses[list_orders(platform, token).status_code] += 1

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        infra.wait_for(lambda: sum(statuses.values()) >= 20, what="load before the rotation")
        new_key = new_key_file(keys)
        infra.wait_for(lambda: kids[new_key.stem] >= 20, what="tokens signed by the new key")
        old_key.unlink()  # its tokens (15 minutes at most) would be gone in production
        seen = sum(statuses.values())
        infra.wait_for(lambda: sum(statuses.values()) >= seen + 20, what="load after removal")
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    assert set(statuses) == {200}, statuses
    assert kids[old_key.stem] > 0 and kids[new_key.stem] > 0
    published = requests.get(f"{platform.urls['web']}/.well-known/jwks.json", timeout=10).json()
    assert [k["kid"] for k in published["keys"]] == [new_key.stem]


def test_an_invitation_reaches_the_invitee_by_email_through_notify(platform, api_client):
    from web.seed import DEMO_PASSWORD

    web = platform.urls["web"]
    csrf = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def post_form(session, path, data):
        token = csrf.search(session.get(f"{web}{path}", timeout=10).text).group(1)
        return session.post(
            f"{web}{path}", data={**data, "csrf_token": token}, allow_redirects=False, timeout=10
        )

    with requests.Session() as admin:
        signed_in = post_form(
            admin, "/sign-in", {"email": "institution@gachi.example", "password": DEMO_PASSWORD}
        )
        assert signed_in.status_code == 302
        invited = post_form(
            admin,
            "/account/invitations",
            {"email": "e2e.buyer@gwangmyeong.go.kr", "name": "김이투", "role": "buyer",
             "dept": "복지정책과"},
        )  # fmt: skip
        assert invited.status_code == 302
    mail = Path(platform.config["GACHI_DATA_DIR"]) / "mail"

    def arrived():
        for path in mail.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == "e2e.buyer@gwangmyeong.go.kr":
                return message
        return None

    message = infra.wait_for(arrived, timeout=60, what="the invitation e-mail")
    assert str(message["Subject"]) == "[같이] 한기관님이 광명시청 구매담당자 역할로 초대했습니다"
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"(http\S+/invitations/\S+)", text).group(1)
    path = "/invitations/" + link.split("/invitations/", 1)[1]
    with requests.Session() as invitee:
        page = invitee.get(f"{web}{path}", timeout=10)
        assert page.status_code == 200 and "광명시청 구매담당자" in page.text
        accepted = post_form(
            invitee,
            path,
            {"name": "김이투", "password": "복지정책-2026-봄", "confirm": "복지정책-2026-봄"},
        )
        assert accepted.status_code == 302
        assert "광명시청 복지정책과 · 구매담당자" in invitee.get(f"{web}/account", timeout=10).text
