"""Signed action links: view a supplier order, accept all of it, or decline it, from a
message, without logging in.

GET never acts (mail scanners and chat previews open links): it shows the order or a
confirmation form. POST acts once: the link row is claimed (`used_at`) before orders is
called with notify's service identity, released again only if orders could not be
reached, and on success the sibling accept/decline links are spent too. A tampered,
unknown, expired or used link gets a Korean page that says so, and nothing happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from gachi_kit.events import utcnow
from gachi_kit.http import UpstreamUnavailable
from gachi_kit.logging import get_logger
from notify.adapters.links import LinkExpired, LinkInvalid
from notify.adapters.models import ActionLink, SupplierOrderCopy
from notify.domain.texts import label
from notify.services.dispatch import link_url
from notify.wiring import Notify

log = get_logger(__name__)
MAX_REASON = 500


@dataclass
class Page:
    status: int
    template: str
    context: dict = field(default_factory=dict)


def _message(status: int, title: str, message: str, **extra) -> Page:
    return Page(status, "message", {"title": title, "message": message, **extra})


INVALID = _message(
    400,
    "링크가 올바르지 않습니다",
    "주소가 잘렸거나 바뀌었습니다. 받은 메시지의 링크를 그대로 눌러 주세요.",
)
EXPIRED = _message(
    410,
    "링크의 유효 기간이 지났습니다",
    "보안을 위해 링크는 정해진 기간에만 쓸 수 있습니다. 같이 포털에서 주문을 확인해 주세요.",
)


def _load(n: Notify, token: str) -> ActionLink | Page:
    try:
        link_id = n.links.link_id(token)
    except LinkExpired:
        return EXPIRED
    except LinkInvalid:
        return INVALID
    with n.db.reading() as session:
        link = session.get(ActionLink, link_id)
    if link is None:
        return INVALID
    if link.expires_at <= utcnow():
        return EXPIRED
    return link


def _used(link: ActionLink) -> Page:
    done = {
        "accepted": "이 주문은 이 링크로 이미 수락되었습니다.",
        "declined": "이 주문은 이 링크로 이미 거절되었습니다.",
        "superseded": "이 주문은 다른 링크로 이미 처리되었습니다.",
    }
    message = done.get(
        link.result or "", "이미 사용한 링크입니다. 같은 링크는 한 번만 쓸 수 있습니다."
    )
    return _message(409, "이미 사용한 링크입니다", message)


def open_link(n: Notify, token: str) -> Page:
    link = _load(n, token)
    if isinstance(link, Page):
        return link
    with n.db.reading() as session:
        copy = session.get(SupplierOrderCopy, link.supplier_order_id)
        actions = {}
        if link.action == "view" and copy is not None and not copy.acknowledged:
            siblings = session.scalars(
                select(ActionLink).where(
                    ActionLink.supplier_order_id == link.supplier_order_id,
                    ActionLink.enterprise_id == link.enterprise_id,
                    ActionLink.action.in_(("accept", "decline")),
                    ActionLink.used_at.is_(None),
                    ActionLink.expires_at > utcnow(),
                )
            ).all()
            for sibling in sorted(siblings, key=lambda s: s.id):
                actions[sibling.action] = link_url(n, sibling.id)
    if link.action == "view":
        if copy is None or not copy.data:
            return _message(
                404, "주문을 찾을 수 없습니다", "이 공급 주문의 내용을 아직 받지 못했습니다."
            )
        return Page(
            200,
            "order",
            {"order": copy.data, "status": label(copy.status), "actions": actions},
        )
    if link.used_at is not None:
        return _used(link)
    return Page(
        200,
        "confirm",
        {
            "action": link.action,
            "order": (copy.data if copy is not None else None) or {},
            "post_url": link_url(n, link.id),
        },
    )


def use_link(n: Notify, token: str, form: dict) -> Page:
    link = _load(n, token)
    if isinstance(link, Page):
        return link
    if link.action not in ("accept", "decline"):
        return _message(405, "이 링크로는 주문을 처리할 수 없습니다", "주문 보기 링크입니다.")
    reason = (form.get("reason") or "").strip()
    if link.action == "decline" and not (1 <= len(reason) <= MAX_REASON):
        page = open_link(n, token)
        page.status = 422
        page.context["error"] = f"거절 사유를 1~{MAX_REASON}자로 적어 주세요."
        return page
    if not _claim(n, link.id):
        with n.db.reading() as session:
            return _used(session.get(ActionLink, link.id))
    try:
        if link.action == "accept":
            answer = n.orders.accept_all(link.supplier_order_id, link.enterprise_id)
        else:
            answer = n.orders.decline(link.supplier_order_id, link.enterprise_id, reason)
    except UpstreamUnavailable as exc:
        log.warning("orders_unavailable", error=str(exc), link_id=link.id)
        _release(n, link.id)
        return _message(
            503,
            "잠시 후 다시 시도해 주세요",
            "주문 시스템에 연결하지 못해 처리하지 않았습니다. 같은 링크를 다시 쓸 수 있습니다.",
        )
    if answer.status == 200:
        outcome = "accepted" if link.action == "accept" else "declined"
        _done(n, link, outcome, answer.body.get("status") or outcome)
        title = "주문을 수락했습니다" if outcome == "accepted" else "주문을 거절했습니다"
        message = (
            "구매 기관에 수락 사실을 알렸습니다. 납품 준비를 시작해 주세요."
            if outcome == "accepted"
            else "구매 기관에 거절 사실과 사유를 알렸습니다."
        )
        return _message(200, title, message)
    if answer.status == 409:
        current = answer.body.get("current_state")
        _finish(n, link.id, f"conflict:{current}")
        return _message(
            409,
            "이미 처리된 주문입니다",
            f"이 주문은 지금 '{label(current)}' 상태라 더 바꿀 수 없습니다. "
            "아무것도 바뀌지 않았습니다.",
        )
    if answer.status == 404:
        _finish(n, link.id, "not_found")
        return _message(404, "주문을 찾을 수 없습니다", "주문이 없거나 다른 기업의 주문입니다.")
    log.error("orders_refused_link", status=answer.status, body=str(answer.body)[:300])
    _release(n, link.id)
    return _message(
        502,
        "처리하지 못했습니다",
        "주문 시스템이 요청을 받아들이지 않았습니다. 담당자에게 문의해 주세요.",
    )


def _claim(n: Notify, link_id: str) -> bool:
    with n.db.transaction() as session:
        return (
            session.execute(
                update(ActionLink)
                .where(ActionLink.id == link_id, ActionLink.used_at.is_(None))
                .values(used_at=utcnow(), result="in_progress")
            ).rowcount
            == 1
        )


def _release(n: Notify, link_id: str) -> None:
    with n.db.transaction() as session:
        session.execute(
            update(ActionLink).where(ActionLink.id == link_id).values(used_at=None, result=None)
        )


def _finish(n: Notify, link_id: str, result: str) -> None:
    with n.db.transaction() as session:
        session.execute(update(ActionLink).where(ActionLink.id == link_id).values(result=result))


def _done(n: Notify, link: ActionLink, outcome: str, status: str) -> None:
    now = utcnow()
    with n.db.transaction() as session:
        session.execute(update(ActionLink).where(ActionLink.id == link.id).values(result=outcome))
        session.execute(
            update(ActionLink)
            .where(
                ActionLink.supplier_order_id == link.supplier_order_id,
                ActionLink.action.in_(("accept", "decline")),
                ActionLink.used_at.is_(None),
            )
            .values(used_at=now, result="superseded")
        )
        copy = session.get(SupplierOrderCopy, link.supplier_order_id)
        if copy is not None:
            copy.acknowledged = True
            copy.status = status
            if copy.reminder_status in ("none", "scheduled"):
                copy.reminder_status = "cancelled"
