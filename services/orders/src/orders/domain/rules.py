"""Rules an order must meet before it is priced."""

from __future__ import annotations

from datetime import date

MAX_LINES = 500


def needed_by_problem(needed_by: date, today: date) -> str | None:
    if needed_by < today:
        return "납품 요청일이 이미 지났습니다."
    return None
