"""Use cases: the enterprise registry and certifications."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from catalog.adapters.models import Certification, Enterprise, Product
from catalog.adapters.queries import certified_on
from catalog.domain import regions
from catalog.domain.enterprise import (
    CONTACT_FIELDS,
    CertificationPeriod,
    certification_on,
    certification_state,
)
from catalog.domain.search_text import escape_like, query_terms
from catalog.services import published
from catalog.services.indexing import index_enterprise, reindex_products
from catalog.services.rows import RowWith
from catalog.wiring import Catalog
from gachi_kit import paging
from gachi_kit.auth import Principal
from gachi_kit.brn import normalize_brn
from gachi_kit.dates import today_kst
from gachi_kit.errors import Problem, invalid, not_found
from gachi_kit.events import new_id


def register_enterprise(catalog: Catalog, fields: dict, actor: Principal) -> Enterprise:
    brn = normalize_brn(fields["brn"])  # InvalidBRN: 422 (api/errors.py)
    region = _region(fields["sigungu_code"])
    try:
        with catalog.db.transaction() as session:
            if session.scalar(select(Enterprise.id).where(Enterprise.brn == brn)):
                raise _brn_taken()
            enterprise = insert_enterprise(catalog, session, fields, brn, region, actor)
    except IntegrityError as exc:  # a concurrent registration of the same number won
        raise _brn_taken() from exc
    return enterprise


def insert_enterprise(
    catalog: Catalog, session: Session, fields: dict, brn: str, region, actor: Principal
) -> Enterprise:
    """Add one enterprise and its `enterprise.registered` event (also used by the import)."""
    enterprise = Enterprise(
        **{k: v for k, v in fields.items() if k not in {"brn", "sigungu_code", "status"}},
        brn=brn,
        sido_code=region.sido_code,
        sigungu_code=region.sigungu_code,
        status=fields.get("status") or "active",
    )
    enterprise.id = enterprise.id or new_id()
    index_enterprise(enterprise)
    session.add(enterprise)
    announced = ("id", "name", "enterprise_type", "sigungu_code", "email", "phone")
    published.enterprise_registered(
        catalog, session, {k: getattr(enterprise, k) for k in announced}, actor.sub
    )
    return enterprise


def update_enterprise(
    catalog: Catalog, enterprise_id: str, fields: dict, actor: Principal
) -> Enterprise:
    """Admins: any field EnterpriseUpdate takes. Unchanged values are no change (no event)."""
    requested = dict(fields)
    if "brn" in requested:
        requested["brn"] = normalize_brn(requested["brn"])
    if "sigungu_code" in requested:
        region = _region(requested["sigungu_code"])
        requested["sigungu_code"] = region.sigungu_code
        requested["sido_code"] = region.sido_code
    try:
        with catalog.db.transaction() as session:
            enterprise = _load_for_update(session, enterprise_id)
            if "brn" in requested and requested["brn"] != enterprise.brn:
                taken = select(Enterprise.id).where(Enterprise.brn == requested["brn"])
                if session.scalar(taken):
                    raise _brn_taken()
            apply_enterprise_changes(catalog, session, enterprise, requested, actor)
    except IntegrityError as exc:
        raise _brn_taken() from exc
    return enterprise


def update_contact(
    catalog: Catalog, enterprise_id: str, fields: dict, actor: Principal
) -> Enterprise:
    """The enterprise's own operator (or an admin) changes phone, e-mail and contact person."""
    if actor.role != "admin" and actor.org != enterprise_id:
        raise _not_found()  # someone else's enterprise: do not confirm it exists
    with catalog.db.transaction() as session:
        enterprise = _load_for_update(session, enterprise_id)
        apply_enterprise_changes(
            catalog,
            session,
            enterprise,
            {k: fields[k] for k in CONTACT_FIELDS if k in fields},
            actor,
        )
    return enterprise


def apply_enterprise_changes(
    catalog: Catalog, session: Session, enterprise: Enterprise, requested: dict, actor: Principal
) -> list[str]:
    """Set what differs, reindex if the name changed, record `enterprise.updated` once."""
    changes = {
        field: (getattr(enterprise, field), value)
        for field, value in requested.items()
        if getattr(enterprise, field) != value
    }
    if not changes:
        return []
    for field, (_old, new) in changes.items():
        setattr(enterprise, field, new)
    if {"name", "representative"} & changes.keys():
        index_enterprise(enterprise)
    if "name" in changes:
        session.flush()
        reindex_products(session, Product.enterprise_id == enterprise.id)
    published.enterprise_updated(catalog, session, enterprise, changes, actor)
    return sorted(changes)


def get_enterprise(catalog: Catalog, enterprise_id: str, on: date | None) -> RowWith:
    on = on or today_kst()
    with catalog.db.reading() as session:
        enterprise = session.get(
            Enterprise, enterprise_id, options=[selectinload(Enterprise.certifications)]
        )
        if enterprise is None:
            raise _not_found()
        valid = _valid_certification(enterprise.certifications, on)
    return RowWith(
        enterprise,
        on=on,
        certified_on_date=valid is not None,
        certification=None if valid is None else certification_as_of(valid, on),
    )


def list_enterprises(catalog: Catalog, query: dict, actor: Principal) -> dict:
    """Filters, newest first or by name, keyset pagination (opaque cursor)."""
    filters = {k: query.get(k) for k in ("q", "enterprise_type", "sido", "sigungu", "status")}
    filters["certified_on"] = query.get("certified_on")
    # exact numbers (orders matches off-platform purchases by them): InvalidBRN is a 422
    filters["brn"] = sorted({normalize_brn(b) for b in query["brn"]}) if query.get("brn") else None
    check_region_filters(filters["sido"], filters["sigungu"])
    sort = query.get("sort") or "newest"
    if actor.role != "admin":
        # Only admins see suspended or closed enterprises in the directory.
        if filters["status"] not in (None, "active"):
            return {"items": [], "next_cursor": None}
        filters["status"] = "active"
    stmt = select(Enterprise)
    for term in query_terms(filters["q"] or ""):
        stmt = stmt.where(Enterprise.search_text.like(f"%{escape_like(term)}%", escape="\\"))
    if filters["enterprise_type"]:
        stmt = stmt.where(Enterprise.enterprise_type == filters["enterprise_type"])
    if filters["sido"]:
        stmt = stmt.where(Enterprise.sido_code == filters["sido"])
    if filters["sigungu"]:
        stmt = stmt.where(Enterprise.sigungu_code == filters["sigungu"])
    if filters["status"]:
        stmt = stmt.where(Enterprise.status == filters["status"])
    if filters["certified_on"]:
        stmt = stmt.where(certified_on(Enterprise.id, filters["certified_on"]))
    if filters["brn"]:
        stmt = stmt.where(Enterprise.brn.in_(filters["brn"]))
    if sort == "name":
        order, descending = (Enterprise.name, Enterprise.id), False
    else:
        order, descending = (Enterprise.created_at, Enterprise.id), True
    with catalog.db.reading() as session:
        page = paging.keyset_page(
            session,
            stmt,
            query,
            order_by=order,
            descending=descending,
            filters={**filters, "sort": sort},
        )
    return page.as_dict()


# -- certifications --------------------------------------------------------------------------


def add_certification(
    catalog: Catalog, enterprise_id: str, fields: dict, actor: Principal | None = None
) -> RowWith:
    _check_period(fields["valid_from"], fields["valid_to"])
    with catalog.db.transaction() as session:
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise _not_found()
        duplicate = select(Certification.id).where(
            Certification.enterprise_id == enterprise_id,
            Certification.kind == fields["kind"],
            Certification.number == fields["number"],
            Certification.valid_from == fields["valid_from"],
        )
        if session.scalar(duplicate):
            raise Problem(
                409,
                "certification_exists",
                "이미 등록된 인증입니다",
                "같은 종류·번호·시작일의 인증이 있습니다.",
            )
        certification = insert_certification(catalog, session, enterprise, fields, actor)
    return certification_as_of(certification, today_kst())


def insert_certification(
    catalog: Catalog,
    session: Session,
    enterprise: Enterprise,
    fields: dict,
    actor: Principal | None,
) -> Certification:
    certification = Certification(id=new_id(), enterprise_id=enterprise.id, **fields)
    session.add(certification)
    published.certification_changed(catalog, session, enterprise, certification, actor, "added")
    return certification


def correct_certification(
    catalog: Catalog, enterprise_id: str, certification_id: str, fields: dict, actor: Principal
) -> RowWith:
    """An admin corrects a certification: a typo in its number, or its period (a
    certification revoked early ends the day before the revocation). The next scan
    re-reads a changed end date: its notices go out again, and a lapse suspends listings."""
    reason = fields.pop("reason")
    with catalog.db.transaction() as session:
        enterprise, certification = _certification(session, enterprise_id, certification_id)
        _check_period(
            fields.get("valid_from", certification.valid_from),
            fields.get("valid_to", certification.valid_to),
        )
        if fields.get("valid_to", certification.valid_to) != certification.valid_to:
            certification.expiring_notified_at = None
            certification.expired_notified_at = None
        for field, value in fields.items():
            setattr(certification, field, value)
        published.certification_changed(
            catalog, session, enterprise, certification, actor, "corrected", reason, sorted(fields)
        )
    return certification_as_of(certification, today_kst())


def remove_certification(
    catalog: Catalog, enterprise_id: str, certification_id: str, reason: str, actor: Principal
) -> None:
    """An admin removes a certification recorded by mistake (orders keep their snapshots)."""
    with catalog.db.transaction() as session:
        enterprise, certification = _certification(session, enterprise_id, certification_id)
        published.certification_changed(
            catalog, session, enterprise, certification, actor, "removed", reason
        )
        session.delete(certification)


def _check_period(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise invalid("valid_to", "종료일이 시작일보다 빠릅니다.", code="invalid_period")


def _certification(session: Session, enterprise_id: str, certification_id: str):
    certification = session.get(Certification, certification_id, with_for_update=True)
    if certification is None or certification.enterprise_id != enterprise_id:
        raise not_found("certification", "인증")
    return session.get(Enterprise, enterprise_id), certification


def list_certifications(catalog: Catalog, enterprise_id: str, on: date | None) -> dict:
    on = on or today_kst()
    with catalog.db.reading() as session:
        if session.get(Enterprise, enterprise_id) is None:
            raise _not_found()
        rows = session.scalars(
            select(Certification)
            .where(Certification.enterprise_id == enterprise_id)
            .order_by(Certification.valid_from.desc(), Certification.id)
        ).all()
    return {"on": on, "items": [certification_as_of(row, on) for row in rows]}


# -- helpers ---------------------------------------------------------------------------------


def certification_as_of(certification: Certification, on: date) -> RowWith:
    """The certification with its state on `on`: valid | expired | upcoming."""
    state = certification_state(certification.valid_from, certification.valid_to, on)
    return RowWith(certification, state=state)


def _valid_certification(certifications: list[Certification], on: date) -> Certification | None:
    periods = {
        CertificationPeriod(c.kind, c.number, c.valid_from, c.valid_to): c for c in certifications
    }
    chosen = certification_on(list(periods), on)
    return None if chosen is None else periods[chosen]


def _load_for_update(session: Session, enterprise_id: str) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id, with_for_update=True)
    if enterprise is None:
        raise _not_found()
    return enterprise


def check_region_filters(sido: str | None, sigungu: str | None) -> None:
    if sido and sido not in regions.sido_codes():
        raise invalid("sido", "알 수 없는 시도 코드입니다.", code="unknown_region")
    if sigungu and regions.get_sigungu(sigungu) is None:
        raise invalid("sigungu", "알 수 없는 시군구 코드입니다.", code="unknown_region")


def _region(code: str) -> regions.Region:
    region = regions.get_sigungu(code)
    if region is None:
        raise invalid("sigungu_code", "알 수 없는 시군구 코드입니다.", code="unknown_region")
    return region


def _not_found() -> Problem:
    return not_found("enterprise", "기업")


def _brn_taken() -> Problem:
    return Problem(
        409,
        "enterprise_brn_taken",
        "이미 등록된 사업자등록번호입니다",
        "같은 사업자등록번호로 등록된 기업이 있습니다.",
    )
