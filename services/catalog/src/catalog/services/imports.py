"""Use cases: importing enterprises (admins) and products (operators, admins) from CSV.

Upsert by 사업자등록번호 / SKU, through the same write paths as the API (events, version,
price history, search columns), so an imported row is indistinguishable from a typed one.
A row whose values equal what is stored is "unchanged": no write, no version, no event, so
importing the same file twice changes nothing.

- `dry_run`: the row-by-row report of what would happen; nothing is written.
- `mode=all_or_nothing` (default): one bad row and nothing is written (422 with the report).
- `mode=valid_rows`: the valid rows are written in one transaction; the report lists the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.adapters.models import Certification, Enterprise, Product
from catalog.domain import csv_import, regions
from catalog.domain.csv_import import Row, Table
from catalog.domain.product import diff
from catalog.services.products import References, apply_product_changes, insert_product
from catalog.services.registry import (
    apply_enterprise_changes,
    insert_certification,
    insert_enterprise,
)
from catalog.wiring import Catalog
from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid, not_found
from gachi_kit.logging import get_logger

log = get_logger(__name__)
MODES = ("all_or_nothing", "valid_rows")
ENTERPRISE_FIELDS = (
    "name",
    "enterprise_type",
    "representative",
    "sigungu_code",
    "address",
    "phone",
    "email",
    "contact_person",
    "status",
)
PRODUCT_FIELDS = (
    "name",
    "category",
    "unit",
    "unit_price",
    "tax_type",
    "min_order_qty",
    "lead_time_days",
    "weekly_capacity",
    "stock",
    "description",
    "tags",
    "image_urls",
    "group_code",
    "status",
)


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    mode: str = "all_or_nothing"
    encoding: str = "auto"


@dataclass
class Planned:
    row: Row
    key: str | None
    action: str = "invalid"  # created | updated | unchanged | invalid
    target: Any = None  # the existing row to change, if any
    fields: dict | None = None
    changed_fields: list[str] | None = None
    id: str | None = None


# -- enterprises -----------------------------------------------------------------------------


def import_enterprises(catalog: Catalog, data: bytes, options: Options, actor: Principal) -> dict:
    table = csv_import.parse_table(data, csv_import.enterprise_columns(), encoding=options.encoding)

    def plan(session: Session) -> list[Planned]:
        for row in table.rows:
            csv_import.check_enterprise_row(row)
        keys = [r.values["brn"] for r in table.rows if "brn" in r.values]
        existing = {
            e.brn: e
            for chunk in _chunks(keys)
            for e in session.scalars(select(Enterprise).where(Enterprise.brn.in_(chunk)))
        }
        certs = _certifications(session, [e.id for e in existing.values()])
        return [
            _plan_enterprise(p, existing, certs, table)
            for p in _dedupe(table, "brn", "사업자등록번호")
        ]

    def write(session: Session, planned: Planned) -> None:
        values = planned.fields
        cert = values.pop("_certification", None)
        if planned.action == "created":
            region = regions.get_sigungu(values["sigungu_code"])
            enterprise = insert_enterprise(catalog, session, values, planned.key, region, actor)
            planned.id = enterprise.id
        else:
            enterprise = planned.target
            apply_enterprise_changes(catalog, session, enterprise, values, actor)
        if cert is not None:
            _write_certification(catalog, session, enterprise, cert, actor)

    return _run(catalog, table, options, plan, write)


def _plan_enterprise(planned: Planned, existing, certs, table: Table) -> Planned:
    row = planned.row
    if row.errors:
        return planned
    values = {k: row.values[k] for k in ENTERPRISE_FIELDS if k in row.values}
    if values.get("status") is None:
        values.pop("status", None)
    cert = _certification_values(row)
    current = existing.get(planned.key)
    if current is None:
        values["_certification"] = cert
        planned.action, planned.fields = "created", values
        return planned
    region = regions.get_sigungu(values.get("sigungu_code", current.sigungu_code))
    if "sigungu_code" in values:
        values["sido_code"] = region.sido_code
    changed = sorted(k for k, v in values.items() if getattr(current, k) != v)
    cert_change = _certification_change(certs.get(current.id, []), cert)
    if cert_change:
        changed.append("certifications")
    planned.id, planned.target = current.id, current
    planned.fields = {k: values[k] for k in changed if k != "certifications"}
    planned.fields["_certification"] = cert if cert_change else None
    planned.changed_fields = changed
    planned.action = "updated" if changed else "unchanged"
    return planned


def _certification_values(row: Row) -> dict | None:
    if row.values.get("cert_kind") is None:
        return None
    return {
        "kind": row.values["cert_kind"],
        "number": row.values["cert_number"],
        "issuer": row.values["cert_issuer"],
        "valid_from": row.values["cert_valid_from"],
        "valid_to": row.values["cert_valid_to"],
    }


def _certification_change(current: list[Certification], cert: dict | None) -> bool:
    if cert is None:
        return False
    for c in current:
        if (c.kind, c.number, c.valid_from) == (cert["kind"], cert["number"], cert["valid_from"]):
            return (c.issuer, c.valid_to) != (cert["issuer"], cert["valid_to"])
    return True


def _write_certification(
    catalog: Catalog, session: Session, enterprise: Enterprise, cert: dict, actor: Principal
) -> None:
    same = session.scalar(
        select(Certification).where(
            Certification.enterprise_id == enterprise.id,
            Certification.kind == cert["kind"],
            Certification.number == cert["number"],
            Certification.valid_from == cert["valid_from"],
        )
    )
    if same is not None:  # a correction of a recorded certification
        session.delete(same)
        session.flush()
    insert_certification(catalog, session, enterprise, cert, actor)


def _certifications(session: Session, enterprise_ids: list[str]) -> dict[str, list]:
    found: dict[str, list] = {}
    for chunk in _chunks(enterprise_ids):
        for c in session.scalars(
            select(Certification).where(Certification.enterprise_id.in_(chunk))
        ):
            found.setdefault(c.enterprise_id, []).append(c)
    return found


# -- products --------------------------------------------------------------------------------


def import_products(
    catalog: Catalog,
    data: bytes,
    options: Options,
    actor: Principal,
    enterprise_id: str | None,
) -> dict:
    enterprise_id = _owning_enterprise(enterprise_id, actor)
    with catalog.db.reading() as session:
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise not_found("enterprise", "기업")
        refs = References.load(session)
    columns = csv_import.product_columns(refs.categories, refs.groups)
    table = csv_import.parse_table(data, columns, encoding=options.encoding)

    def plan(session: Session) -> list[Planned]:
        skus = [r.values["sku"] for r in table.rows if "sku" in r.values]
        existing = {
            p.sku: p
            for chunk in _chunks(skus)
            for p in session.scalars(
                select(Product).where(
                    Product.enterprise_id == enterprise_id, Product.sku.in_(chunk)
                )
            )
        }
        return [_plan_product(p, existing) for p in _dedupe(table, "sku", "상품코드(SKU)")]

    def write(session: Session, planned: Planned) -> None:
        owner = session.get(Enterprise, enterprise_id)
        if planned.action == "created":
            product = insert_product(
                catalog, session, owner, {"sku": planned.key, **planned.fields}, actor, refs
            )
            planned.id = product.id
        else:
            apply_product_changes(
                catalog, session, planned.target, owner, planned.fields, actor, refs
            )

    return _run(catalog, table, options, plan, write) | {"enterprise_id": enterprise_id}


def _plan_product(planned: Planned, existing: dict[str, Product]) -> Planned:
    row = planned.row
    if row.errors:
        return planned
    values = {k: row.values[k] for k in PRODUCT_FIELDS if k in row.values}
    if values.get("status") is None:
        values.pop("status", None)
    current = existing.get(planned.key)
    if current is None:
        planned.action, planned.fields = "created", values
        return planned
    change = diff({k: getattr(current, k) for k in values}, values)
    planned.id, planned.target = current.id, current
    planned.fields = {k: values[k] for k in change.changes}
    planned.changed_fields = change.changed_fields
    planned.action = "updated" if change else "unchanged"
    return planned


# -- the shared run --------------------------------------------------------------------------


def _run(catalog: Catalog, table: Table, options: Options, plan, write) -> dict:
    if options.dry_run:
        with catalog.db.reading() as session:
            planned = plan(session)
        return _report(table, options, planned, written=False)
    try:
        with catalog.db.transaction() as session:
            planned = plan(session)
            refused = [p for p in planned if p.action == "invalid"]
            if refused and options.mode == "all_or_nothing":
                raise invalid(
                    errors={
                        f"{p.row.number}행": [
                            f"{e.column}: {e.message}" if e.column else e.message
                            for e in p.row.errors
                        ]
                        for p in refused
                    },
                    code="csv_invalid_rows",
                    detail=f"{len(refused)}개 행에 오류가 있어 아무것도 저장하지 않았습니다. "
                    "오류를 고쳐 다시 올리거나 mode=valid_rows 로 올바른 행만 저장하세요.",
                    report=_report(table, options, planned, written=False),
                )
            for p in planned:
                if p.action in ("created", "updated"):
                    write(session, p)
            session.flush()
    except IntegrityError as exc:  # a concurrent request wrote the same key first
        raise Problem(
            409,
            "import_conflict",
            "다른 요청과 겹쳤습니다",
            "같은 기업·상품을 동시에 저장하는 요청이 있었습니다. 잠시 후 다시 올려 주세요.",
        ) from exc
    report = _report(table, options, planned, written=True)
    log.info("csv_imported", **{k: report[k] for k in ("created", "updated", "unchanged")})
    return report


def _report(table: Table, options: Options, planned, *, written: bool) -> dict:
    counts = {a: 0 for a in ("created", "updated", "unchanged", "invalid")}
    for p in planned:
        counts[p.action] += 1
    return {
        "dry_run": options.dry_run,
        "mode": options.mode,
        "encoding": table.encoding,
        "written": written and counts["created"] + counts["updated"] > 0,
        "total_rows": len(planned),
        **counts,
        "ignored_columns": table.ignored,
        "rows": [
            {
                "row": p.row.number,
                "key": p.key,
                "action": p.action,
                "id": p.id,
                "changed_fields": p.changed_fields or [],
                "errors": [{"column": e.column, "message": e.message} for e in p.row.errors],
            }
            for p in planned
        ],
    }


def _dedupe(table: Table, key: str, header: str) -> list[Planned]:
    """One Planned per row; a key already used by an earlier row of the file is an error."""
    first_row: dict[str, int] = {}
    planned = []
    for row in table.rows:
        value = row.values.get(key)
        if value is not None:
            if value in first_row:
                row.fail(header, f"같은 {header}가 {first_row[value]}행에도 있습니다.")
            else:
                first_row[value] = row.number
        planned.append(Planned(row=row, key=value))
    return planned


def _owning_enterprise(requested: str | None, actor: Principal) -> str:
    if actor.role == "admin":
        if not requested:
            raise invalid("enterprise_id", "관리자는 enterprise_id 로 기업을 지정해야 합니다.")
        return requested
    if not actor.org or (requested and requested != actor.org):
        # Someone else's enterprise: answer as if it did not exist.
        raise not_found("enterprise", "기업")
    return actor.org


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]
