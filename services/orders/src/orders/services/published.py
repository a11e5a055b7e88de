"""The data of the events orders publishes (orders owns these schemas)."""

from __future__ import annotations

from orders.adapters.models import Order, SupplierOrder
from orders.wiring import Orders


def supplier_order_data(so: SupplierOrder, order: Order) -> dict:
    return {
        "supplier_order_id": so.id,
        "order_id": order.id,
        "enterprise_id": so.enterprise_id,
        "enterprise_name": so.enterprise_name,
        "institution_id": order.institution_id,
        "institution_name": order.institution_name,
        "department": order.department,
        "brand_code": order.brand_code,
        "status": so.status,
        "needed_by": order.needed_by.isoformat(),
        "delivery_address": order.delivery_address,
        "acceptance_deadline": so.acceptance_deadline.isoformat(),
        "rerouted_from_id": so.rerouted_from_id,
        "supply_amount": so.supply_amount,
        "vat_amount": so.vat_amount,
        "total_amount": so.total_amount,
        "lines": [
            {
                "line_no": ln.line_no,
                "product_id": ln.product_id,
                "sku": ln.sku,
                "name": ln.name,
                "unit": ln.unit,
                "quantity": ln.quantity,
                "accepted_quantity": ln.accepted_quantity,
                "cancelled": ln.cancelled,
                "unit_price": ln.unit_price,
                "tax_type": ln.tax_type,
                "supply_amount": ln.quantity * ln.unit_price,
            }
            for ln in so.lines
        ],
    }


def record_supplier_order_event(o: Orders, session, type_: str, so: SupplierOrder, **extra) -> None:
    o.outbox.record(session, type_, supplier_order_data(so, so.order) | extra, aggregate_id=so.id)


def record_order_event(o: Orders, session, type_: str, order: Order, **extra) -> None:
    o.outbox.record(
        session,
        type_,
        {
            "order_id": order.id,
            "institution_id": order.institution_id,
            "institution_name": order.institution_name,
            "department": order.department,
            "buyer_id": order.buyer_id,
            "brand_code": order.brand_code,
            "status": order.status,
            "needed_by": order.needed_by.isoformat(),
            "supply_amount": order.supply_amount,
            "vat_amount": order.vat_amount,
            "total_amount": order.total_amount,
            "supplier_orders": [
                {
                    "supplier_order_id": so.id,
                    "enterprise_id": so.enterprise_id,
                    "status": so.status,
                    "total_amount": so.total_amount,
                }
                for so in order.supplier_orders
            ],
        }
        | extra,
        aggregate_id=order.id,
    )
