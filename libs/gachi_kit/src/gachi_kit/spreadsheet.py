"""Reading the CSV files people save from Korean Excel: the encoding, the header, row numbers.

Plain Python (no Flask, no database), so `domain/` code may use it. It only reads: which
columns mean what and how a cell is parsed belong to the caller. Rows are numbered the way a
spreadsheet user counts them (the header is row 1; blank lines are skipped but counted).
Everything that makes the file as a whole unreadable is a `SpreadsheetError` with a stable
`code` and a Korean `detail`; nothing is ever decoded with replacement characters.

    sheet = read_csv(upload.read())              # UTF-8, UTF-8 with BOM or CP949
    where = sheet.locate({"quantity": ("수량", "quantity"), "sku": ("상품코드", "SKU")})
    for record in sheet.records:
        quantity = record.cell(where.positions["quantity"])   # "" when the row is short
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gachi_kit.domain_errors import DomainError

MAX_ROWS = 5_000
ENCODINGS = {"auto": "자동", "utf-8": "UTF-8", "cp949": "CP949(EUC-KR)"}
XLSX_MAGIC = b"PK\x03\x04"  # .xlsx is a zip package
NO_ROWS = "머리글 아래에 데이터 행이 없습니다."


class SpreadsheetError(DomainError):
    """The file as a whole cannot be read (encoding, header, size): nothing is written."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Record:
    number: int  # as a spreadsheet counts it: the header is row 1
    cells: list[str]

    def cell(self, index: int) -> str:
        """The stripped cell at `index`; "" when the row is shorter than the header."""
        return self.cells[index].strip() if index < len(self.cells) else ""

    def extra_cells(self, width: int) -> bool:
        """True when the row has non-blank cells beyond `width` (the header's columns)."""
        return any(cell.strip() for cell in self.cells[width:])


@dataclass(frozen=True)
class Located:
    positions: dict[str, int]  # key → column index, for the known columns present
    headers: dict[str, str]  # key → the header as written in the file
    ignored: list[str]  # non-blank headers no key claims, in file order


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    records: list[Record]
    encoding: str  # the one used: "utf-8", "utf-8-sig" or "cp949"

    def locate(self, names: Mapping[str, Sequence[str]]) -> Located:
        """Find each key's column by any of its names (compared by `header_key`: case,
        spaces and Unicode normalisation do not matter). A key present twice is an error;
        the first name of a key is how messages call it."""
        by_name = {header_key(name): key for key, spellings in names.items() for name in spellings}
        positions: dict[str, int] = {}
        headers: dict[str, str] = {}
        ignored: list[str] = []
        for index, raw in enumerate(self.header):
            key = by_name.get(header_key(raw))
            if key is None:
                if raw.strip():
                    ignored.append(raw.strip())
                continue
            if key in positions:
                raise SpreadsheetError(
                    "csv_duplicate_column",
                    f"'{names[key][0]}' 열이 두 번 있습니다 ('{headers[key]}', '{raw.strip()}').",
                )
            positions[key], headers[key] = index, raw.strip()
        return Located(positions, headers, ignored)


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """(text, encoding used). Strict: a byte that is not valid in the encoding is an error,
    never a replacement character. `auto` tries UTF-8 (with or without BOM) first, because
    CP949 would "decode" UTF-8 into noise, then CP949 (Korean Excel's "CSV")."""
    if data.startswith(XLSX_MAGIC):
        raise SpreadsheetError(
            "csv_not_csv",
            "엑셀 통합 문서(.xlsx) 파일입니다. 엑셀에서 '다른 이름으로 저장 → CSV UTF-8(쉼표로 "
            "분리)'로 저장해 올려 주세요.",
        )
    attempts = ["utf-8", "cp949"] if encoding == "auto" else [encoding]
    failures = []
    for name in attempts:
        try:
            if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
                text, used = data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
            else:
                text, used = data.decode(name), name
        except UnicodeDecodeError as exc:
            failures.append(f"{ENCODINGS[name]}로 읽으면 {exc.start + 1}번째 바이트가 깨집니다")
            continue
        if "\x00" in text:
            raise SpreadsheetError(
                "csv_invalid_text",
                "파일에 NUL 문자가 있습니다. 텍스트 CSV 파일이 맞는지 확인해 주세요.",
            )
        return text, used
    raise SpreadsheetError(
        "csv_encoding",
        "파일의 문자 인코딩을 읽을 수 없습니다: "
        + ", ".join(failures)
        + ". 엑셀에서 'CSV UTF-8(쉼표로 분리)' 또는 'CSV(쉼표로 분리)'로 저장해 주세요.",
    )


def read_csv(data: bytes, *, encoding: str = "auto", max_rows: int = MAX_ROWS) -> Sheet:
    """Decode and split `data` into the header and the numbered non-blank records. No
    records is not an error here: the caller says what was missing (`NO_ROWS` is the
    generic message), after checking its columns."""
    text, used = decode(data, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise SpreadsheetError("csv_empty", "파일이 비어 있습니다.") from exc
    except csv.Error as exc:
        raise SpreadsheetError("csv_malformed", f"머리글(1행)을 읽을 수 없습니다: {exc}") from exc
    records: list[Record] = []
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line: spreadsheets keep counting, so do we
            if len(records) >= max_rows:
                raise SpreadsheetError(
                    "csv_too_many_rows",
                    f"한 번에 {max_rows:,}행까지 올릴 수 있습니다. 파일을 나눠 올려 주세요.",
                )
            records.append(Record(number, cells))
    except csv.Error as exc:  # raised while reading the row after the last one counted
        raise SpreadsheetError(
            "csv_malformed", f"{number + 1}행을 읽을 수 없습니다: {exc}"
        ) from exc
    return Sheet(header, records, used)


def header_key(text: str) -> str:
    """How headers are compared: NFC, no BOM, no whitespace, lower case."""
    return "".join(unicodedata.normalize("NFC", text).replace("\ufeff", "").split()).lower()
