"""Writing performance reports as files: .xlsx (openpyxl write-only: rows go to disk as they
come, so 200,000 lines never sit in memory) and CSV in UTF-8 with BOM or CP949 (older Excel).

A `Table` is one view: a Korean title, its headers, which columns are won amounts, and rows
(an iterable, consumed once). Every view becomes one sheet with a frozen header row; won
columns carry the number format `#,##0"원"`; a sheet may carry a chart of its own figures.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill

WON_FORMAT = '#,##0"원"'
PERCENT_FORMAT = '0.00"%"'
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass
class Table:
    title: str  # the sheet name (≤ 31 characters)
    headers: list[str]
    rows: Iterable[list]
    won_columns: frozenset[int] = frozenset()  # 0-based columns holding won amounts
    percent_columns: frozenset[int] = frozenset()
    chart: str | None = None  # "bar" | "line": of the won columns, by the first column
    chart_columns: tuple[int, ...] = ()
    widths: dict[int, int] = field(default_factory=dict)


def write_xlsx(
    tables: list[Table], target: Path, progress: Callable[[int], None] | None = None
) -> None:
    """One sheet per table, written row by row; `progress(rows_written)` every 5,000 rows."""
    workbook = Workbook(write_only=True)
    written = 0
    for table in tables:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.freeze_panes = "A2"
        for index, width in table.widths.items():
            sheet.column_dimensions[_letter(index)].width = width
        sheet.append([_header_cell(sheet, text) for text in table.headers])
        count = 0
        for row in table.rows:
            sheet.append([_cell(sheet, table, i, value) for i, value in enumerate(row)])
            count += 1
            written += 1
            if progress and written % 5000 == 0:
                progress(written)
        if table.chart and count:
            sheet.add_chart(_chart(sheet, table, count), f"{_letter(len(table.headers) + 1)}2")
    workbook.save(target)


def _header_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(horizontal="center")
    return cell


def _cell(sheet, table: Table, index: int, value):
    if index in table.won_columns and value is not None:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = WON_FORMAT
        return cell
    if index in table.percent_columns and value is not None:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = PERCENT_FORMAT
        return cell
    return value


def _chart(sheet, table: Table, count: int):
    chart = BarChart() if table.chart == "bar" else LineChart()
    chart.title = table.title
    chart.y_axis.title = "원"
    chart.height, chart.width = 9, 18
    for column in table.chart_columns:
        data = Reference(sheet, min_col=column + 1, min_row=1, max_row=count + 1)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
    return chart


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def csv_chunks(table: Table, encoding: str) -> Iterator[bytes]:
    """The table as CSV bytes, a chunk per 500 rows: UTF-8 starts with a BOM (so Excel reads
    Korean), CP949 replaces the rare character it cannot encode with '?'."""
    if encoding == "utf-8":
        encode, first = (lambda text: text.encode("utf-8")), codecs.BOM_UTF8
    else:
        encode, first = (lambda text: text.encode("cp949", errors="replace")), b""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    pending = 0
    for row in table.rows:
        writer.writerow(["" if value is None else value for value in row])
        pending += 1
        if pending == 500:
            yield first + encode(buffer.getvalue())
            first, pending = b"", 0
            buffer.seek(0)
            buffer.truncate()
    yield first + encode(buffer.getvalue())
