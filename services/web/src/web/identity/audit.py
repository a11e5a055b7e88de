"""The audit log: one row per sign-in, failure, lock, password change, invitation and role
change, written in the transaction of the change it records."""

from __future__ import annotations

from sqlalchemy.orm import Session

from web.identity.models import AuditEntry

ACTIONS = {
    "signin": "로그인",
    "signin_failed": "로그인 실패",
    "signin_throttled": "로그인 제한",
    "account_locked": "계정 잠금",
    "account_unlocked": "잠금 해제",
    "account_disabled": "계정 사용 중지",
    "signout_everywhere": "모든 기기 로그아웃",
    "password_changed": "비밀번호 변경",
    "password_reset_requested": "비밀번호 재설정 요청",
    "password_reset": "비밀번호 재설정",
    "invitation_sent": "초대",
    "invitation_accepted": "초대 수락",
    "membership_added": "역할 추가",
    "membership_removed": "역할 삭제",
    "membership_switched": "역할 전환",
    "totp_enabled": "2단계 인증 등록",
    "totp_disabled": "2단계 인증 해제",
    "recovery_code_used": "복구 코드 사용",
    "api_client_created": "API 클라이언트 생성",
    "api_client_revoked": "API 클라이언트 폐기",
    "enterprise_applied": "기업 가입 신청",
    "enterprise_approved": "기업 가입 승인",
    "enterprise_declined": "기업 가입 반려",
}


def record(
    session: Session,
    action: str,
    *,
    person_id: str | None = None,
    actor_id: str | None = None,
    email: str | None = None,
    address: str | None = None,
    **detail,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditEntry(
            action=action,
            person_id=person_id,
            actor_id=actor_id,
            email=email,
            address=address,
            detail=detail,
        )
    )
