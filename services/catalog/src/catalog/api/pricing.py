from __future__ import annotations

from datetime import date

from flask.views import MethodView

from catalog.api import schemas
from catalog.services.pricing import price_lines
from catalog.wiring import catalog
from gachi_kit.api import Blueprint
from gachi_kit.auth import require_roles

blp = Blueprint("pricing", __name__, url_prefix="/v1/pricing", description="일괄 가격 조회")


@blp.route("")
class Pricing(MethodView):
    @require_roles("service", "admin", "buyer", "institution_admin")
    @blp.arguments(schemas.PricingRequest)
    @blp.response(200, schemas.PricingResponse)
    def post(self, body):
        """Price a batch of lines; each line gets a snapshot or its own error. Reads only."""
        on = body["on_date"] or date.today()
        return {"on_date": on, "lines": price_lines(catalog(), body["lines"], on)}
