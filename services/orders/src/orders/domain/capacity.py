"""Capacity is promised per product and delivery week (weeks start on Monday)."""

from __future__ import annotations

from datetime import date, timedelta


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
