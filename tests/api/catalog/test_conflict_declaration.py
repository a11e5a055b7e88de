"""A committee member declares their own conflict of interest with a listing's enterprise
(`POST /v1/listings/{id}/conflict`): then its documents, votes and decisions are closed to
them. Idempotent, in the audit trail, and nothing changes on a refusal."""

from __future__ import annotations

import pytest

from catalog.adapters.models import BrandCommitteeMember, ListingEvent
from tests.api.catalog.test_listing_documents import upload
from tests.support.committee import World

REASON = "신청 기업 대표가 제 배우자의 형제입니다"


@pytest.fixture
def world(client, admin, token):
    return World(client, admin, token)


def count(world, model, **where) -> int:
    from sqlalchemy import func, select

    query = select(func.count()).select_from(model).filter_by(**where)
    with world.app_catalog().db.reading() as session:
        return session.scalar(query)


def declare(world, lid, headers, reason=REASON):
    return world.post(lid, "conflict", headers, {"reason": reason})


def ties_of(world, sub):
    members = world.client.get("/v1/brands/BITSONE/committee", headers=world.admin).get_json()
    (member,) = [m for m in members["items"] if m["user_sub"] == sub]
    return member["conflicted_enterprise_ids"]


def test_a_member_declares_and_loses_documents_and_votes(world):
    lid = world.to_state("in_review")
    doc = upload(world, lid).get_json()
    m3 = world.member("m3")
    assert world.client.get(f"/v1/listings/{lid}/documents", headers=m3).status_code == 200

    declared = declare(world, lid, m3)
    assert declared.status_code == 200, declared.get_json()
    assert declared.get_json()["conflicted_enterprise_ids"] == [world.tofu["id"]]
    assert ties_of(world, "m3") == [world.tofu["id"]]

    for response in (
        world.client.get(f"/v1/listings/{lid}/documents", headers=m3),
        world.client.get(f"/v1/listings/{lid}/documents/{doc['id']}", headers=m3),
        world.vote(lid, "m3"),
    ):
        assert response.status_code == 403
        body = response.get_json()
        assert (body["code"], body["title"]) == (
            "conflict_of_interest",
            "이해충돌로 참여할 수 없습니다",
        )
    assert world.vote(lid, "m2").status_code == 201  # the others carry on

    trail = world.client.get(f"/v1/listings/{lid}/audit", headers=world.admin).get_json()
    (row,) = [r for r in trail["items"] if r["action"] == "declare_conflict"]
    assert (row["actor_sub"], row["reason"], row["from_status"]) == ("m3", REASON, "in_review")


def test_declaring_twice_changes_nothing(world):
    lid = world.to_state("submitted")
    first = declare(world, lid, world.member("m2"))
    again = declare(world, lid, world.member("m2"), reason="다시 신고")
    assert first.status_code == again.status_code == 200
    assert again.get_json()["conflicted_enterprise_ids"] == [world.tofu["id"]]
    assert count(world, ListingEvent, action="declare_conflict") == 1
    # already tied (recorded by an admin): nothing new either
    assert declare(world, lid, world.member("mc")).status_code == 200
    assert ties_of(world, "mc") == [world.tofu["id"]]
    assert count(world, ListingEvent, action="declare_conflict") == 1


def test_only_a_member_of_the_brand_declares_and_a_refusal_changes_nothing(world):
    lid = world.to_state("submitted")
    before = count(world, ListingEvent)
    for headers, status, code in (
        (world.admin, 403, "forbidden_role"),
        (world.owner(), 403, "forbidden_role"),
        (world.token("buyer", "inst-1", dept="총무과"), 403, "forbidden_role"),
        (world.token("committee", "SOCIALGOODS", sub="ox"), 404, "listing_not_found"),
        (world.token("committee", "BITSONE", sub="stranger"), 403, "not_committee_member"),
    ):
        refused = declare(world, lid, headers)
        assert refused.status_code == status, (headers, refused.get_json())
        assert refused.get_json()["code"] == code
    assert (
        world.client.post(f"/v1/listings/{lid}/conflict", json={"reason": REASON}).status_code
        == 401
    )
    blank = declare(world, lid, world.member("m2"), reason="")
    assert blank.status_code == 422 and "reason" in blank.get_json()["errors"]
    missing = declare(world, "01JNOSUCHLISTING0000000000", world.member("m2"))
    assert missing.status_code == 404
    assert count(world, ListingEvent) == before
    assert ties_of(world, "m2") == [] and ties_of(world, "m1") == []
    assert count(world, BrandCommitteeMember) == 5
