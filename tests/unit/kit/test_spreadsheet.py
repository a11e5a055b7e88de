"""The kit's spreadsheet reader: Korean text as Korean Excel saves it, row numbers as people
count them, and the files it must refuse."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from gachi_kit.domain_errors import DomainError
from gachi_kit.spreadsheet import SpreadsheetError, decode, header_key, read_csv

KOREAN_CSV = (
    "상품명,수량,비고\r\n"
    '국산콩 두부과자 200g,40,"정문 경비실, 오전 배송"\r\n'
    "\r\n"
    "포기김치 10kg,3,똠방각하 뷁\r\n"
)
ENCODED = {
    "utf-8": KOREAN_CSV.encode("utf-8"),
    "utf-8-sig": codecs.BOM_UTF8 + KOREAN_CSV.encode("utf-8"),
    "cp949": KOREAN_CSV.encode("cp949"),  # 똠, 뷁: outside EUC-KR, inside CP949
}


@pytest.mark.parametrize("encoding", ENCODED)
def test_korean_text_reads_the_same_in_each_encoding_excel_saves(encoding):
    sheet = read_csv(ENCODED[encoding])

    assert sheet.encoding == encoding
    assert sheet.header == ["상품명", "수량", "비고"]
    assert [(r.number, r.cells) for r in sheet.records] == [
        (2, ["국산콩 두부과자 200g", "40", "정문 경비실, 오전 배송"]),
        (4, ["포기김치 10kg", "3", "똠방각하 뷁"]),  # the blank row 3 is counted, not read
    ]


def test_an_encoding_can_be_forced_and_a_wrong_one_is_an_error_not_noise():
    assert decode(ENCODED["cp949"], "cp949") == (KOREAN_CSV, "cp949")
    with pytest.raises(SpreadsheetError) as caught:
        decode(ENCODED["cp949"], "utf-8")
    assert caught.value.code == "csv_encoding" and "UTF-8로 읽으면" in caught.value.detail


def test_bytes_valid_in_no_encoding_are_refused_naming_both_attempts():
    with pytest.raises(SpreadsheetError) as caught:
        decode(b"\xff\xfe\xfd,\x80\x80")
    assert caught.value.code == "csv_encoding"
    assert "UTF-8" in caught.value.detail and "CP949" in caught.value.detail


def xlsx_bytes() -> bytes:
    """A minimal Office Open XML workbook with one Korean cell, as Excel packages one."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook {ns}><sheets><sheet name="주문" sheetId="1"/></sheets></workbook>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>상품명</t>'
            "</is></c></row></sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, xml in parts.items():
            package.writestr(name, xml)
    return buffer.getvalue()


def test_an_xlsx_workbook_is_recognised_and_refused_with_how_to_save_it_as_csv():
    with pytest.raises(SpreadsheetError) as caught:
        read_csv(xlsx_bytes())

    assert caught.value.code == "csv_not_csv"
    assert ".xlsx" in caught.value.detail and "CSV UTF-8" in caught.value.detail


def test_a_utf16_file_is_not_read_as_text():
    with pytest.raises(SpreadsheetError) as caught:
        read_csv("상품명,수량\n두부과자,1\n".encode("utf-16-le"))  # full of NUL bytes

    assert caught.value.code in {"csv_invalid_text", "csv_encoding"}


def test_a_nul_inside_valid_utf8_is_named():
    with pytest.raises(SpreadsheetError) as caught:
        read_csv("상품명,수량\n두부\x00과자,1\n".encode())

    assert (caught.value.code, "NUL" in caught.value.detail) == ("csv_invalid_text", True)


def test_an_empty_file_and_a_header_without_rows():
    with pytest.raises(SpreadsheetError) as caught:
        read_csv(b"")
    assert caught.value.code == "csv_empty"

    assert read_csv("상품명,수량\r\n\r\n".encode()).records == []  # the caller words it


def test_too_many_rows_are_refused_counting_only_non_blank_ones():
    data = ("상품명,수량\n" + "두부과자,1\n\n" * 3).encode()

    assert len(read_csv(data, max_rows=3).records) == 3
    with pytest.raises(SpreadsheetError) as caught:
        read_csv(data, max_rows=2)
    assert caught.value.code == "csv_too_many_rows" and "2행까지" in caught.value.detail


def test_a_row_the_csv_module_cannot_read_is_named():
    too_long = "가" * 140_000  # beyond the csv module's field limit
    data = f"상품명,수량\n두부과자,1\n\n{too_long},2\n".encode()

    with pytest.raises(SpreadsheetError) as caught:
        read_csv(data)

    assert caught.value.code == "csv_malformed" and caught.value.detail.startswith("4행")


def test_columns_are_found_by_any_spelling_and_unknown_ones_are_listed():
    sheet = read_csv("\ufeff 수 량 ,메모,상품ID,Quantity2\n1,a,p1,x\n".encode())

    where = sheet.locate({"quantity": ("수량", "quantity"), "product_id": ("상품ID",)})

    assert where.positions == {"quantity": 0, "product_id": 2}
    assert where.headers == {"quantity": "수 량", "product_id": "상품ID"}
    assert where.ignored == ["메모", "Quantity2"]
    record = sheet.records[0]
    assert (record.cell(0), record.cell(9), record.extra_cells(4)) == ("1", "", False)


def test_the_same_column_twice_is_refused_by_its_first_name():
    sheet = read_csv("수량,quantity\n1,2\n".encode())

    with pytest.raises(SpreadsheetError) as caught:
        sheet.locate({"quantity": ("수량", "quantity")})

    assert caught.value.code == "csv_duplicate_column"
    assert caught.value.detail == "'수량' 열이 두 번 있습니다 ('수량', 'quantity')."


def test_header_keys_ignore_case_spaces_bom_and_normalisation():
    decomposed = "\u1112\u1161\u11ab"  # 한 as three jamo (NFD, as macOS writes it)

    assert header_key("\ufeff Product ID ") == "productid"
    assert header_key(decomposed) == header_key("한")


def test_a_spreadsheet_error_is_a_final_domain_error():
    error = SpreadsheetError("csv_empty", "파일이 비어 있습니다.")

    assert isinstance(error, DomainError) and not error.retryable
