"""Enterprises of the social economy and the rules about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Stable API codes for the seven legal types, with the label a Korean user reads.
ENTERPRISE_TYPES: dict[str, str] = {
    "social_enterprise": "사회적기업",
    "preliminary_social_enterprise": "예비사회적기업",
    "cooperative": "협동조합",
    "social_cooperative": "사회적협동조합",
    "village_enterprise": "마을기업",
    "self_reliance_enterprise": "자활기업",
    "self_reliance_work_group": "자활근로사업단",
}

ENTERPRISE_STATUSES = ("active", "suspended", "closed")


@dataclass(frozen=True, slots=True)
class CertificationPeriod:
    kind: str
    number: str
    valid_from: date
    valid_to: date

    def covers(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_to


def certification_on(periods: list[CertificationPeriod], on: date) -> CertificationPeriod | None:
    """The certification valid on `on` that lasts longest, if any."""
    valid = [p for p in periods if p.covers(on)]
    return max(valid, key=lambda p: p.valid_to) if valid else None
