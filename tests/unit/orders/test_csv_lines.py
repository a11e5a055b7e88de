import pytest

from orders.domain.csv_lines import MAX_ROWS, decode, parse


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_korean_spreadsheets_decode_in_each_encoding(encoding):
    text = '상품군코드,수량\nKIMCHI-POGI-10KG,"1,200"\n'
    decoded, used = decode(text.encode(encoding))
    assert decoded.lstrip("\ufeff") == text
    assert used in ("utf-8-sig", "cp949")
    assert parse(decoded).lines == [{"group_code": "KIMCHI-POGI-10KG", "quantity": 1200}]


def test_undecodable_bytes_are_refused_in_korean():
    with pytest.raises(ValueError, match="UTF-8 또는 CP949"):
        decode(b"\xff\xfe\xfa\x80")


def test_rows_are_reported_as_a_spreadsheet_user_counts_them():
    text = (
        "상품ID,상품군코드,수량\n"
        "P1,,3\n"
        ",,5\n"  # row 3: neither
        "P2,G1,5\n"  # row 4: both
        "P3,,세 개\n"  # row 5: not a number
        "P4,,0\n"  # row 6: zero
        "\n"  # blank: skipped
        ",G2,7\n"
    )
    parsed = parse(text)
    assert parsed.lines == [
        {"product_id": "P1", "quantity": 3},
        {"group_code": "G2", "quantity": 7},
    ]
    assert parsed.rows == [2, 8]
    assert [(p["row"], p["column"]) for p in parsed.problems] == [
        (3, "상품ID"),
        (4, "상품ID"),
        (5, "수량"),
        (6, "수량"),
    ]
    assert all(p["problem"] for p in parsed.problems)


def test_missing_columns_and_empty_files():
    assert parse("").problems[0]["problem"] == "빈 파일입니다."
    assert {p["column"] for p in parse("이름,단가\n").problems} == {"수량", "상품ID"}
    assert parse("상품ID,수량\n").problems[0]["problem"] == "주문할 품목이 없습니다."


def test_row_cap():
    text = "상품ID,수량\n" + "".join(f"P{i},1\n" for i in range(MAX_ROWS + 5))
    parsed = parse(text)
    assert len(parsed.lines) == MAX_ROWS
    assert parsed.problems[-1]["row"] == MAX_ROWS + 2


def test_an_excel_workbook_or_a_binary_file_is_refused_in_korean():
    with pytest.raises(ValueError, match=r"\.xlsx"):
        decode(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(ValueError, match="NUL"):
        decode("상품ID,수량\nP1,1\x00\n".encode())


def test_headers_match_whatever_the_spacing_or_case():
    parsed = parse(" 상품 ID ,Quantity\nP1,2\n")
    assert parsed.lines == [{"product_id": "P1", "quantity": 2}]


def test_a_column_given_twice_is_a_problem_of_the_header_row():
    parsed = parse("상품ID,수량,수량\nP1,1,2\n")
    assert parsed.lines == []
    assert [(p["row"], p["column"]) for p in parsed.problems] == [(1, None)]
    assert "두 번" in parsed.problems[0]["problem"]
