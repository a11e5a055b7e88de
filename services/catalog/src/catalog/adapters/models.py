"""Catalog's tables. Only catalog reads or writes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gachi_kit.consumer import InboundEventMixin
from gachi_kit.db import NAMING_CONVENTION, UTCDateTime
from gachi_kit.events import new_id, utcnow
from gachi_kit.outbox import OutboxMixin


class Base(DeclarativeBase):
    # SQLite's full-text index of product_search (an FTS5 virtual table and its shadow
    # tables, made by migration 0007_search) is not a model: schema comparisons skip it.
    metadata = MetaData(
        naming_convention=NAMING_CONVENTION, info={"virtual_tables": ("product_search_fts",)}
    )


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
    contact_person: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(12), default="active")
    # catalog.domain.search_text.index_text(name, representative): see services/indexing.py
    search_text: Mapped[str] = mapped_column(Text, default="")
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
    valid_to: Mapped[date] = mapped_column(Date, index=True)
    # When the scan announced it (each notice goes out once; see services/certifications.py).
    expiring_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship(back_populates="certifications")


class Category(Base):
    """The managed list of product categories (code + Korean label)."""

    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProductGroup(Base):
    """A standard item ("포기김치 10kg") that several enterprises' products belong to."""

    __tablename__ = "product_group"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "sku"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("min_order_qty >= 1", name="min_order_qty_positive"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprise.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # A code of the managed list (the use cases check it first, for a Korean field error).
    category: Mapped[str] = mapped_column(ForeignKey("category.code"))
    unit: Mapped[str] = mapped_column(String(20))
    # Whole KRW; BigInteger so a large institutional line never overflows.
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tax_type: Mapped[str] = mapped_column(String(10))
    min_order_qty: Mapped[int] = mapped_column(Integer, default=1)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=3)
    weekly_capacity: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    stock: Mapped[int | None] = mapped_column(Integer)  # None: not tracked
    image_urls: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    group_code: Mapped[str | None] = mapped_column(ForeignKey("product_group.code"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Normalised search columns, rewritten on every write (services/indexing.py):
    # search_text = index_text(name, enterprise name, sku, category, group, tags, description)
    # search_name = normalize(name) + "#" + choseong(name), for relevance ranking.
    search_text: Mapped[str] = mapped_column(Text, default="")
    search_name: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    listings: Mapped[list[BrandListing]] = relationship(
        back_populates="product", order_by="BrandListing.brand_code"
    )
    search_index: Mapped[ProductSearch | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Grams(TypeDecorator):
    """A list of grams: `text[]` on PostgreSQL (for a GIN index), one space-separated string
    on SQLite (for the FTS5 index, whose tokenizer splits it at the spaces)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Text))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name == "postgresql":
            return value
        return " ".join(value)

    def process_result_value(self, value, dialect):
        if value is None or dialect.name == "postgresql":
            return value
        return value.split()


class ProductSearch(Base):
    """The gram index of a product's `search_text` (`domain/search_text.grams`), written with
    it (services/indexing.py). PostgreSQL indexes `grams` with GIN; on SQLite the migration
    adds an FTS5 table over this one (`product_search_fts`, rowid = `id`, kept in step by
    triggers), and the index of the same name is an always-empty stand-in. A search asks the
    index for the products holding all of a term's grams, then `LIKE` decides as before."""

    __tablename__ = "product_search"
    __table_args__ = (
        Index(
            "ix_product_search_grams",
            "grams",
            postgresql_using="gin",
            sqlite_where=text("0"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[str] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), unique=True
    )
    grams: Mapped[list[str]] = mapped_column(Grams)


class PriceHistory(Base):
    """One row per price or tax-type change (and one at creation), newest last."""

    __tablename__ = "product_price_history"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    product_id: Mapped[str] = mapped_column(ForeignKey("product.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    tax_type: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(100))

    # Declared so the unit of work inserts the product before its history rows.
    product: Mapped[Product] = relationship()


class Brand(Base):
    __tablename__ = "brand"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    sido_code: Mapped[str] = mapped_column(String(2))
    sigungu_code: Mapped[str | None] = mapped_column(String(5))  # None: the whole 시도
    description: Mapped[str] = mapped_column(Text, default="")
    # [{code, name, description, weight}]: what the committee judges a listing on.
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    listing_validity_months: Mapped[int] = mapped_column(Integer)
    routing_policy: Mapped[str] = mapped_column(String(20))
    acceptance_hours: Mapped[int] = mapped_column(Integer, default=24)
    price_tolerance_percent: Mapped[int] = mapped_column(Integer, default=10)
    # Votes needed before the committee's majority decides a listing (domain/listing.py).
    quorum: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BrandListing(Base):
    """A product's standing under one brand, moved through domain/listing.py's state machine
    by the committee workflow (services/listings.py). `version` is an optimistic lock: every
    vote and transition bumps it, so concurrent writers get one outcome (the loser a 409)."""

    __tablename__ = "brand_listing"
    __table_args__ = (UniqueConstraint("brand_code", "product_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    brand_code: Mapped[str] = mapped_column(ForeignKey("brand.code"))
    product_id: Mapped[str] = mapped_column(ForeignKey("product.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # The application (None for listings recorded offline before the workflow existed).
    enterprise_id: Mapped[str | None] = mapped_column(String(26), index=True)
    pitch: Mapped[str] = mapped_column(Text, default="", server_default="")
    document_urls: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    status_reason: Mapped[str | None] = mapped_column(Text)  # why suspended, withdrawn...
    expiring_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each review (an application, again after a rejection, or a re-review) is a round of
    # votes; a vote belongs to one round.
    review_round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A re-review of an approved listing (domain/listing.py REREVIEW_ACTIONS): it stays
    # approved meanwhile. `rereview_changes`: the product edits the committee must see,
    # [{field, old, new, changed_at, changed_by}].
    rereview_status: Mapped[str | None] = mapped_column(String(16))
    rereview_kind: Mapped[str | None] = mapped_column(String(16))
    rereview_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rereview_changes: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    renewal_opened_for: Mapped[date | None] = mapped_column(Date)  # the term's end it renews
    # The price the committee last saw (at approval, renewal or an approved change): the
    # brand's price tolerance is measured from it.
    reviewed_unit_price: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(back_populates="listings")

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}


class BrandCommitteeMember(Base):
    """A member of a brand's committee (managed by admins). `conflicted_enterprise_ids`:
    enterprises the member is tied to and may not judge."""

    __tablename__ = "brand_committee_member"
    __table_args__ = (UniqueConstraint("brand_code", "user_sub"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    brand_code: Mapped[str] = mapped_column(ForeignKey("brand.code"), index=True)
    user_sub: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(50))
    is_chair: Mapped[bool] = mapped_column(default=False)
    conflicted_enterprise_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ListingVote(Base):
    """One member's vote in one review round of a listing (one per member and round)."""

    __tablename__ = "listing_vote"
    __table_args__ = (UniqueConstraint("listing_id", "round", "member_sub"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    listing_id: Mapped[str] = mapped_column(ForeignKey("brand_listing.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    member_sub: Mapped[str] = mapped_column(String(100))
    member_name: Mapped[str] = mapped_column(String(50))
    choice: Mapped[str] = mapped_column(String(10))  # approve | reject | abstain
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {criterion code: 1..5}
    comment: Mapped[str] = mapped_column(Text, default="")
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingDocument(Base):
    """A file an enterprise uploaded with its application (PDF, image, 한글), kept in the
    database so that it commits with the listing and needs no file store."""

    __tablename__ = "listing_document"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    listing_id: Mapped[str] = mapped_column(ForeignKey("brand_listing.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: lists and views never load the bytes, only a download does.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingEvent(Base):
    """The audit trail: every transition and every vote of a listing, never changed."""

    __tablename__ = "listing_event"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    listing_id: Mapped[str] = mapped_column(ForeignKey("brand_listing.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_sub: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    vote_id: Mapped[str | None] = mapped_column(String(26))
