"""The enterprise's own products: list, create, edit (with the committee warning for listed
products), price history, and the spreadsheet import with its dry-run table."""

from __future__ import annotations

import base64
import binascii

from flask import request, url_for

from web.identity.current import current_membership, signin_required
from web.portal import api
from web.portal.backoffice import pages
from web.portal.enterprise import bp

REQUIRED_TEXT = {
    "name": "상품명",
    "category": "분류",
    "unit": "단위",
    "tax_type": "과세 구분",
    "status": "판매 상태",
}
NUMBER_FIELDS = {
    "unit_price": ("단가", True),
    "min_order_qty": ("최소 주문 수량", True),
    "lead_time_days": ("납품 소요일", True),
    "weekly_capacity": ("주간 공급 능력", False),
    "stock": ("재고", False),
}
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # catalog's own limit for a product spreadsheet


def product_fields(form, *, creating: bool) -> dict:
    """The product form as the catalog API wants it: numbers as integers, blank optional
    numbers as null (no limit), image addresses one per line, tags split at commas."""
    required = {**REQUIRED_TEXT, **({"sku": "상품코드(SKU)"} if creating else {})}
    errors = pages.blanks(form, required)
    fields: dict = {name: (form.get(name) or "").strip() for name in required}
    fields["description"] = (form.get("description") or "").strip()
    fields["group_code"] = (form.get("group_code") or "").strip() or None
    for name, (label, needed) in NUMBER_FIELDS.items():
        try:
            fields[name] = pages.read_int(form, name, required=needed, label=label)
        except pages.FormInvalid as refused:
            errors.update(refused.errors)
    lines = (form.get("image_urls") or "").splitlines()
    fields["image_urls"] = [u.strip() for u in lines if u.strip()]
    fields["tags"] = [t.strip() for t in (form.get("tags") or "").split(",") if t.strip()]
    if errors:
        raise pages.FormInvalid(errors)
    return fields


def _choices() -> dict:
    categories = api.call("catalog", "GET", "/v1/categories")["items"]
    groups = api.call("catalog", "GET", "/v1/product-groups")["items"]
    return {
        "categories": [(c["code"], c["label"]) for c in categories],
        "groups": [(g["code"], f"{g['name']} ({g['unit']})") for g in groups],
        "tax_types": [("taxable", "과세"), ("exempt", "면세")],
        "statuses": [("active", "판매중"), ("draft", "준비중"), ("discontinued", "판매중지")],
    }


@bp.get("/products")
@signin_required("enterprise")
def products():
    params = pages.filters(
        "q", "status", "cursor", enterprise_id=current_membership().org_id, limit=50
    )
    page = api.call("catalog", "GET", "/v1/products", params={**params, "sort": "newest"})
    return pages.render("enterprise/products.html", page=page, query=request.args)


def _form_page(product=None, errors=None, message=None):
    history = listings = None
    if product is not None:
        detail = api.call("catalog", "GET", f"/v1/products/{product['id']}")
        listings = detail.get("listings", [])
        history = api.call("catalog", "GET", f"/v1/products/{product['id']}/price-history")
    return pages.render(
        "enterprise/product_form.html",
        product=product,
        listings=listings or [],
        history=(history or {}).get("items", []),
        errors=errors,
        message=message,
        active="enterprise.products",
        **_choices(),
    )


@bp.route("/products/new", methods=["GET", "POST"])
@signin_required("enterprise")
def product_new():
    if request.method == "GET":
        return _form_page()
    created = {}

    def change():
        fields = product_fields(request.form, creating=True)
        created.update(api.call("catalog", "POST", "/v1/products", json=fields))

    return pages.submit(
        change,
        done="상품을 등록했습니다.",
        then=lambda: url_for("enterprise.product_edit", product_id=created["id"]),
        again=lambda errors, message: _form_page(None, errors, message),
    )


def _own_product(product_id: str) -> dict:
    product = api.call("catalog", "GET", f"/v1/products/{product_id[:26]}")
    if product["enterprise_id"] != current_membership().org_id:
        raise api.ApiError(404, "product_not_found", "상품을 찾을 수 없습니다")
    return product


@bp.route("/products/<product_id>", methods=["GET", "POST"])
@signin_required("enterprise")
def product_edit(product_id):
    product = _own_product(product_id)
    if request.method == "GET":
        return _form_page(product)

    def change():
        fields = product_fields(request.form, creating=False)
        changed = {k: v for k, v in fields.items() if product.get(k) != v}
        if changed:
            api.call("catalog", "PATCH", f"/v1/products/{product['id']}", json=changed)

    return pages.submit(
        change,
        done="상품을 고쳤습니다.",
        then=url_for("enterprise.product_edit", product_id=product["id"]),
        again=lambda errors, message: _form_page(product, errors, message),
    )


# -- spreadsheet import ---------------------------------------------------------------------


def _import_page(report=None, upload=None, errors=None, message=None, filename=None):
    return pages.render(
        "enterprise/product_import.html",
        report=report,
        upload=upload,
        filename=filename,
        errors=errors,
        message=message,
        active="enterprise.products",
    )


def _send_import(content: bytes, filename: str, *, dry_run: bool, mode: str) -> dict:
    return api.call(
        "catalog",
        "POST",
        "/v1/imports/products",
        params={"dry_run": "true" if dry_run else "false", "mode": mode},
        files={"file": (filename, content, "text/csv")},
    )


@bp.route("/products/import", methods=["GET", "POST"])
@signin_required("enterprise")
def product_import():
    """Step 1 (a file): the dry run, shown as a table, nothing written. Step 2 (the same
    bytes carried back in the form): apply, all rows or only the valid ones."""
    if request.method == "GET":
        return _import_page()
    mode = "valid_rows" if request.form.get("mode") == "valid_rows" else "all_or_nothing"
    carried = request.form.get("upload")
    if carried:
        try:
            content = base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            return _import_page(message="파일을 다시 골라 주세요."), 422
        filename = (request.form.get("filename") or "products.csv")[:100]
        dry_run = False
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _import_page(errors={"file": ["올릴 CSV 파일을 골라 주세요."]}), 422
        content, filename, dry_run = upload.read(MAX_IMPORT_BYTES + 1), upload.filename, True
        mode = "valid_rows"  # a dry run reports every row; nothing is written either way
        if len(content) > MAX_IMPORT_BYTES:
            return _import_page(
                errors={"file": ["파일이 5MB보다 큽니다. 나눠서 올려 주세요."]}
            ), 422
    try:
        report = _send_import(content, filename, dry_run=dry_run, mode=mode)
    except api.ApiError as refused:
        report = refused.body.get("report")
        if report is None:
            return _import_page(
                errors=refused.errors, message=pages.explain(refused)
            ), refused.status
        return _import_page(
            report,
            base64.b64encode(content).decode(),
            message=pages.explain(refused),
            filename=filename,
        ), 422
    keep = base64.b64encode(content).decode() if dry_run else None
    return _import_page(report, keep, filename=filename)
