from __future__ import annotations

from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from orders.api import schemas
from orders.services import reading
from orders.wiring import orders

blp = Blueprint(
    "supplier_orders", __name__, url_prefix="/v1/supplier-orders", description="기업별 공급 주문"
)


@blp.route("")
class SupplierOrders(MethodView):
    @require_roles("enterprise", "buyer", "institution_admin", "admin")
    @blp.arguments(schemas.PageQuery, location="query")
    @blp.response(200, schemas.SupplierOrderPage)
    def get(self, page):
        """An enterprise sees its own supplier orders; a buyer its institution's."""
        return reading.list_supplier_orders(
            orders(), current_principal(), page["limit"], page["cursor"]
        )


@blp.route("/<supplier_order_id>")
class SupplierOrderById(MethodView):
    @require_roles("enterprise", "buyer", "institution_admin", "admin", "service")
    @blp.response(200, schemas.SupplierOrder)
    def get(self, supplier_order_id):
        return reading.get_supplier_order(orders(), supplier_order_id, current_principal())
