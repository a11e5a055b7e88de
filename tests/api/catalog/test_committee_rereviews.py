"""Re-reviews of approved listings (renewal 60 days before the end of the term, material
edits of the product), applying again after a rejection, and offline decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.adapters.models import BrandListing
from catalog.domain.brand import add_months
from catalog.services.listings.scans import scan_listings
from gachi_kit.dates import today_kst
from tests.support.catalog_builders import approve, events
from tests.support.committee import World, status_of


@pytest.fixture
def world(client, admin, token):
    return World(client, admin, token)


def listing(world, lid, headers=None):
    response = world.client.get(f"/v1/listings/{lid}", headers=headers or world.admin)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def valid_until(world, lid):
    with world.app_catalog().db.reading() as session:
        return session.get(BrandListing, lid).valid_until


def carries_brand(world) -> bool:
    page = world.client.get("/v1/brands/BITSONE/products", headers=world.admin).get_json()
    return world.product["id"] in [p["id"] for p in page["items"]]


def edit_product(world, **fields):
    response = world.client.patch(
        f"/v1/products/{world.product['id']}", json=fields, headers=world.owner()
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def actions(world, lid):
    audit = world.client.get(f"/v1/listings/{lid}/audit", headers=world.admin).get_json()
    return [e["action"] for e in audit["items"]]


def types(world, prefix="listing."):
    return [e.type for e in events(world.client.application) if e.type.startswith(prefix)]


# -- renewal ---------------------------------------------------------------------------------


def test_renewal_opens_60_days_before_and_approval_extends_the_term(world):
    lid = world.to_state("approved")
    end = valid_until(world, lid)
    cat = world.app_catalog()
    early = scan_listings(cat, end - timedelta(days=61))
    assert early == {"expired": 0, "renewal_opened": 0, "expiring": 0}
    opened = scan_listings(cat, end - timedelta(days=60))
    assert opened == {"expired": 0, "renewal_opened": 1, "expiring": 0}
    assert scan_listings(cat, end - timedelta(days=59))["renewal_opened"] == 0  # once a term

    shown = listing(world, lid, world.owner())
    assert shown["status"] == "approved" and carries_brand(world)  # still listed
    assert shown["rereview"]["kind"] == "renewal" and shown["rereview"]["status"] == "submitted"
    assert shown["review_stage"] == "submitted" and shown["review_round"] == 2
    renewal_opened = events(world.client.application, "listing.renewal_opened")[0].data
    assert renewal_opened["days_left"] == 60 and renewal_opened["valid_until"] == str(end)

    queue = world.client.get("/v1/committee/queue", headers=world.member("m3")).get_json()
    assert [i["id"] for i in queue["items"]] == [lid]
    assert queue["items"][0]["rereview"]["kind"] == "renewal"

    # the members of the first round vote again: their earlier votes do not count here
    assert world.post(lid, "review", world.member("m2")).get_json()["rereview"]["status"] == (
        "in_review"
    )
    world.vote(lid, "m1", "approve", "품질 유지")
    world.vote(lid, "m2", "approve", "")
    last = world.vote(lid, "m3", "approve", "갱신 찬성")
    assert last.status_code == 201, last.get_json()
    renewed = last.get_json()["listing"]
    assert renewed["status"] == "approved" and renewed["rereview"] is None
    assert renewed["valid_until"] == add_months(end, 24).isoformat()  # from the old end
    assert renewed["review_stage"] is None

    round_two = world.client.get(f"/v1/listings/{lid}/votes", headers=world.member("m1"))
    assert round_two.get_json()["round"] == 2
    assert [v["comment"] for v in round_two.get_json()["items"]] == ["품질 유지", "", "갱신 찬성"]
    round_one = world.client.get(f"/v1/listings/{lid}/votes?round=1", headers=world.admin)
    assert round_one.get_json()["items"] == []  # the chair decided the first round alone
    assert actions(world, lid)[-6:] == [
        "open_review",
        "start_review",
        "vote",
        "vote",
        "vote",
        "renew",
    ]
    assert types(world)[-3:] == [
        "listing.renewal_opened",
        "listing.review_started",
        "listing.renewed",
    ]
    started = events(world.client.application, "listing.review_started")[-1].data
    assert started["review_kind"] == "renewal"
    stats = world.client.get("/v1/brands/BITSONE/statistics", headers=world.admin).get_json()
    assert stats["renewed"] == 1 and stats["approved"] == 1

    # the new term gets its own renewal and its own notice, once each
    new_end = add_months(end, 24)
    assert scan_listings(cat, new_end - timedelta(days=30)) == {
        "expired": 0,
        "renewal_opened": 1,
        "expiring": 1,
    }


def test_refused_renewal_keeps_the_term_then_expires(world):
    lid = world.to_state("approved")
    end = valid_until(world, lid)
    cat = world.app_catalog()
    scan_listings(cat, end - timedelta(days=60))
    world.post(lid, "review", world.member("m1"))
    world.vote(lid, "m1", "reject", "반품률 증가")
    world.vote(lid, "m2", "reject", "")
    refused = world.vote(lid, "m3", "approve").get_json()["listing"]
    assert refused["status"] == "approved" and refused["valid_until"] == end.isoformat()
    assert refused["rereview"] is None and refused["decision_reason"] == "반품률 증가"
    assert carries_brand(world)  # until the end of the term
    refusal = events(world.client.application, "listing.renewal_refused")[0].data
    assert refusal["reason"] == "반품률 증가" and refusal["review_kind"] == "renewal"
    assert scan_listings(cat, end - timedelta(days=10))["renewal_opened"] == 0  # not again
    assert scan_listings(cat, end + timedelta(days=1))["expired"] == 1
    assert status_of(world, lid) == "expired"


# -- material edits --------------------------------------------------------------------------


def test_material_edit_flags_a_change_review_without_unlisting(world):
    lid = world.to_state("approved")
    before = len(types(world))
    edit_product(world, stock=50, tags=["간식"])  # not material: nothing to review
    edit_product(world, unit_price=3800)  # 3500 → 3800: within the brand's 10 %
    assert listing(world, lid)["rereview"] is None and len(types(world)) == before

    edit_product(world, name="국산콩 두부과자 250g", description="더 커진 두부과자")
    shown = listing(world, lid, world.owner())
    assert shown["status"] == "approved" and carries_brand(world)
    assert shown["rereview"]["kind"] == "change" and shown["rereview"]["status"] == "submitted"
    changes = {c["field"]: (c["old"], c["new"]) for c in shown["rereview"]["changes"]}
    assert changes == {
        "name": ("국산콩 두부과자 200g", "국산콩 두부과자 250g"),
        "description": ("광명에서 만든 바삭한 두부과자", "더 커진 두부과자"),
    }
    flagged = events(world.client.application, "listing.change_flagged")[0].data
    assert {c["field"] for c in flagged["changes"]} == {"name", "description"}

    # small steps add up: 3800 → 3900 is 11 % above the 3500 the committee approved
    edit_product(world, unit_price=3900)
    changes = listing(world, lid)["rereview"]["changes"]
    assert changes[-1]["field"] == "unit_price" and (changes[-1]["old"], changes[-1]["new"]) == (
        3500,
        3900,
    )
    audit = world.client.get(f"/v1/listings/{lid}/audit", headers=world.member("m1")).get_json()
    reasons = [e["reason"] for e in audit["items"] if e["action"] in ("open_review", "flag_change")]
    assert reasons == [
        "[변경 심사] 상품명: 국산콩 두부과자 200g → 국산콩 두부과자 250g; 설명 변경",
        "단가: 3500 → 3900",
    ]

    world.post(lid, "review", world.member("m2"))
    kept = world.post(
        lid, "decision", world.member("m1"), {"outcome": "approved", "reason": "변경 승인"}
    ).get_json()
    assert kept["status"] == "approved" and kept["rereview"] is None
    assert kept["valid_until"] == add_months(today_kst(), 24).isoformat()  # term unchanged
    assert events(world.client.application, "listing.change_approved")
    # the approved 3900 is the new baseline: 4200 is within 10 % of it
    edit_product(world, unit_price=4200)
    assert listing(world, lid)["rereview"] is None


def test_refused_change_suspends_the_listing(world):
    lid = world.to_state("approved")
    edit_product(world, image_urls=["https://img.example.kr/new.jpg"])
    world.post(lid, "review", world.member("m2"))
    for sub in ("m1", "m2", "m3"):
        world.vote(lid, sub, "reject", "포장 사진이 실제와 다름" if sub == "m1" else "")
    shown = listing(world, lid, world.owner())
    assert shown["status"] == "suspended" and not carries_brand(world)
    assert shown["status_reason"] == "변경 심사 반려: 포장 사진이 실제와 다름"
    assert actions(world, lid)[-2:] == ["refuse_change", "suspend"]
    assert (
        events(world.client.application, "listing.suspended")[0]
        .data["reason"]
        .startswith("변경 심사 반려")
    )


def test_edit_during_renewal_joins_it_and_renewal_waits_for_a_change_review(world):
    lid = world.to_state("approved")
    end = valid_until(world, lid)
    cat = world.app_catalog()
    # a change review is open: the renewal waits for it
    edit_product(world, unit="상자")
    assert scan_listings(cat, end - timedelta(days=60))["renewal_opened"] == 0
    world.post(lid, "review", world.member("m2"))
    world.post(lid, "decision", world.member("m1"), {"outcome": "approved", "reason": "확인"})
    assert scan_listings(cat, end - timedelta(days=59))["renewal_opened"] == 1
    # an edit while the renewal is open joins the renewal review
    edit_product(world, name="두부과자 상자")
    shown = listing(world, lid)
    assert shown["rereview"]["kind"] == "renewal"
    assert [c["field"] for c in shown["rereview"]["changes"]] == ["name"]
    assert actions(world, lid)[-1] == "flag_change"


def test_suspension_closes_an_open_rereview_and_members_rules_hold(world):
    lid = world.to_state("approved")
    edit_product(world, description="새 설명")
    world.post(lid, "review", world.member("m2"))
    # the enterprise sees the re-review but not the votes; a conflicted member cannot vote
    assert world.client.get(f"/v1/listings/{lid}/votes", headers=world.owner()).status_code == 403
    assert world.vote(lid, "mc").get_json()["code"] == "conflict_of_interest"
    world.vote(lid, "m1")
    hidden = world.client.get(f"/v1/listings/{lid}/votes", headers=world.member("m3"))
    assert hidden.status_code == 403 and hidden.get_json()["code"] == "vote_first"
    suspended = world.post(lid, "suspend", world.member("m3"), {"reason": "위생 점검"})
    assert suspended.get_json()["status"] == "suspended"
    assert suspended.get_json()["rereview"] is None
    assert actions(world, lid)[-2:] == ["close_review", "suspend"]
    refused = world.vote(lid, "m2")
    assert refused.status_code == 409 and refused.get_json()["current_state"] == "suspended"
    # an edit of a suspended listing's product opens nothing
    edit_product(world, description="다시 바꾼 설명")
    assert listing(world, lid)["rereview"] is None


def test_start_review_or_decide_without_an_open_rereview_is_refused(world):
    lid = world.to_state("approved")
    for response in (
        world.post(lid, "review", world.member("m2")),
        world.post(lid, "decision", world.member("m1"), {"outcome": "approved", "reason": "x"}),
        world.vote(lid, "m2"),
    ):
        assert response.status_code == 409 and response.get_json()["current_state"] == "approved"
    edit_product(world, description="새 설명")  # submitted: not in review yet
    early = world.post(lid, "decision", world.member("m1"), {"outcome": "approved", "reason": "x"})
    assert early.status_code == 409 and early.get_json()["code"] == "invalid_transition"
    assert listing(world, lid)["rereview"]["status"] == "submitted"


# -- applying again --------------------------------------------------------------------------


@pytest.mark.parametrize("closed", ["rejected", "withdrawn", "expired"])
def test_apply_again_after_a_closed_application(world, closed):
    lid = world.to_state(closed)
    again = world.apply(pitch="원산지 서류 보완", document_urls=["https://docs.example.kr/b.pdf"])
    assert again["id"] == lid and again["status"] == "draft" and again["review_round"] == 2
    assert again["pitch"] == "원산지 서류 보완" and again["decision_reason"] is None
    assert again["valid_until"] is None and again["submitted_at"] is None
    assert actions(world, lid)[-1] == "reapply"
    world.post(lid, "submit", world.owner())
    world.post(lid, "review", world.member("m2"))
    for sub in ("m1", "m2", "m3"):  # everyone votes again in the new round
        assert world.vote(lid, sub).status_code == 201
    assert status_of(world, lid) == "approved"


@pytest.mark.parametrize("active", ["draft", "submitted", "in_review", "approved", "suspended"])
def test_no_second_application_while_one_is_active(world, active):
    lid = world.to_state(active)
    again = world.client.post(
        "/v1/listings",
        json={"brand_code": "BITSONE", "product_id": world.product["id"]},
        headers=world.owner(),
    )
    assert again.status_code == 409 and again.get_json()["code"] == "listing_exists"
    assert again.get_json()["listing_id"] == lid and again.get_json()["current_state"] == active


# -- offline decisions -----------------------------------------------------------------------


def test_offline_approval_is_audited_and_goes_through_the_state_machine(world):
    lid = world.to_state("rejected")
    recorded = approve(world.client, world.admin, "BITSONE", world.product["id"])
    assert recorded["id"] == lid and recorded["status"] == "approved"
    assert actions(world, lid)[-1] == "record_offline"
    approved = events(world.client.application, "listing.approved")[-1].data
    assert approved["decided"] == "offline" and approved["enterprise_id"] == world.tofu["id"]

    world.post(lid, "suspend", world.member("m2"), {"reason": "점검"})
    refused = world.client.put(
        f"/v1/brands/BITSONE/listings/{world.product['id']}", json={}, headers=world.admin
    )
    assert refused.status_code == 409 and refused.get_json()["current_state"] == "suspended"
    assert status_of(world, lid) == "suspended"


def test_offline_term_closes_an_open_rereview(world):
    lid = world.to_state("approved")
    edit_product(world, name="새 이름")
    later = today_kst() + timedelta(days=900)
    recorded = approve(world.client, world.admin, "BITSONE", world.product["id"], later)
    assert recorded["valid_until"] == later.isoformat()
    shown = listing(world, lid)
    assert shown["rereview"] is None and shown["status"] == "approved"
    assert actions(world, lid)[-2:] == ["close_review", "record_offline"]
