"""Orders' tables. Only orders reads or writes them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gachi_kit.consumer import InboundEventMixin
from gachi_kit.db import NAMING_CONVENTION, UTCDateTime
from gachi_kit.events import new_id, utcnow
from gachi_kit.outbox import OutboxMixin
from orders.domain import group_orders as group_rules


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OutboxMessage(OutboxMixin, Base):
    __tablename__ = "outbox"


class InboundEvent(InboundEventMixin, Base):
    __tablename__ = "inbound_event"


class Institution(Base):
    """A public buyer (지자체, 공공기관, 교육청 …); buyers' tokens name it in `org`."""

    __tablename__ = "institution"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    brn: Mapped[str | None] = mapped_column(String(10), unique=True)
    sido_code: Mapped[str] = mapped_column(String(2))
    sigungu_code: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    departments: Mapped[list[Department]] = relationship(order_by="Department.name")


class Department(Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("institution_id", "name"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Order(Base):
    __tablename__ = "purchase_order"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    institution_id: Mapped[str] = mapped_column(String(26), index=True)
    institution_name: Mapped[str] = mapped_column(String(100))  # as it was when ordering
    department: Mapped[str | None] = mapped_column(String(100))
    buyer_id: Mapped[str] = mapped_column(String(64))
    brand_code: Mapped[str | None] = mapped_column(String(40))
    routing_policy: Mapped[str] = mapped_column(String(20))
    acceptance_hours: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="placed")
    delivery_address: Mapped[str] = mapped_column(String(200))
    delivery_sigungu_code: Mapped[str | None] = mapped_column(String(5))
    needed_by: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text, default="")
    # Sums over the supplier orders that still carry goods (see domain.states.VOID).
    supply_amount: Mapped[int] = mapped_column(BigInteger)
    vat_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    supplier_orders: Mapped[list[SupplierOrder]] = relationship(
        back_populates="order", order_by="SupplierOrder.id"
    )
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_no"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class OrderLine(Base):
    """What the buyer asked for: a product, or a product group that routing fills."""

    __tablename__ = "order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str | None] = mapped_column(String(26))
    group_code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    # open → (partly) unfulfillable or cancelled; the quantities say how much of each.
    status: Mapped[str] = mapped_column(String(20), default="open")
    unfulfillable_quantity: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_quantity: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    allocations: Mapped[list[SupplierOrderLine]] = relationship(
        back_populates="order_line", order_by="SupplierOrderLine.id"
    )


class SupplierOrder(Base):
    """One enterprise's part of an order: the unit of acceptance and of the tax invoice."""

    __tablename__ = "supplier_order"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(26), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(24), default="pending", index=True)
    supply_amount: Mapped[int] = mapped_column(BigInteger)
    vat_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    acceptance_deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rerouted_from_id: Mapped[str | None] = mapped_column(String(26))
    carrier: Mapped[str | None] = mapped_column(String(50))
    tracking_number: Mapped[str | None] = mapped_column(String(50))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inspected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invoiced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="supplier_orders")
    lines: Mapped[list[SupplierOrderLine]] = relationship(
        back_populates="supplier_order", order_by="SupplierOrderLine.line_no"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class SupplierOrderLine(Base):
    """An allocation of (part of) an order line to one enterprise's product, priced and
    snapshotted at placement: later catalog changes do not rewrite it."""

    __tablename__ = "supplier_order_line"
    __table_args__ = (UniqueConstraint("supplier_order_id", "line_no"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    supplier_order_id: Mapped[str] = mapped_column(ForeignKey("supplier_order.id"), index=True)
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_line.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(26), index=True)
    product_version: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tax_type: Mapped[str] = mapped_column(String(10))
    enterprise_type: Mapped[str] = mapped_column(String(40))
    certified: Mapped[bool] = mapped_column(Boolean)
    certification_number: Mapped[str | None] = mapped_column(String(40))
    capacity_week: Mapped[date] = mapped_column(Date)
    accepted_quantity: Mapped[int | None] = mapped_column(Integer)
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    inspected_accepted_quantity: Mapped[int | None] = mapped_column(Integer)
    inspected_rejected_quantity: Mapped[int | None] = mapped_column(Integer)
    inspection_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    supplier_order: Mapped[SupplierOrder] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship(back_populates="allocations")


class CapacityWeek(Base):
    """The ledger of one product's capacity in one delivery week (Monday)."""

    __tablename__ = "capacity_week"

    product_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, default=0)


class RoutingDecision(Base):
    """Why an order line went where it went, and who else could have supplied it."""

    __tablename__ = "routing_decision"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_line.id"))
    trigger: Mapped[str] = mapped_column(String(20))  # placement | declined | expired
    policy: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unallocated_quantity: Mapped[int] = mapped_column(Integer)
    candidates: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    order_line: Mapped[OrderLine] = relationship()


class IdempotencyRecord(Base):
    """One `Idempotency-Key` per caller: in flight, then what the first request created."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))  # in_flight | done
    status_code: Mapped[int | None] = mapped_column(Integer)
    # {"id": <the created resource>}, rendered anew on a replay (older rows: the whole body)
    response_body: Mapped[dict | None] = mapped_column(JSON)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- group orders (단체 구매) -----------------------------------------------------------


class GroupOrder(Base):
    """An organiser's call for quantities, shared by code; at its deadline one order."""

    __tablename__ = "group_order"
    __table_args__ = (Index("ix_group_order_status_deadline", "status", "deadline"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    share_code: Mapped[str] = mapped_column(String(8), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    # open → closed | cancelled | failed (orders.domain.group_orders)
    status: Mapped[str] = mapped_column(String(12), default="open")
    # The organiser: the order's buyer when the group order closes.
    institution_id: Mapped[str] = mapped_column(String(26), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    organiser_id: Mapped[str] = mapped_column(String(64))
    organiser_role: Mapped[str] = mapped_column(String(20))
    brand_code: Mapped[str | None] = mapped_column(String(40))
    delivery_address: Mapped[str] = mapped_column(String(200))
    delivery_sigungu_code: Mapped[str | None] = mapped_column(String(5))
    needed_by: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    minimum_quantity: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("purchase_order.id"))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    failure: Mapped[dict | None] = mapped_column(JSON)  # the placement's problem+json
    close_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_close_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list[GroupOrderItem]] = relationship(
        back_populates="group_order", order_by="GroupOrderItem.item_no"
    )
    participants: Mapped[list[GroupOrderParticipant]] = relationship(
        back_populates="group_order", order_by="GroupOrderParticipant.id"
    )

    # Derived from the loaded participants (orders.domain.group_orders does the counting).
    @property
    def active_participants(self) -> list[GroupOrderParticipant]:
        return [p for p in self.participants if p.status == group_rules.ACTIVE]

    @property
    def quantities_by_participant(self) -> dict[str, dict[int, int]]:
        """Active participant id → {item_no: quantity}."""
        return {p.id: group_rules.as_quantities(p.quantities) for p in self.active_participants}

    @property
    def item_totals(self) -> dict[int, int]:
        return group_rules.item_totals(self.quantities_by_participant.values())

    @property
    def total_quantity(self) -> int:
        return sum(self.item_totals.values())


class GroupOrderItem(Base):
    """A product or product group on offer; name and unit as catalog priced it at opening."""

    __tablename__ = "group_order_item"
    __table_args__ = (UniqueConstraint("group_order_id", "item_no"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    group_order_id: Mapped[str] = mapped_column(ForeignKey("group_order.id"), index=True)
    item_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str | None] = mapped_column(String(26))
    group_code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    # A product's price at opening, for reference; a group's price depends on routing.
    unit_price: Mapped[int | None] = mapped_column(BigInteger)

    group_order: Mapped[GroupOrder] = relationship(back_populates="items")

    @property
    def total_quantity(self) -> int:
        """Gathered so far (active participants)."""
        return self.group_order.item_totals.get(self.item_no, 0)


class GroupOrderParticipant(Base):
    """Someone who joined with the share code: no account, a secret (only its hash here)."""

    __tablename__ = "group_order_participant"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    group_order_id: Mapped[str] = mapped_column(ForeignKey("group_order.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    contact: Mapped[str] = mapped_column(String(254))
    contact_kind: Mapped[str] = mapped_column(String(10))  # phone | email
    secret_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | withdrawn
    quantities: Mapped[list] = mapped_column(JSON)  # [{"item_no", "quantity"}], no zeros
    # Recorded when the group order closes: this participant's part of the order.
    supply_amount: Mapped[int | None] = mapped_column(BigInteger)
    vat_amount: Mapped[int | None] = mapped_column(BigInteger)
    total_amount: Mapped[int | None] = mapped_column(BigInteger)
    breakdown: Mapped[list | None] = mapped_column(JSON)  # per supplier order: supply, vat
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group_order: Mapped[GroupOrder] = relationship(back_populates="participants")

    # The plain secret, only on the instance that has just joined: shown once, never stored.
    secret = None

    @property
    def named_quantities(self) -> list[dict]:
        """Each quantity with its item's name and unit."""
        items = {i.item_no: i for i in self.group_order.items}
        return [
            {
                "item_no": q["item_no"],
                "name": items[q["item_no"]].name,
                "unit": items[q["item_no"]].unit,
                "quantity": q["quantity"],
            }
            for q in self.quantities
        ]
