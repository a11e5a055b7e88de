"""Who takes part: enterprises (registered with a checked 사업자등록번호, and their
certifications corrected with a reason) and institutions with their departments."""

from __future__ import annotations

from flask import request, url_for

from web.identity.current import signin_required
from web.portal import api
from web.portal.admin import bp
from web.portal.backoffice import pages

ENTERPRISE_TYPES = [
    ("social_enterprise", "사회적기업"),
    ("preliminary_social_enterprise", "예비사회적기업"),
    ("cooperative", "협동조합"),
    ("social_cooperative", "사회적협동조합"),
    ("village_enterprise", "마을기업"),
    ("self_reliance_enterprise", "자활기업"),
    ("self_reliance_work_group", "자활근로사업단"),
]
ENTERPRISE_STATUSES = [("active", "정상"), ("suspended", "거래정지"), ("closed", "폐업")]
ENTERPRISE_REQUIRED = {
    "name": "기업명",
    "enterprise_type": "기업 유형",
    "brn": "사업자등록번호",
    "representative": "대표자",
    "sigungu_code": "시군구 코드",
}
ENTERPRISE_OPTIONAL = ("address", "phone", "email", "contact_person")
INSTITUTION_KINDS = [
    (k, k) for k in ("지자체", "공공기관", "교육청", "학교", "공기업", "지방공기업", "기타")
]
CERT_FIELDS = {
    "number": "인증번호",
    "issuer": "발급 기관",
    "valid_from": "시작일",
    "valid_to": "종료일",
}


def _enterprise_body(form, *, creating: bool) -> dict:
    errors = pages.blanks(form, ENTERPRISE_REQUIRED) if creating else {}
    if errors:
        raise pages.FormInvalid(errors)
    body = {name: form[name].strip() for name in ENTERPRISE_REQUIRED if form.get(name, "").strip()}
    for name in ENTERPRISE_OPTIONAL:
        value = (form.get(name) or "").strip()
        if value or not creating:
            body[name] = value or (None if name != "address" else "")
    if not creating and form.get("status"):
        body["status"] = form["status"]
    return body


@bp.get("/")
@signin_required("admin")
def home():
    return enterprises()


@bp.get("/enterprises")
@signin_required("admin")
def enterprises():
    params = pages.filters("q", "status", "enterprise_type", "cursor", limit=50, sort="name")
    page = api.call("catalog", "GET", "/v1/enterprises", params=params)
    return pages.render(
        "admin/enterprises.html",
        page=page,
        query=request.args,
        types=ENTERPRISE_TYPES,
        statuses=ENTERPRISE_STATUSES,
        active="platform.enterprises",
    )


def _new_enterprise_page(errors=None, message=None):
    return pages.render(
        "admin/enterprise_new.html",
        types=ENTERPRISE_TYPES,
        errors=errors,
        message=message,
        active="platform.enterprises",
    )


@bp.route("/enterprises/new", methods=["GET", "POST"])
@signin_required("admin")
def enterprise_new():
    if request.method == "GET":
        return _new_enterprise_page()
    created = {}

    def change():
        body = _enterprise_body(request.form, creating=True)
        created.update(api.call("catalog", "POST", "/v1/enterprises", json=body))

    return pages.submit(
        change,
        done="기업을 등록했습니다. 사업자등록번호를 확인했습니다.",
        then=lambda: url_for("platform.enterprise", enterprise_id=created["id"]),
        again=lambda errors, message: _new_enterprise_page(errors, message),
    )


def _enterprise_page(enterprise_id: str, errors=None, message=None, editing=None):
    enterprise = api.call("catalog", "GET", f"/v1/enterprises/{enterprise_id}")
    path = f"/v1/enterprises/{enterprise_id}/certifications"
    certifications = api.call("catalog", "GET", path)["items"]
    return pages.render(
        "admin/enterprise.html",
        enterprise=enterprise,
        certifications=certifications,
        types=ENTERPRISE_TYPES,
        statuses=ENTERPRISE_STATUSES,
        editing=editing,
        errors=errors,
        message=message,
        active="platform.enterprises",
    )


@bp.get("/enterprises/<enterprise_id>")
@signin_required("admin")
def enterprise(enterprise_id):
    return _enterprise_page(enterprise_id[:26])


def _enterprise_change(enterprise_id: str, change, done: str, editing: str):
    def show(enterprise_id, errors, message):
        return _enterprise_page(enterprise_id, errors, message, editing)

    return pages.change_on(
        change, done, "platform.enterprise", show, enterprise_id=enterprise_id[:26]
    )


@bp.post("/enterprises/<enterprise_id>")
@signin_required("admin")
def enterprise_update(enterprise_id):
    def change():
        current = api.call("catalog", "GET", f"/v1/enterprises/{enterprise_id[:26]}")
        body = _enterprise_body(request.form, creating=False)
        changed = {k: v for k, v in body.items() if current.get(k) != v}
        if changed:
            api.call("catalog", "PATCH", f"/v1/enterprises/{enterprise_id[:26]}", json=changed)

    return _enterprise_change(enterprise_id, change, "기업 정보를 고쳤습니다.", "enterprise")


@bp.post("/enterprises/<enterprise_id>/certifications")
@signin_required("admin")
def certification_add(enterprise_id):
    def change():
        errors = pages.blanks(request.form, {"kind": "인증 종류", **CERT_FIELDS})
        if errors:
            raise pages.FormInvalid(errors)
        body = {name: request.form[name].strip() for name in ("kind", *CERT_FIELDS)}
        path = f"/v1/enterprises/{enterprise_id[:26]}/certifications"
        api.call("catalog", "POST", path, json=body)

    return _enterprise_change(enterprise_id, change, "인증을 등록했습니다.", "new-cert")


@bp.post("/enterprises/<enterprise_id>/certifications/<certification_id>")
@signin_required("admin")
def certification_correct(enterprise_id, certification_id):
    """Correct a certification (a typo in its number, a revoked one ended early): every
    change carries the reason, which catalog keeps."""

    def change():
        errors = pages.blanks(request.form, {"reason": "고친 이유"})
        if errors:
            raise pages.FormInvalid(errors)
        body = {
            name: request.form[name].strip()
            for name in CERT_FIELDS
            if (request.form.get(name) or "").strip()
        }
        body["reason"] = request.form["reason"].strip()
        path = f"/v1/enterprises/{enterprise_id[:26]}/certifications/{certification_id[:26]}"
        if request.form.get("remove") == "true":
            api.call("catalog", "DELETE", path, params={"reason": body["reason"]})
        else:
            api.call("catalog", "PATCH", path, json=body)

    return _enterprise_change(
        enterprise_id, change, "인증을 고쳤습니다.", f"cert-{certification_id[:26]}"
    )


# -- institutions ---------------------------------------------------------------------------


def _institutions_page(errors=None, message=None):
    params = pages.filters("cursor", longest=26, limit=100)
    page = api.call("orders", "GET", "/v1/institutions", params=params)
    return pages.render(
        "admin/institutions.html",
        page=page,
        kinds=INSTITUTION_KINDS,
        errors=errors,
        message=message,
        active="platform.institutions",
    )


@bp.get("/institutions")
@signin_required("admin")
def institutions():
    return _institutions_page()


@bp.post("/institutions")
@signin_required("admin")
def institution_add():
    def change():
        form = request.form
        errors = pages.blanks(
            form, {"name": "기관명", "kind": "기관 종류", "sido_code": "시도 코드"}
        )
        if errors:
            raise pages.FormInvalid(errors)
        body = {name: form[name].strip() for name in ("name", "kind", "sido_code")}
        for name in ("brn", "sigungu_code"):
            if (form.get(name) or "").strip():
                body[name] = form[name].strip()
        lines = (form.get("departments") or "").splitlines()
        body["departments"] = [d.strip() for d in lines if d.strip()]
        api.call("orders", "POST", "/v1/institutions", json=body)

    return pages.change_on(
        change, "기관을 등록했습니다.", "platform.institutions", _institutions_page
    )


@bp.post("/institutions/<institution_id>/departments")
@signin_required("admin")
def department_add(institution_id):
    def change():
        errors = pages.blanks(request.form, {"department": "부서명"})
        if errors:
            raise pages.FormInvalid(errors)
        path = f"/v1/institutions/{institution_id[:26]}/departments"
        api.call("orders", "POST", path, json={"name": request.form["department"].strip()})

    return pages.change_on(
        change, "부서를 추가했습니다.", "platform.institutions", _institutions_page
    )
