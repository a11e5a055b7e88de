"""The public catalogue: brand showcases, Korean search with facets, product pages.
No sign-in needed; anonymous visitors read with web's own service token."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, render_template, request

from gachi_kit.dates import today_kst
from web.portal.api import ApiError, call
from web.portal.navigation import is_buyer

bp = Blueprint("catalogue", __name__)

# The query parameters the search page passes on to `GET /v1/products`.
FILTERS = ("q", "category", "enterprise_type", "sido", "brand", "group_code", "sort", "cursor")
SORTS = [
    ("relevance", "정확도순"),
    ("newest", "최신순"),
    ("price_asc", "낮은 가격순"),
    ("price_desc", "높은 가격순"),
]
PAGE_SIZE = 24


# Brands and product groups change a few times a year; pages that show them (facets, the
# delivery form) read them at most once a minute per process.
REFERENCE_SECONDS = 60.0


def reference(path: str) -> list[dict]:
    cache = current_app.extensions.setdefault("portal_reference", {})
    cached = cache.get(path)
    if cached and time.monotonic() - cached[0] < REFERENCE_SECONDS:
        return cached[1]
    items = call("catalog", "GET", path).get("items", [])
    cache[path] = (time.monotonic(), items)
    return items


def brands() -> list[dict]:
    return reference("/v1/brands")


def product_groups() -> list[dict]:
    return reference("/v1/product-groups")


@bp.get("/")
def home():
    return render_template(
        "portal/home.html",
        brands=brands(),
        groups=product_groups(),
        is_buyer=is_buyer(),
    )


def search_args() -> dict[str, str]:
    args = {key: request.args[key].strip() for key in FILTERS if request.args.get(key, "").strip()}
    if request.args.get("certified"):
        args["certified"] = "1"
    return args


@bp.get("/products")
def search():
    args = search_args()
    params = {key: value for key, value in args.items() if key != "certified"}
    if args.get("certified"):
        params["certified_on"] = today_kst().isoformat()
    params["limit"] = PAGE_SIZE
    errors, page = {}, {"items": [], "total": 0, "facets": {}}
    try:
        page = call("catalog", "GET", "/v1/products", params=params)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = exc.errors or {"q": [exc.title]}
    template = "portal/_results.html" if request.headers.get("HX-Request") else "portal/search.html"
    return render_template(
        template,
        args=args,
        page=page,
        errors=errors,
        sorts=SORTS,
        brands=brands(),
        is_buyer=is_buyer(),
    )


def certification_of(enterprise_id: str) -> dict:
    """The enterprise and its certification valid today (or none)."""
    return call("catalog", "GET", f"/v1/enterprises/{enterprise_id}")


@bp.get("/products/<product_id>")
def product(product_id: str):
    item = call("catalog", "GET", f"/v1/products/{product_id}")
    enterprise = certification_of(item["enterprise_id"])
    return render_template(
        "portal/product.html",
        product=item,
        enterprise=enterprise,
        is_buyer=is_buyer(),
    )


@bp.get("/brands/<code>")
def brand(code: str):
    info = call("catalog", "GET", f"/v1/brands/{code}")
    params = {"limit": PAGE_SIZE}
    if request.args.get("cursor"):
        params["cursor"] = request.args["cursor"]
    page = call("catalog", "GET", f"/v1/brands/{code}/products", params=params)
    return render_template("portal/brand.html", brand=info, page=page, is_buyer=is_buyer())


@bp.get("/groups/<code>")
def group(code: str):
    info = call("catalog", "GET", f"/v1/product-groups/{code}")
    page = call("catalog", "GET", "/v1/products", params={"group_code": code, "limit": PAGE_SIZE})
    return render_template("portal/group.html", group=info, page=page, is_buyer=is_buyer())
