from __future__ import annotations

from flask import request
from flask.views import MethodView

from gachi_kit.api import Blueprint
from gachi_kit.auth import current_principal, require_roles
from gachi_kit.errors import invalid
from orders.adapters.models import Order
from orders.api import created_response, idempotency_key_header, schemas
from orders.services import cancelling, csv_orders, placing, reading
from orders.services.idempotency import Created
from orders.wiring import current_wiring

blp = Blueprint("orders", __name__, url_prefix="/v1/orders", description="기관 주문")
BUYERS = ("buyer", "institution_admin")


@blp.route("")
class OrderCollection(MethodView):
    @require_roles(*BUYERS)
    @blp.arguments(schemas.OrderCreate)
    @blp.doc(parameters=[idempotency_key_header()])
    @blp.response(201, schemas.Order)
    def post(self, fields):
        """Place an order: priced through catalog, group lines routed, one supplier order per
        enterprise. Same Idempotency-Key and body → the order it placed, again."""
        placed = placing.place_order(
            current_wiring(),
            fields,
            current_principal(),
            idempotency_key=request.headers.get("Idempotency-Key"),
            raw_body=request.get_json(),
        )
        return _created(placed)

    @require_roles(*BUYERS, "admin")
    @blp.arguments(schemas.PageQuery, location="query")
    @blp.response(200, schemas.OrderPage)
    def get(self, query):
        """Orders of the caller's institution (a buyer: of its department), newest first."""
        return reading.list_orders(current_wiring(), current_principal(), query)


@blp.route("/csv")
class OrderCsv(MethodView):
    @require_roles(*BUYERS)
    @blp.arguments(schemas.OrderCsvForm, location="form")
    @blp.arguments(schemas.DryRunQuery, location="query")
    @blp.doc(parameters=[idempotency_key_header(required=False)])
    @blp.response(200, schemas.CsvReport, description="dry_run=true: 줄별 점검 결과")
    @blp.alt_response(201, schema=schemas.Order, description="주문 접수")
    def post(self, form, query):
        """Order lines from a CSV file (`file`; columns 상품ID or 상품군코드, 수량; UTF-8 or
        CP949). `dry_run=true` checks every row and writes nothing."""
        upload = request.files.get("file")
        if upload is None:
            raise invalid("file", "CSV 파일(file)이 필요합니다.")
        result = csv_orders.order_from_csv(
            current_wiring(),
            form,
            upload.read(),
            current_principal(),
            dry_run=query["dry_run"],
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        if isinstance(result, csv_orders.CsvCheck):
            return result
        return _created(result)


@blp.route("/<order_id>")
class OrderById(MethodView):
    @require_roles(*BUYERS, "admin", "service")
    @blp.response(200, schemas.Order)
    def get(self, order_id):
        return reading.get_order(current_wiring(), order_id, current_principal())


@blp.route("/<order_id>/cancel")
class OrderCancel(MethodView):
    @require_roles(*BUYERS)
    @blp.arguments(schemas.CancelRequest)
    @blp.response(200, schemas.Order)
    def post(self, body, order_id):
        """Cancel the order, or the given lines, before anything is shipped."""
        cancelling.cancel(current_wiring(), order_id, current_principal(), body)
        return reading.get_order(current_wiring(), order_id, current_principal())


@blp.route("/<order_id>/routing")
class OrderRouting(MethodView):
    @require_roles(*BUYERS, "admin")
    @blp.response(200, schemas.RoutingReport)
    def get(self, order_id):
        """Every routing decision: who was chosen and why, who else was eligible, who was
        not and why."""
        return reading.routing_report(current_wiring(), order_id, current_principal())


ORDER = schemas.Order()  # built once: a nested schema costs more to build than to dump


def _created(created: Created[Order]):
    order = created.resource
    return created_response(ORDER.dump(order), created.replayed, f"/v1/orders/{order.id}")
