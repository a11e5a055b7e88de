"""Ordering from a spreadsheet: CSV (UTF-8 or CP949, as Korean Excel saves it) or .xlsx.
orders checks every row first (a dry run that writes nothing); the preview shows the row
problems, or the split the order would make, before anything is placed."""

from __future__ import annotations

import base64
import csv
import io
import uuid
import zipfile

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from openpyxl import load_workbook

from web.identity import current
from web.portal.api import ApiError, call
from web.portal.catalogue import brands
from web.portal.navigation import BUYERS
from web.portal.ordering import (
    LABELS,
    already_placed,
    api_delivery,
    delivery_defaults,
    delivery_from_form,
    place_once,
    remember_placed,
)

bp = Blueprint("upload", __name__, url_prefix="/order-sheet/upload")
UPLOAD_KEY = "portal_upload"
MAX_BYTES = 2 * 1024 * 1024
UPLOAD_LABELS = LABELS | {"file": "주문 파일"}


class UnreadableFile(ValueError):
    pass


@bp.before_request
@current.signin_required(*BUYERS)
def _buyers_only():
    return None


def xlsx_to_csv(raw: bytes) -> bytes:
    """The first sheet of a workbook as UTF-8 CSV, the form orders reads."""
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("엑셀 파일을 열 수 없습니다. .xlsx로 저장해 주세요.") from exc
    out = io.StringIO()
    writer = csv.writer(out)
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        writer.writerow(["" if cell is None else cell for cell in row])
    workbook.close()
    return out.getvalue().encode("utf-8")


def read_upload() -> tuple[bytes, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise UnreadableFile("주문할 파일을 고르세요.")
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise UnreadableFile("파일은 2MB 이하여야 합니다.")
    if not raw:
        raise UnreadableFile("빈 파일입니다.")
    name = upload.filename
    if name.lower().endswith(".xlsx"):
        return xlsx_to_csv(raw), name
    if name.lower().endswith((".csv", ".txt")):
        return raw, name
    raise UnreadableFile("CSV(.csv) 또는 엑셀(.xlsx) 파일만 올릴 수 있습니다.")


def send_csv(csv_bytes: bytes, fields: dict, *, dry_run: bool, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return call(
        "orders",
        "POST",
        "/v1/orders/csv",
        params={"dry_run": "true" if dry_run else "false"},
        data=api_delivery(fields),
        files={"file": ("order.csv", csv_bytes, "text/csv")},
        headers=headers,
    )


def render(errors=None, fields=None, report=None, filename=None, status=200):
    return (
        render_template(
            "portal/upload.html",
            errors=errors or {},
            fields=fields or delivery_defaults(),
            labels=UPLOAD_LABELS,
            brands=brands(),
            report=report,
            filename=filename,
            idempotency_key=str(uuid.uuid4()),
        ),
        status,
    )


@bp.get("")
def form():
    return render()[0]


@bp.post("")
def preview():
    fields = delivery_from_form()
    try:
        csv_bytes, filename = read_upload()
    except UnreadableFile as exc:
        return render({"file": [str(exc)]}, fields, status=422)
    try:
        report = send_csv(csv_bytes, fields, dry_run=True)
    except ApiError as exc:
        if exc.status not in (400, 413, 422):
            raise
        errors = exc.errors or {"file": [exc.detail or exc.title]}
        return render(errors, fields, filename=filename, status=422)
    if report["ok"]:
        session[UPLOAD_KEY] = {
            "csv": base64.b64encode(csv_bytes).decode("ascii"),
            "filename": filename,
            "fields": fields,
        }
    else:
        session.pop(UPLOAD_KEY, None)
    return render(fields=fields, report=report, filename=filename)


@bp.post("/place")
def place():
    key = request.form.get("idempotency_key", "").strip() or str(uuid.uuid4())
    placed = already_placed(key)
    if placed:
        return redirect(url_for("orders.detail", order_id=placed))
    stored = session.get(UPLOAD_KEY)
    if not stored:
        flash("확인한 파일이 없습니다. 파일을 다시 올려 주세요.", "error")
        return redirect(url_for("upload.form"))
    csv_bytes = base64.b64decode(stored["csv"])
    try:
        order = place_once(
            key, lambda: send_csv(csv_bytes, stored["fields"], dry_run=False, key=key)
        )
    except ApiError as exc:
        if exc.status not in (400, 409, 422):
            raise
        return render(exc.errors or {"file": [exc.message()]}, stored["fields"], status=422)
    remember_placed(key, order["id"])
    session.pop(UPLOAD_KEY, None)
    flash("파일의 주문을 접수했습니다.", "success")
    return redirect(url_for("orders.detail", order_id=order["id"], placed=1))
