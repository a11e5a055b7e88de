"""Use case: an order whose lines come from an uploaded CSV, with a dry run that reports
every problem row by row (in Korean) and writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem
from orders.adapters.models import Order
from orders.domain.csv_lines import decode, parse
from orders.services import placing
from orders.services.idempotency import Created
from orders.wiring import OrdersWiring


@dataclass(frozen=True)
class CsvCheck:
    """What a dry run found: every problem by spreadsheet row, or the order it would place."""

    ok: bool
    encoding: str
    rows: int | None = None
    problems: list[dict] = field(default_factory=list)
    preview: Order | None = None  # the order as it would be written (never committed)
    dry_run: bool = True


def order_from_csv(
    wiring: OrdersWiring,
    form: dict,
    raw: bytes,
    actor: Principal,
    *,
    dry_run: bool,
    idempotency_key: str | None,
) -> CsvCheck | Created[Order]:
    """A dry run answers a `CsvCheck`; otherwise the order is placed (or refused with
    422 `csv_rows_invalid`, every problem by row)."""
    try:
        text, encoding = decode(raw)
    except ValueError as exc:
        raise Problem(422, "csv_unreadable", "파일을 읽을 수 없습니다", str(exc)) from exc
    parsed = parse(text)
    if parsed.problems:
        return _refuse(parsed.problems, dry_run, encoding)
    fields = form | {"lines": parsed.lines}
    try:
        if dry_run:
            institution = placing.require_institution(wiring, actor)
            preview = placing.place(wiring, fields, actor, institution, dry_run=True)
            return CsvCheck(ok=True, encoding=encoding, rows=len(parsed.lines), preview=preview)
        fingerprint_body = {key: str(value) for key, value in form.items()}
        fingerprint_body["csv_sha256"] = hashlib.sha256(raw).hexdigest()
        return placing.place_order(
            wiring, fields, actor, idempotency_key=idempotency_key, raw_body=fingerprint_body
        )
    except Problem as problem:
        line_errors = (problem.errors or {}).get("lines")
        if problem.code != "order_lines_invalid" or not isinstance(line_errors, dict):
            raise
        problems = [
            {
                "row": parsed.rows[int(index)],
                "column": "상품ID",
                "problem": error["detail"],
                "code": error["code"],
            }
            for index, error in sorted(line_errors.items(), key=lambda item: int(item[0]))
        ]
        return _refuse(problems, dry_run, encoding)


def _refuse(problems: list[dict], dry_run: bool, encoding: str) -> CsvCheck:
    if dry_run:
        return CsvCheck(ok=False, encoding=encoding, problems=problems)
    raise Problem(
        422,
        "csv_rows_invalid",
        "주문할 수 없는 줄이 있습니다",
        f"{len(problems)}개 줄에 문제가 있습니다. errors.rows를 확인하세요.",
        errors={"rows": problems},
    )
