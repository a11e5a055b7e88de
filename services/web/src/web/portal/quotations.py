"""견적서 (quotations): "견적서 받기" on the 주문서 asks orders for one quotation per
enterprise of the cart; the buyer's list with download links. The PDFs are drawn by
orders in the background: a download that is not ready yet says so and comes back here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for

from web.identity import current
from web.portal.api import ApiError, call
from web.portal.backoffice import pages
from web.portal.navigation import BUYERS, CART_KEY, cart_lines

bp = Blueprint("quotations", __name__, url_prefix="/quotations")
NOT_QUOTABLE = "표준 품목은 견적을 받을 수 없습니다. 공급 기업의 상품을 골라 담으세요."


@bp.before_request
@current.signin_required(*BUYERS)
def _buyers_only():
    return None


@bp.post("/request")
def request_quotations():
    """From the 주문서 form: its lines, needed-by date and 요청 사항 as the note."""
    from web.portal import ordering

    lines, errors = ordering.quantities_from_form(cart_lines())
    session[CART_KEY] = lines  # the quantities as typed, kept like 수량 저장 does
    fields = ordering.delivery_from_form()
    if not lines:
        errors["lines"] = ["주문서에 담긴 품목이 없습니다."]
    for index, line in enumerate(lines):
        if line["kind"] != "product":
            errors[f"lines.{index}.quantity"] = [NOT_QUOTABLE]
    if errors:
        return ordering.render_cart(errors, fields, 422)
    body = {
        "lines": [{"product_id": line["ref"], "quantity": line["quantity"]} for line in lines],
        "note": fields.get("memo", "")[:500],
    }
    if fields.get("needed_by"):
        body["needed_by"] = fields["needed_by"]
    try:
        answer = call("orders", "POST", "/v1/quotations", json=body)
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
        errors = {("memo" if key == "note" else key): v for key, v in exc.errors.items()}
        return ordering.render_cart(errors or {"_": [exc.message()]}, fields, 422)
    items = answer["items"]
    flash(f"견적서 {len(items)}건을 받았습니다. 공급 기업마다 한 장씩입니다.", "success")
    return redirect(url_for("quotations.index", request=items[0]["request_id"]))


@bp.get("")
def index():
    params = {"limit": 50}
    if request.args.get("cursor"):
        params["cursor"] = request.args["cursor"]
    page = call("orders", "GET", "/v1/quotations", params=params)
    return pages.render(
        "portal/quotations.html", page=page, highlight=request.args.get("request", "")
    )


@bp.get("/<quotation_id>/pdf")
def download(quotation_id: str):
    return pdf_or_wait(quotation_id, url_for("quotations.index"))


def pdf_or_wait(quotation_id: str, back: str):
    """The PDF, or back to the list with a note while orders is still drawing it."""
    answer = pages.fetch_file("orders", f"/v1/quotations/{quotation_id[:26]}/pdf")
    if answer.status_code == 202:
        flash("견적서 PDF를 만드는 중입니다. 몇 초 뒤에 다시 내려받으세요.", "info")
        return redirect(back)
    return answer
