"""견적서 (quotations): a buyer asks for them for a cart, one per enterprise; the institution
and the enterprise read them (JSON and PDF)."""

from __future__ import annotations

from flask import jsonify, send_file
from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from orders.api import quotation_schemas as schemas
from orders.services import quotations
from orders.wiring import current_wiring

blp = Blueprint("quotations", __name__, url_prefix="/v1/quotations", description="견적서")
BUYER = ("buyer", "institution_admin")


@blp.route("")
class QuotationCollection(MethodView):
    @require_roles(*BUYER)
    @blp.arguments(schemas.QuotationRequest)
    @blp.response(201, schemas.QuotationList)
    def post(self, body):
        """Quotations for a cart: priced as an order would be today (or on `needed_by`),
        one per enterprise, valid 30 days; each PDF is drawn in the background."""
        from orders.tasks import enqueue_quotation

        created = quotations.request_quotations(current_wiring(), current_principal(), body)
        for quotation in created:
            quotation.pdf_ready = False
            enqueue_quotation(quotation.id)
        return {"items": created}

    @require_roles(*BUYER, "enterprise")
    @blp.arguments(schemas.QuotationQuery, location="query")
    @blp.response(200, schemas.QuotationPage)
    def get(self, query):
        """Newest first: a buyer's institution's, or those addressed to the enterprise."""
        return quotations.list_quotations(current_wiring(), current_principal(), query)


@blp.route("/<quotation_id>")
class QuotationById(MethodView):
    @require_roles(*BUYER, "enterprise")
    @blp.response(200, schemas.Quotation)
    def get(self, quotation_id):
        return quotations.get_quotation(current_wiring(), quotation_id, current_principal())


@blp.route("/<quotation_id>/pdf")
class QuotationPdf(MethodView):
    @require_roles(*BUYER, "enterprise")
    @blp.response(200, description="application/pdf")
    @blp.alt_response(202, description="만드는 중: 잠시 뒤 다시 요청")
    def get(self, quotation_id):
        """The 견적서 as PDF; while it is being drawn, 202 with Retry-After."""
        wiring = current_wiring()
        path, ready, name = quotations.find_pdf(wiring, quotation_id, current_principal())
        if ready:
            return send_file(
                path, mimetype="application/pdf", download_name=name, as_attachment=True
            )
        from orders.tasks import enqueue_quotation

        enqueue_quotation(quotation_id)
        response = jsonify({"status": "rendering"})
        response.status_code = 202
        response.headers["Retry-After"] = "2"
        return response
