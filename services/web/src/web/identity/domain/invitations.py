"""Who may invite whom: an admin invites institution admins, enterprise operators,
committee members and chairs, and other admins; an institution admin invites its buyers;
a committee chair invites members of its own committee."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Inviter:
    role: str
    org_id: str | None
    chair: bool = False


@dataclass(frozen=True)
class Invitation:
    role: str
    org_id: str | None
    dept: str | None = None
    chair: bool = False


def roles_inviter_may_give(inviter: Inviter) -> tuple[str, ...]:
    if inviter.role == "admin":
        return ("institution_admin", "enterprise", "committee", "admin")
    if inviter.role == "institution_admin":
        return ("buyer",)
    if inviter.role == "committee" and inviter.chair:
        return ("committee",)
    return ()


def refusal(inviter: Inviter, invitation: Invitation) -> str | None:
    """The Korean reason the invitation is not allowed, or None."""
    if invitation.role not in roles_inviter_may_give(inviter):
        return "이 역할로는 초대할 수 없습니다."
    if invitation.role == "admin":
        return None if invitation.org_id is None else "플랫폼 관리자는 기관에 속하지 않습니다."
    if not invitation.org_id:
        return "초대할 기관·기업·브랜드를 골라 주세요."
    if inviter.role != "admin" and invitation.org_id != inviter.org_id:
        return "자기 기관(위원회)의 사람만 초대할 수 있습니다."
    if invitation.chair and inviter.role != "admin":
        return "위원장은 플랫폼 관리자만 지정할 수 있습니다."
    if invitation.role == "buyer" and not invitation.dept:
        return "구매담당자의 부서를 입력해 주세요."
    return None
