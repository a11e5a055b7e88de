"""우선구매 실적 rules: when an amount counts, which amount, targets, rate, pace, forecast.

Plain Python. Money is whole KRW (int); the fiscal year is 1 Jan – 31 Dec in Korea
(지방회계법 제6조), so a moment counts in the year and month of its Korean calendar day.
No national rule fixes the counting date or whether VAT counts: both are an institution's
setting, and every report says which it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from gachi_kit.dates import KST

# When an amount counts, and which amount the rate is computed on (institution settings).
BASES = {"inspection": "검수일 기준", "payment": "대금 지급일 기준"}
AMOUNT_KINDS = {"supply": "공급가액 기준", "total": "합계(부가세 포함) 기준"}
DEFAULT_BASIS, DEFAULT_AMOUNT_KIND = "inspection", "supply"
# The evidence a figure rests on, per line (the report says which).
EVIDENCE = {
    "inspection": "검수",
    "delivery": "납품일(검수조서 없음)",
    "payment": "대금 지급",
}
TARGET_KINDS = {"amount": "금액", "share": "비율"}
FIRST_FISCAL_YEAR = 2010  # 사회적기업 구매실적 통보가 의무가 된 2012년보다 앞까지
MAX_KRW = 10**15  # 1,000조 원: above any institution's yearly purchases


def last_fiscal_year(today: date) -> int:
    """Targets may be set for next year; nothing later."""
    return today.year + 1


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 Jan 00:00 KST, next 1 Jan 00:00 KST) as aware datetimes."""
    return datetime(year, 1, 1, tzinfo=KST), datetime(year + 1, 1, 1, tzinfo=KST)


def month_starts(year: int) -> list[datetime]:
    """The 13 boundaries of the year's months in KST (1 Jan … next 1 Jan)."""
    return [datetime(year, m, 1, tzinfo=KST) for m in range(1, 13)] + [year_bounds(year)[1]]


def korean_day(moment: datetime) -> date:
    return moment.astimezone(KST).date()


def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def elapsed_days(year: int, today: date) -> int:
    """Days of `year` gone by, today included (0 before it starts, all after it ends)."""
    if today < date(year, 1, 1):
        return 0
    if today.year > year:
        return days_in_year(year)
    return (today - date(year, 1, 1)).days + 1


def counted_amount(supply: int, total: int, amount_kind: str) -> int:
    return total if amount_kind == "total" else supply


def target_amount(
    kind: str, amount: int | None, share_percent: Decimal | None, denominator: int | None
) -> int:
    """A share target is the denominator's share, floored to whole won."""
    if kind == "amount":
        return int(amount or 0)
    value = Decimal(denominator or 0) * Decimal(share_percent or 0) / 100
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def percent(part: int, whole: int) -> float | None:
    """part/whole in percent with two decimals (None without a whole)."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return float(value)


@dataclass(frozen=True, slots=True)
class Pace:
    """Where the institution stands against a straight line from 1 Jan to the target."""

    target: int | None
    achieved: int
    rate_percent: float | None  # achieved / target
    expected_to_date: int | None  # where the straight line is on `as_of`
    ahead_by: int | None  # achieved − expected (negative: behind)
    behind_percent: float | None  # how far behind the line, in % of the target (0 if ahead)
    forecast: int  # the year's end at the pace so far


def pace(target: int | None, achieved: int, year: int, as_of: date) -> Pace:
    elapsed, length = elapsed_days(year, as_of), days_in_year(year)
    forecast = achieved * length // elapsed if elapsed else 0
    if not target:
        return Pace(target, achieved, None, None, None, None, forecast)
    expected = target * elapsed // length
    behind = max(expected - achieved, 0)
    return Pace(
        target=target,
        achieved=achieved,
        rate_percent=percent(achieved, target),
        expected_to_date=expected,
        ahead_by=achieved - expected,
        behind_percent=percent(behind, target) or 0.0,
        forecast=forecast,
    )


def report_as_of(year: int, today: date) -> date:
    """The day a year's report stands on: today during the year, else its last day."""
    return min(max(today, date(year, 1, 1)), date(year, 12, 31))


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
