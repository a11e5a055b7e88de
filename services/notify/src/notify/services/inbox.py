"""Use cases of the in-app inbox: list and mark read, only one's own."""

from __future__ import annotations

from sqlalchemy import func, select

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, not_found
from gachi_kit.events import utcnow
from gachi_kit.paging import keyset_page
from notify.adapters.models import InboxItem
from notify.domain.recipients import recipient_of
from notify.wiring import Notify


def list_inbox(n: Notify, actor: Principal, query: dict) -> dict:
    """Newest first; `query`: limit, cursor, unread."""
    recipient_type, recipient_id = _recipient(actor)
    mine = (InboxItem.recipient_type == recipient_type, InboxItem.recipient_id == recipient_id)
    stmt = select(InboxItem).where(*mine)
    if query["unread"]:
        stmt = stmt.where(InboxItem.read_at.is_(None))
    with n.db.reading() as session:
        page = keyset_page(session, stmt, query, order_by=(InboxItem.id,), descending=True)
        unread_count = session.scalar(
            select(func.count()).select_from(InboxItem).where(*mine, InboxItem.read_at.is_(None))
        )
    return page.as_dict(unread_count=unread_count)


def mark_read(n: Notify, actor: Principal, item_id: str) -> InboxItem:
    recipient_type, recipient_id = _recipient(actor)
    with n.db.transaction() as session:
        item = session.get(InboxItem, item_id)
        if item is None or (item.recipient_type, item.recipient_id) != (
            recipient_type,
            recipient_id,
        ):
            raise not_found("inbox_item", "알림")
        if item.read_at is None:
            item.read_at = utcnow()
    return item


def _recipient(actor: Principal) -> tuple[str, str]:
    recipient = recipient_of(actor.role, actor.org)
    if recipient is None:
        raise Problem(403, "no_inbox", "권한이 없습니다", "이 토큰에는 받은 알림함이 없습니다.")
    return recipient
