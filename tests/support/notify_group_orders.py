"""The data of settled group-order events (closed, cancelled, failed) as notify's unit tests
use it, built on tests.support.notify_events."""

from __future__ import annotations

from tests.support.notify_events import group_order_closed, group_order_settled

MINIMUM = "마감까지 모인 수량 5개가 최소 수량 10개에 못 미쳐 단체 구매가 취소되었습니다."


def closed() -> dict:
    return group_order_closed()["data"]


def cancelled(code="minimum_not_met", reason=MINIMUM) -> dict:
    return group_order_settled("cancelled", code, reason)["data"]


def failed() -> dict:
    return group_order_settled(
        "failed", "order_lines_invalid", "주문을 넣지 못했습니다: 주문할 수 없는 품목이 있습니다."
    )["data"]


def data_of(event_type: str) -> dict:
    return {
        "group_order.closed": closed,
        "group_order.cancelled": cancelled,
        "group_order.failed": failed,
    }[event_type]()
