"""Use case: product search with filters, facets and keyset pagination.

Korean text matching happens entirely in Python (`domain/search_text.py`): every product
stores a normalised `search_text` (and `search_name` for ranking), a query becomes
normalised terms, and the database only evaluates `column LIKE '%term%' ESCAPE '\\'` on
those ASCII-lowercase, space-free strings. No collation, ILIKE, tokenizer or database
Unicode handling is involved, so SQLite and PostgreSQL return the same rows. The gram
index (`product_search`: GIN on PostgreSQL, FTS5 on SQLite) only narrows the rows LIKE
looks at to those holding every character pair of the term, a superset; every ORDER BY
ends in the primary key and sorts only integers, timestamps and ULIDs, so they return them
in the same order too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Integer,
    Row,
    Select,
    and_,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from catalog.adapters.models import Brand, Enterprise, Product
from catalog.adapters.queries import carries_brand, certified_on, gram_settings, holds_grams
from catalog.domain import regions
from catalog.domain.enterprise import ENTERPRISE_TYPES
from catalog.domain.search_text import escape_like, query_terms
from catalog.services.categories import known, unknown_category
from catalog.services.pricing import unknown_brand
from catalog.services.products import product_row
from catalog.services.registry import check_region_filters
from catalog.wiring import Catalog
from gachi_kit import paging
from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.db import UTCDateTime
from gachi_kit.errors import invalid, not_found

SORTS = ("relevance", "price_asc", "price_desc", "newest")
FILTERS = (
    "q",
    "category",
    "enterprise_type",
    "enterprise_id",
    "group_code",
    "sido",
    "sigungu",
    "brand",
    "certified_on",
    "price_min",
    "price_max",
    "in_stock",
    "status",
)


@dataclass(frozen=True)
class SearchPlan:
    """What one search runs: `statement` scans the matching products once and returns both
    the page (kind "i": id, sort key, position) and the facet counts (kind "f": category,
    enterprise type, 시도, count) as one UNION ALL; then `page(ids)` loads the page's rows
    by primary key. `settings` run first, in the same transaction (see gram_settings)."""

    sort: str
    fingerprint: str
    page_size: int
    statement: Select
    settings: tuple[str, ...] = ()

    @staticmethod
    def page(ids: list[str]) -> Select:
        return (
            select(Product, Enterprise)
            .join(Enterprise, Product.enterprise_id == Enterprise.id)
            .where(Product.id.in_(ids))
        )


def plan_search(query: dict, actor: Principal, dialect: str) -> SearchPlan:
    """Build (not run) the statement for `query` as `actor` sees the catalogue on a database
    of `dialect` ("sqlite" or "postgresql": only the gram index lookup differs)."""
    filters = {k: query.get(k) for k in FILTERS}
    terms = query_terms(filters["q"] or "")
    sort = query.get("sort") or "relevance"
    if sort == "relevance" and not terms:
        sort = "newest"  # nothing to rank by
    _check_ranges(filters)
    check_region_filters(filters["sido"], filters["sigungu"])
    fp = paging.fingerprint({**filters, "sort": sort, "viewer": _viewer(actor)})
    if sort == "relevance":
        keys = [_rank(terms), func.length(Product.search_name), null()]
    elif sort in ("price_asc", "price_desc"):
        keys = [Product.unit_price, null(), null()]
    else:
        keys = [null(), null(), Product.created_at]
    matched = (
        select(
            Product.id.label("id"),
            Product.category.label("category"),
            Enterprise.enterprise_type.label("enterprise_type"),
            Enterprise.sido_code.label("sido"),
            type_coerce(keys[0], BigInteger).label("k1"),
            type_coerce(keys[1], Integer).label("k2"),
            type_coerce(keys[2], UTCDateTime).label("kt"),
        )
        .join(Enterprise, Product.enterprise_id == Enterprise.id)
        .where(*_conditions(filters, terms, actor, dialect))
        .cte("matched")
    )
    columns = matched.c
    order = {
        "relevance": (columns.k1, columns.k2, columns.id),
        "price_asc": (columns.k1, columns.id),
        "price_desc": (columns.k1.desc(), columns.id.desc()),
        "newest": (columns.kt.desc(), columns.id.desc()),
    }[sort]
    page = select(
        columns.id,
        columns.k1,
        columns.k2,
        columns.kt,
        func.row_number().over(order_by=order).label("pos"),
    )
    if query.get("cursor"):
        page = page.where(_after(sort, query["cursor"], fp, columns))
    page = page.order_by(*order).limit(query["limit"] + 1).subquery("page")
    none = [null().label(n) for n in ("category", "enterprise_type", "sido", "n")]
    items = select(literal_column("'i'").label("kind"), *page.c, *none)
    facets = select(
        literal_column("'f'"),
        null(),
        null(),
        null(),
        null(),
        null(),
        columns.category,
        columns.enterprise_type,
        columns.sido,
        func.count(),
    ).group_by(columns.category, columns.enterprise_type, columns.sido)
    return SearchPlan(
        sort=sort,
        fingerprint=fp,
        page_size=query["limit"],
        statement=union_all(items, facets),
        settings=gram_settings(dialect) if terms else (),
    )


def search_products(catalog: Catalog, query: dict, actor: Principal) -> dict:
    plan = plan_search(query, actor, catalog.db.engine.dialect.name)
    with catalog.db.reading() as session:
        labels = known(session)
        if query.get("category") and query["category"] not in labels:
            raise unknown_category()
        if query.get("brand") and session.get(Brand, query["brand"]) is None:
            raise unknown_brand("brand")
        for setting in plan.settings:
            session.execute(text(setting))
        rows = session.execute(plan.statement).all()
        page = sorted((r for r in rows if r.kind == "i"), key=lambda r: r.pos)
        more = len(page) > plan.page_size
        page = page[: plan.page_size]
        loaded = {p.id: (p, e) for p, e in session.execute(plan.page([r.id for r in page]))}
    counted = [(r.category, r.enterprise_type, r.sido, r.n) for r in rows if r.kind == "f"]
    return {
        "items": [product_row(*loaded[r.id], labels) for r in page],
        "next_cursor": paging.encode_cursor(plan.sort, _key(plan.sort, page[-1]), plan.fingerprint)
        if more
        else None,
        "total": sum(c[-1] for c in counted),
        "sort": plan.sort,
        "facets": _facets(counted, labels),
    }


def brand_products(catalog: Catalog, code: str, on: date | None, query: dict, actor: Principal):
    """What carries the brand on `on` (default today): approved, valid, certified."""
    with catalog.db.reading() as session:
        if session.get(Brand, code) is None:
            raise not_found("brand", "브랜드")
    result = search_products(
        catalog, {**query, "brand": code, "certified_on": on or today_kst()}, actor
    )
    return result | {"brand_code": code, "on": on or today_kst()}


# -- query parts -----------------------------------------------------------------------------


def _conditions(
    filters: dict, terms: list[str], actor: Principal, dialect: str
) -> list[ColumnElement]:
    on_sale = and_(Product.status == "active", Enterprise.status == "active")
    conditions: list[ColumnElement] = []
    if actor.role == "enterprise" and actor.org:
        conditions.append(or_(on_sale, Product.enterprise_id == actor.org))
    elif actor.role != "admin":
        conditions.append(on_sale)  # non-owners see only what is on sale
    for term in terms:
        conditions.append(holds_grams(term, dialect))  # the index narrows, LIKE decides
        conditions.append(_like(Product.search_text, f"%{escape_like(term)}%"))
    simple = {
        "category": Product.category,
        "enterprise_type": Enterprise.enterprise_type,
        "enterprise_id": Product.enterprise_id,
        "group_code": Product.group_code,
        "sido": Enterprise.sido_code,
        "sigungu": Enterprise.sigungu_code,
        "status": Product.status,
    }
    for name, column in simple.items():
        if filters[name]:
            conditions.append(column == filters[name])
    if filters["certified_on"]:
        conditions.append(certified_on(Product.enterprise_id, filters["certified_on"]))
    if filters["brand"]:
        conditions.append(carries_brand(filters["brand"], filters["certified_on"] or today_kst()))
    if filters["price_min"] is not None:
        conditions.append(Product.unit_price >= filters["price_min"])
    if filters["price_max"] is not None:
        conditions.append(Product.unit_price <= filters["price_max"])
    if filters["in_stock"] is True:
        conditions.append(or_(Product.stock.is_(None), Product.stock > 0))
    elif filters["in_stock"] is False:
        conditions.append(Product.stock == 0)
    return conditions


def _rank(terms: list[str]) -> ColumnElement[int]:
    """0: the name starts with the query (or its 초성 do); 1: the name contains it;
    2: only another field (enterprise, tags, category, group, description) does."""
    first = escape_like(terms[0])
    prefix = or_(_like(Product.search_name, f"{first}%"), _like(Product.search_name, f"%#{first}%"))
    contains = and_(*[_like(Product.search_name, f"%{escape_like(t)}%") for t in terms])
    return case((prefix, 0), (contains, 1), else_=2)


def _key(sort: str, row: Row) -> list:
    """The cursor key of the last row of a page (the ORDER BY values, id last)."""
    if sort == "relevance":
        return [row.k1, row.k2, row.id]
    if sort in ("price_asc", "price_desc"):
        return [row.k1, row.id]
    return [row.kt, row.id]


def _after(sort: str, cursor: str, fp: str, columns) -> ColumnElement[bool]:
    """Rows after the cursor's row in this sort (keyset pagination on the CTE's columns)."""
    if sort == "relevance":
        rank, length, last = paging.decode_cursor(cursor, sort, fp, (int, int, str))
        return tuple_(columns.k1, columns.k2, columns.id) > tuple_(rank, length, last)
    if sort in ("price_asc", "price_desc"):
        price, last = paging.decode_cursor(cursor, sort, fp, (int, str))
        keys, values = tuple_(columns.k1, columns.id), tuple_(price, last)
        return keys > values if sort == "price_asc" else keys < values
    created, last = paging.decode_cursor(cursor, sort, fp, (datetime, str))
    return tuple_(columns.kt, columns.id) < tuple_(created, last)


FACETS = ("category", "enterprise_type", "sido")


def _facets(counted: list, categories: dict[str, str]) -> dict[str, list[dict]]:
    """Counts per category, enterprise type and 시도 over the filtered set, largest first."""
    names = {
        "category": categories,
        "enterprise_type": ENTERPRISE_TYPES,
        "sido": regions.sido_codes(),
    }
    facets = {}
    for position, facet in enumerate(FACETS):
        totals: dict[str, int] = {}
        for row in counted:
            totals[row[position]] = totals.get(row[position], 0) + row[-1]
        facets[facet] = sorted(
            ({"code": c, "label": names[facet].get(c, c), "count": n} for c, n in totals.items()),
            key=lambda f: (-f["count"], f["code"]),
        )
    return facets


def _check_ranges(filters: dict) -> None:
    low, high = filters["price_min"], filters["price_max"]
    if low is not None and high is not None and low > high:
        raise invalid("price_max", "최고 가격이 최저 가격보다 낮습니다.", code="invalid_range")


def _viewer(actor: Principal) -> str:
    return f"{actor.role}:{actor.org or ''}"


def _like(column, pattern: str) -> ColumnElement[bool]:
    return column.like(pattern, escape="\\")
