"""부서별 구매실적: the department ranking an institution publishes, readable without
sign-in (광명's practice of posting each department's purchases). Orders answers 404 until
the institution turns publication on, and so does this page."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from gachi_kit.charts import Bar, bar_chart
from gachi_kit.dates import today_kst
from web.portal.api import ApiError, call
from web.portal.performance import present, public_bp
from web.portal.performance.report import fiscal_year_arg


def month_table(ranking: dict, shown: int) -> list[dict]:
    """One row per department: its rank and cumulative amount at each month's end."""
    rows: dict[str, dict] = {}
    for month in ranking["months"][:shown]:
        for place in month["ranking"]:
            row = rows.setdefault(
                place["department"], {"department": place["department"], "months": []}
            )
            row["months"].append(place)
    order = [r["department"] for r in ranking["by_amount"]]
    return sorted(
        rows.values(),
        key=lambda r: order.index(r["department"]) if r["department"] in order else len(order),
    )


@public_bp.get("/<institution_id>")
def page(institution_id: str):
    year, errors = fiscal_year_arg()
    path = f"/v1/public/institutions/{institution_id[:26]}/department-ranking"
    try:
        ranking = call("orders", "GET", path, anonymous=True, params={"fiscal_year": year})
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = {"fiscal_year": exc.errors.get("fiscal_year") or [exc.message()]}
        year = today_kst().year
        ranking = call("orders", "GET", path, anonymous=True, params={"fiscal_year": year})
    shown = present.months_shown(ranking)
    chart = bar_chart(
        "chart-departments",
        f"{ranking['fiscal_year']}년 부서별 구매실적",
        [Bar(r["department"], r["counted"]) for r in ranking["by_amount"]],
    )
    return render_template(
        "performance/ranking.html",
        ranking=ranking,
        chart=Markup(chart),
        months=month_table(ranking, shown),
        shown=shown,
        year=year,
        year_choices=present.year_choices(today_kst()),
        errors=errors,
        institution_id=institution_id,
    ), (422 if errors else 200)
