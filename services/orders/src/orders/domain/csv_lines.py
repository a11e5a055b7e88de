"""Order lines from a spreadsheet: UTF-8 (with or without BOM) or CP949, as Korean Excel
saves it. Problems are reported per row and column, in Korean, the way a user counts rows
(the header is row 1)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

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


@dataclass
class ParsedLines:
    lines: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # spreadsheet row of each line
    problems: list[dict] = field(default_factory=list)


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding). UTF-8 is tried first because CP949 would 'decode' it into noise."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValueError("파일을 읽을 수 없습니다. UTF-8 또는 CP949(엑셀 기본 저장)로 저장해 주세요.")


def parse(text: str) -> ParsedLines:
    result = ParsedLines()
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        result.problems.append(_problem(1, None, "빈 파일입니다."))
        return result
    positions = _positions([h.strip() for h in header], result)
    if result.problems:
        return result
    for row_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are what spreadsheets leave at the end
        if len(result.lines) + len(result.problems) >= MAX_ROWS:
            result.problems.append(
                _problem(row_no, None, f"한 번에 {MAX_ROWS}줄까지 올릴 수 있습니다.")
            )
            break
        line = _line(row_no, row, positions, result)
        if line is not None:
            result.lines.append(line)
            result.rows.append(row_no)
    if not result.lines and not result.problems:
        result.problems.append(_problem(2, None, "주문할 품목이 없습니다."))
    return result


def _positions(header: list[str], result: ParsedLines) -> dict[str, int]:
    positions = {}
    for name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in header:
                positions[name] = header.index(alias)
                break
    if "quantity" not in positions:
        result.problems.append(_problem(1, "수량", "'수량' 열이 없습니다."))
    if not any(target in positions for target in TARGETS):
        result.problems.append(
            _problem(1, "상품ID", "'상품ID', '상품군코드' 또는 '상품코드(SKU)' 열이 필요합니다.")
        )
    return positions


def _line(row_no: int, row: list[str], positions: dict[str, int], result: ParsedLines):
    def cell(name: str) -> str:
        index = positions.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

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
