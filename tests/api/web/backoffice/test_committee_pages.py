"""The brand committee in the browser: the queue, an application with its documents,
scoring and votes, the chair's decision, conflicts of interest, audit trail, statistics."""

from __future__ import annotations

import io

import pytest

from tests.api.web.backoffice.conftest import post_form, text_of
from tests.support.builders import create_product
from tests.support.committee import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def committee(api, token, people):
    world = World(api["catalog"], token("admin"), token)
    listing = world.apply(pitch="광명산 국산콩 100%")
    upload = api["catalog"].post(
        f"/v1/listings/{listing['id']}/documents",
        data={"file": (io.BytesIO(PDF), "사업계획서.pdf")},
        headers=world.owner(),
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    assert world.post(listing["id"], "submit", world.owner()).status_code == 200
    members = {
        sub: people("committee", "BITSONE", "비츠원", sub=sub, chair=sub == "m1", name=name)
        for sub, name in (("m1", "김위원장"), ("m2", "이위원"), ("m3", "박위원"), ("mc", "최위원"))
    }
    return {"world": world, "listing": listing["id"], "members": members}


def approved_listing(committee, api):
    """Another product of the same enterprise, approved under 비츠원."""
    world = committee["world"]
    world.product = create_product(api["catalog"], world.admin, world.tofu["id"], name="두부 1모")
    return world.to_state("approved")


def page_of(committee):
    return f"/committee/listings/{committee['listing']}"


VOTE = {"choice": "approve", "score_locality": "4", "score_quality": "5", "comment": "지역 원료"}


def test_queue_lists_the_new_application_with_filters(committee):
    queue = text_of(committee["members"]["m2"].get("/committee/"))
    assert "국산콩 두부과자 200g" in queue and "새 신청" in queue and "심사 시작 전" in queue
    renewals = text_of(committee["members"]["m2"].get("/committee/?kind=renewal"))
    assert "지금 심사할 신청이 없습니다." in renewals
    assert "지금 심사할 신청이 없습니다." in text_of(committee["members"]["mc"].get("/committee/"))


def test_application_page_shows_product_enterprise_and_the_pdf_inline(committee):
    client = committee["members"]["m2"]
    page = text_of(client.get(page_of(committee)))
    assert "광명두부마을 협동조합" in page and "사업계획서.pdf" in page
    assert "광명산 국산콩 100%" in page
    assert "위원장 업무" not in page  # only the chair starts and decides
    view = page.split('href="' + page_of(committee) + "/documents/")[1].split('"')[0]
    shown = client.get(f"{page_of(committee)}/documents/{view.replace('&amp;', '&')}")
    assert shown.data == PDF
    assert shown.headers["Content-Disposition"].startswith("inline")


def test_two_members_vote_the_conflicted_one_sees_nothing_the_chair_decides(committee):
    m = committee["members"]
    chair_page = text_of(m["m1"].get(page_of(committee)))
    assert "심사 시작" in chair_page
    assert (
        post_form(m["m1"], page_of(committee) + "/review", {}, page=page_of(committee)).status_code
        == 302
    )
    before = text_of(m["m2"].get(page_of(committee)))
    assert "다른 위원의 표는 내가 투표한 뒤에 보입니다." in before
    missing = post_form(
        m["m2"], page_of(committee) + "/vote", {"choice": "reject"}, page=page_of(committee)
    )
    assert missing.status_code == 422
    assert "‘지역성’ 점수를 고르세요." in text_of(missing)
    assert "반려 의견을 적어 주세요." in text_of(missing)
    for sub in ("m2", "m3"):
        voted = post_form(m[sub], page_of(committee) + "/vote", VOTE, page=page_of(committee))
        assert voted.status_code == 302
    after = text_of(m["m2"].get(page_of(committee)))
    assert '이위원 <span class="bo-muted">(나)</span>' in after and "박위원" in after
    conflicted = m["mc"].get(page_of(committee))
    assert conflicted.status_code == 403
    assert "이 신청은 볼 수 없습니다" in text_of(conflicted)
    refused = post_form(
        m["m1"], page_of(committee) + "/decision", {"outcome": "approved"}, page=page_of(committee)
    )
    assert refused.status_code == 422 and "사유을 적어 주세요." not in text_of(refused)
    assert "사유를 적어 주세요." in text_of(refused)
    decided = post_form(
        m["m1"],
        page_of(committee) + "/decision",
        {"outcome": "approved", "reason": "지역성·품질 기준 충족"},
        page=page_of(committee),
    )
    assert decided.status_code == 302
    assert "승인" in text_of(m["m1"].get(page_of(committee)))


def test_chair_suspends_and_reinstates_with_reasons_and_the_audit_trail_exports(committee, api):
    lid = approved_listing(committee, api)
    chair = committee["members"]["m1"]
    page = f"/committee/listings/{lid}"
    assert post_form(chair, page + "/suspend", {}, page=page).status_code == 422
    assert (
        post_form(chair, page + "/suspend", {"reason": "위생 점검"}, page=page).status_code == 302
    )
    assert (
        post_form(chair, page + "/reinstate", {"reason": "점검 통과"}, page=page).status_code == 302
    )
    trail = text_of(chair.get(page + "/audit"))
    assert "정지" in trail and "위생 점검" in trail and "점검 통과" in trail
    exported = chair.get(page + "/audit?format=csv")
    assert exported.mimetype == "text/csv"
    assert "위생 점검" in exported.data.decode("utf-8-sig")


def test_statistics_chart_and_table_carry_the_same_numbers(committee, api):
    approved_listing(committee, api)
    page = text_of(committee["members"]["m2"].get("/committee/statistics"))
    assert "<svg" in page and 'role="img"' in page
    assert "승인 1건" in page  # the chart's description says the table's figure
    assert "상태별 등록 수 (그래프와 같은 숫자)" in page
    table_row = '<th scope="row">승인</th><td class="bo-num">1</td>'
    assert table_row in page


def test_a_member_declares_a_conflict_from_the_page_and_then_cannot_act(committee, api):
    m3, path = committee["members"]["m3"], page_of(committee)
    page = text_of(m3.get(path))
    assert "이해충돌 신고하기" in page and "사업계획서.pdf" in page

    unconfirmed = post_form(
        m3,
        path + "/conflict",
        {"conflict_reason": "신청 기업 대표가 제 처남입니다"},
        page=path,
    )
    assert unconfirmed.status_code == 422
    assert "신고하면 이 신청을 심사할 수 없다는 점을 확인해 주세요." in text_of(unconfirmed)
    blank = post_form(m3, path + "/conflict", {"confirm": "yes"}, page=path)
    assert blank.status_code == 422 and "이해관계를 적어 주세요." in text_of(blank)
    world = committee["world"]
    members = api["catalog"].get("/v1/brands/BITSONE/committee", headers=world.admin).get_json()
    (m3_row,) = [m for m in members["items"] if m["user_sub"] == "m3"]
    assert m3_row["conflicted_enterprise_ids"] == []  # nothing recorded on a refusal

    declared = post_form(
        m3,
        path + "/conflict",
        {"conflict_reason": "신청 기업 대표가 제 처남입니다", "confirm": "yes"},
        page=path,
    )
    assert declared.status_code == 302 and declared.headers["Location"] == path
    after = m3.get(path)
    assert after.status_code == 403
    shown = text_of(after)
    assert "이해충돌을 신고했습니다." in shown and "이 신청은 볼 수 없습니다" in shown
    assert "사업계획서.pdf" not in shown
    assert "국산콩 두부과자 200g" not in text_of(m3.get("/committee/"))  # gone from the queue

    audit = text_of(committee["members"]["m1"].get(path + "/audit"))
    assert "이해충돌 신고" in audit and "신청 기업 대표가 제 처남입니다" in audit
