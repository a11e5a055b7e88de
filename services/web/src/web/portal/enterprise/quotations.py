"""견적서 addressed to the enterprise: the buyers' requests, newest first, with the PDF."""

from __future__ import annotations

from flask import request, url_for

from web.identity.current import signin_required
from web.portal import api
from web.portal.backoffice import pages
from web.portal.enterprise import bp
from web.portal.quotations import pdf_or_wait


@bp.get("/quotations")
@signin_required("enterprise")
def quotations():
    params = {"limit": 50}
    if request.args.get("cursor"):
        params["cursor"] = request.args["cursor"]
    page = api.call("orders", "GET", "/v1/quotations", params=params)
    return pages.render("enterprise/quotations.html", page=page)


@bp.get("/quotations/<quotation_id>/pdf")
@signin_required("enterprise")
def quotation_pdf(quotation_id: str):
    return pdf_or_wait(quotation_id, url_for("enterprise.quotations"))
