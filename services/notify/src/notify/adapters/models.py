"""Notify's tables. Only notify reads or writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gachi_kit.consumer import InboundEventMixin
from gachi_kit.db import UTCDateTime
from gachi_kit.events import new_id, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class InboundEvent(InboundEventMixin, Base):
    __tablename__ = "inbound_event"


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
