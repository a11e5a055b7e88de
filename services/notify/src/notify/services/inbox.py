"""Use cases of the in-app inbox: list and mark read, only one's own."""

from __future__ import annotations

from sqlalchemy import func, select

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem
from gachi_kit.events import utcnow
from notify.adapters.models import InboxItem
from notify.domain.recipients import recipient_of
from notify.wiring import Notify


def list_inbox(n: Notify, actor: Principal, limit: int, cursor: str | None, unread: bool) -> dict:
    recipient_type, recipient_id = _recipient(actor)
    mine = (InboxItem.recipient_type == recipient_type, InboxItem.recipient_id == recipient_id)
    query = select(InboxItem).where(*mine).order_by(InboxItem.id.desc()).limit(limit + 1)
    if cursor:
        query = query.where(InboxItem.id < cursor)
    if unread:
        query = query.where(InboxItem.read_at.is_(None))
    with n.db.reading() as session:
        rows = list(session.scalars(query))
        unread_count = session.scalar(
            select(func.count()).select_from(InboxItem).where(*mine, InboxItem.read_at.is_(None))
        )
    more = len(rows) > limit
    items = rows[:limit]
    return {
        "items": items,
        "unread_count": unread_count,
        "next_cursor": items[-1].id if more else None,
    }


def mark_read(n: Notify, actor: Principal, item_id: str) -> InboxItem:
    recipient_type, recipient_id = _recipient(actor)
    with n.db.transaction() as session:
        item = session.get(InboxItem, item_id)
        if item is None or (item.recipient_type, item.recipient_id) != (
            recipient_type,
            recipient_id,
        ):
            raise Problem(404, "inbox_item_not_found", "알림을 찾을 수 없습니다")
        if item.read_at is None:
            item.read_at = utcnow()
    return item


def _recipient(actor: Principal) -> tuple[str, str]:
    recipient = recipient_of(actor.role, actor.org)
    if recipient is None:
        raise Problem(403, "no_inbox", "권한이 없습니다", "이 토큰에는 받은 알림함이 없습니다.")
    return recipient
