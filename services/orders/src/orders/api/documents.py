"""A supplier order's documents as PDF: 거래명세서, 검수조서."""

from __future__ import annotations

from flask import jsonify, send_file
from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from orders.services import documents
from orders.wiring import current_wiring

blp = Blueprint(
    "documents", __name__, url_prefix="/v1/supplier-orders", description="거래 서류 (PDF)"
)


@blp.route("/<supplier_order_id>/documents/<kind>")
class SupplierOrderDocument(MethodView):
    @require_roles("buyer", "institution_admin", "enterprise", "admin")
    @blp.response(200, description="application/pdf")
    @blp.alt_response(202, description="만드는 중: 잠시 뒤 다시 요청")
    def get(self, supplier_order_id, kind):
        """`statement` (거래명세서, once accepted) or `inspection` (검수조서, after 검수).
        The first request queues the rendering (202, Retry-After); then the PDF."""
        wiring = current_wiring()
        path, ready, name = documents.find(wiring, supplier_order_id, kind, current_principal())
        if ready:
            return send_file(path, mimetype="application/pdf", download_name=name)
        from orders.tasks import enqueue_document

        enqueue_document(supplier_order_id, kind)
        response = jsonify({"status": "rendering"})
        response.status_code = 202
        response.headers["Retry-After"] = "2"
        return response
