from __future__ import annotations

from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from orders.api import schemas
from orders.services import fulfilment, reading
from orders.wiring import current_wiring

blp = Blueprint(
    "supplier_orders", __name__, url_prefix="/v1/supplier-orders", description="기업별 공급 주문"
)
SUPPLIER = ("enterprise", "service")
BUYER = ("buyer", "institution_admin")


@blp.route("")
class SupplierOrderCollection(MethodView):
    @require_roles("enterprise", *BUYER, "admin")
    @blp.arguments(schemas.SupplierOrderQuery, location="query")
    @blp.response(200, schemas.SupplierOrderPage)
    def get(self, query):
        """An enterprise sees its own supplier orders; a buyer its institution's."""
        return reading.list_supplier_orders(current_wiring(), current_principal(), query)


@blp.route("/<supplier_order_id>")
class SupplierOrderById(MethodView):
    @require_roles("enterprise", *BUYER, "admin", "service")
    @blp.response(200, schemas.SupplierOrder)
    def get(self, supplier_order_id):
        return reading.get_supplier_order(current_wiring(), supplier_order_id, current_principal())


def _action(name, use_case, schema, roles, doc):
    """POST /v1/supplier-orders/<id>/<name>: one state change of the supplier order."""

    @require_roles(*roles)
    @blp.arguments(schema)
    @blp.response(200, schemas.SupplierOrder)
    def post(self, body, supplier_order_id):
        use_case(current_wiring(), supplier_order_id, current_principal(), body)
        return reading.get_supplier_order(current_wiring(), supplier_order_id, current_principal())

    post.__doc__ = doc
    view = type(f"SupplierOrder_{name}", (MethodView,), {"post": post})
    blp.route(f"/<supplier_order_id>/{name}")(view)


_action(
    "accept",
    fulfilment.accept,
    schemas.AcceptRequest,
    SUPPLIER,
    "Accept all lines (no `lines`), or per line how much, with a reason for the rest.",
)
_action(
    "decline",
    fulfilment.decline,
    schemas.DeclineRequest,
    SUPPLIER,
    "Decline the whole supplier order; it is re-routed to the next eligible enterprise.",
)
_action(
    "production",
    fulfilment.start_production,
    schemas.ActingFor,
    ("enterprise",),
    "Mark production started.",
)
_action(
    "ship",
    fulfilment.ship,
    schemas.ShipRequest,
    ("enterprise",),
    "Ship, with carrier and tracking number.",
)
_action("deliver", fulfilment.deliver, schemas.ActingFor, ("enterprise",), "Mark delivered.")
_action(
    "inspect",
    fulfilment.inspect,
    schemas.InspectRequest,
    BUYER,
    "검수: accepted and rejected quantities per line (all accepted if `lines` is omitted).",
)
_action(
    "invoice",
    fulfilment.invoice,
    schemas.ActingFor,
    ("enterprise",),
    "Mark the tax invoice issued (after inspection).",
)
_action("pay", fulfilment.pay, schemas.ActingFor, BUYER, "Mark paid.")
