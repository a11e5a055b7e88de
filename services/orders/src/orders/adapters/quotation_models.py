"""Tables of 견적서 (quotations): one per enterprise of a buyer's cart, priced as placement
prices, with both parties as they were named when it was issued."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi_kit.db import UTCDateTime
from gachi_kit.events import new_id, utcnow
from orders.adapters.models import Base


class Quotation(Base):
    __tablename__ = "quotation"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    request_id: Mapped[str] = mapped_column(String(26), index=True)  # one cart, one request
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    institution_name: Mapped[str] = mapped_column(String(100))
    institution_brn: Mapped[str | None] = mapped_column(String(10))
    department: Mapped[str | None] = mapped_column(String(100))
    requested_by: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[str] = mapped_column(String(26), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(100))
    enterprise_brn: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    needed_by: Mapped[date | None] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    supply_amount: Mapped[int] = mapped_column(BigInteger)
    vat_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[QuotationLine]] = relationship(
        cascade="all, delete-orphan", order_by="QuotationLine.line_no", lazy="selectin"
    )


class QuotationLine(Base):
    __tablename__ = "quotation_line"

    quotation_id: Mapped[str] = mapped_column(ForeignKey("quotation.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str] = mapped_column(String(26))
    product_version: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tax_type: Mapped[str] = mapped_column(String(10))
    supply_amount: Mapped[int] = mapped_column(BigInteger)
