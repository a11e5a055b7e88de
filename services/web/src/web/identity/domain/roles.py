"""Roles a membership gives, how they read in Korean, and which need a second factor."""

from __future__ import annotations

# Membership roles are the token roles the APIs know (gachi_kit.auth.ROLES, less `service`).
ROLE_NAMES = {
    "buyer": "구매담당자",
    "institution_admin": "기관 관리자",
    "enterprise": "기업 담당자",
    "committee": "위원회 위원",
    "admin": "플랫폼 관리자",
}
ORG_KIND_OF_ROLE = {
    "buyer": "institution",
    "institution_admin": "institution",
    "enterprise": "enterprise",
    "committee": "brand",
    "admin": None,
}


def role_label(role: str, *, chair: bool = False) -> str:
    if role == "committee" and chair:
        return "위원장"
    return ROLE_NAMES.get(role, role)


def membership_label(role: str, org_name: str | None, dept: str | None, chair: bool) -> str:
    """ "광명시청 총무과 · 구매담당자", "비츠원 · 위원장", "플랫폼 관리자"."""
    where = " ".join(part for part in (org_name, dept) if part)
    name = role_label(role, chair=chair)
    return f"{where} · {name}" if where else name


def needs_second_factor(role: str, chair: bool) -> bool:
    """Platform admins and committee chairs must use TOTP; others may."""
    return role == "admin" or (role == "committee" and chair)
