"""Use cases: public institutions and their departments (the buyers' side)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid, not_found
from gachi_kit.paging import keyset_page
from orders.adapters.models import Department, Institution
from orders.wiring import OrdersWiring


def register(wiring: OrdersWiring, fields: dict) -> Institution:
    departments = list(dict.fromkeys(fields.pop("departments", [])))
    if fields.get("brn"):
        fields["brn"] = fields["brn"].replace("-", "")
    if fields.get("sigungu_code") and not fields["sigungu_code"].startswith(fields["sido_code"]):
        raise invalid("sigungu_code", "시군구 코드가 시도 코드와 맞지 않습니다.")
    try:
        with wiring.db.transaction() as session:
            institution = Institution(status="active", **fields)
            institution.departments = [Department(name=name) for name in departments]
            session.add(institution)
    except IntegrityError as exc:
        raise Problem(409, "institution_brn_taken", "이미 등록된 사업자등록번호입니다") from exc
    return get(wiring, institution.id, Principal(sub="system", role="admin"))


def get(wiring: OrdersWiring, institution_id: str, actor: Principal) -> Institution:
    if actor.role != "admin" and actor.org != institution_id:
        raise _not_found()
    with wiring.db.reading() as session:
        institution = session.scalar(
            select(Institution)
            .where(Institution.id == institution_id)
            .options(selectinload(Institution.departments))
        )
    if institution is None:
        raise _not_found()
    return institution


def list_all(wiring: OrdersWiring, query: dict) -> dict:
    """In registration order; `query`: limit and cursor."""
    stmt = select(Institution).options(selectinload(Institution.departments))
    with wiring.db.reading() as session:
        page = keyset_page(session, stmt, query, order_by=(Institution.id,))
    return page.as_dict()


def add_department(
    wiring: OrdersWiring, institution_id: str, name: str, actor: Principal
) -> Institution:
    if actor.role == "institution_admin" and actor.org != institution_id:
        raise _not_found()
    try:
        with wiring.db.transaction() as session:
            if session.get(Institution, institution_id) is None:
                raise _not_found()
            session.add(Department(institution_id=institution_id, name=name))
    except IntegrityError as exc:
        raise Problem(409, "department_exists", "이미 있는 부서입니다") from exc
    return get(wiring, institution_id, actor)


def _not_found() -> Problem:
    return not_found("institution", "기관")
