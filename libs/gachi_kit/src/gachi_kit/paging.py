"""Keyset pagination with opaque, validated cursors, and the query arguments of a list.

A list endpoint takes `PageQuery` (`cursor`, `limit`) and its use case calls
`keyset_page(session, stmt, query, order_by=(Model.id,))`: rows come in a stable order (the
last `order_by` column is unique), a page is `limit` rows, and `next_cursor` continues after
the last one. A cursor carries the sort it was made for, the last row's sort key and a
fingerprint of the filters, base64url-encoded JSON: opaque to callers, and one made for other
filters or another sort is refused with 422 `invalid_cursor` instead of returning the wrong
page. Sorts that `keyset_page` cannot express (computed keys) use `encode_cursor` and
`decode_cursor` directly.

`limit` is the page-size parameter of every service; `page_size` is accepted as a deprecated
alias for one release (errors name the parameter the caller sent).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from gachi_kit.errors import Problem, invalid

MAX_CURSOR_LENGTH = 512
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
BAD_CURSOR = "다음 페이지 커서가 올바르지 않습니다."
OTHER_QUERY = "커서를 만든 검색 조건(필터, 정렬)과 지금 조건이 다릅니다."

T = TypeVar("T")


class PageQuery(Schema):
    """`cursor` and `limit` (1–100). Subclass it for a list's filters; set `default_limit`
    on the subclass to change the default page size."""

    default_limit = DEFAULT_LIMIT

    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=MAX_CURSOR_LENGTH),
        metadata={"description": "앞 페이지의 `next_cursor` (그대로 돌려주세요)"},
    )
    limit = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_LIMIT, error=f"limit는 1~{MAX_LIMIT}이어야 합니다."),
        metadata={"description": f"한 페이지의 항목 수 (1~{MAX_LIMIT})"},
    )
    page_size = fields.Integer(
        load_default=None,
        validate=validate.Range(1, MAX_LIMIT, error=f"page_size는 1~{MAX_LIMIT}이어야 합니다."),
        metadata={"deprecated": True, "description": "limit의 옛 이름 (다음 릴리스에서 제거)"},
    )

    @post_load
    def _one_page_size(self, data: dict, **_kwargs) -> dict:
        alias = data.pop("page_size", None)
        if data.get("limit") is None:
            data["limit"] = alias or self.default_limit
        return data


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    def as_dict(self, **more: Any) -> dict[str, Any]:
        """The list response body: `items`, `next_cursor` and any counts beside them."""
        return {"items": self.items, **more, "next_cursor": self.next_cursor}


def keyset_page(
    session: Session,
    stmt: Select,
    query: Mapping[str, Any],
    *,
    order_by: Sequence[InstrumentedAttribute],
    descending: bool = False,
    filters: Mapping[str, Any] | None = None,
) -> Page:
    """One page of the ORM rows `stmt` selects (already filtered), ordered by `order_by`
    (its last column unique, e.g. the id), after the cursor's row.

    `query`: the loaded `PageQuery` (`limit`, `cursor` and the list's filters). A cursor
    made under other filters is refused; the filters are `query` itself unless `filters`
    says otherwise (add the viewer when it changes the rows).

        page = keyset_page(session, select(Delivery).where(...), query,
                           order_by=(Delivery.id,), descending=True)
    """
    limit, cursor = query["limit"], query.get("cursor")
    sort = ",".join(column.key for column in order_by) + (":desc" if descending else ":asc")
    filters_fp = fingerprint(query if filters is None else filters)
    if cursor:
        last = decode_cursor(cursor, sort, filters_fp, tuple(map(_python_type, order_by)))
        keys = tuple_(*order_by) if len(order_by) > 1 else order_by[0]
        values = tuple_(*last) if len(order_by) > 1 else last[0]
        stmt = stmt.where(keys < values if descending else keys > values)
    ordering = [column.desc() if descending else column.asc() for column in order_by]
    rows = list(session.scalars(stmt.order_by(*ordering).limit(limit + 1)))
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        key = [getattr(items[-1], column.key) for column in order_by]
        next_cursor = encode_cursor(sort, key, filters_fp)
    return Page(items, next_cursor)


def fingerprint(filters: Mapping[str, Any]) -> str:
    """A short digest of the filters a cursor was made under (drop `cursor` and the page
    size: they may change between pages)."""
    kept = {k: v for k, v in filters.items() if k not in ("cursor", "limit", "page_size")}
    canonical = json.dumps(kept, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def encode_cursor(sort: str, key: Sequence[Any], filters_fp: str) -> str:
    """A cursor for the row whose sort key is `key` (str, int or datetime values)."""
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    raw = json.dumps({"s": sort, "k": values, "f": filters_fp}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, filters_fp: str, types: Sequence[type]) -> list[Any]:
    """The key a cursor carries, checked against the current sort, filters and key types
    (`datetime` keys come back as aware datetimes); anything else is `invalid_cursor`."""
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(body["k"], list):
            raise TypeError("key is not a list")
        key = [_typed(v, t) for v, t in zip(body["k"], types, strict=True)]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_cursor(BAD_CURSOR) from exc
    if body.get("s") != sort or body.get("f") != filters_fp:
        raise invalid_cursor(OTHER_QUERY)
    return key


def invalid_cursor(detail: str = BAD_CURSOR) -> Problem:
    return invalid("cursor", detail, code="invalid_cursor", detail=detail)


def _typed(value: Any, expected: type) -> Any:
    if expected is datetime:
        if not isinstance(value, str):
            raise TypeError("not a timestamp")
        return datetime.fromisoformat(value)
    if not isinstance(value, expected) or isinstance(value, bool):
        raise TypeError(f"not {expected.__name__}")
    return value


def _python_type(column: InstrumentedAttribute) -> type:
    column_type = column.type
    impl = getattr(column_type, "impl", column_type)  # TypeDecorator (e.g. UTCDateTime)
    return impl.python_type
