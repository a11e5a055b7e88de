from __future__ import annotations

from flask.views import MethodView

from catalog.api.schemas import pricing as schemas
from catalog.services.pricing import price
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import require_roles
from gachi_kit.dates import today_kst

blp = Blueprint("pricing", __name__, url_prefix="/v1/pricing", description="일괄 가격 조회")


@blp.route("")
class Pricing(MethodView):
    @require_roles("service", "admin", "buyer", "institution_admin")
    @blp.arguments(schemas.PricingRequest)
    @blp.response(200, schemas.PricingResponse)
    def post(self, body):
        """Price a batch of lines (≤ 500), in request order. Reads only.

        A product line gets `snapshot` or `error` (product_not_found, product_unavailable,
        enterprise_inactive, below_minimum_order, not_listed_under_brand). A group line gets
        `group` and `candidates` (every product on sale in the group, whatever its
        certification, listing or capacity) or `error` (group_not_found, no_supplier). An
        unknown `brand_code` is 422 `unknown_brand`."""
        return price(catalog(), body["lines"], body["on_date"] or today_kst(), body["brand_code"])
