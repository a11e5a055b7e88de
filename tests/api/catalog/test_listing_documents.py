"""Documents uploaded with a brand application: who adds, reads and removes them, when, and
what is refused (changing nothing)."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest

from catalog.adapters.models import ListingDocument
from catalog.domain.documents import MAX_DOCUMENT_BYTES
from tests.support.catalog_builders import count
from tests.support.committee import World

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
HWP = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


@pytest.fixture
def world(client, admin, token):
    return World(client, admin, token)


def upload(world, lid, name="사회적기업 인증서.pdf", content=PDF, headers=None):
    return world.client.post(
        f"/v1/listings/{lid}/documents",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=headers or world.owner(),
    )


def actions(world, lid):
    audit = world.client.get(f"/v1/listings/{lid}/audit", headers=world.admin).get_json()
    return [(e["action"], e["reason"]) for e in audit["items"]]


def test_upload_list_download_and_remove(world):
    lid = world.to_state("draft")
    added = upload(world, lid)
    assert added.status_code == 201, added.get_json()
    doc = added.get_json()
    assert doc["filename"] == "사회적기업 인증서.pdf" and doc["content_type"] == "application/pdf"
    assert doc["size_bytes"] == len(PDF) and len(doc["sha256"]) == 64
    assert upload(world, lid, "사업계획서.hwp", HWP).get_json()["content_type"] == (
        "application/x-hwp"
    )

    for reader in (world.owner(), world.member("m2"), world.admin):
        listed = world.client.get(f"/v1/listings/{lid}/documents", headers=reader).get_json()
        assert [d["filename"] for d in listed["items"]] == [
            "사회적기업 인증서.pdf",
            "사업계획서.hwp",
        ]
    got = world.client.get(f"/v1/listings/{lid}/documents/{doc['id']}", headers=world.member("m1"))
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]) == "사회적기업 인증서.pdf"

    gone = world.client.delete(f"/v1/listings/{lid}/documents/{doc['id']}", headers=world.owner())
    assert gone.status_code == 204
    assert count(world.client.application, ListingDocument) == 1
    assert [a for a in actions(world, lid) if a[0].endswith("_document")] == [
        ("add_document", "사회적기업 인증서.pdf"),
        ("add_document", "사업계획서.hwp"),
        ("remove_document", "사회적기업 인증서.pdf"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("인증서.pdf", b"MZ\x90\x00 not a pdf", "PDF, PNG, JPEG, 한글(HWP) 파일만"),
        ("인증서.pdf", b"", "빈 파일"),
        ("", PDF, "파일 이름"),
        ("인증서.pdf", b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "10MB까지"),
    ],
)
def test_refused_uploads_change_nothing(world, name, content, message):
    lid = world.to_state("draft")
    refused = upload(world, lid, name, content)
    assert refused.status_code == 422, refused.get_json()
    body = refused.get_json()
    assert body["code"] == "invalid_document" and message in body["errors"]["file"][0]
    assert count(world.client.application, ListingDocument) == 0


def test_no_file_at_all_is_422(world):
    lid = world.to_state("draft")
    bare = world.client.post(
        f"/v1/listings/{lid}/documents", json={"file": "x"}, headers=world.owner()
    )
    assert bare.status_code == 422 and bare.get_json()["code"] == "invalid_document"


def test_a_body_over_the_cap_is_413_before_it_is_read(world):
    lid = world.to_state("draft")
    huge = upload(world, lid, "큰파일.pdf", b"%PDF-" + b"0" * (MAX_DOCUMENT_BYTES + 128 * 1024))
    assert huge.status_code == 413 and huge.get_json()["code"] == "payload_too_large"
    # other listing routes keep the ordinary 2 MiB cap
    big_json = world.client.patch(
        f"/v1/listings/{lid}", json={"pitch": "가" * (3 * 1024 * 1024)}, headers=world.owner()
    )
    assert big_json.status_code == 413


@pytest.mark.parametrize(
    ("state", "add", "remove"),
    [
        ("draft", 201, 204),
        ("submitted", 201, 409),
        ("in_review", 201, 409),
        ("approved", 409, 409),
        ("rejected", 409, 409),
        ("withdrawn", 409, 409),
    ],
)
def test_when_documents_may_change(world, state, add, remove):
    lid = world.to_state("draft")
    doc = upload(world, lid).get_json()
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "in_review": ["submit", "review"],
        "approved": ["submit", "review", "approve"],
        "rejected": ["submit", "review", "reject"],
        "withdrawn": ["withdraw"],
    }[state]
    for step in steps:
        if step == "submit":
            world.post(lid, "submit", world.owner())
        elif step == "review":
            world.post(lid, "review", world.member("m2"))
        elif step == "withdraw":
            world.post(lid, "withdraw", world.owner(), {})
        else:
            outcome = {"approve": "approved", "reject": "rejected"}[step]
            world.post(lid, "decision", world.member("m1"), {"outcome": outcome, "reason": "결정"})
    added = upload(world, lid, "보완서류.pdf")
    assert added.status_code == add, added.get_json()
    if add == 409:
        assert added.get_json()["current_state"] == state
    removed = world.client.delete(
        f"/v1/listings/{lid}/documents/{doc['id']}", headers=world.owner()
    )
    assert removed.status_code == remove


def test_who_may_see_and_change_documents(world):
    lid = world.to_state("submitted")
    doc = upload(world, lid).get_json()
    url = f"/v1/listings/{lid}/documents"
    others = {
        "other enterprise": world.token("enterprise", world.other["id"]),
        "other brand's member": world.member("ox", "SOCIALGOODS"),
        "buyer": world.token("buyer", "INST-1"),
    }
    for who, headers in others.items():
        assert world.client.get(url, headers=headers).status_code in (403, 404), who
        assert world.client.get(f"{url}/{doc['id']}", headers=headers).status_code in (403, 404)
    conflicted = world.client.get(f"{url}/{doc['id']}", headers=world.member("mc"))
    assert conflicted.status_code == 403 and conflicted.get_json()["code"] == "conflict_of_interest"
    # only the enterprise uploads; an admin or a member cannot add to its application
    assert upload(world, lid, headers=world.admin).status_code == 403
    assert upload(world, lid, headers=world.member("m2")).status_code == 403
    assert world.client.get(f"{url}/NOPE", headers=world.owner()).status_code == 404
    assert count(world.client.application, ListingDocument) == 1


def test_documents_may_be_added_to_an_open_rereview(world):
    lid = world.to_state("approved")
    assert upload(world, lid).status_code == 409
    world.client.patch(
        f"/v1/products/{world.product['id']}", json={"name": "새 이름"}, headers=world.owner()
    )
    assert upload(world, lid, "변경 사유서.pdf").status_code == 201
