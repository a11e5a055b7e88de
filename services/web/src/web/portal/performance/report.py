"""The report page (achieved vs target, pace, forecast, charts with their tables, every
breakdown) and the drill-down to the supplier-order lines and off-platform purchases behind
any figure."""

from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from gachi_kit.dates import today_kst
from web.identity import current
from web.portal.api import ApiError, call
from web.portal.navigation import BUYERS
from web.portal.performance import bp, present

DRILL_FILTERS = ("category", "department", "enterprise_type", "enterprise_id", "month", "source")


def fiscal_year_arg() -> tuple[int, dict[str, list[str]]]:
    """The fiscal year asked for (this year by default) and a Korean message if unreadable."""
    raw = (request.args.get("fiscal_year") or "").strip()
    if not raw:
        return today_kst().year, {}
    if not raw.isdigit() or len(raw) != 4:
        return today_kst().year, {"fiscal_year": ["회계연도는 2026처럼 네 자리 숫자로 고르세요."]}
    return int(raw), {}


def api_path(institution_id: str, tail: str = "") -> str:
    return f"/v1/institutions/{institution_id[:26]}/performance{tail}"


def year_refused(exc: ApiError) -> dict[str, list[str]]:
    """A 422 about the year goes next to the year selector; anything else is raised."""
    if exc.status != 422:
        raise exc
    return {"fiscal_year": exc.errors.get("fiscal_year") or [exc.message()]}


@bp.get("/<institution_id>")
@current.signin_required(*BUYERS)
def report(institution_id: str):
    year, errors = fiscal_year_arg()
    try:
        data = call("orders", "GET", api_path(institution_id), params={"fiscal_year": year})
    except ApiError as exc:
        errors = year_refused(exc)
        year = today_kst().year
        data = call("orders", "GET", api_path(institution_id), params={"fiscal_year": year})
    row = present.chosen_category(data, request.args.get("category"))
    charts = {}
    if row is not None:
        charts = {
            "cumulative": Markup(present.cumulative_chart(data, row)),
            "categories": Markup(present.category_chart(data)),
            "month_rows": present.month_rows(data, row),
        }
    return render_template(
        "performance/report.html",
        report=data,
        row=row,
        pace=present.pace_sentence(row) if row else "",
        charts=charts,
        year_choices=present.year_choices(today_kst()),
        category_choices=[(c["code"], c["name"]) for c in data["categories"]],
        year=year,
        errors=errors,
        institution_id=institution_id,
        present=present,
    ), (422 if errors else 200)


@bp.get("/<institution_id>/lines")
@current.signin_required(*BUYERS)
def lines(institution_id: str):
    """The evidence behind one figure: the report's filters, page by page, with the sum of
    every page (which is the figure clicked)."""
    year, errors = fiscal_year_arg()
    if errors:
        return render_template(
            "performance/lines.html", errors=errors, page=None, filters={}, year=year,
            institution_id=institution_id, present=present,
        ), 422  # fmt: skip
    filters = {k: request.args[k][:40] for k in DRILL_FILTERS if request.args.get(k)}
    params = {"fiscal_year": year, "limit": 50, **filters}
    if request.args.get("cursor"):
        params["cursor"] = request.args["cursor"][:512]
    try:
        page = call("orders", "GET", api_path(institution_id, "/lines"), params=params)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return render_template(
            "performance/lines.html", errors=exc.errors or {"_": [exc.message()]}, page=None,
            filters=filters, year=year, institution_id=institution_id, present=present,
        ), 422  # fmt: skip
    categories = {
        c["code"]: c["name"] for c in call("orders", "GET", "/v1/priority-categories")["items"]
    }
    return render_template(
        "performance/lines.html",
        page=page,
        filters=filters,
        year=year,
        errors={},
        categories=categories,
        institution_id=institution_id,
        present=present,
    )
