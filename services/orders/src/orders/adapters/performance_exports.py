"""Writing performance reports as files: .xlsx (XlsxWriter in constant-memory mode: each row
goes to disk as it is written, so 200,000 lines never sit in memory) and CSV in UTF-8 with
BOM or CP949 (older Excel).

A `Table` is one view: a Korean title, its headers, which columns are won amounts, and rows
(an iterable, consumed once). Every view becomes one sheet with a frozen header row; won
columns carry the number format `#,##0"원"` (a column format, so cells need none of their
own); a sheet may carry a chart of its own figures. docs/benchmarks.md compares this with
openpyxl's write-only mode (1.5× the CPU per row, more with a style per cell).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

WON_FORMAT = '#,##0"원"'
PERCENT_FORMAT = '0.00"%"'
DEFAULT_WIDTH = 14


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
    workbook = xlsxwriter.Workbook(
        str(target),
        {
            "constant_memory": True,
            "tmpdir": str(target.parent),
            # text stays text: a name starting with "=" is not a formula, nor a URL a link
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "align": "center"})
    won = workbook.add_format({"num_format": WON_FORMAT})
    percent = workbook.add_format({"num_format": PERCENT_FORMAT})
    written = 0
    for table in tables:
        sheet = workbook.add_worksheet(table.title[:31])
        sheet.freeze_panes(1, 0)
        for index in range(len(table.headers)):
            cell_format = (
                won
                if index in table.won_columns
                else percent
                if index in table.percent_columns
                else None
            )
            width = table.widths.get(index, DEFAULT_WIDTH)
            sheet.set_column(index, index, width, cell_format)
        sheet.write_row(0, 0, table.headers, header)
        count = 0
        for row in table.rows:
            count += 1
            sheet.write_row(count, 0, row)
            written += 1
            if progress and written % 5000 == 0:
                progress(written)
        if table.chart and count:
            chart = _chart(workbook, sheet.name, table, count)
            sheet.insert_chart(0, len(table.headers) + 1, chart)
    workbook.close()


def _chart(workbook, sheet_name: str, table: Table, count: int):
    chart = workbook.add_chart({"type": "column" if table.chart == "bar" else "line"})
    chart.set_title({"name": table.title})
    chart.set_y_axis({"name": "원", "num_format": "#,##0"})
    chart.set_size({"width": 680, "height": 340})
    for column in table.chart_columns:
        chart.add_series(
            {
                "name": [sheet_name, 0, column],
                "categories": [sheet_name, 1, 0, count, 0],
                "values": [sheet_name, 1, column, count, column],
            }
        )
    return chart


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
