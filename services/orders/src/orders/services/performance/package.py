"""Use case: the yearly statutory package of one category — this year's plan (targets), last
year's results and their ratio to total purchases — as one .xlsx, ready before the due date
(사회적기업 육성법 시행령 제12조의2, 협동조합 기본법 시행령 제26조: 2월 말일).

No official form was found, so the sheets carry exactly the items the decrees name.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from gachi_kit.auth import Principal
from orders.adapters.performance_exports import Table, write_xlsx
from orders.domain.performance import percent
from orders.services.performance.categories import as_category, require_category
from orders.services.performance.report import build_report
from orders.services.performance.settings import require_editor
from orders.services.performance.targets import check_fiscal_year, list_targets
from orders.wiring import OrdersWiring

WON = frozenset({1})


def write_package(
    wiring: OrdersWiring, actor: Principal, institution_id: str, query: dict
) -> tuple[str, Path]:
    """(file name, temp file) of the package for `fiscal_year` (the plan's year; results
    are the year before) and `category`."""
    require_editor(actor, institution_id)
    year, code = query["fiscal_year"], query["category"]
    check_fiscal_year(year)
    with wiring.db.reading() as session:
        category = as_category(require_category(session, code))
    plan = [
        t for t in list_targets(wiring, actor, institution_id, year) if t["category_code"] == code
    ]
    results = build_report(wiring, actor, institution_id, {"fiscal_year": year - 1})
    achieved = next(c for c in results["categories"] if c["code"] == code)
    denominator = query.get("total_purchases") or _last_denominator(
        wiring, actor, institution_id, year - 1, code
    )
    due = category.due_date(year)
    overview = Table(
        "개요",
        ["항목", "내용"],
        [
            ["기관", results["institution"]["name"]],
            ["범주", category.name],
            ["법적 근거", category.legal_basis],
            ["제출처", category.receiving_body],
            ["제출 기한", due.isoformat() if due else "법정 기한 없음"],
            ["구매계획 연도", f"{year}년"],
            ["구매실적 연도", f"{year - 1}년"],
            ["실적 인정 기준", results["settings"]["basis_label"]],
            ["금액 기준", results["settings"]["amount_label"]],
        ],
        widths={0: 16, 1: 60},
    )
    plan_table = Table(
        f"{year} 구매계획",
        ["부서", "목표 금액", "방식", "비율(%)", "분모", "분모 설명"],
        [
            [
                t["department"] or "기관 전체",
                t["target_amount"],
                "금액" if t["kind"] == "amount" else "비율",
                t["share_percent"],
                t["denominator"],
                t["denominator_label"],
            ]
            for t in plan
        ],
        won_columns=frozenset({1, 4}),
    )
    months = Table(
        f"{year - 1} 구매실적(월별)",
        ["월", "인정 금액"],
        [[f"{m['month']}월", m["categories"][code]] for m in results["months"]],
        won_columns=WON,
        chart="bar",
        chart_columns=(1,),
    )
    departments = Table(
        f"{year - 1} 구매실적(부서별)",
        ["부서", "인정 금액"],
        [
            [
                d["department"] or "(부서 없음)",
                next(c["counted"] for c in d["categories"] if c["code"] == code),
            ]
            for d in results["departments"]
        ],
        won_columns=WON,
    )
    ratio = Table(
        "총구매액 대비 비율",
        [f"{year - 1}년 {category.name} 구매액", f"{year - 1}년 총구매액", "비율(%)", "비고"],
        [
            [
                achieved["counted"],
                denominator,
                percent(achieved["counted"], denominator) if denominator else None,
                None if denominator else "총구매액(total_purchases)을 넣으면 비율이 계산됩니다.",
            ]
        ],
        won_columns=frozenset({0, 1}),
        percent_columns=frozenset({2}),
        widths={0: 28, 1: 20, 2: 10, 3: 50},
    )
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        path = Path(handle.name)
    write_xlsx([overview, plan_table, months, departments, ratio], path)
    return f"priority-purchasing-package-{code}-{year}.xlsx", path


def _last_denominator(wiring, actor, institution_id: str, year: int, code: str) -> int | None:
    """The institution-wide share target's denominator of the results year, if it had one."""
    for target in list_targets(wiring, actor, institution_id, year):
        if target["category_code"] == code and target["department"] is None:
            return target["denominator"]
    return None
