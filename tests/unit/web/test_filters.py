"""The portal's dates are the day in Korea, whatever the server's clock says (the APIs
answer in UTC: 15:30 UTC on 30 November is already 1 December in Korea)."""

from __future__ import annotations

from datetime import date

import pytest

from web.portal.filters import day_in_korea, korean_date, korean_datetime


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2026-11-30T14:59:59+00:00", date(2026, 11, 30)),
        ("2026-11-30T15:00:00+00:00", date(2026, 12, 1)),
        ("2026-12-31T15:30:00Z", date(2027, 1, 1)),
        ("2026-12-24", date(2026, 12, 24)),  # a date is already a day
    ],
)
def test_a_moment_is_counted_on_its_day_in_korea(moment, day):
    assert day_in_korea(moment) == day


def test_dates_read_as_koreans_write_them():
    assert korean_date("2026-11-30T15:30:00+00:00") == "2026. 12. 1."
    assert korean_datetime("2026-11-30T15:30:00+00:00") == "2026. 12. 1. 00:30"
    assert korean_date(None) == "-"
