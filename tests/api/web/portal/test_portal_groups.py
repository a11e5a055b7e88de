"""단체 구매: an organiser opens one and shares it; a participant joins from the link with
no account, changes and withdraws; the organiser closes it early once the minimum is met."""

from __future__ import annotations

import re
from datetime import timedelta

from gachi_kit.dates import today_kst
from tests.support.portal import csrf_token, post_form


def text(response) -> str:
    return response.get_data(as_text=True)


def open_group(buyer, minimum=10, **overrides):
    page = text(buyer.get("/group-purchases/new"))
    data = {
        "csrf_token": csrf_token(page),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1),
        "title": "2026 복지관 김장 나눔",
        "item": ["group:KIMCHI-POGI-10KG", "group:TOFU-SNACK-200G"],
        "deadline": f"{today_kst() + timedelta(days=5)}T18:00",
        "minimum_quantity": str(minimum),
        "needed_by": (today_kst() + timedelta(days=14)).isoformat(),
        "delivery_address": "경기도 광명시 시청로 20 광명시청 복지정책과",
        "delivery_sigungu_code": "41210",
        **overrides,
    }
    return buyer.post("/group-purchases/new", data=data)


def share_code(html: str) -> str:
    return re.search(r"/join/([A-Z0-9]+)", html).group(1)


def test_opening_needs_items_and_a_title_each_message_next_to_its_field(buyer):
    no_items = open_group(buyer, item=[])
    assert no_items.status_code == 422
    assert 'id="f-items-error"' in text(no_items)
    no_title = open_group(buyer, title="  ")
    assert no_title.status_code == 422
    assert 'id="f-title-error"' in text(no_title)


def test_the_organiser_gets_a_share_link_and_a_qr_code(buyer):
    response = open_group(buyer)
    assert response.status_code == 302
    html = text(buyer.get(response.headers["Location"]))
    assert "단체 구매를 열었습니다" in html
    assert re.search(r"http://[^<]+/join/[A-Z0-9]+", html)
    assert "<svg" in html and "단체 구매 참여 QR 코드" in html
    assert "0</strong> / 최소 10" in html
    assert "disabled" in html.split("지금 마감하고 주문하기")[0].rsplit("<button", 1)[1]
    assert "/group-purchases/" in text(buyer.get("/group-purchases"))


def test_a_participant_joins_changes_and_withdraws_without_an_account(buyer, client):
    detail = buyer.get(open_group(buyer).headers["Location"])
    code = share_code(text(detail))
    page = text(client.get(f"/join/{code}"))
    assert "참여하기" in page and "0</strong> / 최소 10" in page
    bad = post_form(client, f"/join/{code}", f"/join/{code}", {"name": "", "contact": "전화 없음"})
    assert bad.status_code == 422
    assert 'id="f-contact-error"' in text(bad) and 'id="f-name-error"' in text(bad)
    joined = post_form(
        client,
        f"/join/{code}",
        f"/join/{code}",
        {"name": "김참여", "contact": "010-2345-6789", "quantities.0.quantity": "4"},
    )
    assert joined.status_code == 302
    html = text(client.get(f"/join/{code}"))
    assert "김참여님의 참여" in html and "4</strong> / 최소 10" in html
    post_form(client, f"/join/{code}", f"/join/{code}/change", {"quantities.0.quantity": "7"})
    assert "7</strong> / 최소 10" in text(client.get(f"/join/{code}"))
    organiser = text(buyer.get(detail.request.path))
    assert "김참여" in organiser and "010-2345-6789" in organiser
    post_form(client, f"/join/{code}", f"/join/{code}/withdraw", {})
    after = text(client.get(f"/join/{code}"))
    assert "참여를 취소했습니다" in after and "0</strong> / 최소 10" in after


def test_the_organiser_closes_early_once_the_minimum_is_met(buyer, client):
    detail = buyer.get(open_group(buyer, minimum=5).headers["Location"])
    path, code = detail.request.path, share_code(text(detail))
    post_form(
        client,
        f"/join/{code}",
        f"/join/{code}",
        {"name": "이참여", "contact": "join@example.kr", "quantities.0.quantity": "5"},
    )
    html = text(buyer.get(path))
    assert "최소 수량 달성" in html
    closed = post_form(buyer, path, f"{path}/close", {})
    assert closed.status_code == 302
    html = text(buyer.get(path))
    assert "마감으로 넣은 주문 보기" in html
    participant = text(client.get(f"/join/{code}"))
    assert "이참여님의 참여" in participant and "수량 바꾸기" not in participant
    assert "분담액" in participant


def test_closing_before_the_minimum_is_refused_with_the_reason(buyer):
    detail = buyer.get(open_group(buyer, minimum=50).headers["Location"])
    path = detail.request.path
    refused = post_form(buyer, path, f"{path}/close", {})
    assert refused.status_code == 422
    assert 'role="alert"' in text(refused)


def test_an_unknown_share_code_is_a_korean_404(client):
    response = client.get("/join/NOSUCHCODE")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in text(response)
