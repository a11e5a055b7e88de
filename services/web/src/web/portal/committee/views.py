from __future__ import annotations

from flask import request
from markupsafe import Markup

from gachi_kit.charts import Bar, bar_chart
from web.identity.current import current_membership, current_person, signin_required
from web.portal import api
from web.portal.backoffice import pages
from web.portal.backoffice.present import LISTING_STATUS
from web.portal.committee import bp

KINDS = [("", "전체"), ("new", "새 신청"), ("renewal", "갱신 심사"), ("change", "변경 재심사")]
STAGES = [("", "전체"), ("submitted", "심사 시작 전"), ("in_review", "심사 중")]
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg")
SCORES = [(str(n), f"{n}점") for n in range(5, 0, -1)]


def _brand_code() -> str:
    return current_membership().org_id


def kind_of(listing: dict) -> str:
    """new | renewal | change: what kind of review a queue item waits for."""
    return (listing.get("rereview") or {}).get("kind") or "new"


def stage_of(listing: dict) -> str | None:
    return listing.get("review_stage")


def _products(listings: list[dict]) -> dict[str, dict]:
    """Product (with its enterprise) per listing, for names in the tables."""
    found = {}
    for product_id in {item["product_id"] for item in listings}:
        try:
            found[product_id] = api.call("catalog", "GET", f"/v1/products/{product_id}")
        except api.ApiError:
            found[product_id] = {"name": "(삭제된 상품)", "enterprise_name": "-"}
    return found


@bp.get("/")
@signin_required("committee")
def queue():
    kind = request.args.get("kind", "")
    stage = request.args.get("stage", "")
    items = api.call("catalog", "GET", "/v1/committee/queue")["items"]
    if kind in dict(KINDS) and kind:
        items = [i for i in items if kind_of(i) == kind]
    if stage in dict(STAGES) and stage:
        items = [i for i in items if stage_of(i) == stage]
    return pages.render(
        "committee/queue.html",
        items=items,
        products=_products(items),
        kinds=KINDS,
        stages=STAGES,
        kind=kind,
        stage=stage,
        kind_of=kind_of,
    )


@bp.get("/listings")
@signin_required("committee")
def listings():
    status = request.args.get("status", "approved")
    if status not in LISTING_STATUS:
        status = "approved"
    params = {"brand_code": _brand_code(), "status": status, "limit": 100}
    items = api.call("catalog", "GET", "/v1/listings", params=params)["items"]
    return pages.render(
        "committee/listings.html",
        items=items,
        products=_products(items),
        status=status,
        statuses=list(LISTING_STATUS.items()),
    )


def _votes(listing_id: str) -> dict | None:
    """The round's votes, or None while the API keeps them hidden until one has voted."""
    try:
        return api.call("catalog", "GET", f"/v1/listings/{listing_id}/votes")
    except api.ApiError as refused:
        if refused.code == "vote_first":
            return None
        raise


def _application_page(listing_id: str, errors=None, message=None):
    try:
        listing = api.call("catalog", "GET", f"/v1/listings/{listing_id}")
        documents = api.call("catalog", "GET", f"/v1/listings/{listing_id}/documents")["items"]
    except api.ApiError as refused:
        if refused.code != "conflict_of_interest":
            raise
        return pages.render("committee/conflicted.html", active="committee.queue"), 403
    product = api.call("catalog", "GET", f"/v1/products/{listing['product_id']}")
    enterprise = api.call("catalog", "GET", f"/v1/enterprises/{product['enterprise_id']}")
    brand = api.call("catalog", "GET", f"/v1/brands/{listing['brand_code']}")
    return pages.render(
        "committee/application.html",
        listing=listing,
        product=product,
        enterprise=enterprise,
        brand=brand,
        documents=documents,
        votes=_votes(listing_id),
        me=current_person().sub,
        chair=current_membership().chair,
        inline_types=INLINE_TYPES,
        scores=SCORES,
        kind=kind_of(listing),
        errors=errors,
        message=message,
        active="committee.queue",
    )


@bp.get("/listings/<listing_id>")
@signin_required("committee")
def application(listing_id):
    return _application_page(listing_id[:26])


def _listing_action(listing_id: str, change, done: str):
    return pages.change_on(
        change, done, "committee.application", _application_page, listing_id=listing_id[:26]
    )


def vote_body(form, criteria: list[dict]) -> dict:
    """The scoring form: one 1–5 score per rubric criterion (not needed to abstain)."""
    choice = form.get("choice")
    errors: dict[str, list[str]] = {}
    if choice not in ("approve", "reject", "abstain"):
        errors["choice"] = ["승인, 반려, 기권 중 하나를 고르세요."]
    scores = {}
    for criterion in criteria:
        value = form.get(f"score_{criterion['code']}", "")
        if value in {code for code, _text in SCORES}:
            scores[criterion["code"]] = int(value)
        elif choice != "abstain":
            errors[f"scores.{criterion['code']}"] = [f"‘{criterion['name']}’ 점수를 고르세요."]
    comment = (form.get("comment") or "").strip()
    if choice == "reject" and not comment:
        errors["comment"] = ["반려 의견을 적어 주세요. 신청 기업에 전달됩니다."]
    if errors:
        raise pages.FormInvalid(errors)
    return {"choice": choice, "scores": scores, "comment": comment}


@bp.post("/listings/<listing_id>/vote")
@signin_required("committee")
def vote(listing_id):
    def change():
        listing = api.call("catalog", "GET", f"/v1/listings/{listing_id[:26]}")
        brand = api.call("catalog", "GET", f"/v1/brands/{listing['brand_code']}")
        body = vote_body(request.form, brand["criteria"])
        api.call("catalog", "POST", f"/v1/listings/{listing_id[:26]}/votes", json=body)

    return _listing_action(listing_id, change, "투표했습니다. 다른 위원의 표를 볼 수 있습니다.")


@bp.post("/listings/<listing_id>/review")
@signin_required("committee")
def start_review(listing_id):
    path = f"/v1/listings/{listing_id[:26]}/review"
    return _listing_action(
        listing_id, lambda: api.call("catalog", "POST", path), "심사를 시작했습니다."
    )


def _reasoned(listing_id: str, action: str, done: str, extra=dict):
    """A change the API records with a reason (decision, suspension, reinstatement)."""

    def change():
        errors = pages.blanks(request.form, {"reason": "사유"})
        try:
            body = extra()
        except pages.FormInvalid as refused:
            errors.update(refused.errors)
        if errors:
            raise pages.FormInvalid(errors)
        body["reason"] = request.form["reason"].strip()
        api.call("catalog", "POST", f"/v1/listings/{listing_id[:26]}/{action}", json=body)

    return _listing_action(listing_id, change, done)


@bp.post("/listings/<listing_id>/decision")
@signin_required("committee")
def decide(listing_id):
    outcome = request.form.get("outcome")

    def chosen():
        if outcome not in ("approved", "rejected"):
            raise pages.FormInvalid({"outcome": ["승인 또는 반려를 고르세요."]})
        return {"outcome": outcome}

    done = "승인했습니다." if outcome == "approved" else "반려했습니다."
    return _reasoned(listing_id, "decision", done, chosen)


@bp.post("/listings/<listing_id>/suspend")
@signin_required("committee")
def suspend(listing_id):
    return _reasoned(listing_id, "suspend", "판매를 정지했습니다.")


@bp.post("/listings/<listing_id>/reinstate")
@signin_required("committee")
def reinstate(listing_id):
    return _reasoned(listing_id, "reinstate", "다시 판매하도록 복원했습니다.")


@bp.post("/listings/<listing_id>/conflict")
@signin_required("committee")
def declare_conflict(listing_id):
    """The member's own conflict of interest with the applicant: after it the page shows
    only that they cannot take part (the API closes documents and votes to them)."""

    def change():
        errors = pages.blanks(request.form, {"conflict_reason": "이해관계"})
        if request.form.get("confirm") != "yes":
            errors["confirm"] = ["신고하면 이 신청을 심사할 수 없다는 점을 확인해 주세요."]
        if errors:
            raise pages.FormInvalid(errors)
        body = {"reason": request.form["conflict_reason"].strip()}
        api.call("catalog", "POST", f"/v1/listings/{listing_id[:26]}/conflict", json=body)

    return _listing_action(listing_id, change, "이해충돌을 신고했습니다.")


@bp.get("/listings/<listing_id>/documents/<document_id>")
@signin_required("committee")
def document(listing_id, document_id):
    """Download, or with ?view=1 show a PDF or an image in the browser."""
    path = f"/v1/listings/{listing_id[:26]}/documents/{document_id[:26]}"
    response = pages.fetch_file("catalog", path)
    if request.args.get("view") and response.mimetype in INLINE_TYPES:
        disposition = response.headers.get("Content-Disposition", "")
        response.headers["Content-Disposition"] = disposition.replace("attachment", "inline", 1)
        if response.mimetype != "application/pdf":  # the browser's PDF viewer needs no CSP
            response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'"
    return response


@bp.get("/listings/<listing_id>/audit")
@signin_required("committee")
def audit(listing_id):
    listing_id = listing_id[:26]
    if request.args.get("format") == "csv":
        return pages.fetch_file("catalog", f"/v1/listings/{listing_id}/audit", format="csv")
    listing = api.call("catalog", "GET", f"/v1/listings/{listing_id}")
    product = api.call("catalog", "GET", f"/v1/products/{listing['product_id']}")
    rows = api.call("catalog", "GET", f"/v1/listings/{listing_id}/audit")["items"]
    return pages.render(
        "committee/audit.html",
        listing=listing,
        product=product,
        rows=rows,
        active="committee.queue",
    )


@bp.get("/statistics")
@signin_required("committee")
def statistics():
    code = _brand_code()
    stats = api.call("catalog", "GET", f"/v1/brands/{code}/statistics")
    brand = api.call("catalog", "GET", f"/v1/brands/{code}")
    rows = [(LISTING_STATUS.get(s, s), stats["by_status"].get(s, 0)) for s in LISTING_STATUS]
    decisions = [
        ("승인", stats["approved"]),
        ("반려", stats["rejected"]),
        ("갱신", stats["renewed"]),
    ]
    return pages.render(
        "committee/statistics.html",
        brand=brand,
        stats=stats,
        by_status=rows,
        decisions=decisions,
        status_chart=_count_chart("chart-status", f"{brand['name']} 상태별 등록 수", rows),
        decision_chart=_count_chart("chart-decisions", f"{brand['name']} 결정 수", decisions),
    )


def _count_chart(chart_id: str, title: str, rows: list[tuple[str, int]]) -> Markup:
    """Counts as the kit's bars, narrow enough to stay readable on a phone."""
    bars = [Bar(label, value) for label, value in rows]
    svg = bar_chart(chart_id, title, bars, width=380, label_width=110, say=_count, legend=None)
    return Markup(svg)  # the kit escapes every text it draws


def _count(value: int) -> str:
    return f"{value:,}건"
