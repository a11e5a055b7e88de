"""Use cases: registering enterprises and their certifications."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from catalog.adapters.models import Certification, Enterprise
from catalog.domain import regions
from catalog.domain.brn import InvalidBRN, normalize_brn
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem


def register_enterprise(cat: Catalog, fields: dict, actor: Principal) -> Enterprise:
    brn = _valid_brn(fields["brn"])
    region = regions.get_sigungu(fields["sigungu_code"])
    if region is None:
        raise Problem(
            422,
            "unknown_region",
            "입력값이 올바르지 않습니다",
            errors={"sigungu_code": ["알 수 없는 시군구 코드입니다."]},
        )
    try:
        with cat.db.transaction() as session:
            if session.scalar(select(Enterprise.id).where(Enterprise.brn == brn)):
                raise _brn_taken()
            enterprise = Enterprise(
                **{k: v for k, v in fields.items() if k not in {"brn", "sigungu_code"}},
                brn=brn,
                sido_code=region.sido_code,
                sigungu_code=region.sigungu_code,
                status="active",
            )
            session.add(enterprise)
            session.flush()
            cat.outbox.record(
                session,
                "enterprise.registered",
                {
                    "enterprise_id": enterprise.id,
                    "name": enterprise.name,
                    "enterprise_type": enterprise.enterprise_type,
                    "sigungu_code": enterprise.sigungu_code,
                    "email": enterprise.email,
                    "phone": enterprise.phone,
                    "registered_by": actor.sub,
                },
                aggregate_id=enterprise.id,
            )
    except IntegrityError as exc:  # a concurrent registration of the same number won
        raise _brn_taken() from exc
    return enterprise


def add_certification(cat: Catalog, enterprise_id: str, fields: dict) -> Certification:
    if fields["valid_to"] < fields["valid_from"]:
        raise Problem(
            422,
            "invalid_period",
            "입력값이 올바르지 않습니다",
            errors={"valid_to": ["종료일이 시작일보다 빠릅니다."]},
        )
    with cat.db.transaction() as session:
        if session.get(Enterprise, enterprise_id) is None:
            raise Problem(404, "enterprise_not_found", "기업을 찾을 수 없습니다")
        certification = Certification(enterprise_id=enterprise_id, **fields)
        session.add(certification)
    return certification


def _valid_brn(raw: str) -> str:
    try:
        return normalize_brn(raw)
    except InvalidBRN as exc:
        raise Problem(
            422, "invalid_brn", "입력값이 올바르지 않습니다", errors={"brn": [str(exc)]}
        ) from exc


def _brn_taken() -> Problem:
    return Problem(
        409,
        "enterprise_brn_taken",
        "이미 등록된 사업자등록번호입니다",
        "같은 사업자등록번호로 등록된 기업이 있습니다.",
    )
