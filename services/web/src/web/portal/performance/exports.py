"""내보내기: one view as CSV (UTF-8 with BOM, or CP949 for older Excel), the whole report as
.xlsx built by orders' Celery worker (progress polled with htmx, then a download link), and
the statutory package of one category."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from gachi_kit.dates import today_kst
from web.identity import current
from web.portal import api
from web.portal.backoffice import pages
from web.portal.navigation import BUYERS
from web.portal.performance import EDITORS, bp, is_editor, present
from web.portal.performance.report import api_path, fiscal_year_arg

ENCODINGS = {"utf-8": "UTF-8 (BOM 포함, 새 엑셀)", "cp949": "CP949 (옛 엑셀, 한글 윈도우)"}
POLL_SECONDS = 1


def _exports_page(institution_id: str, errors=None, message=None, package_errors=None):
    year, year_errors = fiscal_year_arg()
    settings = api.call("orders", "GET", api_path(institution_id, "/settings"))  # 404: not theirs
    categories = api.call("orders", "GET", "/v1/priority-categories")["items"]
    return pages.render(
        "performance/exports.html",
        year=year,
        settings=settings,
        year_choices=present.year_choices(today_kst()),
        view_choices=list(present.EXPORT_VIEWS.items()),
        encoding_choices=list(ENCODINGS.items()),
        category_choices=[(c["code"], c["name"]) for c in categories],
        errors=(errors or {}) | year_errors,
        package_errors=package_errors or {},
        message=message,
        institution_id=institution_id,
        can_package=is_editor(),
    )


@bp.get("/<institution_id>/exports")
@current.signin_required(*BUYERS)
def exports(institution_id: str):
    return _exports_page(institution_id)


@bp.get("/<institution_id>/exports/csv")
@current.signin_required(*BUYERS)
def export_csv(institution_id: str):
    year, errors = fiscal_year_arg()
    if errors:
        return _exports_page(institution_id, errors), 422
    params = {
        "fiscal_year": year,
        "format": "csv",
        "view": request.args.get("view", "lines")[:20],
        "encoding": request.args.get("encoding", "utf-8")[:10],
    }
    try:
        return pages.fetch_file("orders", api_path(institution_id, "/export"), **params)
    except api.ApiError as exc:
        if exc.status != 422:
            raise
        return _exports_page(institution_id, exc.errors, pages.explain(exc)), 422


@bp.post("/<institution_id>/exports")
@current.signin_required(*BUYERS)
def start_export(institution_id: str):
    year = (request.form.get("fiscal_year") or "").strip()
    try:
        job = api.call(
            "orders", "POST", api_path(institution_id, "/exports"), params={"fiscal_year": year}
        )
    except api.ApiError as exc:
        if exc.status != 422:
            raise
        return _exports_page(institution_id, exc.errors, pages.explain(exc)), 422
    return redirect(
        url_for("performance.export_job", institution_id=institution_id, job_id=job["id"])
    )


def _job_page(template: str, institution_id: str, job_id: str) -> str:
    job = api.call("orders", "GET", api_path(institution_id, f"/exports/{job_id[:26]}"))
    return render_template(template, job=job, institution_id=institution_id, poll=POLL_SECONDS)


@bp.get("/<institution_id>/exports/<job_id>")
@current.signin_required(*BUYERS)
def export_job(institution_id: str, job_id: str):
    return _job_page("performance/export_job.html", institution_id, job_id)


@bp.get("/<institution_id>/exports/<job_id>/status")
@current.signin_required(*BUYERS)
def export_status(institution_id: str, job_id: str):
    """The fragment htmx swaps in every second until the job is done or failed."""
    return _job_page("performance/_job_status.html", institution_id, job_id)


@bp.get("/<institution_id>/exports/<job_id>/file")
@current.signin_required(*BUYERS)
def export_file(institution_id: str, job_id: str):
    return pages.fetch_file("orders", api_path(institution_id, f"/exports/{job_id[:26]}/file"))


@bp.get("/<institution_id>/package")
@current.signin_required(*EDITORS)
def package(institution_id: str):
    """The statutory package of one category (this year's plan, last year's results, the
    ratio), as orders writes it."""
    year, errors = fiscal_year_arg()
    params = {"fiscal_year": year, "category": request.args.get("category", "")[:40]}
    try:
        total = pages.read_int(request.args, "total_purchases", required=False, label="총구매액")
    except pages.FormInvalid as refused:
        return _exports_page(institution_id, None, "입력값을 확인해 주세요.", refused.errors), 422
    if total is not None:
        params["total_purchases"] = total
    if errors:
        return _exports_page(institution_id, None, None, errors), 422
    try:
        return pages.fetch_file("orders", api_path(institution_id, "/package"), **params)
    except api.ApiError as exc:
        if exc.status != 422:
            raise
        return _exports_page(institution_id, None, pages.explain(exc), exc.errors), 422
