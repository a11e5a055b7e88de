"""Dates as the platform's users mean them: the calendar day in Korea (no daylight saving
since 1988, so a fixed offset is exact)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


def today_kst(now: datetime | None = None) -> date:
    """Today in Korea: a certification "valid on 2026-03-01" or a delivery date means the
    Korean calendar day, whatever the server's time zone."""
    return (now or datetime.now(KST)).astimezone(KST).date()
