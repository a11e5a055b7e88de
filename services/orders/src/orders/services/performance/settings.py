"""Use cases: an institution's performance settings, and who may see which figures.

Institution admins see their institution; a buyer sees their own department unless the
institution lets buyers see all of it; another institution's figures are 404 (not 403), so
nobody learns that they exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid, not_found
from orders.adapters.models import Department, Institution
from orders.adapters.performance_models import PerformanceSettings
from orders.domain.performance import AMOUNT_KINDS, BASES
from orders.wiring import OrdersWiring

EDITORS = ("admin", "institution_admin")


@dataclass(frozen=True)
class Scope:
    """Whose figures a request reads: an institution, perhaps narrowed to one department."""

    institution: Institution
    settings: PerformanceSettings
    department: str | None

    @property
    def institution_id(self) -> str:
        return self.institution.id


def settings_of(session: Session, institution_id: str) -> PerformanceSettings:
    """The stored settings, or the defaults (not stored until someone changes them)."""
    stored = session.get(PerformanceSettings, institution_id)
    return stored or PerformanceSettings(
        institution_id=institution_id,
        basis="inspection",
        amount_kind="supply",
        publish_ranking=False,
        buyers_see_institution=False,
        alert_margin_percent=10,
    )


def resolve_scope(
    session: Session, actor: Principal, institution_id: str, department: str | None
) -> Scope:
    institution = session.get(Institution, institution_id)
    if institution is None or (actor.role != "admin" and actor.org != institution_id):
        raise not_found("institution", "기관")
    settings = settings_of(session, institution_id)
    if actor.role == "buyer" and not settings.buyers_see_institution:
        if department not in (None, actor.dept):
            raise Problem(
                403,
                "department_not_allowed",
                "다른 부서의 실적은 볼 수 없습니다",
                "기관 관리자가 허용하면 모든 부서의 실적을 볼 수 있습니다.",
            )
        department = actor.dept
    if department is not None:
        require_department(session, institution_id, department)
    return Scope(institution, settings, department)


def require_department(session: Session, institution_id: str, department: str) -> None:
    found = session.scalar(
        select(Department.id).where(
            Department.institution_id == institution_id, Department.name == department
        )
    )
    if found is None:
        raise invalid("department", "기관에 없는 부서입니다.")


def require_editor(actor: Principal, institution_id: str) -> None:
    if actor.role not in EDITORS or (actor.role != "admin" and actor.org != institution_id):
        raise not_found("institution", "기관")


def get_settings(wiring: OrdersWiring, actor: Principal, institution_id: str) -> dict:
    with wiring.db.reading() as session:
        scope = resolve_scope(session, actor, institution_id, None)
        return settings_view(scope.settings)


def update_settings(
    wiring: OrdersWiring, actor: Principal, institution_id: str, fields: dict
) -> dict:
    require_editor(actor, institution_id)
    with wiring.db.transaction() as session:
        if session.get(Institution, institution_id) is None:
            raise not_found("institution", "기관")
        stored = session.get(PerformanceSettings, institution_id)
        if stored is None:
            stored = settings_of(session, institution_id)
            session.add(stored)
        for name, value in fields.items():
            setattr(stored, name, value)
        session.flush()
        return settings_view(stored)


def settings_view(settings: PerformanceSettings) -> dict:
    return {
        "basis": settings.basis,
        "basis_label": BASES[settings.basis],
        "amount_kind": settings.amount_kind,
        "amount_label": AMOUNT_KINDS[settings.amount_kind],
        "publish_ranking": settings.publish_ranking,
        "buyers_see_institution": settings.buyers_see_institution,
        "alert_margin_percent": settings.alert_margin_percent,
    }
