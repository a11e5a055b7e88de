"""The seven legal types of social-economy enterprise: stable API codes (catalog's
`enterprise_type`, orders' snapshots) with the label a Korean user reads."""

from __future__ import annotations

ENTERPRISE_TYPES: dict[str, str] = {
    "social_enterprise": "사회적기업",
    "preliminary_social_enterprise": "예비사회적기업",
    "cooperative": "협동조합",
    "social_cooperative": "사회적협동조합",
    "village_enterprise": "마을기업",
    "self_reliance_enterprise": "자활기업",
    "self_reliance_work_group": "자활근로사업단",
}
