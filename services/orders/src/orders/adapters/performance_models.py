"""Tables of 우선구매 performance (categories, settings, targets, off-platform purchases,
alerts and export jobs), on the same metadata as orders' other tables."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi_kit.db import UTCDateTime
from gachi_kit.events import new_id, utcnow
from orders.adapters.models import Base

WHOLE_INSTITUTION = ""  # `department` of a target or alert that is about the whole institution


class PriorityCategory(Base):
    """A 우선구매 category (orders.domain.categories.Category as a row; local ones edited)."""

    __tablename__ = "priority_category"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10))  # national | local
    legal_basis: Mapped[str] = mapped_column(String(300))
    receiving_body: Mapped[str] = mapped_column(String(100))
    due_month: Mapped[int | None] = mapped_column(Integer)
    due_day: Mapped[int | None] = mapped_column(Integer)
    has_numeric_target: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    sigungu_code: Mapped[str | None] = mapped_column(String(5))
    members: Mapped[list] = mapped_column(JSON)  # [{"enterprise_type", "certified_only"}]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ClassifiedSupplierOrder(Base):
    """A supplier order whose lines' categories are recorded, with the enterprise's type and
    certification as its lines snapshotted them at placement."""

    __tablename__ = "classified_supplier_order"

    supplier_order_id: Mapped[str] = mapped_column(
        ForeignKey("supplier_order.id"), primary_key=True
    )
    enterprise_type: Mapped[str] = mapped_column(String(40))
    certified: Mapped[bool] = mapped_column(Boolean)
    classified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupplierOrderLineCategory(Base):
    """One category a supplier-order line counts under, recorded once: editing a category
    later does not rewrite history."""

    __tablename__ = "supplier_order_line_category"

    supplier_order_line_id: Mapped[str] = mapped_column(
        ForeignKey("supplier_order_line.id"), primary_key=True
    )
    category_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    supplier_order_id: Mapped[str] = mapped_column(String(26), index=True)


class SupplierOrderCategory(Base):
    """A category a supplier order counts under (any of its lines does): the report's
    grouping key, recorded with the lines' categories."""

    __tablename__ = "supplier_order_category"
    __table_args__ = (
        Index("ix_supplier_order_category_code", "category_code", "supplier_order_id"),
    )

    supplier_order_id: Mapped[str] = mapped_column(
        ForeignKey("supplier_order.id"), primary_key=True
    )
    category_code: Mapped[str] = mapped_column(String(40), primary_key=True)


class PerformanceSettings(Base):
    __tablename__ = "performance_settings"

    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), primary_key=True)
    basis: Mapped[str] = mapped_column(String(12), default="inspection")
    amount_kind: Mapped[str] = mapped_column(String(8), default="supply")
    publish_ranking: Mapped[bool] = mapped_column(Boolean, default=False)
    buyers_see_institution: Mapped[bool] = mapped_column(Boolean, default=False)
    alert_margin_percent: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PerformanceTarget(Base):
    """A yearly target for one category, for the whole institution or one department."""

    __tablename__ = "performance_target"
    __table_args__ = (
        UniqueConstraint("institution_id", "fiscal_year", "category_code", "department"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    category_code: Mapped[str] = mapped_column(ForeignKey("priority_category.code"))
    department: Mapped[str] = mapped_column(String(100), default=WHOLE_INSTITUTION)
    kind: Mapped[str] = mapped_column(String(8))  # amount | share
    amount: Mapped[int | None] = mapped_column(BigInteger)
    share_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    denominator: Mapped[int | None] = mapped_column(BigInteger)
    denominator_label: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OffPlatformPurchase(Base):
    """A purchase made outside the platform (나라장터, a direct contract …), recorded by the
    institution so its report is complete; marked off-platform wherever it appears."""

    __tablename__ = "off_platform_purchase"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institution.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    enterprise_brn: Mapped[str] = mapped_column(String(10))
    enterprise_id: Mapped[str] = mapped_column(String(26))
    enterprise_name: Mapped[str] = mapped_column(String(100))
    enterprise_type: Mapped[str] = mapped_column(String(40))
    certified: Mapped[bool] = mapped_column(Boolean)
    item_name: Mapped[str] = mapped_column(String(200))
    contract_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    inspected_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    supply_amount: Mapped[int] = mapped_column(BigInteger)
    vat_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    evidence_reference: Mapped[str] = mapped_column(String(200))
    import_batch_id: Mapped[str | None] = mapped_column(String(26))
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    categories: Mapped[list[OffPlatformPurchaseCategory]] = relationship(
        cascade="all, delete-orphan", order_by="OffPlatformPurchaseCategory.category_code"
    )

    @property
    def category_codes(self) -> list[str]:
        return [c.category_code for c in self.categories]


class OffPlatformPurchaseCategory(Base):
    __tablename__ = "off_platform_purchase_category"

    purchase_id: Mapped[str] = mapped_column(
        ForeignKey("off_platform_purchase.id"), primary_key=True
    )
    category_code: Mapped[str] = mapped_column(String(40), primary_key=True)


class PerformanceAlert(Base):
    """An alert or reminder already raised: at most one per subject and month."""

    __tablename__ = "performance_alert"
    __table_args__ = (
        UniqueConstraint("institution_id", "kind", "subject", "fiscal_year", "period"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    institution_id: Mapped[str] = mapped_column(String(26), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # behind_pace | package_due
    subject: Mapped[str] = mapped_column(String(150))  # category[/department]
    fiscal_year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExportJob(Base):
    """A large export written by a Celery task; progress in percent, then a download."""

    __tablename__ = "performance_export_job"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    institution_id: Mapped[str] = mapped_column(String(26), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requester_role: Mapped[str] = mapped_column(String(20))
    requester_department: Mapped[str | None] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(10))
    query: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
