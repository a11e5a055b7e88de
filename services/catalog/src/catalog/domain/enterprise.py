"""Enterprises of the social economy and the rules about them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# The seven legal types live in the kit (orders reads them too).
from gachi_kit.enterprise_types import ENTERPRISE_TYPES as ENTERPRISE_TYPES

ENTERPRISE_STATUSES = ("active", "suspended", "closed")
ENTERPRISE_STATUS_LABELS = {"active": "정상", "suspended": "거래정지", "closed": "폐업"}

# What the enterprise's own operator may change about it (admins change any field); notify
# follows them for the enterprise's default subscriptions.
CONTACT_FIELDS = ("phone", "email", "contact_person")

# How far ahead the scheduled scan warns that a certification is about to lapse.
EXPIRY_NOTICE_DAYS = 30


@dataclass(frozen=True, slots=True)
class CertificationPeriod:
    kind: str
    number: str
    valid_from: date
    valid_to: date

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_to


def certification_on(
    periods: Iterable[CertificationPeriod], on: date
) -> CertificationPeriod | None:
    """The certification valid on `on` that lasts longest, if any."""
    valid = [p for p in periods if p.covers(on)]
    return max(valid, key=lambda p: p.valid_to) if valid else None


def certification_state(valid_from: date, valid_to: date, on: date) -> str:
    """valid | expired | upcoming, on the day `on`."""
    if valid_to < on:
        return "expired"
    if valid_from > on:
        return "upcoming"
    return "valid"


def expiry_notice(
    period: CertificationPeriod,
    others: list[CertificationPeriod],
    today: date,
    *,
    expiring_sent: bool,
    expired_sent: bool,
) -> str | None:
    """Which notice the daily scan owes for one certification: "expiring", "expired" or None.

    - "expiring" once, when it lapses within EXPIRY_NOTICE_DAYS (today included);
    - "expired" once, from the day after `valid_to`;
    - nothing while another certification of the same enterprise already covers the day
      after this one ends (it was renewed: the enterprise stays certified).
    """
    day_after = period.valid_to + timedelta(days=1)
    if any(o.covers(day_after) for o in others):
        return None
    if period.valid_to < today:
        return None if expired_sent else "expired"
    if period.valid_to <= today + timedelta(days=EXPIRY_NOTICE_DAYS) and not expiring_sent:
        return "expiring"
    return None
