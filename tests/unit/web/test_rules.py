"""Identity's plain rules: who may invite whom, passwords, where a redirect may go."""

from __future__ import annotations

import pytest

from web.identity.domain.accounts import normalise_email, password_problem, safe_next
from web.identity.domain.invitations import Invitation, Inviter, refusal
from web.identity.domain.roles import membership_label

ADMIN = Inviter("admin", None)
CITY = Inviter("institution_admin", "CITY")
CHAIR = Inviter("committee", "BITSONE", chair=True)
MEMBER = Inviter("committee", "BITSONE")


@pytest.mark.parametrize(
    ("inviter", "invitation", "allowed"),
    [
        (ADMIN, Invitation("institution_admin", "CITY"), True),
        (ADMIN, Invitation("enterprise", "TOFU"), True),
        (ADMIN, Invitation("committee", "BITSONE", chair=True), True),
        (ADMIN, Invitation("admin", None), True),
        (ADMIN, Invitation("admin", "CITY"), False),
        (ADMIN, Invitation("buyer", "CITY", "총무과"), False),
        (CITY, Invitation("buyer", "CITY", "총무과"), True),
        (CITY, Invitation("buyer", "CITY", None), False),
        (CITY, Invitation("buyer", "OTHER", "총무과"), False),
        (CITY, Invitation("institution_admin", "CITY"), False),
        (CHAIR, Invitation("committee", "BITSONE"), True),
        (CHAIR, Invitation("committee", "BITSONE", chair=True), False),
        (CHAIR, Invitation("committee", "OTHER"), False),
        (MEMBER, Invitation("committee", "BITSONE"), False),
        (Inviter("buyer", "CITY"), Invitation("buyer", "CITY", "총무과"), False),
    ],
)
def test_who_may_invite_whom(inviter, invitation, allowed):
    assert (refusal(inviter, invitation) is None) is allowed


def test_refusals_are_korean():
    assert refusal(CITY, Invitation("buyer", "CITY", None)) == "구매담당자의 부서를 입력해 주세요."


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),
        ("aaaaaaaaaaaa", False),
        ("buyer-buyer-1", False),
        ("두부과자-좋아요-2026", True),
    ],
)
def test_password_rules(password, ok):
    assert (password_problem(password, email="buyer@gachi.example", name="정구매") is None) is ok


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/orders?q=1", "/orders?q=1"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_redirects_stay_on_the_site(target, expected):
    assert safe_next(target) == expected


def test_email_case_and_labels():
    assert normalise_email("  Buyer@Gachi.Example ") == "buyer@gachi.example"
    assert membership_label("buyer", "광명시청", "총무과", False) == "광명시청 총무과 · 구매담당자"
    assert membership_label("committee", "비츠원", None, True) == "비츠원 · 위원장"
    assert membership_label("admin", None, None, False) == "플랫폼 관리자"
