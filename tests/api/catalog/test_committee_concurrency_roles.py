"""Concurrent votes and decisions (optimistic lock), and the role matrix on every endpoint."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import select

from catalog.adapters.models import ListingVote
from tests.support.catalog_builders import events
from tests.support.committee import World, status_of


@pytest.fixture
def world(client, admin, token):
    w = World(client, admin, token)
    for sub in ("m4", "m5", "m6"):
        w.add_member("BITSONE", sub, f"위원 {sub}")
    return w


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.committed  # threads race on real connections
def test_concurrent_votes_lose_nothing(world, catalog_app):
    world.client.patch("/v1/brands/BITSONE", json={"quorum": 10}, headers=world.admin)
    lid = world.to_state("in_review")
    subs = ["m1", "m2", "m3", "m4", "m5"]
    pending = list(subs)
    for _round in range(10):
        if not pending:
            break
        results = _race([lambda s=s: world.vote(lid, s) for s in pending])
        for sub, r in zip(list(pending), results, strict=True):
            if r.status_code == 201:
                pending.remove(sub)
            else:
                assert r.status_code == 409 and r.get_json()["code"] == "concurrent_update"
    assert pending == []
    with catalog_app.extensions["catalog"].db.reading() as session:
        voters = session.scalars(
            select(ListingVote.member_sub).where(ListingVote.listing_id == lid)
        )
        assert sorted(voters) == subs


@pytest.mark.committed  # threads race on real connections
def test_chair_decision_racing_votes_gives_one_outcome(world, catalog_app):
    lid = world.to_state("in_review")
    decide = lambda: world.post(  # noqa: E731
        lid, "decision", world.member("m1"), {"outcome": "rejected", "reason": "위원장 반려"}
    )
    results = _race([decide, lambda: world.vote(lid, "m2"), lambda: world.vote(lid, "m3")])
    codes = [r.status_code for r in results]
    assert all(c in (200, 201, 409) for c in codes), [r.get_json() for r in results]
    decided = events(catalog_app, "listing.approved") + events(catalog_app, "listing.rejected")
    final = status_of(world, lid)
    assert final in ("in_review", "rejected")
    assert len(decided) == (1 if final == "rejected" else 0)
    with catalog_app.extensions["catalog"].db.reading() as session:
        stored = session.scalars(
            select(ListingVote.member_sub).where(ListingVote.listing_id == lid)
        )
        stored = sorted(stored)
    accepted = sorted(
        s for s, r in zip(["m2", "m3"], results[1:], strict=True) if r.status_code == 201
    )
    assert stored == accepted  # every acknowledged vote is kept, no other
    if final == "in_review":  # the decision lost: a retry works
        assert decide().status_code == 200
        assert status_of(world, lid) == "rejected"


@pytest.mark.committed  # threads race on real connections
def test_product_edits_racing_votes_on_a_change_review(world, catalog_app):
    """The product's enterprise edits it while members vote on its change review: every
    answer is a success or a 409, every acknowledged vote and edit is kept."""
    lid = world.to_state("approved")
    product_url = f"/v1/products/{world.product['id']}"
    world.client.patch(product_url, json={"description": "첫 변경"}, headers=world.owner())
    world.post(lid, "review", world.member("m2"))
    edits = [f"변경 {i}" for i in range(3)]
    calls = [
        lambda d=d: world.client.patch(product_url, json={"description": d}, headers=world.owner())
        for d in edits
    ] + [lambda s=s: world.vote(lid, s, "abstain", scores={}) for s in ("m4", "m5", "m6")]
    results = _race(calls)
    assert all(r.status_code in (200, 201, 409) for r in results), [r.get_json() for r in results]
    shown = world.client.get(f"/v1/listings/{lid}", headers=world.admin).get_json()
    flagged = [c["new"] for c in shown["rereview"]["changes"]]
    for d, r in zip(edits, results[:3], strict=True):
        assert (d in flagged) == (r.status_code == 200)
    with catalog_app.extensions["catalog"].db.reading() as session:
        voters = sorted(
            session.scalars(select(ListingVote.member_sub).where(ListingVote.listing_id == lid))
        )
    acked = sorted(
        s for s, r in zip(("m4", "m5", "m6"), results[3:], strict=True) if r.status_code == 201
    )
    assert voters == acked


# -- role matrix -----------------------------------------------------------------------------

ROLES = ("admin", "member", "other_brand", "conflicted", "owner", "other_ent", "buyer", "anon")


def headers(world, role):
    return {
        "admin": world.admin,
        "member": world.member("m2"),
        "other_brand": world.member("ox", "SOCIALGOODS"),
        "conflicted": world.member("mc"),
        "owner": world.owner(),
        "other_ent": world.token("enterprise", world.other["id"]),
        "buyer": world.token("buyer", "INST-1"),
        "anon": {},
    }[role]


# endpoint -> (state to start from, method, path, body, expected status per role)
D = {"admin": 403, "member": 403, "other_brand": 403, "conflicted": 403}
MATRIX = {
    "members_get": (
        None,
        "get",
        "/v1/brands/BITSONE/committee",
        None,
        {"admin": 200, "member": 403, "owner": 403},
    ),
    "members_post": (
        None,
        "post",
        "/v1/brands/BITSONE/committee",
        {"user_sub": "n1", "name": "새위원"},
        {"admin": 201, "member": 403, "owner": 403},
    ),
    "member_patch": (
        None,
        "patch",
        "/v1/brands/BITSONE/committee/m3",
        {"is_chair": True},
        {"admin": 200, "member": 403, "owner": 403},
    ),
    "member_delete": (
        None,
        "delete",
        "/v1/brands/BITSONE/committee/m3",
        None,
        {"admin": 204, "member": 403, "owner": 403},
    ),
    "statistics": (
        None,
        "get",
        "/v1/brands/BITSONE/statistics",
        None,
        {"admin": 200, "member": 200, "other_brand": 404, "conflicted": 200, "owner": 403},
    ),
    "list": (
        "draft",
        "get",
        "/v1/listings",
        None,
        {
            "admin": 200,
            "member": 200,
            "other_brand": 200,
            "conflicted": 200,
            "owner": 200,
            "other_ent": 200,
        },
    ),
    "create": (
        None,
        "post",
        "/v1/listings",
        "create",
        {"admin": 403, "member": 403, "owner": 201, "other_ent": 404},
    ),
    "get": (
        "draft",
        "get",
        "/v1/listings/{id}",
        None,
        {
            "admin": 200,
            "member": 200,
            "other_brand": 404,
            "conflicted": 200,
            "owner": 200,
            "other_ent": 404,
        },
    ),
    "patch": (
        "draft",
        "patch",
        "/v1/listings/{id}",
        {"pitch": "수정"},
        {"admin": 403, "member": 403, "other_brand": 403, "owner": 200, "other_ent": 404},
    ),
    "submit": (
        "draft",
        "post",
        "/v1/listings/{id}/submit",
        None,
        {"admin": 403, "member": 403, "owner": 200, "other_ent": 404},
    ),
    "withdraw": (
        "draft",
        "post",
        "/v1/listings/{id}/withdraw",
        {},
        {"admin": 403, "member": 403, "owner": 200, "other_ent": 404},
    ),
    "review": (
        "submitted",
        "post",
        "/v1/listings/{id}/review",
        None,
        {"admin": 403, "member": 200, "other_brand": 404, "conflicted": 403, "owner": 403},
    ),
    "vote": (
        "in_review",
        "post",
        "/v1/listings/{id}/votes",
        {"choice": "approve", "scores": {"locality": 4, "quality": 4}},
        {"admin": 403, "member": 201, "other_brand": 404, "conflicted": 403, "owner": 403},
    ),
    "votes_get": (
        "approved",
        "get",
        "/v1/listings/{id}/votes",
        None,
        {"admin": 200, "member": 200, "other_brand": 404, "conflicted": 403, "owner": 403},
    ),
    "decision": (
        "in_review",
        "post",
        "/v1/listings/{id}/decision",
        {"outcome": "approved", "reason": "r"},
        {"admin": 403, "member": 403, "other_brand": 404, "conflicted": 403, "owner": 403},
    ),
    "suspend": (
        "approved",
        "post",
        "/v1/listings/{id}/suspend",
        {"reason": "점검"},
        {"admin": 200, "member": 200, "other_brand": 404, "conflicted": 403, "owner": 403},
    ),
    "reinstate": (
        "suspended",
        "post",
        "/v1/listings/{id}/reinstate",
        {"reason": "개선"},
        {"admin": 200, "member": 200, "other_brand": 404, "conflicted": 403, "owner": 403},
    ),
    "audit": (
        "submitted",
        "get",
        "/v1/listings/{id}/audit",
        None,
        {"admin": 200, "member": 200, "other_brand": 404, "conflicted": 403, "owner": 403},
    ),
    "documents_get": (
        "submitted",
        "get",
        "/v1/listings/{id}/documents",
        None,
        {
            "admin": 200,
            "member": 200,
            "other_brand": 404,
            "conflicted": 403,
            "owner": 200,
            "other_ent": 404,
        },
    ),
    "documents_post": (
        "draft",
        "post",
        "/v1/listings/{id}/documents",
        "upload",
        {"admin": 403, "member": 403, "owner": 201, "other_ent": 404},
    ),
    "queue": (
        None,
        "get",
        "/v1/committee/queue",
        None,
        {"admin": 403, "member": 200, "other_brand": 200, "conflicted": 200, "owner": 403},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_role_matrix(world, endpoint, role):
    state, method, path, body, expected = MATRIX[endpoint]
    lid = world.to_state(state) if state else None
    if body == "create":
        body = {"brand_code": "BITSONE", "product_id": world.product["id"]}
    want = expected.get(role)
    if want is None:
        want = {"anon": 401, "buyer": 403, "other_ent": 403}.get(role, 403)
    url = path.replace("{id}", lid or "")
    if body == "upload":
        response = world.client.post(
            url,
            data={"file": (io.BytesIO(b"%PDF-1.7\n"), "인증서.pdf")},
            content_type="multipart/form-data",
            headers=headers(world, role),
        )
    else:
        response = getattr(world.client, method)(url, json=body, headers=headers(world, role))
    assert response.status_code == want, (endpoint, role, response.get_json())
    if endpoint == "list" and role in ("other_brand", "other_ent"):
        assert response.get_json()["items"] == []
