"""Dates as the platform's users mean them: the calendar day in Korea."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")


def today_kst() -> date:
    """Today in Korea: a certification "valid on 2026-03-01" means the Korean calendar day,
    whatever the server's time zone."""
    return datetime.now(KST).date()
