"""Orders' tables. Only orders reads or writes them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gachi_kit.consumer import InboundEventMixin
from gachi_kit.db import UTCDateTime
from gachi_kit.events import new_id, utcnow
from gachi_kit.outbox import OutboxMixin

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OutboxMessage(OutboxMixin, Base):
    __tablename__ = "outbox"


class InboundEvent(InboundEventMixin, Base):
    __tablename__ = "inbound_event"


class Order(Base):
    __tablename__ = "purchase_order"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    institution_id: Mapped[str] = mapped_column(String(26), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    buyer_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="placed")
    delivery_address: Mapped[str] = mapped_column(String(200))
    delivery_sigungu_code: Mapped[str | None] = mapped_column(String(5))
    needed_by: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(Text, default="")
    supply_amount: Mapped[int] = mapped_column(BigInteger)
    vat_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supplier_orders: Mapped[list[SupplierOrder]] = relationship(
        back_populates="order", order_by="SupplierOrder.id"
    )
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_no"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class SupplierOrder(Base):
    __tablename__ = "supplier_order"
    __table_args__ = (UniqueConstraint("order_id", "enterprise_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(26), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(24), default="pending")
    supply_amount: Mapped[int] = mapped_column(BigInteger)
    vat_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="supplier_orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="supplier_order", order_by="OrderLine.line_no"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class OrderLine(Base):
    """One line as priced at placement: the snapshot does not change when catalog does."""

    __tablename__ = "order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    supplier_order_id: Mapped[str] = mapped_column(ForeignKey("supplier_order.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(26))
    product_version: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tax_type: Mapped[str] = mapped_column(String(10))
    supply_amount: Mapped[int] = mapped_column(BigInteger)
    enterprise_id: Mapped[str] = mapped_column(String(26))
    enterprise_type: Mapped[str] = mapped_column(String(40))
    certified: Mapped[bool] = mapped_column(Boolean)
    certification_number: Mapped[str | None] = mapped_column(String(40))

    order: Mapped[Order] = relationship(back_populates="lines")
    supplier_order: Mapped[SupplierOrder] = relationship(back_populates="lines")


class IdempotencyRecord(Base):
    """One `Idempotency-Key` per caller: in flight, then the first response to replay."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))  # in_flight | done
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict | None] = mapped_column(JSON)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
