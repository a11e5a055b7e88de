"""Opaque cursors for keyset pagination.

A cursor carries the sort it was made for, the last row's sort key and a fingerprint of the
filters, base64url-encoded JSON. It is opaque to callers (they only pass it back), and a
cursor made for other filters or another sort is refused with 422 instead of silently
returning the wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from gachi_kit.errors import Problem

MAX_CURSOR_LENGTH = 512


def fingerprint(filters: dict[str, Any]) -> str:
    canonical = json.dumps(filters, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def encode(sort: str, key: list[Any], filters_fp: str) -> str:
    raw = json.dumps({"s": sort, "k": key, "f": filters_fp}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, sort: str, filters_fp: str, types: tuple[type, ...]) -> list[Any]:
    """The key a cursor carries, checked against the current sort, filters and key types."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body = json.loads(raw)
        key = body["k"]
        valid = (
            isinstance(key, list)
            and len(key) == len(types)
            and all(
                isinstance(v, t) and not isinstance(v, bool)
                for v, t in zip(key, types, strict=True)
            )
        )
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_cursor("다음 페이지 커서가 올바르지 않습니다.") from exc
    if not valid:
        raise invalid_cursor("다음 페이지 커서가 올바르지 않습니다.")
    if body.get("s") != sort or body.get("f") != filters_fp:
        raise invalid_cursor("커서를 만든 검색 조건(필터, 정렬)과 지금 조건이 다릅니다.")
    return key


def invalid_cursor(detail: str) -> Problem:
    return Problem(
        422,
        "invalid_cursor",
        "입력값이 올바르지 않습니다",
        detail,
        errors={"cursor": [detail]},
    )
