"""Use cases: brand committees, listing applications, reviews, votes and decisions.

Every change of a listing bumps its `version` (optimistic lock, see the model): two votes
landing at once, or the chair deciding while a vote lands, give one outcome; the loser gets
409 `concurrent_update` and may retry. Every transition and vote writes a `listing_event`
row and, for transitions, an outbox event in the same transaction.

A review is either the application itself (draft → submitted → in_review → decided) or a
re-review of an approved listing (its renewal, or material edits of its product), which runs
beside the listing's status so that the product stays listed meanwhile. Each review is a
round of votes (`review_round`); start, vote and decide work the same on both.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalog.adapters.models import (
    Brand,
    BrandCommitteeMember,
    BrandListing,
    ListingEvent,
    ListingVote,
    Product,
)
from catalog.domain import listing as rules
from catalog.domain.brand import add_months
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.errors import Problem
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger

log = get_logger(__name__)

SYSTEM = Principal(sub="system", role="service")

# -- committee membership (admins) -----------------------------------------------------------


def list_members(cat: Catalog, code: str) -> dict:
    with cat.db.reading() as session:
        _brand(session, code)
        rows = session.scalars(
            select(BrandCommitteeMember)
            .where(BrandCommitteeMember.brand_code == code)
            .order_by(BrandCommitteeMember.user_sub)
        ).all()
    return {"items": [member_view(m) for m in rows]}


def add_member(cat: Catalog, code: str, fields: dict) -> dict:
    try:
        with cat.db.transaction() as session:
            _brand(session, code)
            if _member(session, code, fields["user_sub"]) is not None:
                raise _member_exists()
            member = BrandCommitteeMember(brand_code=code, **fields)
            session.add(member)
    except IntegrityError as exc:
        raise _member_exists() from exc
    return member_view(member)


def update_member(cat: Catalog, code: str, sub: str, fields: dict) -> dict:
    with cat.db.transaction() as session:
        member = _member(session, code, sub)
        if member is None:
            raise _member_not_found()
        for field, value in fields.items():
            setattr(member, field, value)
    return member_view(member)


def remove_member(cat: Catalog, code: str, sub: str) -> None:
    with cat.db.transaction() as session:
        member = _member(session, code, sub)
        if member is None:
            raise _member_not_found()
        session.delete(member)


# -- applications (enterprise) ---------------------------------------------------------------


def create_application(cat: Catalog, fields: dict, actor: Principal) -> dict:
    try:
        with cat.db.transaction() as session:
            brand = _brand(session, fields["brand_code"])
            product = session.get(Product, fields["product_id"])
            if product is None or product.enterprise_id != actor.org:
                raise Problem(404, "product_not_found", "상품을 찾을 수 없습니다")
            existing = session.scalar(
                select(BrandListing).where(
                    BrandListing.brand_code == brand.code, BrandListing.product_id == product.id
                )
            )
            if existing is None:
                listing = BrandListing(
                    brand_code=brand.code,
                    product_id=product.id,
                    enterprise_id=product.enterprise_id,
                    status="draft",
                )
                session.add(listing)
                session.flush()
                audit(session, listing, actor, "create", None, "draft", None)
            elif existing.status in rules.ACTIVE:
                raise _listing_exists(existing)
            else:  # rejected, withdrawn or expired: apply again, as a new round
                listing = existing
                _move(cat, session, listing, brand, actor, "reapply")
                _start_round(listing)
                for stale in ("submitted_at", "review_started_at", "decided_at"):
                    setattr(listing, stale, None)
                listing.decision_reason = listing.approved_at = listing.valid_until = None
            listing.pitch = fields.get("pitch", "")
            listing.document_urls = fields.get("document_urls", [])
            session.flush()
            view = listing_view(listing)
    except StaleDataError as exc:
        raise concurrent_update() from exc
    except IntegrityError as exc:
        raise Problem(409, "listing_exists", "이미 신청한 상품입니다") from exc
    return view


def update_application(cat: Catalog, listing_id: str, fields: dict, actor: Principal) -> dict:
    def change(session, listing, brand, member):
        if listing.status != "draft":
            raise refused(listing.status, "edit")
        for field, value in fields.items():
            setattr(listing, field, value)
        listing.updated_at = utcnow()

    return _act(cat, listing_id, actor, change, who="owner")


def submit(cat: Catalog, listing_id: str, actor: Principal) -> dict:
    def change(session, listing, brand, member):
        _move(cat, session, listing, brand, actor, "submit")
        listing.submitted_at = utcnow()

    return _act(cat, listing_id, actor, change, who="owner")


def withdraw(cat: Catalog, listing_id: str, reason: str | None, actor: Principal) -> dict:
    def change(session, listing, brand, member):
        _move(cat, session, listing, brand, actor, "withdraw", reason)

    return _act(cat, listing_id, actor, change, who="owner")


# -- review (committee) ----------------------------------------------------------------------


def start_review(cat: Catalog, listing_id: str, actor: Principal) -> dict:
    def change(session, listing, brand, member):
        if listing.status == "approved":
            _move_rereview(cat, session, listing, brand, actor, "start_review")
        else:
            _move(cat, session, listing, brand, actor, "start_review")
        listing.review_started_at = utcnow()

    return _act(cat, listing_id, actor, change, who="committee")


def cast_vote(cat: Catalog, listing_id: str, fields: dict, actor: Principal) -> dict:
    result: dict = {}

    def change(session, listing, brand, member):
        if member is None:  # admins do not vote
            raise Problem(403, "not_committee_member", "위원만 투표할 수 있습니다")
        if rules.review_stage(listing.status, listing.rereview_status) != "in_review":
            raise refused(listing.status, "vote")
        scores = fields.get("scores") or {}
        criteria = [c["code"] for c in brand.criteria or []]
        errors = (
            rules.score_errors(scores, criteria) if fields["choice"] != "abstain" or scores else {}
        )
        if errors:
            raise Problem(
                422, "invalid_scores", "입력값이 올바르지 않습니다", errors={"scores": errors}
            )
        if _vote_of(session, listing, actor.sub) is not None:
            raise _already_voted()
        vote = ListingVote(
            listing_id=listing.id,
            round=listing.review_round,
            member_sub=actor.sub,
            member_name=member.name,
            choice=fields["choice"],
            scores=scores,
            comment=fields.get("comment", ""),
        )
        session.add(vote)
        session.flush()
        audit(session, listing, actor, "vote", listing.status, None, vote.comment, vote.id)
        result["vote"] = vote_view(vote)
        listing.updated_at = utcnow()  # bump the version: concurrent votes conflict
        cast = session.execute(
            select(ListingVote.choice, ListingVote.comment)
            .where(ListingVote.listing_id == listing.id, ListingVote.round == listing.review_round)
            .order_by(ListingVote.cast_at, ListingVote.id)
        ).all()
        outcome = rules.tally([choice for choice, _comment in cast], brand.quorum)
        if outcome == "approve":
            _decide(cat, session, listing, brand, actor, "approve", "위원회 표결로 승인")
        elif outcome == "reject":
            comments = [comment for choice, comment in cast if choice == "reject" and comment]
            reason = "\n".join(comments) or "위원회 표결로 반려"
            _decide(cat, session, listing, brand, actor, "reject", reason)

    try:
        view = _act(cat, listing_id, actor, change, who="committee")
    except IntegrityError as exc:  # the same member's second vote raced the first
        raise _already_voted() from exc
    return {"vote": result["vote"], "listing": view}


def decide(cat: Catalog, listing_id: str, fields: dict, actor: Principal) -> dict:
    def change(session, listing, brand, member):
        if member is None or not member.is_chair:
            raise Problem(403, "not_chair", "위원장만 결정할 수 있습니다")
        if rules.review_stage(listing.status, listing.rereview_status) != "in_review":
            raise refused(listing.status, "decide")
        action = "approve" if fields["outcome"] == "approved" else "reject"
        _decide(cat, session, listing, brand, actor, action, fields["reason"])

    return _act(cat, listing_id, actor, change, who="committee")


def suspend(cat: Catalog, listing_id: str, reason: str, actor: Principal) -> dict:
    def change(session, listing, brand, member):
        _move(cat, session, listing, brand, actor, "suspend", reason)

    return _act(cat, listing_id, actor, change, who="committee")


def reinstate(cat: Catalog, listing_id: str, reason: str, actor: Principal) -> dict:
    def change(session, listing, brand, member):
        if listing.valid_until is not None and listing.valid_until < today_kst():
            raise Problem(
                409,
                "listing_term_over",
                "유효기간이 끝난 등록은 복원할 수 없습니다",
                current_state=listing.status,
            )
        _move(cat, session, listing, brand, actor, "reinstate", reason)

    return _act(cat, listing_id, actor, change, who="committee")


# -- reading ---------------------------------------------------------------------------------


def get_listing(cat: Catalog, listing_id: str, actor: Principal) -> dict:
    with cat.db.reading() as session:
        listing, _brand_row, _member_row = visible(session, listing_id, actor)
        return listing_view(listing)


def list_listings(cat: Catalog, query: dict, actor: Principal) -> dict:
    with cat.db.reading() as session:
        stmt = select(BrandListing).order_by(BrandListing.created_at, BrandListing.id)
        if actor.is_("enterprise"):
            stmt = stmt.where(BrandListing.enterprise_id == (actor.org or ""))
        elif actor.is_("committee"):
            _committee_member(session, actor.org or "", actor)
            stmt = stmt.where(BrandListing.brand_code == actor.org)
        if query.get("brand_code"):
            stmt = stmt.where(BrandListing.brand_code == query["brand_code"])
        if query.get("status"):
            stmt = stmt.where(BrandListing.status == query["status"])
        rows = session.scalars(stmt.limit(query.get("limit", 100))).all()
        return {"items": [listing_view(r) for r in rows]}


def list_votes(cat: Catalog, listing_id: str, round_: int | None, actor: Principal) -> dict:
    """The votes of one review round (default: the current one). A member sees the votes of
    a round still under review only after casting their own."""
    with cat.db.reading() as session:
        listing, _brand_row, member = visible(
            session, listing_id, actor, who="committee", unconflicted=True
        )
        round_ = round_ or listing.review_round
        if member is not None:
            undecided = round_ == listing.review_round and rules.review_stage(
                listing.status, listing.rereview_status
            )
            if undecided and _vote_of(session, listing, actor.sub) is None:
                raise Problem(
                    403,
                    "vote_first",
                    "투표한 뒤에 볼 수 있습니다",
                    "다른 위원의 표는 직접 투표한 뒤에 공개됩니다.",
                )
        votes = session.scalars(
            select(ListingVote)
            .where(ListingVote.listing_id == listing.id, ListingVote.round == round_)
            .order_by(ListingVote.cast_at, ListingVote.id)
        ).all()
        return {"round": round_, "items": [vote_view(v) for v in votes]}


def audit_trail(cat: Catalog, listing_id: str, actor: Principal) -> list[dict]:
    with cat.db.reading() as session:
        listing = visible(session, listing_id, actor, who="committee", unconflicted=True)[0]
        rows = session.scalars(
            select(ListingEvent)
            .where(ListingEvent.listing_id == listing.id)
            .order_by(ListingEvent.at, ListingEvent.id)
        ).all()
        return [audit_view(r) for r in rows]


AUDIT_COLUMNS = ("at", "actor_sub", "actor_role", "action", "from_status", "to_status", "reason")


def audit_csv(rows: list[dict]) -> bytes:
    """The audit trail as Excel opens it: UTF-8 with BOM, CRLF lines."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*AUDIT_COLUMNS, "vote_id"])
    for row in rows:
        cells = [row[c] for c in AUDIT_COLUMNS] + [row["vote_id"]]
        writer.writerow(["" if c is None else _csv_safe(str(c)) for c in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def work_queue(cat: Catalog, actor: Principal) -> dict:
    """Reviews of the caller's brand waiting for the caller (applications and re-reviews the
    caller has not voted in yet, without conflicts of interest), oldest first."""
    now = utcnow()
    with cat.db.reading() as session:
        member = _committee_member(session, actor.org or "", actor)
        voted = (
            select(ListingVote.id)
            .where(
                ListingVote.listing_id == BrandListing.id,
                ListingVote.round == BrandListing.review_round,
                ListingVote.member_sub == actor.sub,
            )
            .exists()
        )
        waiting = BrandListing.status.in_(rules.PENDING) | (
            (BrandListing.status == "approved") & BrandListing.rereview_status.is_not(None)
        )
        rows = session.scalars(
            select(BrandListing).where(
                BrandListing.brand_code == member.brand_code, waiting, ~voted
            )
        ).all()
        items = []
        for listing in rows:
            if conflicted(member, listing):
                continue
            item = listing_view(listing)
            item["waiting_since"] = _waiting_since(listing)
            item["waited_hours"] = rules.waited_hours((now - item["waiting_since"]).total_seconds())
            items.append(item)
    items.sort(key=lambda i: (i["waiting_since"], i["id"]))
    return {"items": items}


def _waiting_since(listing: BrandListing):
    if listing.status == "approved":
        return listing.rereview_opened_at
    return listing.submitted_at or listing.created_at


def brand_statistics(cat: Catalog, code: str, actor: Principal) -> dict:
    with cat.db.reading() as session:
        _brand(session, code)
        if actor.is_("committee"):
            if actor.org != code:
                raise Problem(404, "brand_not_found", "브랜드를 찾을 수 없습니다")
            _committee_member(session, code, actor)
        decided = session.execute(
            select(ListingEvent.to_status, ListingEvent.at, BrandListing.submitted_at)
            .join(BrandListing, BrandListing.id == ListingEvent.listing_id)
            .where(
                BrandListing.brand_code == code,
                ListingEvent.action.in_(("approve", "reject")),
            )
        ).all()
        renewed = session.scalar(
            select(func.count())
            .select_from(ListingEvent)
            .join(BrandListing, BrandListing.id == ListingEvent.listing_id)
            .where(BrandListing.brand_code == code, ListingEvent.action == "renew")
        )
        by_status = dict(
            session.execute(
                select(BrandListing.status, func.count())
                .where(BrandListing.brand_code == code)
                .group_by(BrandListing.status)
            ).all()
        )
    hours = [(at - sub).total_seconds() / 3600 for _to, at, sub in decided if sub is not None]
    return {
        "brand_code": code,
        "approved": sum(1 for to, _at, _sub in decided if to == "approved"),
        "rejected": sum(1 for to, _at, _sub in decided if to == "rejected"),
        "renewed": renewed,
        "average_decision_hours": round(sum(hours) / len(hours), 1) if hours else None,
        "by_status": by_status,
    }


# -- the daily scan and certification lapses -------------------------------------------------


def scan_listings(cat: Catalog, today: date | None = None) -> dict[str, int]:
    """Daily: expire approvals whose term ended; open the renewal review of those ending
    within 60 days; announce those ending within 30 days. Each happens once per term."""
    today = today or today_kst()
    renewal_horizon = today + timedelta(days=rules.RENEWAL_OPENS_DAYS)
    notice_horizon = today + timedelta(days=rules.EXPIRING_NOTICE_DAYS)
    counts = {"expired": 0, "renewal_opened": 0, "expiring": 0}
    with cat.db.transaction() as session:
        renewal_due = (
            (BrandListing.valid_until <= renewal_horizon)
            & BrandListing.rereview_status.is_(None)
            & (
                BrandListing.renewal_opened_for.is_(None)
                | (BrandListing.renewal_opened_for != BrandListing.valid_until)
            )
        )
        notice_due = (BrandListing.valid_until <= notice_horizon) & (
            BrandListing.expiring_notified_at.is_(None)
        )
        stmt = (
            select(BrandListing)
            .where(BrandListing.status == "approved", BrandListing.valid_until.is_not(None))
            .where((BrandListing.valid_until < today) | renewal_due | notice_due)
            .order_by(BrandListing.valid_until, BrandListing.id)
            .with_for_update(skip_locked=True)
        )
        for listing in session.scalars(stmt).all():
            brand = session.get(Brand, listing.brand_code)
            if listing.valid_until < today:
                _move(cat, session, listing, brand, SYSTEM, "expire", "유효기간 만료")
                counts["expired"] += 1
                continue
            if listing.valid_until <= renewal_horizon and _renewal_due(listing):
                _open_renewal(cat, session, listing, brand, today)
                counts["renewal_opened"] += 1
            if listing.valid_until <= notice_horizon and listing.expiring_notified_at is None:
                listing.expiring_notified_at = utcnow()
                data = _event_data(session, listing, brand)
                data["valid_until"] = listing.valid_until.isoformat()
                data["days_left"] = (listing.valid_until - today).days
                cat.outbox.record(session, "listing.expiring", data, aggregate_id=listing.id)
                audit(session, listing, SYSTEM, "expiring_notice", None, None, None)
                counts["expiring"] += 1
    log.info("listing_scan", today=today.isoformat(), **counts)
    return counts


def _renewal_due(listing: BrandListing) -> bool:
    """Not yet opened for this term, and no other re-review open (a change review first
    finishes; the next day's scan then opens the renewal)."""
    return listing.rereview_status is None and listing.renewal_opened_for != listing.valid_until


def _open_renewal(cat, session, listing, brand, today: date) -> None:
    listing.renewal_opened_for = listing.valid_until
    reason = f"유효기간 {listing.valid_until.isoformat()} 만료 전 갱신 심사"
    _move_rereview(cat, session, listing, brand, SYSTEM, "open", reason, kind="renewal")
    data = _event_data(session, listing, brand)
    data["valid_until"] = listing.valid_until.isoformat()
    data["days_left"] = (listing.valid_until - today).days
    cat.outbox.record(session, "listing.renewal_opened", data, aggregate_id=listing.id)


# -- material edits of a listed product ------------------------------------------------------


def flag_material_change(
    cat: Catalog,
    session: Session,
    product: Product,
    changes: dict[str, tuple],
    actor: Principal,
) -> int:
    """Inside the product edit's transaction: put what changed before the committee of every
    brand the product is approved under. The listing stays approved; the edits join the open
    re-review, or open one of kind "change". `changes`: {field: (old, new)}. Returns how many
    listings were flagged."""
    # Locked: a vote landing on the same listing meanwhile is waited for, not overwritten.
    listings = session.scalars(
        select(BrandListing)
        .where(BrandListing.product_id == product.id, BrandListing.status == "approved")
        .order_by(BrandListing.brand_code)
        .with_for_update()
    ).all()
    flagged = 0
    for listing in listings:
        brand = session.get(Brand, listing.brand_code)
        material = _material_changes(listing, brand, changes, actor)
        if not material:
            continue
        summary = "; ".join(_describe(c) for c in material)
        listing.rereview_changes = [*(listing.rereview_changes or []), *material]
        if listing.rereview_status is None:
            _move_rereview(cat, session, listing, brand, actor, "open", summary, kind="change")
        else:
            listing.updated_at = utcnow()
            audit(session, listing, actor, "flag_change", "approved", "approved", summary)
        data = _event_data(session, listing, brand)
        data["changes"] = material
        data["review_kind"] = listing.rereview_kind
        cat.outbox.record(session, "listing.change_flagged", data, aggregate_id=listing.id)
        flagged += 1
    return flagged


def _material_changes(listing, brand, changes: dict[str, tuple], actor) -> list[dict]:
    at = utcnow().isoformat()
    found = []
    for field, (old, new) in changes.items():
        if field == "unit_price":
            reviewed = listing.reviewed_unit_price if listing.reviewed_unit_price else old
            if not rules.price_is_material(reviewed, new, brand.price_tolerance_percent):
                continue
            old = reviewed
        elif field not in rules.LISTING_MATERIAL_FIELDS:
            continue
        found.append(
            {
                "field": field,
                "old": list(old) if isinstance(old, list | tuple) else old,
                "new": list(new) if isinstance(new, list | tuple) else new,
                "changed_at": at,
                "changed_by": actor.sub,
            }
        )
    return found


FIELD_LABELS = {
    "name": "상품명",
    "description": "설명",
    "unit": "단위",
    "image_urls": "이미지",
    "unit_price": "단가",
}


def _describe(change: dict) -> str:
    label = FIELD_LABELS[change["field"]]
    if change["field"] in ("name", "unit", "unit_price"):
        return f"{label}: {change['old']} → {change['new']}"
    return f"{label} 변경"


# -- offline decisions (admins) --------------------------------------------------------------


def record_offline_approval(
    cat: Catalog, code: str, product_id: str, fields: dict, actor: Principal
) -> dict:
    """An admin records an approval the committee decided offline, or the term it set.

    Goes through the state machine like any decision (a suspended listing is reinstated by
    the committee instead: 409) and is audited. Recording the same approval again changes
    nothing and emits nothing. `valid_until` defaults to today plus the brand's validity.
    """
    today = today_kst()
    try:
        with cat.db.transaction() as session:
            brand = _brand(session, code)
            product = session.get(Product, product_id)
            if product is None:
                raise Problem(404, "product_not_found", "상품을 찾을 수 없습니다")
            valid_until = fields.get("valid_until") or add_months(
                today, brand.listing_validity_months
            )
            if valid_until < today:
                raise Problem(
                    422,
                    "invalid_period",
                    "입력값이 올바르지 않습니다",
                    errors={"valid_until": ["유효기간 종료일이 오늘보다 빠릅니다."]},
                )
            listing = session.scalar(
                select(BrandListing).where(
                    BrandListing.brand_code == code, BrandListing.product_id == product_id
                )
            )
            if listing is None:
                listing = BrandListing(
                    brand_code=code,
                    product_id=product_id,
                    enterprise_id=product.enterprise_id,
                    status="draft",
                )
                session.add(listing)
                session.flush()
                audit(session, listing, actor, "create", None, "draft", "오프라인 결정 기록")
            elif listing.status == "approved" and listing.valid_until == valid_until:
                return listing_view(listing)
            _close_rereview(cat, session, listing, brand, actor, "오프라인 결정으로 대체")
            listing.approved_at = utcnow()
            listing.decided_at = listing.approved_at
            listing.valid_until = valid_until
            listing.reviewed_unit_price = product.unit_price
            listing.expiring_notified_at = None
            _move(cat, session, listing, brand, actor, "record_offline", "위원회 오프라인 결정")
            session.flush()
            view = listing_view(listing)
    except StaleDataError as exc:
        raise concurrent_update() from exc
    except IntegrityError as exc:  # a concurrent request recorded the same listing first
        raise concurrent_update() from exc
    return view


def suspend_for_lapsed_certification(cat: Catalog, session: Session, enterprise_id: str) -> int:
    """Inside the certification scan's transaction: suspend the enterprise's approvals."""
    rows = session.scalars(
        select(BrandListing)
        .join(Product, Product.id == BrandListing.product_id)
        .where(Product.enterprise_id == enterprise_id, BrandListing.status == "approved")
    ).all()
    for listing in rows:
        brand = session.get(Brand, listing.brand_code)
        _move(cat, session, listing, brand, SYSTEM, "suspend", "기업 인증 만료 (자동 정지)")
    return len(rows)


# -- views -----------------------------------------------------------------------------------


def listing_view(listing: BrandListing) -> dict:
    """What everyone who may see the listing sees (individual votes are never in it)."""
    return {
        "id": listing.id,
        "brand_code": listing.brand_code,
        "product_id": listing.product_id,
        "enterprise_id": listing.enterprise_id,
        "status": listing.status,
        "pitch": listing.pitch,
        "document_urls": list(listing.document_urls or []),
        "submitted_at": listing.submitted_at,
        "review_started_at": listing.review_started_at,
        "decided_at": listing.decided_at,
        "decision_reason": listing.decision_reason,
        "status_reason": listing.status_reason,
        "approved_at": listing.approved_at,
        "valid_until": listing.valid_until,
        "review_round": listing.review_round,
        "review_stage": rules.review_stage(listing.status, listing.rereview_status),
        "rereview": _rereview_view(listing),
        "version": listing.version,
        "created_at": listing.created_at,
    }


def _rereview_view(listing: BrandListing) -> dict | None:
    if listing.rereview_status is None:
        return None
    return {
        "kind": listing.rereview_kind,
        "status": listing.rereview_status,
        "opened_at": listing.rereview_opened_at,
        "changes": list(listing.rereview_changes or []),
    }


def member_view(m: BrandCommitteeMember) -> dict:
    return {
        "brand_code": m.brand_code,
        "user_sub": m.user_sub,
        "name": m.name,
        "is_chair": m.is_chair,
        "conflicted_enterprise_ids": list(m.conflicted_enterprise_ids or []),
        "created_at": m.created_at,
    }


def vote_view(v: ListingVote) -> dict:
    return {
        "id": v.id,
        "member_sub": v.member_sub,
        "member_name": v.member_name,
        "round": v.round,
        "choice": v.choice,
        "scores": dict(v.scores or {}),
        "comment": v.comment,
        "cast_at": v.cast_at,
    }


def audit_view(e: ListingEvent) -> dict:
    return {
        "id": e.id,
        "at": e.at,
        "actor_sub": e.actor_sub,
        "actor_role": e.actor_role,
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "reason": e.reason,
        "vote_id": e.vote_id,
    }


# -- internals (visible, audit, conflicted and the problems are shared with listing_documents) --


def _act(cat: Catalog, listing_id: str, actor: Principal, change, *, who: str) -> dict:
    """Load the listing the caller may act on, apply `change`, commit under the version lock."""
    try:
        with cat.db.transaction() as session:
            # A member tied to the enterprise may see it, never act on it.
            listing, brand, member = visible(
                session, listing_id, actor, who=who, unconflicted=who == "committee"
            )
            change(session, listing, brand, member)
            session.flush()
            view = listing_view(listing)
    except StaleDataError as exc:
        raise concurrent_update() from exc
    return view


def visible(
    session: Session,
    listing_id: str,
    actor: Principal,
    *,
    who: str = "any",
    unconflicted: bool = False,
):
    """(listing, brand, member or None) if `actor` may see it as `who`; else 404/403.

    owner: the listing's own enterprise; committee: admins and members of its brand;
    any: both. Someone else's listing is 404, as if it did not exist. `unconflicted`: a
    member tied to the listing's enterprise is refused (403 conflict_of_interest).
    """
    listing = session.get(BrandListing, listing_id)
    if listing is None:
        raise _listing_not_found()
    brand = session.get(Brand, listing.brand_code)
    member = None
    if actor.is_("enterprise"):
        if (
            who == "committee"
            or listing.enterprise_id is None
            or listing.enterprise_id != actor.org
        ):
            raise _listing_not_found()
    elif actor.is_("committee"):
        if who == "owner" or actor.org != listing.brand_code:
            raise _listing_not_found()
        member = _committee_member(session, listing.brand_code, actor)
        if unconflicted and conflicted(member, listing):
            raise conflict_of_interest()
    elif actor.is_("admin"):
        if who == "owner":
            raise Problem(403, "forbidden_role", "권한이 없습니다", "신청 기업만 할 수 있습니다.")
    else:
        raise Problem(403, "forbidden_role", "권한이 없습니다")
    return listing, brand, member


def _committee_member(session: Session, code: str, actor: Principal) -> BrandCommitteeMember:
    member = _member(session, code, actor.sub)
    if member is None:
        raise Problem(
            403,
            "not_committee_member",
            "위원회 위원이 아닙니다",
            "이 브랜드 위원회에 등록된 위원만 할 수 있습니다.",
        )
    return member


def conflicted(member: BrandCommitteeMember, listing: BrandListing) -> bool:
    return listing.enterprise_id in (member.conflicted_enterprise_ids or [])


EVENTS = {
    "submit": "listing.submitted",
    "start_review": "listing.review_started",
    "approve": "listing.approved",
    "reject": "listing.rejected",
    "suspend": "listing.suspended",
    "reinstate": "listing.reinstated",
    "expire": "listing.expired",
    "withdraw": "listing.withdrawn",
    "reapply": "listing.reapplied",
    "record_offline": "listing.approved",
}


def _move(cat, session, listing, brand, actor, action, reason=None) -> None:
    """Move the listing through the state machine: audit row and outbox event included."""
    try:
        target = rules.next_state(listing.status, action)
    except rules.TransitionRefused as exc:
        raise refused(exc.current, action) from exc
    source = listing.status
    if source == "approved" and target != "approved":
        _close_rereview(cat, session, listing, brand, actor, reason)
    listing.status = target
    listing.updated_at = utcnow()
    if action in ("suspend", "withdraw", "reinstate", "expire", "reapply"):
        listing.status_reason = reason
    audit(session, listing, actor, action, source, target, reason)
    data = _event_data(session, listing, brand)
    if reason:
        data["reason"] = reason
    if listing.valid_until is not None:
        data["valid_until"] = listing.valid_until.isoformat()
    if action in ("approve", "record_offline"):
        data["approved_at"] = listing.approved_at.isoformat()
        data["decided"] = "offline" if action == "record_offline" else "committee"
    data["actor"] = actor.sub
    cat.outbox.record(session, EVENTS[action], data, aggregate_id=listing.id)


# A re-review's audit actions, and the event each decision emits.
REREVIEW_AUDIT = {"open": "open_review", "start_review": "start_review", "close": "close_review"}
REREVIEW_DECISIONS = {
    "extend": ("renew", "listing.renewed"),
    "keep": ("approve_change", "listing.change_approved"),
    "lapse": ("refuse_renewal", "listing.renewal_refused"),
    "suspend": ("refuse_change", None),  # the suspension that follows says it
}
REREVIEW_LABELS = {"renewal": "갱신 심사", "change": "변경 심사"}


def _move_rereview(cat, session, listing, brand, actor, action, reason=None, *, kind=None):
    """Move an approved listing's re-review (the listing's status stays `approved`)."""
    try:
        target = rules.next_rereview_state(listing.rereview_status, action)
    except rules.TransitionRefused as exc:
        raise refused(listing.status, action) from exc
    kind = kind or listing.rereview_kind
    listing.rereview_status = target
    listing.updated_at = utcnow()
    if action == "open":
        listing.rereview_kind = kind
        listing.rereview_opened_at = utcnow()
        _start_round(listing)
    elif target is None:
        listing.rereview_kind = None
        listing.rereview_opened_at = None
        listing.rereview_changes = []
    audit_action = REREVIEW_AUDIT.get(action)
    if audit_action:
        label = f"[{REREVIEW_LABELS[kind]}] {reason or ''}".strip()
        audit(session, listing, actor, audit_action, "approved", "approved", label)
    if action == "start_review":
        data = _event_data(session, listing, brand)
        data["review_kind"] = listing.rereview_kind
        cat.outbox.record(session, "listing.review_started", data, aggregate_id=listing.id)


def _close_rereview(cat, session, listing, brand, actor, reason) -> None:
    if listing.rereview_status is not None:
        _move_rereview(cat, session, listing, brand, actor, "close", reason)


def _start_round(listing: BrandListing) -> None:
    """A new review: votes of earlier rounds stay in the history but no longer count."""
    listing.review_round = (listing.review_round or 0) + 1


def _decide(cat, session, listing, brand, actor, action, reason) -> None:
    """The committee's decision on the open review (`action`: approve | reject)."""
    listing.decided_at = utcnow()
    listing.decision_reason = reason
    if listing.status == "approved":  # a re-review
        _decide_rereview(cat, session, listing, brand, actor, action, reason)
        return
    if action == "approve":
        product = session.get(Product, listing.product_id)
        listing.approved_at = utcnow()
        listing.valid_until = add_months(today_kst(), brand.listing_validity_months)
        listing.reviewed_unit_price = product.unit_price
    _move(cat, session, listing, brand, actor, action, reason)


def _decide_rereview(cat, session, listing, brand, actor, action, reason) -> None:
    kind, changes = listing.rereview_kind, list(listing.rereview_changes or [])
    outcome = rules.rereview_outcome(kind, action, bool(changes))
    _move_rereview(cat, session, listing, brand, actor, action)
    audit_action, event = REREVIEW_DECISIONS[outcome]
    audit(session, listing, actor, audit_action, "approved", "approved", reason)
    if outcome == "suspend":
        _move(cat, session, listing, brand, actor, "suspend", f"변경 심사 반려: {reason}")
        return
    if outcome in ("extend", "keep"):
        listing.reviewed_unit_price = session.get(Product, listing.product_id).unit_price
    if outcome == "extend":
        listing.valid_until = add_months(listing.valid_until, brand.listing_validity_months)
        listing.expiring_notified_at = None
    data = _event_data(session, listing, brand)
    data.update(review_kind=kind, reason=reason, changes=changes, actor=actor.sub)
    data["valid_until"] = listing.valid_until.isoformat()
    cat.outbox.record(session, event, data, aggregate_id=listing.id)


def _event_data(session, listing, brand) -> dict:
    product = session.get(Product, listing.product_id)
    return {
        "listing_id": listing.id,
        "brand_code": listing.brand_code,
        "brand_name": brand.name if brand else None,
        "product_id": listing.product_id,
        "product_name": product.name if product else None,
        "enterprise_id": listing.enterprise_id or (product.enterprise_id if product else None),
        "status": listing.status,
    }


def audit(session, listing, actor, action, source, target, reason, vote_id=None) -> None:
    session.add(
        ListingEvent(
            listing_id=listing.id,
            actor_sub=actor.sub,
            actor_role=actor.role,
            action=action,
            from_status=source,
            to_status=target,
            reason=reason,
            vote_id=vote_id,
        )
    )


def _vote_of(session, listing: BrandListing, sub: str) -> ListingVote | None:
    """The member's vote in the listing's current review round."""
    return session.scalar(
        select(ListingVote).where(
            ListingVote.listing_id == listing.id,
            ListingVote.round == listing.review_round,
            ListingVote.member_sub == sub,
        )
    )


def _brand(session: Session, code: str) -> Brand:
    brand = session.get(Brand, code)
    if brand is None:
        raise Problem(404, "brand_not_found", "브랜드를 찾을 수 없습니다")
    return brand


def _member(session: Session, code: str, sub: str) -> BrandCommitteeMember | None:
    return session.scalar(
        select(BrandCommitteeMember).where(
            BrandCommitteeMember.brand_code == code, BrandCommitteeMember.user_sub == sub
        )
    )


def _csv_safe(cell: str) -> str:
    """Keep spreadsheet formulas out of an export (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def refused(current: str, action: str) -> Problem:
    return Problem(
        409,
        "invalid_transition",
        "지금 상태에서는 할 수 없습니다",
        f"'{current}' 상태에서는 {action} 할 수 없습니다.",
        current_state=current,
    )


def _listing_not_found() -> Problem:
    return Problem(404, "listing_not_found", "브랜드 등록 신청을 찾을 수 없습니다")


def _listing_exists(existing: BrandListing) -> Problem:
    return Problem(
        409,
        "listing_exists",
        "이미 신청한 상품입니다",
        listing_id=existing.id,
        current_state=existing.status,
    )


def concurrent_update() -> Problem:
    return Problem(
        409,
        "concurrent_update",
        "다른 요청과 겹쳤습니다",
        "같은 신청을 다른 사람이 방금 바꿨습니다. 다시 시도해 주세요.",
    )


def _member_exists() -> Problem:
    return Problem(409, "member_exists", "이미 등록된 위원입니다")


def _member_not_found() -> Problem:
    return Problem(404, "member_not_found", "위원을 찾을 수 없습니다")


def _already_voted() -> Problem:
    return Problem(409, "already_voted", "이미 투표했습니다")


def conflict_of_interest() -> Problem:
    return Problem(
        403,
        "conflict_of_interest",
        "이해충돌로 참여할 수 없습니다",
        "이 기업과 관련된 위원은 이 신청을 심사할 수 없습니다.",
    )
