"""목표 관리 (targets per fiscal year, category and optionally department; an amount or a
share of a denominator) and 설정 (counting basis, amount, publication, alerts). Institution
admins only; orders checks every value and its messages go next to the fields."""

from __future__ import annotations

from flask import request, url_for

from gachi_kit.dates import today_kst
from web.identity import current
from web.portal import api
from web.portal.backoffice import pages
from web.portal.performance import EDITORS, bp, present
from web.portal.performance.report import api_path, fiscal_year_arg

TARGET_LABELS = {"amount": "목표 금액", "denominator": "분모 금액"}


def institution(institution_id: str) -> dict:
    return api.call("orders", "GET", f"/v1/institutions/{institution_id[:26]}")


def _targets_page(institution_id: str, errors=None, message=None, year=None):
    year = year or fiscal_year_arg()[0]
    try:
        items = api.call(
            "orders", "GET", api_path(institution_id, "/targets"), params={"fiscal_year": year}
        )["items"]
    except api.ApiError as exc:
        if exc.status != 422:
            raise
        errors = (errors or {}) | {"fiscal_year": exc.errors.get("fiscal_year", [exc.message()])}
        items = []
    categories = api.call("orders", "GET", "/v1/priority-categories")["items"]
    names = {c["code"]: c["name"] for c in categories}
    return pages.render(
        "performance/targets.html",
        targets=items,
        names=names,
        category_choices=[(c["code"], c["name"]) for c in categories],
        department_choices=[
            (d["name"], d["name"]) for d in institution(institution_id)["departments"]
        ],
        year_choices=present.year_choices(today_kst()),
        year=year,
        errors=errors,
        message=message,
        institution_id=institution_id,
        present=present,
    )


@bp.get("/<institution_id>/targets")
@current.signin_required(*EDITORS)
def targets(institution_id: str):
    return _targets_page(institution_id)


def target_body(form) -> dict:
    """The API's body from the form: numbers as people type them, the rest as given."""
    errors: dict[str, list[str]] = {}
    body: dict = {
        "category_code": form.get("category_code") or "",
        "department": pages.read_text(form, "department"),
        "kind": form.get("kind") or "amount",
    }
    year = (form.get("fiscal_year") or "").strip()
    body["fiscal_year"] = int(year) if year.isdigit() else year
    for name in ("amount", "denominator"):
        if body["kind"] == ("amount" if name == "amount" else "share"):
            try:
                body[name] = pages.read_int(form, name, required=False, label=TARGET_LABELS[name])
            except pages.FormInvalid as refused:
                errors.update(refused.errors)
    if body["kind"] == "share":
        body["share_percent"] = (form.get("share_percent") or "").strip() or None
        body["denominator_label"] = pages.read_text(form, "denominator_label")
    if errors:
        raise pages.FormInvalid(errors)
    return body


@bp.post("/<institution_id>/targets")
@current.signin_required(*EDITORS)
def save_target(institution_id: str):
    year = (request.form.get("fiscal_year") or "").strip()
    return pages.submit(
        lambda: api.call(
            "orders", "PUT", api_path(institution_id, "/targets"), json=target_body(request.form)
        ),
        done="목표를 저장했습니다.",
        then=url_for("performance.targets", institution_id=institution_id, fiscal_year=year),
        again=lambda errors, message: _targets_page(
            institution_id, errors, message, year=int(year) if year.isdigit() else None
        ),
    )


@bp.post("/<institution_id>/targets/<target_id>/delete")
@current.signin_required(*EDITORS)
def delete_target(institution_id: str, target_id: str):
    year = (request.form.get("fiscal_year") or "").strip()
    return pages.submit(
        lambda: api.call(
            "orders", "DELETE", api_path(institution_id, f"/targets/{target_id[:26]}")
        ),
        done="목표를 지웠습니다.",
        then=url_for("performance.targets", institution_id=institution_id, fiscal_year=year),
        again=lambda errors, message: _targets_page(institution_id, errors, message),
    )


# -- settings ---------------------------------------------------------------------------


def _settings_page(institution_id: str, errors=None, message=None):
    stored = api.call("orders", "GET", api_path(institution_id, "/settings"))
    return pages.render(
        "performance/settings.html",
        settings=stored,
        errors=errors,
        message=message,
        institution_id=institution_id,
        present=present,
        public_url=url_for("ranking.page", institution_id=institution_id, _external=True),
    )


@bp.get("/<institution_id>/settings")
@current.signin_required(*EDITORS)
def settings(institution_id: str):
    return _settings_page(institution_id)


def settings_body(form) -> dict:
    margin = pages.read_int(form, "alert_margin_percent", label="알림 기준")
    return {
        "basis": form.get("basis") or "",
        "amount_kind": form.get("amount_kind") or "",
        "publish_ranking": form.get("publish_ranking") == "on",
        "buyers_see_institution": form.get("buyers_see_institution") == "on",
        "alert_margin_percent": margin,
    }


@bp.post("/<institution_id>/settings")
@current.signin_required(*EDITORS)
def save_settings(institution_id: str):
    return pages.change_on(
        lambda: api.call(
            "orders",
            "PATCH",
            api_path(institution_id, "/settings"),
            json=settings_body(request.form),
        ),
        "설정을 저장했습니다.",
        "performance.settings",
        _settings_page,
        institution_id=institution_id,
    )
