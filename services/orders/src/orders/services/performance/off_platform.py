"""Use cases: recording purchases made outside the platform, one by one or by importing a
spreadsheet (dry run first; nothing is written unless every row is valid, or the caller
asks for the valid rows only). Each enterprise is matched against catalog by its
사업자등록번호, so the purchase's categories are known as of its contract (or evidence) date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid, not_found
from gachi_kit.events import new_id
from gachi_kit.logging import get_logger
from gachi_kit.spreadsheet import SpreadsheetError
from orders.adapters.models import Department
from orders.adapters.performance_models import OffPlatformPurchase, OffPlatformPurchaseCategory
from orders.adapters.spreadsheet_upload import read_upload
from orders.domain.categories import Category, categories_for
from orders.domain.off_platform import (
    COLUMNS,
    REQUIRED,
    DirectoryEntry,
    check_purchase,
    membership_date,
    parse_row,
)
from orders.services.performance.categories import all_categories
from orders.services.performance.settings import require_department, require_editor
from orders.wiring import OrdersWiring

log = get_logger(__name__)
MODES = ("all_or_nothing", "valid_rows")
UNKNOWN_BRN = "카탈로그에 등록된(거래 중인) 사회적경제기업의 사업자등록번호가 아닙니다."


@dataclass
class ImportReport:
    ok: bool
    dry_run: bool
    mode: str
    encoding: str
    rows: int
    valid: int
    imported: int = 0
    problems: list[dict] = field(default_factory=list)  # [{row, column, problem}]
    # every row in file order: a valid one as it would be stored, a refused one as read
    preview: list[dict] = field(default_factory=list)


def record_one(
    wiring: OrdersWiring, actor: Principal, institution_id: str, fields: dict
) -> OffPlatformPurchase:
    require_editor(actor, institution_id)
    errors = check_purchase(fields)
    if errors:
        raise invalid(errors=errors)
    directory = _lookup(wiring, {fields["enterprise_brn"]})
    entry = directory.get(fields["enterprise_brn"])
    if entry is None:
        raise invalid("enterprise_brn", UNKNOWN_BRN, code="enterprise_not_found")
    with wiring.db.transaction() as session:
        if fields.get("department"):
            require_department(session, institution_id, fields["department"])
        categories = all_categories(session)
        purchase = _purchase(institution_id, actor, fields, entry, categories, batch_id=None)
        session.add(purchase)
        session.flush()
        return _loaded(session, purchase.id)


def import_file(
    wiring: OrdersWiring,
    actor: Principal,
    institution_id: str,
    data: bytes,
    *,
    dry_run: bool,
    mode: str,
    encoding: str = "auto",
) -> ImportReport:
    require_editor(actor, institution_id)
    try:
        sheet = read_upload(data, encoding)
        where = sheet.locate(COLUMNS)
    except SpreadsheetError as exc:
        raise Problem(422, exc.code, "파일을 읽을 수 없습니다", exc.detail) from exc
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in where.positions]
    if missing:
        raise invalid(
            "file", f"필수 열이 없습니다: {', '.join(missing)}", code="import_columns_missing"
        )
    parsed = []
    problems: list[dict] = []
    for record in sheet.records:
        cells = {key: record.cell(index) for key, index in where.positions.items()}
        fields, errors = parse_row(cells)
        problems += [
            {"row": record.number, "column": COLUMNS[key][0], "problem": message}
            for key, message in errors.items()
        ]
        parsed.append((record.number, cells, fields, not errors))
    directory = _lookup(wiring, {f["enterprise_brn"] for _, _, f, ok in parsed if ok})
    with wiring.db.reading() as session:
        departments = _departments(session, institution_id)
        categories = all_categories(session)
    batch_id = new_id()
    purchases = []
    preview = []
    for number, cells, fields, ok in parsed:
        if not ok:
            preview.append(_refused(number, cells))
            continue
        entry = directory.get(fields["enterprise_brn"])
        row_problems = []
        if entry is None:
            row_problems.append(("사업자등록번호", UNKNOWN_BRN))
        if fields.get("department") and fields["department"] not in departments:
            row_problems.append(("부서", "기관에 없는 부서입니다."))
        if row_problems:
            problems += [{"row": number, "column": c, "problem": p} for c, p in row_problems]
            preview.append(_refused(number, cells))
            continue
        purchase = _purchase(institution_id, actor, fields, entry, categories, batch_id)
        purchases.append(purchase)
        preview.append(_preview(purchase) | {"row": number, "refused": False})
    problems.sort(key=lambda p: p["row"])
    report = ImportReport(
        ok=not problems,
        dry_run=dry_run,
        mode=mode,
        encoding=sheet.encoding,
        rows=len(sheet.records),
        valid=len(purchases),
        problems=problems,
        preview=preview,
    )
    if dry_run:
        return report
    if problems and mode == "all_or_nothing":
        raise Problem(
            422,
            "import_rows_invalid",
            "가져올 수 없는 행이 있습니다",
            f"{len({p['row'] for p in problems})}개 행에 문제가 있어 아무것도 넣지 않았습니다. "
            "올바른 행만 넣으려면 mode=valid_rows로 다시 보내세요.",
            errors={"rows": problems},
        )
    with wiring.db.transaction() as session:
        session.add_all(purchases)
    report.imported = len(purchases)
    log.info("off_platform_imported", institution_id=institution_id, rows=report.imported)
    return report


def list_purchases(
    wiring: OrdersWiring, actor: Principal, institution_id: str
) -> list[OffPlatformPurchase]:
    require_editor(actor, institution_id)
    with wiring.db.reading() as session:
        return list(
            session.scalars(
                select(OffPlatformPurchase)
                .where(OffPlatformPurchase.institution_id == institution_id)
                .options(selectinload(OffPlatformPurchase.categories))
                .order_by(OffPlatformPurchase.id.desc())
            )
        )


def delete_purchase(
    wiring: OrdersWiring, actor: Principal, institution_id: str, purchase_id: str
) -> None:
    require_editor(actor, institution_id)
    with wiring.db.transaction() as session:
        purchase = session.get(OffPlatformPurchase, purchase_id)
        if purchase is None or purchase.institution_id != institution_id:
            raise not_found("purchase", "구매 기록")
        session.delete(purchase)


def _lookup(wiring: OrdersWiring, brns: set[str]) -> dict[str, DirectoryEntry]:
    """catalog down or confused: 503, mapped once in `orders.api.errors`."""
    return wiring.catalog.enterprises_by_brn(brns) if brns else {}


def _purchase(
    institution_id: str,
    actor: Principal,
    fields: dict,
    entry: DirectoryEntry,
    categories: list[Category],
    batch_id: str | None,
) -> OffPlatformPurchase:
    certified = entry.certified_on(membership_date(fields))
    codes = categories_for(entry.enterprise_type, certified, categories)
    vat = fields.get("vat_amount") or 0
    return OffPlatformPurchase(
        id=new_id(),
        institution_id=institution_id,
        department=fields.get("department") or None,
        channel=fields.get("channel") or "other",
        enterprise_brn=entry.brn,
        enterprise_id=entry.enterprise_id,
        enterprise_name=entry.name,
        enterprise_type=entry.enterprise_type,
        certified=certified,
        item_name=fields["item_name"],
        contract_on=fields.get("contract_on"),
        delivered_on=fields.get("delivered_on"),
        inspected_on=fields.get("inspected_on"),
        paid_on=fields.get("paid_on"),
        supply_amount=fields["supply_amount"],
        vat_amount=vat,
        total_amount=fields["supply_amount"] + vat,
        evidence_reference=fields["evidence_reference"],
        import_batch_id=batch_id,
        recorded_by=actor.sub,
        categories=[OffPlatformPurchaseCategory(category_code=code) for code in codes],
    )


def _departments(session: Session, institution_id: str) -> set[str]:
    return set(
        session.scalars(select(Department.name).where(Department.institution_id == institution_id))
    )


def _loaded(session: Session, purchase_id: str) -> OffPlatformPurchase:
    return session.scalar(
        select(OffPlatformPurchase)
        .where(OffPlatformPurchase.id == purchase_id)
        .options(selectinload(OffPlatformPurchase.categories))
    )


def _preview(purchase: OffPlatformPurchase) -> dict:
    return {
        "enterprise_name": purchase.enterprise_name,
        "enterprise_brn": purchase.enterprise_brn,
        "item_name": purchase.item_name,
        "supply_amount": purchase.supply_amount,
        "vat_amount": purchase.vat_amount,
        "total_amount": purchase.total_amount,
        "categories": [c.category_code for c in purchase.categories],
    }


def _refused(number: int, cells: dict[str, str]) -> dict:
    """A refused row as the file has it (the report's problems say why)."""
    return {"row": number, "refused": True, "cells": cells}
