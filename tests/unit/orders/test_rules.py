"""Korean calendar dates for delivery, whatever the server's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from gachi_kit.dates import KST, today_kst
from orders.domain.rules import needed_by_problem


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2025, 3, 1, 23, 30, tzinfo=UTC), date(2025, 3, 2)),  # 08:30 KST next day
        (datetime(2025, 3, 1, 14, 59, 59, tzinfo=UTC), date(2025, 3, 1)),  # 23:59:59 KST
        (datetime(2025, 3, 1, 15, 0, tzinfo=UTC), date(2025, 3, 2)),  # KST midnight
        (datetime(2024, 12, 31, 15, 0, tzinfo=UTC), date(2025, 1, 1)),  # new fiscal year
        (datetime(2024, 2, 28, 16, 0, tzinfo=UTC), date(2024, 2, 29)),  # leap day
        (datetime(2025, 3, 2, 0, 10, tzinfo=KST), date(2025, 3, 2)),
        # a server in New York at 10:30 on 1 March is already on 2 March in Seoul
        (datetime(2025, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=-5))), date(2025, 3, 2)),
    ],
)
def test_today_kst(now, expected):
    assert today_kst(now) == expected


def test_today_kst_defaults_to_now_in_seoul():
    before = datetime.now(KST).date()
    today = today_kst()
    after = datetime.now(KST).date()

    assert today in {before, after}


def test_needed_by_in_the_past_is_a_problem():
    problem = needed_by_problem(date(2025, 3, 1), today=date(2025, 3, 2))

    assert problem == "납품 요청일이 이미 지났습니다."


@pytest.mark.parametrize("needed_by", [date(2025, 3, 2), date(2025, 3, 3), date(2026, 1, 1)])
def test_needed_by_today_or_later_is_fine(needed_by):
    assert needed_by_problem(needed_by, today=date(2025, 3, 2)) is None


def test_needed_by_checked_against_the_korean_day():
    """At 23:30 UTC on 1 March it is already 2 March in Korea: 1 March is in the past."""
    today = today_kst(datetime(2025, 3, 1, 23, 30, tzinfo=UTC))

    assert needed_by_problem(date(2025, 3, 1), today) is not None
    assert needed_by_problem(date(2025, 3, 2), today) is None
