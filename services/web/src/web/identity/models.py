"""Web's tables: people, organisations, memberships and what proves who someone is.
Only web reads or writes them; the other services see people only as token claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from gachi_kit.db import NAMING_CONVENTION, UTCDateTime
from gachi_kit.events import new_id, utcnow
from gachi_kit.outbox import OutboxMixin


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OutboxMessage(OutboxMixin, Base):
    __tablename__ = "outbox"


class Person(Base):
    """Someone who signs in. `sub` is what tokens carry (catalog's committee tables and
    orders' buyer ids name people by it); e-mail is unique whatever its case."""

    __tablename__ = "person"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    sub: Mapped[str] = mapped_column(String(64), unique=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="invited")
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sessions that began before this moment are over (password change, sign-out everywhere).
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", order_by="Membership.created_at"
    )


class Organisation(Base):
    """An institution, an enterprise, a brand (its committee) or the platform itself. The id
    is the one the owning service uses (orders' institution id, catalog's enterprise id, the
    brand code), so token claims need no translation."""

    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # institution|enterprise|brand|platform
    name: Mapped[str] = mapped_column(String(100))
    brn: Mapped[str | None] = mapped_column(String(10), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    """A role a person holds within an organisation; tokens carry exactly one."""

    __tablename__ = "membership"
    __table_args__ = (Index("ix_membership_person_active", "person_id", "removed_at"),)

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(20))
    dept: Mapped[str | None] = mapped_column(String(100))
    chair: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="memberships")
    org: Mapped[Organisation | None] = relationship()


class OneTimeLink(Base):
    """What a signed e-mail link stands for (invitation, password reset, unlock). The link
    carries only the id, signed; `used_at` makes it single-use, `expires_at` short-lived."""

    __tablename__ = "one_time_link"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(12))  # invite|reset|unlock
    email: Mapped[str] = mapped_column(String(254), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # an invitation's role, org, dept
    created_by: Mapped[str | None] = mapped_column(String(26))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(Base):
    __tablename__ = "recovery_code"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiClient(Base):
    """A machine that gets tokens with OAuth 2.0 client credentials, for one organisation
    and role. Only a hash of its secret is kept; the secret is shown once."""

    __tablename__ = "api_client"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(26))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EnterpriseApplication(Base):
    """An enterprise asking to join (public form), until an admin approves or declines."""

    __tablename__ = "enterprise_application"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    brn: Mapped[str] = mapped_column(String(10), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(100))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(26))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what to which account, from where: sign-ins, failures, locks, password
    changes, invitations, role changes. Written in the same transaction as the change."""

    __tablename__ = "audit_entry"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    person_id: Mapped[str | None] = mapped_column(String(26), index=True)
    actor_id: Mapped[str | None] = mapped_column(String(26))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Attempt(Base):
    """A failed sign-in, counted per account and per address for throttling."""

    __tablename__ = "signin_failure"
    __table_args__ = (
        Index("ix_signin_failure_email_at", "email", "at"),
        Index("ix_signin_failure_address_at", "address", "at"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
