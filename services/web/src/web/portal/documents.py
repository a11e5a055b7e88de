"""거래명세서 and 검수조서 of a supplier order as PDF, for the buyer's department, the
institution admin and the enterprise (orders decides who sees which supplier order). Orders
draws a document on its worker the first time (202): the page waits with htmx, then links
to the file."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from web.identity import current
from web.portal import api
from web.portal.backoffice import pages

bp = Blueprint("documents", __name__, url_prefix="/documents")
KINDS = {"statement": "거래명세서", "inspection": "검수조서"}
READERS = ("buyer", "institution_admin", "enterprise")
POLL_SECONDS = 2


def _ready(so_id: str, kind: str) -> bool:
    """Ask orders once; True when the PDF is there, False while it is being drawn."""
    client = current_app.extensions["portal_clients"]["orders"]
    headers = {"Authorization": f"Bearer {api.bearer('orders')}"}
    answer = client.request("GET", f"/v1/supplier-orders/{so_id}/documents/{kind}", headers=headers)
    if answer.status_code >= 400:
        raise api._problem(answer)
    return answer.status_code == 200


@bp.get("/supplier-orders/<so_id>/<kind>")
@current.signin_required(*READERS)
def supplier_order(so_id: str, kind: str):
    if kind not in KINDS:
        abort(404)
    so_id = so_id[:26]
    if request.args.get("wait"):  # htmx asks whether it is ready yet
        return render_template(
            "performance/_document_status.html", so_id=so_id, kind=kind, label=KINDS[kind],
            ready=_ready(so_id, kind), poll=POLL_SECONDS,
        )  # fmt: skip
    if not _ready(so_id, kind):
        return render_template(
            "performance/document_waiting.html", so_id=so_id, kind=kind, label=KINDS[kind],
            ready=False, poll=POLL_SECONDS,
        ), 202  # fmt: skip
    response = pages.fetch_file("orders", f"/v1/supplier-orders/{so_id}/documents/{kind}")
    response.headers.setdefault("Content-Disposition", f'inline; filename="{kind}-{so_id}.pdf"')
    return response


def links(so: dict) -> list[tuple[str, str]]:
    """(label, URL) of the documents a supplier order has by now: 거래명세서 once accepted,
    검수조서 once inspected (orders refuses earlier ones with 409)."""
    status = so.get("status")
    found = []
    if status in ACCEPTED_ON:
        found.append(
            (
                KINDS["statement"],
                url_for("documents.supplier_order", so_id=so["id"], kind="statement"),
            )
        )
    if status in INSPECTED_ON:
        found.append(
            (
                KINDS["inspection"],
                url_for("documents.supplier_order", so_id=so["id"], kind="inspection"),
            )
        )
    return found


INSPECTED_ON = {"inspected", "invoiced", "paid"}
ACCEPTED_ON = {
    "accepted",
    "partially_accepted",
    "in_production",
    "shipped",
    "delivered",
} | INSPECTED_ON


def register(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["document_links"] = links
