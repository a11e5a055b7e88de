"""Use cases: yearly targets per institution, category and (optionally) department.

A target is an amount, or a share of a denominator the institution defines and enters (all
purchases; excluding construction; goods only; the budget eligible for priority purchasing —
local rules differ), so the report can say what the rate is a rate of.
"""

from __future__ import annotations

from sqlalchemy import select

from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.errors import invalid, not_found
from orders.adapters.performance_models import WHOLE_INSTITUTION, PerformanceTarget
from orders.domain.performance import FIRST_FISCAL_YEAR, last_fiscal_year, target_amount
from orders.services.performance.categories import require_category
from orders.services.performance.settings import (
    require_department,
    require_editor,
    resolve_scope,
)
from orders.wiring import OrdersWiring


def check_fiscal_year(year: int, field: str = "fiscal_year") -> None:
    last = last_fiscal_year(today_kst())
    if not FIRST_FISCAL_YEAR <= year <= last:
        raise invalid(field, f"회계연도는 {FIRST_FISCAL_YEAR}년부터 {last}년까지입니다.")


def save_target(
    wiring: OrdersWiring, actor: Principal, institution_id: str, fields: dict
) -> tuple[dict, bool]:
    """Create or replace the target for (year, category, department); (view, created)."""
    require_editor(actor, institution_id)
    check_fiscal_year(fields["fiscal_year"])
    department = fields.get("department") or WHOLE_INSTITUTION
    with wiring.db.transaction() as session:
        require_category(session, fields["category_code"])
        if department:
            require_department(session, institution_id, department)
        target = session.scalar(
            select(PerformanceTarget).where(
                PerformanceTarget.institution_id == institution_id,
                PerformanceTarget.fiscal_year == fields["fiscal_year"],
                PerformanceTarget.category_code == fields["category_code"],
                PerformanceTarget.department == department,
            )
        )
        created = target is None
        if created:
            target = PerformanceTarget(institution_id=institution_id, department=department)
            session.add(target)
        target.fiscal_year = fields["fiscal_year"]
        target.category_code = fields["category_code"]
        target.kind = fields["kind"]
        target.amount = fields.get("amount")
        target.share_percent = fields.get("share_percent")
        target.denominator = fields.get("denominator")
        target.denominator_label = fields.get("denominator_label")
        target.updated_by = actor.sub
        session.flush()
        return target_view(target), created


def list_targets(
    wiring: OrdersWiring, actor: Principal, institution_id: str, fiscal_year: int
) -> list[dict]:
    with wiring.db.reading() as session:
        scope = resolve_scope(session, actor, institution_id, None)
        query = select(PerformanceTarget).where(
            PerformanceTarget.institution_id == institution_id,
            PerformanceTarget.fiscal_year == fiscal_year,
        )
        if scope.department is not None:
            query = query.where(
                PerformanceTarget.department.in_((WHOLE_INSTITUTION, scope.department))
            )
        rows = session.scalars(
            query.order_by(PerformanceTarget.category_code, PerformanceTarget.department)
        )
        return [target_view(t) for t in rows]


def delete_target(
    wiring: OrdersWiring, actor: Principal, institution_id: str, target_id: str
) -> None:
    require_editor(actor, institution_id)
    with wiring.db.transaction() as session:
        target = session.get(PerformanceTarget, target_id)
        if target is None or target.institution_id != institution_id:
            raise not_found("target", "목표")
        session.delete(target)


def targets_for(session, institution_id: str, fiscal_year: int) -> dict[tuple[str, str], int]:
    """(category, department or "") → target amount in won."""
    rows = session.scalars(
        select(PerformanceTarget).where(
            PerformanceTarget.institution_id == institution_id,
            PerformanceTarget.fiscal_year == fiscal_year,
        )
    )
    return {(t.category_code, t.department): resolved_amount(t) for t in rows}


def resolved_amount(target: PerformanceTarget) -> int:
    return target_amount(target.kind, target.amount, target.share_percent, target.denominator)


def target_view(target: PerformanceTarget) -> dict:
    return {
        "id": target.id,
        "fiscal_year": target.fiscal_year,
        "category_code": target.category_code,
        "department": target.department or None,
        "kind": target.kind,
        "amount": target.amount,
        "share_percent": float(target.share_percent) if target.share_percent is not None else None,
        "denominator": target.denominator,
        "denominator_label": target.denominator_label,
        "target_amount": resolved_amount(target),
        "updated_by": target.updated_by,
        "updated_at": target.updated_at,
    }
