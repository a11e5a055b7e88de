import codecs

import pytest

from catalog.domain import csv_import
from catalog.domain.csv_import import parse_table
from gachi_kit.spreadsheet import SpreadsheetError as CsvError
from gachi_kit.spreadsheet import decode

COLUMNS = csv_import.product_columns({"food": "식품"}, {"TOFU-SNACK-200G": "두부과자 200g"})


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("상품명\n두부과자\n".encode(), "상품명\n두부과자\n", "utf-8"),
        (codecs.BOM_UTF8 + "상품명\n".encode(), "상품명\n", "utf-8-sig"),
        ("상품명\n두부과자\n".encode("cp949"), "상품명\n두부과자\n", "cp949"),
        (b"sku,name\n", "sku,name\n", "utf-8"),
    ],
)
def test_decode_tries_utf8_then_cp949(data, text, encoding):
    assert decode(data) == (text, encoding)


def test_decoding_is_strict_and_says_which_encoding_failed_in_korean():
    cp949 = "두부과자".encode("cp949")
    with pytest.raises(CsvError) as forced:
        decode(cp949, "utf-8")
    assert forced.value.code == "csv_encoding"
    assert "UTF-8로 읽으면 1번째 바이트가 깨집니다" in forced.value.detail
    with pytest.raises(CsvError) as both:
        decode(b"\x80\xff\xfe")
    assert "UTF-8" in both.value.detail and "CP949" in both.value.detail
    with pytest.raises(CsvError) as nul:
        decode(b"a,b\x00\n")
    assert nul.value.code == "csv_invalid_text"


def test_headers_match_aliases_spacing_and_case():
    table = parse_table(
        (
            " 상품코드 ,상품 명,SKU가격?,분류,단위,판매가,과세여부\n"
            'A-1,두부과자,x,식품,봉,"3,500",과세\n'
        ).encode(),
        [c for c in COLUMNS if c.key != "sku"] + [c for c in COLUMNS if c.key == "sku"],
    )
    (row,) = table.rows
    assert row.errors == []
    assert row.values["sku"] == "A-1" and row.values["unit_price"] == 3500
    assert row.values["tax_type"] == "taxable" and row.values["category"] == "food"
    assert table.ignored == ["SKU가격?"]


@pytest.mark.parametrize(
    ("price", "value", "error"),
    [
        ("3500", 3500, None),
        ("3,500", 3500, None),
        ("1,234,567", 1234567, None),
        ("0", 0, None),
        ("3500.0", None, "정수"),
        ("3.5e3", None, "정수"),
        ("35,00", None, "정수"),
        ("-1", None, "0 이상"),
        ("삼천원", None, "정수"),
        ("99999999999", None, "사이"),
    ],
)
def test_krw_cells_are_whole_numbers(price, value, error):
    parse = csv_import.integer(0, 10_000_000_000, required=True, what="단가")
    if error is None:
        assert parse(price) == value
    else:
        with pytest.raises(csv_import.CellError, match=error):
            parse(price)


def test_rows_are_numbered_as_a_spreadsheet_counts_them():
    text = (
        "상품코드(SKU),상품명,분류,단위,단가,과세구분\r\n"
        "A-1,두부과자,식품,봉,3500,과세\r\n"
        ",,,,,\r\n"
        '"B-2","여러 줄\n설명",식품,봉,abc,과세\r\n'
    )
    table = parse_table(text.encode(), COLUMNS)
    assert [r.number for r in table.rows] == [2, 4]
    (error,) = table.rows[1].errors
    assert (error.column, "정수" in error.message) == ("단가", True)


def test_file_level_problems():
    with pytest.raises(CsvError, match="필수 열이 없습니다: 분류, 단위, 단가, 과세구분"):
        parse_table("상품코드(SKU),상품명\nA,B\n".encode(), COLUMNS)
    with pytest.raises(CsvError) as many:
        parse_table(
            (
                "상품코드(SKU),상품명,분류,단위,단가,과세구분\n" + "A,B,식품,봉,1,과세\n" * 4
            ).encode(),
            COLUMNS,
            max_rows=3,
        )
    assert many.value.code == "csv_too_many_rows"
    with pytest.raises(CsvError) as empty:
        parse_table("상품코드(SKU),상품명,분류,단위,단가,과세구분\n\n\n".encode(), COLUMNS)
    assert empty.value.code == "csv_empty"


def test_extra_cells_beyond_the_header_are_a_row_error():
    table = parse_table(
        "상품코드(SKU),상품명,분류,단위,단가,과세구분\nA,B,식품,봉,1,과세,덤\n".encode(), COLUMNS
    )
    assert "칸 수" in table.rows[0].errors[0].message


def test_enterprise_certification_columns_go_together():
    columns = csv_import.enterprise_columns()
    table = parse_table(
        (
            "상호,기업유형,사업자등록번호,대표자,시군구코드,인증구분,인증시작일,인증종료일\n"
            "광명두부,협동조합,1208147521,김순자,41210,설립신고,2025-03-01,2024-03-01\n"
        ).encode(),
        columns,
    )
    (row,) = table.rows
    csv_import.check_enterprise_row(row)
    messages = {e.column: e.message for e in row.errors}
    assert "모두 적어 주세요" in messages["인증번호"]
    assert "빠릅니다" in messages["인증종료일"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2025-03-01", (2025, 3, 1)), ("2025.3.1", (2025, 3, 1)), ("2025/03/01", (2025, 3, 1))],
)
def test_dates_in_the_forms_excel_writes(raw, expected):
    assert csv_import.day(raw).timetuple()[:3] == expected


def test_describe_documents_every_column():
    table = csv_import.describe(csv_import.enterprise_columns())
    for header in ("상호", "기업유형", "사업자등록번호", "대표자", "시군구코드", "인증종료일"):
        assert f"| {header} |" in table
