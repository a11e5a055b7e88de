"""How the 우선구매 pages word and draw orders' report: which category the headline follows,
the straight line to the target, the pace in a sentence, the months not yet come."""

from __future__ import annotations

from datetime import date

from web.portal.performance import present, section_of


def report(as_of: str = "2026-06-30") -> dict:
    months = [
        {"month": m, "categories": {"local": 1_000_000 if m <= 6 else 0}} for m in range(1, 13)
    ]
    return {
        "fiscal_year": 2026,
        "as_of": as_of,
        "months": months,
        "categories": [
            {"code": "social", "name": "사회적기업제품", "counted": 0, "target": None},
            {"code": "local", "name": "광명시 사회적경제기업 제품", "counted": 6_000_000,
             "target": 24_000_000, "ahead_by": -5_900_000, "behind_percent": 24.58},
        ],
    }  # fmt: skip


def test_the_headline_follows_the_category_asked_for_else_the_first_with_a_target():
    data = report()
    assert present.chosen_category(data, "social")["code"] == "social"
    assert present.chosen_category(data, None)["code"] == "local"
    assert present.chosen_category(data, "없는 범주")["code"] == "local"
    assert present.chosen_category({"categories": []}, None) is None


def test_the_straight_line_reaches_the_target_on_the_last_day():
    line = present.straight_line(36_500_000, 2026)
    assert line[0] == 36_500_000 * 31 // 365 and line[-1] == 36_500_000
    assert line == sorted(line)
    assert present.straight_line(36_600_000, 2028)[1] == 36_600_000 * 60 // 366  # leap year


def test_months_to_come_have_no_cumulative_figure():
    rows = present.month_rows(report(), report()["categories"][1])
    assert [r["cumulative"] for r in rows[:7]] == [m * 1_000_000 for m in range(1, 7)] + [None]
    assert rows[5]["amount"] == 1_000_000 and rows[11]["line"] == 24_000_000
    past = present.month_rows(
        report("2026-12-31") | {"fiscal_year": 2025}, report()["categories"][1]
    )
    assert past[11]["cumulative"] == 6_000_000


def test_pace_in_a_korean_sentence():
    behind = report()["categories"][1]
    assert present.pace_sentence(behind) == (
        "오늘까지의 목표 진도보다 5,900,000원 뒤처져 있습니다 (목표의 24.58%)."
    )
    assert "앞서 있습니다" in present.pace_sentence(behind | {"ahead_by": 10})
    assert present.pace_sentence({"target": None}) == "목표가 없어 진도를 잴 수 없습니다."


def test_years_and_menu_sections():
    assert present.year_choices(date(2026, 5, 1))[0] == ("2027", "2027년")
    assert section_of("performance.import_file") == "performance.purchases"
    assert section_of("performance.report") == "performance.report"
