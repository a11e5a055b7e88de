"""외부 구매 실적: purchases made outside the platform (나라장터, direct contracts), listed,
added one by one, or imported from CSV/.xlsx: orders' dry run shown row by row with each
row's problems beside it, then the same bytes imported (every row, or the valid ones)."""

from __future__ import annotations

import base64
import binascii

from flask import flash, redirect, request, url_for

from web.identity import current
from web.portal import api
from web.portal.backoffice import pages
from web.portal.performance import EDITORS, bp, present
from web.portal.performance.targets import institution

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # orders' body cap for imports
AMOUNTS = {"supply_amount": "공급가액", "vat_amount": "부가세", "total_amount": "합계"}
DATES = ("contract_on", "delivered_on", "inspected_on", "paid_on")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def purchases_path(institution_id: str, tail: str = "") -> str:
    return f"/v1/institutions/{institution_id[:26]}/off-platform-purchases{tail}"


def _list_page(institution_id: str, errors=None, message=None):
    items = api.call("orders", "GET", purchases_path(institution_id))["items"]
    categories = api.call("orders", "GET", "/v1/priority-categories")["items"]
    return pages.render(
        "performance/purchases.html",
        purchases=items,
        names={c["code"]: c["name"] for c in categories},
        department_choices=[
            (d["name"], d["name"]) for d in institution(institution_id)["departments"]
        ],
        channel_choices=list(present.CHANNELS.items()),
        errors=errors,
        message=message,
        institution_id=institution_id,
        present=present,
    )


@bp.get("/<institution_id>/purchases")
@current.signin_required(*EDITORS)
def purchases(institution_id: str):
    return _list_page(institution_id)


def purchase_body(form) -> dict:
    errors: dict[str, list[str]] = {}
    body: dict = {
        name: pages.read_text(form, name)
        for name in ("enterprise_brn", "item_name", "department", "evidence_reference", *DATES)
    }
    body["channel"] = form.get("channel") or "other"
    for name, label in AMOUNTS.items():
        try:
            body[name] = pages.read_int(form, name, required=name == "supply_amount", label=label)
        except pages.FormInvalid as refused:
            errors.update(refused.errors)
    if errors:
        raise pages.FormInvalid(errors)
    body["vat_amount"] = body["vat_amount"] or 0
    for name in ("enterprise_brn", "item_name", "evidence_reference"):
        body[name] = body[name] or ""  # the API says which one is missing, in Korean
    return body


@bp.post("/<institution_id>/purchases")
@current.signin_required(*EDITORS)
def add_purchase(institution_id: str):
    return pages.change_on(
        lambda: api.call(
            "orders", "POST", purchases_path(institution_id), json=purchase_body(request.form)
        ),
        "외부 구매 실적을 기록했습니다.",
        "performance.purchases",
        _list_page,
        institution_id=institution_id,
    )


@bp.post("/<institution_id>/purchases/<purchase_id>/delete")
@current.signin_required(*EDITORS)
def delete_purchase(institution_id: str, purchase_id: str):
    return pages.change_on(
        lambda: api.call(
            "orders", "DELETE", purchases_path(institution_id, f"/{purchase_id[:26]}")
        ),
        "기록을 지웠습니다.",
        "performance.purchases",
        _list_page,
        institution_id=institution_id,
    )


# -- import -----------------------------------------------------------------------------


def rows_of(report: dict) -> list[dict]:
    """The dry run as one row per spreadsheet row: what would be stored (`item`), or the
    cells as read (`cells`) beside its problems."""
    rows: dict[int, dict] = {}
    for item in report.get("preview") or []:
        if item.get("row") is not None:
            refused = item.get("refused", False)
            rows[item["row"]] = {
                "row": item["row"],
                "item": None if refused else item,
                "cells": item.get("cells") or {},
                "problems": [],
            }
    for problem in report.get("problems") or []:
        entry = rows.setdefault(
            problem["row"], {"row": problem["row"], "item": None, "cells": {}, "problems": []}
        )
        entry["problems"].append(problem)
    return [rows[number] for number in sorted(rows)]


def _import_page(
    institution_id, report=None, upload=None, filename=None, errors=None, message=None
):
    categories = api.call("orders", "GET", "/v1/priority-categories")["items"]
    return pages.render(
        "performance/import.html",
        report=report,
        rows=rows_of(report) if report else [],
        names={c["code"]: c["name"] for c in categories},
        upload=upload,
        filename=filename,
        errors=errors,
        message=message,
        institution_id=institution_id,
    )


def send_import(institution_id: str, content: bytes, filename: str, *, dry_run: bool, mode: str):
    kind = XLSX if filename.lower().endswith(".xlsx") else "text/csv"
    return api.call(
        "orders",
        "POST",
        purchases_path(institution_id, "/import"),
        params={"dry_run": "true" if dry_run else "false", "mode": mode},
        files={"file": (filename, content, kind)},
    )


@bp.get("/<institution_id>/purchases/import")
@current.signin_required(*EDITORS)
def import_form(institution_id: str):
    return _import_page(institution_id)


@bp.post("/<institution_id>/purchases/import")
@current.signin_required(*EDITORS)
def import_file(institution_id: str):
    """Step 1 (a file): the dry run, nothing written. Step 2 (the same bytes carried back in
    the form): import every row, or only the valid ones."""
    mode = "valid_rows" if request.form.get("mode") == "valid_rows" else "all_or_nothing"
    carried = request.form.get("upload")
    filename = (request.form.get("filename") or "purchases.csv")[:100]
    if carried:
        try:
            content = base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            return _import_page(institution_id, message="파일을 다시 골라 주세요."), 422
        dry_run = False
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _import_page(
                institution_id, errors={"file": ["올릴 CSV 또는 엑셀 파일을 골라 주세요."]}
            ), 422
        content, filename, dry_run = upload.read(MAX_IMPORT_BYTES + 1), upload.filename[:100], True
        mode = "valid_rows"  # a dry run reports every row; nothing is written either way
        if len(content) > MAX_IMPORT_BYTES:
            return _import_page(
                institution_id, errors={"file": ["파일이 5MB보다 큽니다. 나눠서 올려 주세요."]}
            ), 422
    keep = base64.b64encode(content).decode()
    try:
        report = send_import(institution_id, content, filename, dry_run=dry_run, mode=mode)
    except api.ApiError as refused:
        if refused.status in (401, 403, 404):
            raise
        rows = (refused.body.get("errors") or {}).get("rows")
        if rows:  # every row checked, some refused: show them again, nothing written
            report = {"dry_run": True, "rows": None, "problems": rows, "preview": []}
            return _import_page(
                institution_id, report, keep, filename, message=pages.explain(refused)
            ), 422
        return _import_page(
            institution_id, errors=refused.errors, message=pages.explain(refused)
        ), refused.status
    if dry_run:
        return _import_page(institution_id, report, keep, filename)
    flash(f"외부 구매 실적 {report['imported']:,}건을 넣었습니다.", "success")
    return redirect(url_for("performance.purchases", institution_id=institution_id))
