"""The data of every event orders publishes (orders owns these schemas): `order.*`,
`supplier_order.*` and `group_order.*`. Use cases record them with the helpers below, inside
their transaction; consumers read only the fields they need."""

from __future__ import annotations

from orders.adapters.models import GroupOrder, GroupOrderParticipant, Order, SupplierOrder
from orders.wiring import OrdersWiring


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


def record_supplier_order_event(
    wiring: OrdersWiring, session, type_: str, so: SupplierOrder, **extra
) -> None:
    wiring.outbox.record(
        session, type_, supplier_order_data(so, so.order) | extra, aggregate_id=so.id
    )


def record_order_event(wiring: OrdersWiring, session, type_: str, order: Order, **extra) -> None:
    wiring.outbox.record(
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
            # names and amounts for people's messages; ids are for machines
            "line_names": [ln.name for so in order.supplier_orders for ln in so.lines],
            "supplier_orders": [
                {
                    "supplier_order_id": so.id,
                    "enterprise_id": so.enterprise_id,
                    "enterprise_name": so.enterprise_name,
                    "status": so.status,
                    "total_amount": so.total_amount,
                }
                for so in order.supplier_orders
            ],
        }
        | extra,
        aggregate_id=order.id,
    )


# --- group orders ------------------------------------------------------------------------


def record_group_order_opened(wiring: OrdersWiring, session, group_order: GroupOrder) -> None:
    data = _group_order_base(group_order) | {
        "share_code": group_order.share_code,
        "minimum_quantity": group_order.minimum_quantity,
        "brand_code": group_order.brand_code,
        "items": [
            {
                "item_no": i.item_no,
                "product_id": i.product_id,
                "group_code": i.group_code,
                "name": i.name,
                "unit": i.unit,
            }
            for i in group_order.items
        ],
    }
    wiring.outbox.record(session, "group_order.opened", data, aggregate_id=group_order.id)


def record_group_order_closed(
    wiring: OrdersWiring, session, group_order: GroupOrder, order: Order
) -> None:
    data = _group_order_base(group_order) | {
        "order_id": order.id,
        "supply_amount": order.supply_amount,
        "vat_amount": order.vat_amount,
        "total_amount": order.total_amount,
        "participants": [
            _participant_data(p, amounts=True) for p in group_order.active_participants
        ],
    }
    wiring.outbox.record(session, "group_order.closed", data, aggregate_id=group_order.id)


def record_group_order_settled(
    wiring: OrdersWiring,
    session,
    group_order: GroupOrder,
    *,
    reason_code: str,
    reason: str,
    failure: dict | None,
) -> None:
    """`group_order.cancelled` or `group_order.failed` (its status names the event)."""
    data = (
        _group_order_base(group_order)
        | {
            "reason_code": reason_code,
            "reason": reason,
            "total_quantity": group_order.total_quantity,
            "minimum_quantity": group_order.minimum_quantity,
            "participants": [
                _participant_data(p, amounts=False) for p in group_order.active_participants
            ],
        }
        | ({"problem": failure} if failure else {})
    )
    wiring.outbox.record(
        session, f"group_order.{group_order.status}", data, aggregate_id=group_order.id
    )


def _group_order_base(group_order: GroupOrder) -> dict:
    return {
        "group_order_id": group_order.id,
        "title": group_order.title,
        "status": group_order.status,
        "institution_id": group_order.institution_id,
        "department": group_order.department,
        "organiser_id": group_order.organiser_id,
        "deadline": group_order.deadline.isoformat(),
        "needed_by": group_order.needed_by.isoformat(),
    }


def _participant_data(participant: GroupOrderParticipant, *, amounts: bool) -> dict:
    data = {
        "participant_id": participant.id,
        "name": participant.name,
        "contact": participant.contact,
        "contact_kind": participant.contact_kind,
        "quantities": participant.named_quantities,
    }
    if amounts:
        data |= {
            "supply_amount": participant.supply_amount,
            "vat_amount": participant.vat_amount,
            "amount": participant.total_amount,
        }
    return data
