"""How the 우선구매 pages word and draw what orders' report returns: the headline of one
category (achieved, target, rate, pace, forecast), the cumulative line against the straight
line to the target, the categories as bars. Plain functions, no Flask."""

from __future__ import annotations

from datetime import date

from gachi_kit.charts import PRIMARY, TARGET, Bar, Series, bar_chart, line_chart
from gachi_kit.enterprise_types import ENTERPRISE_TYPES

MONTHS = [f"{m}월" for m in range(1, 13)]
SOURCES = {"platform": "플랫폼 주문", "off_platform": "플랫폼 밖 구매"}
CHANNELS = {"narajangteo": "나라장터", "direct": "수의계약(직접)", "other": "기타"}
EVIDENCE = {"inspection": "검수", "delivery": "납품일(검수조서 없음)", "payment": "대금 지급"}
BASES = {"inspection": "검수일 기준", "payment": "대금 지급일 기준"}
AMOUNT_KINDS = {"supply": "공급가액 기준", "total": "합계(부가세 포함) 기준"}
TARGET_KINDS = {"amount": "금액", "share": "비율"}
EXPORT_VIEWS = {
    "categories": "범주별",
    "months": "월별",
    "departments": "부서별",
    "enterprise_types": "기업 유형별",
    "enterprises": "기업별",
    "lines": "실적 명세",
}


def type_label(code: str | None) -> str:
    return ENTERPRISE_TYPES.get(code or "", code or "-")


def chosen_category(report: dict, wanted: str | None) -> dict | None:
    """The category the headline and the line chart follow: the one asked for, else the
    first with a target, else the first."""
    rows = report.get("categories") or []
    for row in rows:
        if row["code"] == wanted:
            return row
    return next((row for row in rows if row.get("target")), rows[0] if rows else None)


def pace_sentence(row: dict) -> str:
    """Where the category stands against the straight line to its target today."""
    if not row.get("target"):
        return "목표가 없어 진도를 잴 수 없습니다."
    ahead = row["ahead_by"] or 0
    if ahead >= 0:
        return f"오늘까지의 목표 진도보다 {ahead:,}원 앞서 있습니다."
    return (
        f"오늘까지의 목표 진도보다 {-ahead:,}원 뒤처져 있습니다 "
        f"(목표의 {row['behind_percent']:g}%)."
    )


def cumulative(report: dict, code: str) -> list[int]:
    total, values = 0, []
    for month in report["months"]:
        total += month["categories"].get(code, 0)
        values.append(total)
    return values


def months_shown(report: dict) -> int:
    """Months of the fiscal year up to the report's day (the rest has not happened)."""
    as_of = date.fromisoformat(report["as_of"])
    return as_of.month if as_of.year == report["fiscal_year"] else 12


def straight_line(target: int, year: int) -> list[int]:
    """Where a straight line from 1 Jan to the target stands at each month's end."""
    length = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    ends = [(date(year + m // 12, m % 12 + 1, 1) - date(year, 1, 1)).days for m in range(1, 13)]
    return [target * days // length for days in ends]


def month_rows(report: dict, row: dict) -> list[dict]:
    """The line chart's figures as table rows: month, achieved that month, cumulative,
    the straight line's position."""
    shown = months_shown(report)
    line = straight_line(row["target"], report["fiscal_year"]) if row.get("target") else None
    running = cumulative(report, row["code"])
    return [
        {
            "month": m,
            "amount": report["months"][m - 1]["categories"].get(row["code"], 0),
            "cumulative": running[m - 1] if m <= shown else None,
            "line": line[m - 1] if line else None,
        }
        for m in range(1, 13)
    ]


def cumulative_chart(report: dict, row: dict) -> str:
    rows = month_rows(report, row)
    series = [Series("실적 누계", [r["cumulative"] for r in rows], colour=PRIMARY)]
    if row.get("target"):
        series.append(Series("목표 직선", [r["line"] for r in rows], colour=TARGET, dashed=True))
    title = f"{report['fiscal_year']}년 {row['name']} 월별 누적 실적과 목표"
    return line_chart("chart-cumulative", title, MONTHS, series)


def category_chart(report: dict) -> str:
    bars = [Bar(c["name"], c["counted"], c.get("target")) for c in report["categories"]]
    return bar_chart("chart-categories", f"{report['fiscal_year']}년 범주별 실적과 목표", bars)


def year_choices(today: date) -> list[tuple[str, str]]:
    """Fiscal years a person may pick: the next one (targets) back to five years ago."""
    return [(str(y), f"{y}년") for y in range(today.year + 1, today.year - 6, -1)]
