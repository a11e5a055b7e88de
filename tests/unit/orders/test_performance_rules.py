"""우선구매 rules in plain code: category membership, pace and forecast, targets, the
fiscal year in KST, and one off-platform spreadsheet row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from gachi_kit.brn import make_brn
from orders.domain.categories import SEED, categories_for
from orders.domain.off_platform import parse_row
from orders.domain.performance import (
    elapsed_days,
    korean_day,
    pace,
    percent,
    target_amount,
    year_bounds,
)


@pytest.mark.parametrize(
    ("kind", "certified", "expected"),
    [
        ("social_enterprise", True, ["gwangmyeong_social_economy", "social_enterprise_products"]),
        ("social_enterprise", False, ["gwangmyeong_social_economy"]),  # certification lapsed
        ("preliminary_social_enterprise", False, ["gwangmyeong_social_economy"]),
        (
            "social_cooperative",
            False,
            ["gwangmyeong_social_economy", "social_cooperative_products"],
        ),
        ("cooperative", False, ["gwangmyeong_social_economy"]),
        (
            "self_reliance_enterprise",
            False,
            ["gwangmyeong_social_economy", "self_reliance_products"],
        ),
        ("self_reliance_work_group", False, ["gwangmyeong_social_economy"]),
    ],
)
def test_categories_overlap_and_depend_on_the_certification_snapshot(kind, certified, expected):
    assert categories_for(kind, certified, list(SEED)) == expected


def test_due_dates_end_of_february_in_leap_years():
    social = next(c for c in SEED if c.code == "social_enterprise_products")
    assert social.due_date(2028) == date(2028, 2, 29)
    assert social.due_date(2027) == date(2027, 2, 28)


def test_the_fiscal_year_is_the_korean_calendar_year():
    start, end = year_bounds(2026)
    assert start == datetime(2025, 12, 31, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 15, 0, tzinfo=UTC)
    # 31 Dec 2025 16:00 UTC is already 1 Jan 2026 in Korea
    assert korean_day(datetime(2025, 12, 31, 16, 0, tzinfo=UTC)) == date(2026, 1, 1)


def test_pace_against_a_straight_line_and_the_forecast():
    # 1 July 2026 is day 182 of 365: the line stands at 182/365 of the target
    measured = pace(target=3_650_000, achieved=1_000_000, year=2026, as_of=date(2026, 7, 1))
    assert measured.expected_to_date == 1_820_000
    assert measured.ahead_by == -820_000
    assert measured.behind_percent == 22.47
    assert measured.rate_percent == 27.4
    assert measured.forecast == 1_000_000 * 365 // 182
    assert pace(None, 5, 2026, date(2026, 7, 1)).rate_percent is None
    assert elapsed_days(2026, date(2025, 12, 31)) == 0
    assert elapsed_days(2026, date(2027, 3, 1)) == 365


def test_a_share_target_is_floored_to_whole_won():
    assert target_amount("share", None, Decimal("5.5"), 1_234_567) == 67_901
    assert target_amount("amount", 8_100_000_000, None, None) == 8_100_000_000
    assert percent(1, 3) == 33.33


def test_a_spreadsheet_row_is_typed_or_refused_per_column():
    fields, errors = parse_row(
        {
            "enterprise_brn": make_brn("120810001"),
            "item_name": "도시락",
            "supply_amount": "1,200,000원",
            "vat_amount": "120000",
            "total_amount": "1320000",
            "channel": "나라장터",
            "inspected_on": "2026.03.05",
            "evidence_reference": "R26-1",
        }
    )
    assert errors == {}
    assert fields["supply_amount"] == 1_200_000 and fields["channel"] == "narajangteo"
    assert fields["inspected_on"] == date(2026, 3, 5)
    _, errors = parse_row(
        {
            "enterprise_brn": "1208100010",
            "item_name": "도시락",
            "supply_amount": "-5",
            "inspected_on": "2026-02-30",
            "evidence_reference": "x",
        }
    )
    assert set(errors) == {"supply_amount", "inspected_on"}
    assert "원 단위 정수" in errors["supply_amount"]
