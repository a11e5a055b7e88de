"""Demo institutions: deterministic, so the README can name their ids; re-seeding is a no-op."""

from __future__ import annotations

from gachi_kit.events import stable_id
from orders.adapters.models import Department, Institution
from orders.wiring import OrdersWiring

# (key, name, kind, sido, sigungu, departments)
INSTITUTIONS = [
    (
        "gwangmyeong-city",
        "광명시청",
        "지자체",
        "41",
        "41210",
        ["총무과", "회계과", "복지정책과", "사회적경제과"],
    ),
    ("wanju-county", "완주군청", "지자체", "52", "52710", ["재무과", "사회적경제과", "복지정책과"]),
    (
        "jeonbuk-province",
        "전북특별자치도청",
        "지자체",
        "52",
        "52111",
        ["회계과", "사회적경제과", "복지여성보건국"],
    ),
    ("gwangmyeong-edu", "광명교육지원청", "교육청", "41", "41210", ["행정지원과", "교육지원과"]),
    ("jeonju-hospital", "전주의료원", "지방공기업", "52", "52111", ["총무팀", "영양팀"]),
]


def institution_id(key: str) -> str:
    return stable_id(f"institution:{key}")


def run(wiring: OrdersWiring) -> dict[str, int]:
    created = 0
    with wiring.db.transaction() as session:
        for key, name, kind, sido, sigungu, departments in INSTITUTIONS:
            if session.get(Institution, institution_id(key)) is not None:
                continue
            session.add(
                Institution(
                    id=institution_id(key),
                    name=name,
                    kind=kind,
                    sido_code=sido,
                    sigungu_code=sigungu,
                    status="active",
                    departments=[Department(name=d) for d in departments],
                )
            )
            created += 1
    return {"institutions": created}
