"""Order lines from a spreadsheet: UTF-8 (with or without BOM) or CP949, as Korean Excel
saves it, read by the kit's spreadsheet reader (`gachi_kit.spreadsheet`: strict decoding,
.xlsx and NUL bytes refused, rows numbered). Problems are reported per row and column, in
Korean, the way a user counts rows (the header is row 1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gachi_kit.spreadsheet import Located, Record, SpreadsheetError, read_csv
from gachi_kit.spreadsheet import decode as decode_spreadsheet

MAX_ROWS = 500
# Accepted header names for each field (Korean first; English for systems that export).
COLUMNS = {
    "product_id": ("상품ID", "상품아이디", "product_id"),
    "group_code": ("상품군코드", "표준품목코드", "group_code"),
    "sku": ("상품코드(SKU)", "상품코드", "SKU", "sku"),
    "enterprise_brn": ("사업자등록번호", "enterprise_brn"),
    "quantity": ("수량", "quantity"),
}
TARGETS = ("product_id", "group_code", "sku")
UNREADABLE = "파일을 읽을 수 없습니다. UTF-8 또는 CP949(엑셀 기본 저장)로 저장해 주세요."


@dataclass
class ParsedLines:
    lines: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # spreadsheet row of each line
    problems: list[dict] = field(default_factory=list)


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): "utf-8-sig" (with or without BOM) or "cp949". A file that is not a
    readable CSV is a ValueError with a Korean message."""
    try:
        text, used = decode_spreadsheet(raw)
    except SpreadsheetError as exc:
        raise ValueError(UNREADABLE if exc.code == "csv_encoding" else exc.detail) from exc
    return text, "cp949" if used == "cp949" else "utf-8-sig"


def parse(text: str) -> ParsedLines:
    result = ParsedLines()
    try:
        # the text is decoded already: the reader gets it back as UTF-8
        sheet = read_csv(text.encode("utf-8"))
        located = sheet.locate(COLUMNS)
    except SpreadsheetError as exc:
        detail = "빈 파일입니다." if exc.code == "csv_empty" else exc.detail
        result.problems.append(_problem(1, None, detail))
        return result
    _check_columns(located, result)
    if result.problems:
        return result
    for record in sheet.records:
        if len(result.lines) + len(result.problems) >= MAX_ROWS:
            result.problems.append(
                _problem(record.number, None, f"한 번에 {MAX_ROWS}줄까지 올릴 수 있습니다.")
            )
            break
        line = _line(record, located.positions, result)
        if line is not None:
            result.lines.append(line)
            result.rows.append(record.number)
    if not result.lines and not result.problems:
        result.problems.append(_problem(2, None, "주문할 품목이 없습니다."))
    return result


def _check_columns(located: Located, result: ParsedLines) -> None:
    if "quantity" not in located.positions:
        result.problems.append(_problem(1, "수량", "'수량' 열이 없습니다."))
    if not any(target in located.positions for target in TARGETS):
        result.problems.append(
            _problem(1, "상품ID", "'상품ID', '상품군코드' 또는 '상품코드(SKU)' 열이 필요합니다.")
        )


def _line(record: Record, positions: dict[str, int], result: ParsedLines):
    def cell(name: str) -> str:
        index = positions.get(name)
        return record.cell(index) if index is not None else ""

    row_no = record.number
    given = {target: cell(target) for target in TARGETS if cell(target)}
    quantity = cell("quantity")
    if len(given) != 1:
        result.problems.append(
            _problem(row_no, "상품ID", "상품ID, 상품군코드, 상품코드(SKU) 중 하나만 적어 주세요.")
        )
        return None
    try:
        amount = int(quantity.replace(",", ""))
    except ValueError:
        result.problems.append(_problem(row_no, "수량", f"수량은 정수여야 합니다: '{quantity}'"))
        return None
    if amount < 1:
        result.problems.append(_problem(row_no, "수량", "수량은 1 이상이어야 합니다."))
        return None
    line = given | {"quantity": amount}
    if "sku" in given and cell("enterprise_brn"):
        line["enterprise_brn"] = cell("enterprise_brn")
    return line


def _problem(row: int, column: str | None, problem: str) -> dict:
    return {"row": row, "column": column, "problem": problem}
