"""An uploaded spreadsheet as the kit's `Sheet`: CSV (UTF-8, BOM or CP949) through the kit's
reader, .xlsx (the first worksheet) through openpyxl's read-only mode."""

from __future__ import annotations

import io
from datetime import date, datetime
from zipfile import BadZipFile

from openpyxl import load_workbook

from gachi_kit.spreadsheet import MAX_ROWS, XLSX_MAGIC, Record, Sheet, SpreadsheetError, read_csv


def read_upload(data: bytes, encoding: str = "auto") -> Sheet:
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data)
    return read_csv(data, encoding=encoding)


def read_xlsx(data: bytes, max_rows: int = MAX_ROWS) -> Sheet:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SpreadsheetError("xlsx_unreadable", "엑셀 파일(.xlsx)을 읽을 수 없습니다.") from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        if not any(header):
            raise SpreadsheetError("csv_empty", "파일이 비어 있습니다.")
        records: list[Record] = []
        for number, values in enumerate(rows, start=2):
            cells = [_text(v) for v in values]
            if not any(cell.strip() for cell in cells):
                continue
            if len(records) >= max_rows:
                raise SpreadsheetError(
                    "csv_too_many_rows",
                    f"한 번에 {max_rows:,}행까지 올릴 수 있습니다. 파일을 나눠 올려 주세요.",
                )
            records.append(Record(number, cells))
    finally:
        workbook.close()
    return Sheet(header, records, "xlsx")


def _text(value) -> str:
    """A cell as the text a person sees: dates as 2026-03-05, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
