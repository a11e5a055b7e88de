"""Catalog's tables. Only catalog reads or writes them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
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


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    enterprise_type: Mapped[str] = mapped_column(String(40))
    brn: Mapped[str] = mapped_column(String(10), unique=True)
    representative: Mapped[str] = mapped_column(String(50))
    sido_code: Mapped[str] = mapped_column(String(2))
    sigungu_code: Mapped[str] = mapped_column(String(5), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    certifications: Mapped[list[Certification]] = relationship(
        back_populates="enterprise", order_by="Certification.valid_from"
    )


class Certification(Base):
    __tablename__ = "certification"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship(back_populates="certifications")


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("enterprise_id", "sku"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(20))
    # Whole KRW; BigInteger so a large institutional line never overflows.
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tax_type: Mapped[str] = mapped_column(String(10))
    min_order_qty: Mapped[int] = mapped_column(Integer, default=1)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=3)
    weekly_capacity: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
