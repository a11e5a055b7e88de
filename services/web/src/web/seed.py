"""Demo people, one per role, with a known password (printed by `gachi up`): a newcomer
signs in at once. Their organisations, departments and `sub`s are the ones the other
services' demo data uses (orders' 광명시청, catalog's 광명두부마을 협동조합 and the 비츠원
committee, whose members catalog knows by `sub`). Re-seeding is a no-op."""

from __future__ import annotations

import pyotp

from gachi_kit.events import stable_id, utcnow
from web.identity.models import Membership, Organisation, Person
from web.wiring import Web

DEMO_PASSWORD = "gachi-demo-2026"
# Platform admins and committee chairs must use TOTP: the demo ones share this secret, and
# `gachi demo-code` prints its current code (a developer convenience, like `gachi token`).
DEMO_TOTP_SECRET = "GACHIDEMOGACHIDEMOGACHIDEMO23456"

GWANGMYEONG_CITY = "7Y2JHG63R0ERCVKR9VTNZNWCCQ"  # orders.seed.institution_id("gwangmyeong-city")
GWANGMYEONG_TOFU = "23KFF7TJ9W6P3ZPDERCAH15E5Z"  # catalog.seed.demo_id("enterprise:gm-tofu")
BITSONE = "BITSONE"  # the brand code; catalog's committee tables
PLATFORM = "PLATFORM"

ORGANISATIONS = [
    (GWANGMYEONG_CITY, "institution", "광명시청"),
    (GWANGMYEONG_TOFU, "enterprise", "광명두부마을 협동조합"),
    (BITSONE, "brand", "비츠원"),
]

# (e-mail, name, sub, second factor, [(role, org, dept, chair)])
PEOPLE = [
    ("buyer@gachi.example", "정구매", "buyer-demo", False,
     [("buyer", GWANGMYEONG_CITY, "총무과", False)]),
    ("institution@gachi.example", "한기관", "institution-admin-demo", False,
     [("institution_admin", GWANGMYEONG_CITY, None, False)]),
    ("tofu@gachi.example", "김순자", "enterprise-demo", False,
     [("enterprise", GWANGMYEONG_TOFU, None, False)]),
    # A city officer who also chairs the 비츠원 committee: two memberships to switch between.
    ("chair@gachi.example", "김광명", "committee-bitsone-chair", True,
     [("committee", BITSONE, None, True), ("buyer", GWANGMYEONG_CITY, "사회적경제과", False)]),
    ("member@gachi.example", "이하안", "committee-bitsone-2", False,
     [("committee", BITSONE, None, False)]),
    ("admin@gachi.example", "관리자", "admin-demo", True, [("admin", None, None, False)]),
]  # fmt: skip

ROLE_TITLES = {
    "buyer@gachi.example": "구매담당자 (광명시청 총무과)",
    "institution@gachi.example": "기관 관리자 (광명시청)",
    "tofu@gachi.example": "기업 담당자 (광명두부마을 협동조합)",
    "chair@gachi.example": "비츠원 위원장 + 광명시청 구매담당자, 2단계 인증",
    "member@gachi.example": "비츠원 위원",
    "admin@gachi.example": "플랫폼 관리자, 2단계 인증",
}


def run(w: Web) -> dict[str, int]:
    created = 0
    # One Argon2 hash for all of them (the same demo password): seeding stays quick.
    demo_hash = w.passwords.hash(DEMO_PASSWORD)
    with w.db.transaction() as session:
        for org_id, kind, name in ORGANISATIONS:
            if session.get(Organisation, org_id) is None:
                session.add(Organisation(id=org_id, kind=kind, name=name))
        session.flush()
        for email, name, sub, totp, memberships in PEOPLE:
            person_id = stable_id(f"person:{email}")
            if session.get(Person, person_id) is not None:
                continue
            session.add(
                Person(
                    id=person_id,
                    sub=sub,
                    email=email,
                    name=name,
                    password_hash=demo_hash,
                    status="active",
                    totp_secret=DEMO_TOTP_SECRET if totp else None,
                    totp_enabled_at=utcnow() if totp else None,
                )
            )
            session.add_all(
                Membership(person_id=person_id, role=role, org_id=org, dept=dept, chair=chair)
                for role, org, dept, chair in memberships
            )
            created += 1
    return {"people": created}


def demo_code() -> str:
    return pyotp.TOTP(DEMO_TOTP_SECRET).now()
