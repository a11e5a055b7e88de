"""Notify's tables. Only notify reads or writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gachi_kit.consumer import InboundEventMixin
from gachi_kit.db import NAMING_CONVENTION, UTCDateTime
from gachi_kit.events import new_id, utcnow

RECIPIENT_ID = 130  # an enterprise/institution/committee id, a user's sub, "<inst>/<dept>",
# or a group-order participant's id


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class InboundEvent(InboundEventMixin, Base):
    __tablename__ = "inbound_event"

    # The event as it arrived, kept once it is parked dead: an operator can replay it
    # (POST /v1/ops/dead-events/{id}/replay) after fixing the handler.
    envelope: Mapped[dict | None] = mapped_column(JSON)


class InboxItem(Base):
    """One in-app message for one recipient; at most one per (event, recipient)."""

    __tablename__ = "inbox_item"
    __table_args__ = (UniqueConstraint("event_id", "recipient_type", "recipient_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    recipient_type: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[str] = mapped_column(String(26), index=True)
    event_id: Mapped[str] = mapped_column(String(26))
    event_type: Mapped[str] = mapped_column(String(100))
    subject_id: Mapped[str | None] = mapped_column(String(26))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    """Who hears about which event types on which channel and address.

    `managed` subscriptions were made from an enterprise's contacts (enterprise.registered)
    and follow its contact changes (enterprise.updated). Webhook subscriptions carry their
    Standard Webhooks secret and, during a rotation, the previous one until it expires.
    """

    __tablename__ = "subscription"
    __table_args__ = (Index("ix_subscription_recipient", "recipient_type", "recipient_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    recipient_type: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[str] = mapped_column(String(RECIPIENT_ID))
    channel: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(500), default="")
    event_types: Mapped[list] = mapped_column(JSON)
    digest: Mapped[str | None] = mapped_column(String(10))  # None | hourly | daily
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    managed: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Delivery(Base):
    """One message to one address on one channel: the unit that is sent, retried, logged.

    `dedupe_key` makes the effect once per (event, recipient, channel, address). The row is
    claimed (`sending`, a lease, attempts + 1) before anything leaves, and settled after.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_recipient", "recipient_type", "recipient_id"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(26), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    recipient_type: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[str] = mapped_column(String(RECIPIENT_ID))
    subscription_id: Mapped[str | None] = mapped_column(String(26), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(500), default="")
    subject_id: Mapped[str | None] = mapped_column(String(26))
    template: Mapped[str | None] = mapped_column(String(120))  # <channel>/<name>@<version>
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    response_code: Mapped[int | None] = mapped_column(Integer)
    replays: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestEntry(Base):
    """A message held for a digest subscription until its period ends."""

    __tablename__ = "digest_entry"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    subscription_id: Mapped[str] = mapped_column(String(26))
    event_id: Mapped[str] = mapped_column(String(26))
    event_type: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(16))  # KST hour or day the entry belongs to
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    delivery_id: Mapped[str | None] = mapped_column(String(26), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SupplierOrderCopy(Base):
    """What notify knows of a supplier order from events: the read-only page, the status,
    who bought it, and the acknowledgement reminder. Events may arrive in any order."""

    __tablename__ = "supplier_order_copy"

    supplier_order_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(26), index=True)
    order_id: Mapped[str | None] = mapped_column(String(26))
    institution_id: Mapped[str | None] = mapped_column(String(26))
    department: Mapped[str | None] = mapped_column(String(100))
    buyer_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict | None] = mapped_column(JSON)  # supplier_order.created as published
    status: Mapped[str] = mapped_column(String(24))
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    acceptance_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reminder_status: Mapped[str] = mapped_column(String(12))  # none|scheduled|sent|cancelled
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ActionLink(Base):
    """A signed link in a message; the row makes accept/decline single-use."""

    __tablename__ = "action_link"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    supplier_order_id: Mapped[str] = mapped_column(String(26), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(26))
    action: Mapped[str] = mapped_column(String(10))  # view | accept | decline
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RateCounter(Base):
    """Paid messages (SMS, 알림톡) sent to one recipient on one KST day, per channel. A
    group-order participant is counted by phone number (`recipient_id` holds the digits)."""

    __tablename__ = "rate_counter"
    __table_args__ = (UniqueConstraint("recipient_type", "recipient_id", "channel", "day"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    recipient_type: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[str] = mapped_column(String(RECIPIENT_ID))
    channel: Mapped[str] = mapped_column(String(12))
    day: Mapped[str] = mapped_column(String(10))
    used: Mapped[int] = mapped_column(Integer, default=0)
