"""Rules about accounts: e-mail addresses, passwords, where a redirect may go."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    """E-mail addresses are unique whatever their case."""
    return (email or "").strip().lower()


def is_email(email: str) -> bool:
    return bool(EMAIL.match(normalise_email(email))) and len(email) <= 254


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A Korean reason the password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"비밀번호는 {MIN_PASSWORD_LENGTH}자 이상이어야 합니다."
    if len(password) > 200:
        return "비밀번호는 200자까지입니다."
    lowered = password.lower()
    local = normalise_email(email).split("@")[0]
    if (local and len(local) >= 4 and local in lowered) or (name and name in password):
        return "비밀번호에 이메일이나 이름을 넣지 마세요."
    if len(set(password)) < 4:
        return "같은 문자를 반복한 비밀번호는 쓸 수 없습니다."
    return None


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host (`//evil`, `https://…`, `/\\evil`)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target
