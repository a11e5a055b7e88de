"""Brand applications (apply, attach documents, submit, follow the review, apply again)
and the enterprise's certifications with their validity."""

from __future__ import annotations

from flask import request, url_for

from web.identity.current import current_membership, signin_required
from web.portal import api
from web.portal.backoffice import pages
from web.portal.backoffice.present import certification_notice
from web.portal.enterprise import bp

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # catalog's limit per document
# Review steps as the enterprise follows them; a decided application ends at its outcome.
STEPS = [("draft", "작성"), ("submitted", "접수"), ("in_review", "심사"), ("decided", "결정")]


def _brands() -> list[dict]:
    return api.call("catalog", "GET", "/v1/brands")["items"]


def _own_products() -> list[dict]:
    params = {"enterprise_id": current_membership().org_id, "limit": 100}
    return api.call("catalog", "GET", "/v1/products", params=params)["items"]


@bp.get("/applications")
@signin_required("enterprise")
def applications():
    items = api.call("catalog", "GET", "/v1/listings", params={"limit": 100})["items"]
    names = {p["id"]: p["name"] for p in _own_products()}
    brands = {b["code"]: b["name"] for b in _brands()}
    return pages.render("enterprise/applications.html", items=items, names=names, brands=brands)


def _new_page(errors=None, message=None):
    return pages.render(
        "enterprise/application_new.html",
        brands=[(b["code"], b["name"]) for b in _brands()],
        products=[(p["id"], f"{p['name']} ({p['sku']})") for p in _own_products()],
        chosen=request.values.get("product_id", ""),
        errors=errors,
        message=message,
        active="enterprise.applications",
    )


@bp.route("/applications/new", methods=["GET", "POST"])
@signin_required("enterprise")
def application_new():
    if request.method == "GET":
        return _new_page()
    created = {}

    def change():
        errors = pages.blanks(request.form, {"brand_code": "브랜드", "product_id": "상품"})
        if errors:
            raise pages.FormInvalid(errors)
        body = {
            "brand_code": request.form["brand_code"],
            "product_id": request.form["product_id"],
            "pitch": (request.form.get("pitch") or "").strip(),
        }
        created.update(api.call("catalog", "POST", "/v1/listings", json=body))

    return pages.submit(
        change,
        done="신청서를 만들었습니다. 서류를 붙인 뒤 제출하세요.",
        then=lambda: url_for("enterprise.application", listing_id=created["id"]),
        again=lambda errors, message: _new_page(errors, message),
    )


def _application_page(listing_id: str, errors=None, message=None):
    listing = api.call("catalog", "GET", f"/v1/listings/{listing_id}")
    product = api.call("catalog", "GET", f"/v1/products/{listing['product_id']}")
    documents = api.call("catalog", "GET", f"/v1/listings/{listing_id}/documents")["items"]
    brand = api.call("catalog", "GET", f"/v1/brands/{listing['brand_code']}")
    return pages.render(
        "enterprise/application.html",
        listing=listing,
        product=product,
        brand=brand,
        documents=documents,
        steps=STEPS,
        errors=errors,
        message=message,
        active="enterprise.applications",
    )


@bp.get("/applications/<listing_id>")
@signin_required("enterprise")
def application(listing_id):
    return _application_page(listing_id[:26])


def _listing_action(listing_id: str, change, done: str):
    return pages.change_on(
        change, done, "enterprise.application", _application_page, listing_id=listing_id[:26]
    )


@bp.post("/applications/<listing_id>/documents")
@signin_required("enterprise")
def application_upload(listing_id):
    def change():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise pages.FormInvalid({"file": ["붙일 파일을 골라 주세요."]})
        content = upload.read(MAX_DOCUMENT_BYTES + 1)
        if len(content) > MAX_DOCUMENT_BYTES:
            raise pages.FormInvalid({"file": ["파일이 10MB보다 큽니다."]})
        api.call(
            "catalog",
            "POST",
            f"/v1/listings/{listing_id[:26]}/documents",
            files={"file": (upload.filename, content, upload.mimetype)},
        )

    return _listing_action(listing_id, change, "서류를 붙였습니다.")


@bp.post("/applications/<listing_id>/documents/<document_id>/delete")
@signin_required("enterprise")
def application_document_delete(listing_id, document_id):
    path = f"/v1/listings/{listing_id[:26]}/documents/{document_id[:26]}"
    return _listing_action(
        listing_id, lambda: api.call("catalog", "DELETE", path), "서류를 뺐습니다."
    )


@bp.get("/applications/<listing_id>/documents/<document_id>")
@signin_required("enterprise")
def application_document(listing_id, document_id):
    return pages.fetch_file(
        "catalog", f"/v1/listings/{listing_id[:26]}/documents/{document_id[:26]}"
    )


@bp.post("/applications/<listing_id>/pitch")
@signin_required("enterprise")
def application_pitch(listing_id):
    pitch = (request.form.get("pitch") or "").strip()
    path = f"/v1/listings/{listing_id[:26]}"
    return _listing_action(
        listing_id,
        lambda: api.call("catalog", "PATCH", path, json={"pitch": pitch}),
        "소개 글을 저장했습니다.",
    )


@bp.post("/applications/<listing_id>/submit")
@signin_required("enterprise")
def application_submit(listing_id):
    path = f"/v1/listings/{listing_id[:26]}/submit"
    return _listing_action(
        listing_id,
        lambda: api.call("catalog", "POST", path),
        "제출했습니다. 위원회가 심사를 시작하면 알려 드립니다.",
    )


@bp.post("/applications/<listing_id>/withdraw")
@signin_required("enterprise")
def application_withdraw(listing_id):
    reason = (request.form.get("reason") or "").strip() or None
    path = f"/v1/listings/{listing_id[:26]}/withdraw"
    return _listing_action(
        listing_id,
        lambda: api.call("catalog", "POST", path, json={"reason": reason}),
        "신청을 철회했습니다.",
    )


@bp.post("/applications/<listing_id>/reapply")
@signin_required("enterprise")
def application_reapply(listing_id):
    """A rejected, withdrawn or expired application starts again as a new round, with the
    answer to the committee as its new pitch."""

    def change():
        listing = api.call("catalog", "GET", f"/v1/listings/{listing_id[:26]}")
        answer = (request.form.get("pitch") or "").strip()
        if not answer:
            raise pages.FormInvalid({"pitch": ["위원회 의견에 대한 답을 적어 주세요."]})
        body = {"brand_code": listing["brand_code"], "product_id": listing["product_id"]}
        api.call("catalog", "POST", "/v1/listings", json={**body, "pitch": answer})

    return _listing_action(
        listing_id, change, "다시 신청서를 만들었습니다. 서류를 확인하고 제출하세요."
    )


@bp.get("/certifications")
@signin_required("enterprise")
def certifications():
    org = current_membership().org_id
    enterprise = api.call("catalog", "GET", f"/v1/enterprises/{org}")
    items = api.call("catalog", "GET", f"/v1/enterprises/{org}/certifications")["items"]
    for cert in items:
        cert["notice"] = certification_notice(cert)
    return pages.render("enterprise/certifications.html", enterprise=enterprise, items=items)
