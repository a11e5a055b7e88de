"""우선구매 categories: which purchases count under which rule (data, and they overlap).

An enterprise can count under several categories at once (a certified 사회적기업 also counts
in a local 사회적경제기업 category). Membership is decided from the type and certification
snapshots a supplier-order line took at placement, so a certification that lapses later
never rewrites last year's figures. National categories ship as seed data; a local category
is a list an administrator edits per local government (ordinances differ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from gachi_kit.enterprise_types import ENTERPRISE_TYPES

# The seven legal types, as catalog names them, with their Korean labels.
ENTERPRISE_TYPE_LABELS = ENTERPRISE_TYPES
SCOPES = {"national": "국가", "local": "지역"}


@dataclass(frozen=True, slots=True)
class Member:
    """An enterprise type that counts; `certified_only`: only while certified (인증)."""

    enterprise_type: str
    certified_only: bool = False

    def admits(self, enterprise_type: str, certified: bool) -> bool:
        return self.enterprise_type == enterprise_type and (certified or not self.certified_only)


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    scope: str  # national | local
    legal_basis: str
    receiving_body: str
    # The statutory package's due date each year (month, day; day None = the month's last
    # day); None when the law sets no reporting duty.
    due_month: int | None
    due_day: int | None
    has_numeric_target: bool
    note: str
    members: tuple[Member, ...] = field(default=())
    sigungu_code: str | None = None  # a local category's local government

    def admits(self, enterprise_type: str, certified: bool) -> bool:
        return any(m.admits(enterprise_type, certified) for m in self.members)

    def due_date(self, year: int) -> date | None:
        """The package for the previous year's results is due on this day of `year`."""
        if self.due_month is None:
            return None
        if self.due_day is not None:
            return date(year, self.due_month, self.due_day)
        first_of_next = date(year + self.due_month // 12, self.due_month % 12 + 1, 1)
        return first_of_next - timedelta(days=1)


def categories_for(enterprise_type: str, certified: bool, categories: list[Category]) -> list[str]:
    """The codes of every category a purchase from such an enterprise counts under."""
    return sorted(c.code for c in categories if c.admits(enterprise_type, certified))


# -- seed data (docs/architecture.md names the sources) ------------------------------------

ALL_SEVEN = tuple(Member(t) for t in ENTERPRISE_TYPE_LABELS)

SEED: tuple[Category, ...] = (
    Category(
        code="social_enterprise_products",
        name="사회적기업제품",
        scope="national",
        legal_basis="사회적기업 육성법 제12조, 같은 법 시행령 제12조의2",
        receiving_body="고용노동부장관",
        due_month=2,
        due_day=None,
        has_numeric_target=False,
        note="인증 사회적기업의 제품만 해당합니다(예비사회적기업 제외). 구매계획, 전년도 "
        "구매실적, 총구매액 대비 비율을 2월 말일까지 통보합니다. 법정 목표 비율은 없습니다.",
        members=(Member("social_enterprise", certified_only=True),),
    ),
    Category(
        code="social_cooperative_products",
        name="사회적협동조합제품",
        scope="national",
        legal_basis="협동조합 기본법 제95조의2, 같은 법 시행령 제26조",
        receiving_body="기획예산처장관",
        due_month=2,
        due_day=None,
        has_numeric_target=False,
        note="사회적협동조합의 제품만 해당합니다(일반 협동조합 제외). 구매계획, 전년도 "
        "구매실적, 총구매액 대비 비율을 2월 말일까지 통보합니다. 법정 목표 비율은 없습니다.",
        members=(Member("social_cooperative"),),
    ),
    Category(
        code="self_reliance_products",
        name="자활기업생산품",
        scope="national",
        legal_basis="국민기초생활 보장법 제18조의2",
        receiving_body="소속기관 평가(보고 의무 없음)",
        due_month=None,
        due_day=None,
        has_numeric_target=False,
        note="우선구매 촉진 의무만 있고 통보 기한은 없습니다. 기관 평가에 구매실적을 "
        "반영합니다. 자활근로사업단은 법에 없어 제외합니다.",
        members=(Member("self_reliance_enterprise"),),
    ),
    Category(
        code="gwangmyeong_social_economy",
        name="광명시 사회적경제기업 제품 (예시)",
        scope="local",
        legal_basis="광명시 사회적경제기업 제품 구매촉진 조례 (예시: 조례 원문 확인 필요)",
        receiving_body="광명시장",
        due_month=1,
        due_day=31,
        has_numeric_target=True,
        note="지역 범주의 예시입니다. 일곱 가지 유형을 모두 셉니다(예비사회적기업, 일반 "
        "협동조합, 마을기업, 자활기업, 자활근로사업단 포함). 조례마다 대상과 기한이 다르므로 "
        "관리자가 고쳐 씁니다.",
        members=ALL_SEVEN,
        sigungu_code="41210",
    ),
)
