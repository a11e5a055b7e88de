"""Brand committee workflow: applications, reviews, votes, decisions, audit, queue, scans."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.adapters.models import BrandListing, ListingEvent, ListingVote
from catalog.domain.brand import add_months
from catalog.services.certifications import scan_certifications
from catalog.services.listings.scans import scan_listings
from gachi_kit.dates import today_kst
from tests.support.builders import create_product
from tests.support.catalog_builders import count, events
from tests.support.committee import World, status_of


@pytest.fixture
def world(client, admin, token):
    return World(client, admin, token)


# -- the happy path --------------------------------------------------------------------------


def test_apply_submit_review_vote_to_approval(world, catalog_app):
    draft = world.apply(pitch="국산콩 100%", document_urls=["https://docs.example.kr/a.pdf"])
    assert draft["status"] == "draft" and draft["enterprise_id"] == world.tofu["id"]
    lid = draft["id"]
    edited = world.client.patch(
        f"/v1/listings/{lid}", json={"pitch": "광명 국산콩"}, headers=world.owner()
    )
    assert edited.get_json()["pitch"] == "광명 국산콩"
    assert world.post(lid, "submit", world.owner()).get_json()["status"] == "submitted"
    assert world.post(lid, "review", world.member("m1")).get_json()["status"] == "in_review"

    first = world.vote(lid, "m1", "approve", "좋습니다")
    assert first.status_code == 201 and first.get_json()["listing"]["status"] == "in_review"
    # m2 cannot see votes before voting
    hidden = world.client.get(f"/v1/listings/{lid}/votes", headers=world.member("m2"))
    assert hidden.status_code == 403 and hidden.get_json()["code"] == "vote_first"
    assert world.vote(lid, "m2", "reject", "가격이 높음").status_code == 201
    seen = world.client.get(f"/v1/listings/{lid}/votes", headers=world.member("m2")).get_json()
    assert [v["member_sub"] for v in seen["items"]] == ["m1", "m2"]
    third = world.vote(lid, "m3", "approve", "지역성 우수")
    listing = third.get_json()["listing"]
    assert listing["status"] == "approved"
    assert listing["valid_until"] == add_months(today_kst(), 24).isoformat()

    # the enterprise sees status and reasons but no votes
    mine = world.client.get(f"/v1/listings/{lid}", headers=world.owner()).get_json()
    assert mine["status"] == "approved" and "votes" not in mine
    votes = world.client.get(f"/v1/listings/{lid}/votes", headers=world.owner())
    assert votes.status_code == 403
    types = [e.type for e in events(catalog_app) if e.type.startswith("listing.")]
    assert types == ["listing.submitted", "listing.review_started", "listing.approved"]
    approved = events(catalog_app, "listing.approved")[0]
    assert {"listing_id", "brand_code", "product_id", "enterprise_id", "status"} <= set(
        approved.data
    )

    audit = world.client.get(f"/v1/listings/{lid}/audit", headers=world.member("m1")).get_json()
    actions = [(e["action"], e["from_status"], e["to_status"]) for e in audit["items"]]
    assert actions == [
        ("create", None, "draft"),
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "in_review"),
        ("vote", "in_review", None),
        ("vote", "in_review", None),
        ("vote", "in_review", None),
        ("approve", "in_review", "approved"),
    ]
    assert all(e["vote_id"] for e in audit["items"] if e["action"] == "vote")
    csv = world.client.get(f"/v1/listings/{lid}/audit?format=csv", headers=world.admin)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("at,actor_sub") and len(lines) == 8

    stats = world.client.get("/v1/brands/BITSONE/statistics", headers=world.member("m3"))
    assert stats.get_json()["approved"] == 1 and stats.get_json()["rejected"] == 0
    assert stats.get_json()["average_decision_hours"] is not None


def test_the_audit_trail_keeps_votes_secret_until_the_reader_has_voted(world):
    lid = world.to_state("in_review")
    world.vote(lid, "m1", "reject", "가격이 너무 높음")

    def audit(member):
        trail = world.client.get(f"/v1/listings/{lid}/audit", headers=world.member(member))
        exported = world.client.get(
            f"/v1/listings/{lid}/audit?format=csv", headers=world.member(member)
        )
        return trail.get_json()["items"], exported.data.decode("utf-8-sig")

    items, exported = audit("m2")  # m2 has not voted in this round
    assert [e for e in items if e["action"] == "vote"] == []
    assert "가격이 너무 높음" not in exported and ",vote," not in exported
    assert [e["action"] for e in items][-1] == "start_review"

    world.vote(lid, "m2", "approve", "지역 상생")
    items, exported = audit("m2")
    assert [e["reason"] for e in items if e["action"] == "vote"] == [
        "가격이 너무 높음",
        "지역 상생",
    ]
    assert "가격이 너무 높음" in exported
    # the chair (an admin) and the decided review show every vote to everyone
    admin_items = world.client.get(f"/v1/listings/{lid}/audit", headers=world.admin).get_json()
    assert len([e for e in admin_items["items"] if e["action"] == "vote"]) == 2


def _payload_data(message):
    return message.data


def test_majority_reject_gathers_reasons(world, catalog_app):
    lid = world.to_state("in_review")
    world.vote(lid, "m1", "reject", "원산지 서류 부족")
    world.vote(lid, "m2", "approve", "")
    last = world.vote(lid, "m3", "reject", "포장 표시 미흡").get_json()["listing"]
    assert last["status"] == "rejected"
    assert last["decision_reason"] == "원산지 서류 부족\n포장 표시 미흡"
    rejected = _payload_data(events(catalog_app, "listing.rejected")[0])
    assert rejected["reason"] == "원산지 서류 부족\n포장 표시 미흡"
    mine = world.client.get(f"/v1/listings/{lid}", headers=world.owner()).get_json()
    assert mine["decision_reason"] == "원산지 서류 부족\n포장 표시 미흡"


def test_chair_decides_and_others_cannot(world):
    lid = world.to_state("in_review")
    refused = world.post(
        lid, "decision", world.member("m2"), {"outcome": "approved", "reason": "x"}
    )
    assert refused.status_code == 403 and refused.get_json()["code"] == "not_chair"
    ok = world.post(
        lid, "decision", world.member("m1"), {"outcome": "rejected", "reason": "부적합"}
    )
    assert ok.get_json()["status"] == "rejected" and ok.get_json()["decision_reason"] == "부적합"


def test_vote_refusals(world):
    lid = world.to_state("in_review")
    conflicted = world.vote(lid, "mc")
    assert conflicted.status_code == 403 and conflicted.get_json()["code"] == "conflict_of_interest"
    assert world.vote(lid, "m1", scores={"locality": 6, "quality": 3}).status_code == 422
    bad = world.vote(lid, "m1", scores={"locality": 5, "quality": 3, "taste": 3})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]["scores"]) == {"taste"}
    missing = world.vote(lid, "m1", scores={"locality": 3})
    assert missing.status_code == 422 and missing.get_json()["code"] == "invalid_scores"
    assert world.vote(lid, "m1", "abstain", scores={}).status_code == 201
    again = world.vote(lid, "m1")
    assert again.status_code == 409 and again.get_json()["code"] == "already_voted"
    assert count(world.client.application, ListingVote) == 1


def test_document_urls_https_only(world):
    r = world.client.post(
        "/v1/listings",
        json={
            "brand_code": "BITSONE",
            "product_id": world.product["id"],
            "document_urls": ["http://docs.example.kr/a.pdf"],
        },
        headers=world.owner(),
    )
    assert r.status_code == 422 and "document_urls" in r.get_json()["errors"]
    dup = world.apply()
    again = world.client.post(
        "/v1/listings",
        json={"brand_code": "BITSONE", "product_id": world.product["id"]},
        headers=world.owner(),
    )
    assert again.status_code == 409 and again.get_json()["listing_id"] == dup["id"]
    foreign = world.client.post(
        "/v1/listings",
        json={"brand_code": "BITSONE", "product_id": world.product["id"]},
        headers=world.token("enterprise", world.other["id"]),
    )
    assert foreign.status_code == 404


# -- every transition through the API --------------------------------------------------------

ACTION_CALLS = {
    "submit": lambda w, lid: w.post(lid, "submit", w.owner()),
    "review": lambda w, lid: w.post(lid, "review", w.member("m2")),
    "decide": lambda w, lid: w.post(
        lid, "decision", w.member("m1"), {"outcome": "approved", "reason": "결정"}
    ),
    "suspend": lambda w, lid: w.post(lid, "suspend", w.member("m2"), {"reason": "점검"}),
    "reinstate": lambda w, lid: w.post(lid, "reinstate", w.member("m2"), {"reason": "개선"}),
    "withdraw": lambda w, lid: w.post(lid, "withdraw", w.owner(), {}),
    "vote": lambda w, lid: w.vote(lid, "m3"),
}
ALLOWED_FROM = {
    "submit": {"draft": "submitted"},
    "review": {"submitted": "in_review"},
    "decide": {"in_review": "approved"},
    "suspend": {"approved": "suspended"},
    "reinstate": {"suspended": "approved"},
    "withdraw": {"draft": "withdrawn", "submitted": "withdrawn", "in_review": "withdrawn"},
    "vote": {"in_review": "in_review"},
}
STATES = (
    "draft",
    "submitted",
    "in_review",
    "approved",
    "rejected",
    "suspended",
    "withdrawn",
    "expired",
)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(ACTION_CALLS))
def test_transition_through_api(world, action, state):
    lid = world.to_state(state)
    before = count(world.client.application, ListingEvent)
    response = ACTION_CALLS[action](world, lid)
    target = ALLOWED_FROM[action].get(state)
    if target is None:
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["code"] == "invalid_transition"
        assert response.get_json()["current_state"] == state
        assert status_of(world, lid) == state
        assert count(world.client.application, ListingEvent) == before
    else:
        assert response.status_code in (200, 201), response.get_json()
        assert status_of(world, lid) == target


def test_reject_via_chair_and_expire_via_scan(world, catalog_app):
    lid = world.to_state("rejected")
    assert status_of(world, lid) == "rejected"
    cat = catalog_app.extensions["catalog"]
    world.product = create_product(world.client, world.admin, world.tofu["id"])
    lid2 = world.to_state("approved")
    with cat.db.reading() as session:
        valid_until = session.get(BrandListing, lid2).valid_until
    # 30 days before (first scan: the renewal review was not opened yet either): both, once
    first = scan_listings(cat, valid_until - timedelta(days=30))
    assert first == {"expired": 0, "renewal_opened": 1, "expiring": 1}
    later = scan_listings(cat, valid_until - timedelta(days=10))
    assert later == {"expired": 0, "renewal_opened": 0, "expiring": 0}
    # nobody renewed it: it expires, and the open renewal review closes with it
    after = scan_listings(cat, valid_until + timedelta(days=1))
    assert after == {"expired": 1, "renewal_opened": 0, "expiring": 0}
    assert status_of(world, lid2) == "expired"
    listing = world.client.get(f"/v1/listings/{lid2}", headers=world.admin).get_json()
    assert listing["rereview"] is None and listing["review_stage"] is None
    assert len(events(catalog_app, "listing.expiring")) == 1
    assert len(events(catalog_app, "listing.expired")) == 1


def test_certification_lapse_suspends_and_reinstate(world, catalog_app):
    lid = world.to_state("approved")
    cat = catalog_app.extensions["catalog"]
    # the enterprise's only certification runs out a year from now
    scan_certifications(cat, today_kst() + timedelta(days=400))
    assert status_of(world, lid) == "suspended"
    suspended = _payload_data(events(catalog_app, "listing.suspended")[0])
    assert suspended["reason"].startswith("기업 인증 만료")
    back = world.post(lid, "reinstate", world.member("m1"), {"reason": "인증 갱신 확인"})
    assert back.get_json()["status"] == "approved"
    assert len(events(catalog_app, "listing.reinstated")) == 1


def test_queue_oldest_first_without_voted_or_conflicted(world):
    first = world.to_state("submitted")
    world.product = create_product(world.client, world.admin, world.tofu["id"])
    second = world.to_state("in_review")
    queue = world.client.get("/v1/committee/queue", headers=world.member("m2")).get_json()
    assert [i["id"] for i in queue["items"]] == [first, second]
    assert all(i["waited_hours"] >= 0 for i in queue["items"])
    world.vote(second, "m2")
    queue = world.client.get("/v1/committee/queue", headers=world.member("m2")).get_json()
    assert [i["id"] for i in queue["items"]] == [first]
    conflicted = world.client.get("/v1/committee/queue", headers=world.member("mc")).get_json()
    assert conflicted["items"] == []
    other = world.client.get("/v1/committee/queue", headers=world.member("ox", "SOCIALGOODS"))
    assert other.get_json()["items"] == []


def test_membership_admin_crud(world):
    listed = world.client.get("/v1/brands/BITSONE/committee", headers=world.admin).get_json()
    assert [m["user_sub"] for m in listed["items"]] == ["m1", "m2", "m3", "mc"]
    dup = world.client.post(
        "/v1/brands/BITSONE/committee", json={"user_sub": "m1", "name": "x"}, headers=world.admin
    )
    assert dup.status_code == 409 and dup.get_json()["code"] == "member_exists"
    changed = world.client.patch(
        "/v1/brands/BITSONE/committee/m2", json={"is_chair": True}, headers=world.admin
    )
    assert changed.get_json()["is_chair"] is True
    assert (
        world.client.delete("/v1/brands/BITSONE/committee/m3", headers=world.admin).status_code
        == 204
    )
    gone = world.client.get("/v1/committee/queue", headers=world.member("m3"))
    assert gone.status_code == 403 and gone.get_json()["code"] == "not_committee_member"
