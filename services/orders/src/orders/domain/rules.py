"""Rules an order must meet before it is priced, and the one lead-time rule."""

from __future__ import annotations

from datetime import date

MAX_LINES = 500


def needed_by_problem(needed_by: date, today: date) -> str | None:
    if needed_by < today:
        return "납품 요청일이 이미 지났습니다."
    return None


def lead_time_met(lead_time_days: int, ordered_on: date, needed_by: date) -> bool:
    """A product made in `lead_time_days` after the order (placed on `ordered_on`) arrives
    by `needed_by`. Placement, routing and group orders (ordered at their deadline) all
    ask this."""
    return (needed_by - ordered_on).days >= lead_time_days
