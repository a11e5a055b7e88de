"""The inbox: the membership's notifications, the unread badge on every page, mark read."""

from __future__ import annotations

from gachi_kit.events import new_id
from tests.support.portal import GWANGMYEONG_CITY, post_form


def text(response) -> str:
    return response.get_data(as_text=True)


def deliver_to_inbox(portal, title: str) -> str:
    from notify.adapters.models import InboxItem

    item_id = new_id()
    with portal.apps["notify"].extensions["notify"].db.transaction() as session:
        session.add(
            InboxItem(
                id=item_id,
                recipient_type="institution",
                recipient_id=GWANGMYEONG_CITY,
                event_id=new_id(),
                event_type="supplier_order.shipped",
                subject_id=new_id(),
                title=title,
                body="광명두부마을 협동조합이 주문을 발송했습니다.",
            )
        )
    return item_id


def unread_badge(html: str) -> int:
    marker = 'aria-label="읽지 않은 알림 '
    return int(html.split(marker)[1].split("건")[0]) if marker in html else 0


def test_the_unread_badge_is_on_every_page_and_reading_clears_it(buyer, portal):
    before = unread_badge(text(buyer.get("/")))
    item_id = deliver_to_inbox(portal, "주문이 발송되었습니다")
    for page in ("/", "/products?q=김치", "/order-sheet", "/orders"):
        assert unread_badge(text(buyer.get(page))) == before + 1, page
    inbox = text(buyer.get("/inbox"))
    assert "주문이 발송되었습니다" in inbox and "새 알림" in inbox
    assert "주문이 발송되었습니다" in text(buyer.get("/inbox?unread=1"))
    read = post_form(buyer, "/inbox", f"/inbox/{item_id}/read", {"next": "/inbox"})
    assert read.status_code == 302
    assert unread_badge(text(buyer.get("/"))) == before


def test_the_badge_fragment_for_htmx(buyer, portal):
    deliver_to_inbox(portal, "검수를 기다리는 납품")
    html = text(buyer.get("/inbox/badge"))
    assert "<html" not in html and "알림함" in html and unread_badge(html) >= 1


def test_the_inbox_needs_a_sign_in(client):
    response = client.get("/inbox")
    assert response.status_code in (302, 303)
