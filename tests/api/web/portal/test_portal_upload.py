"""Ordering from a spreadsheet: CP949/UTF-8 CSV and .xlsx, a dry-run preview of row
problems or of the split, then placing exactly what was previewed."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import Workbook

from gachi_kit.dates import today_kst
from tests.support.portal import csrf_token

BAD = "상품군코드,수량\nKIMCHI-POGI-10KG,20\nNO-SUCH-GROUP,5\nTOFU-SNACK-200G,30\n"
GOOD = "상품군코드,수량\nKIMCHI-POGI-10KG,20\nTOFU-SNACK-200G,30\n"


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(buyer, content: bytes, filename="주문.csv", **fields):
    page = text(buyer.get("/order-sheet/upload"))
    data = {
        "csrf_token": csrf_token(page),
        "delivery_address": "경기도 광명시 시청로 20 광명시청 회계과",
        "delivery_sigungu_code": "41210",
        "needed_by": (today_kst() + timedelta(days=14)).isoformat(),
        **fields,
    }
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return buyer.post("/order-sheet/upload", data=data, content_type="multipart/form-data")


def test_a_cp949_file_with_a_bad_row_shows_the_row_problem_and_places_nothing(buyer):
    response = upload(buyer, BAD.encode("cp949"))
    html = text(response)
    assert response.status_code == 200
    assert "1개 줄에 문제가 있습니다" in html
    assert "3번째 줄" in html and "row-problem" in html
    assert "이대로 주문하기" not in html
    placed = buyer.post(
        "/order-sheet/upload/place", data={"csrf_token": csrf_token(html), "idempotency_key": "k-1"}
    )
    assert placed.status_code == 302 and placed.headers["Location"].endswith("/order-sheet/upload")


def test_the_fixed_file_previews_the_split_then_places_it_once(buyer):
    html = text(upload(buyer, GOOD.encode("cp949")))
    assert "2개 줄 모두 주문할 수 있습니다" in html and "CP949" in html
    assert "공급 기업별 주문" in html and "부가세" in html and "(면세)" in html
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(html), "idempotency_key": key}
    first = buyer.post("/order-sheet/upload/place", data=data)
    assert first.status_code == 302 and "/orders/" in first.headers["Location"]
    again = buyer.post("/order-sheet/upload/place", data=data)
    assert again.headers["Location"].split("?")[0] == first.headers["Location"].split("?")[0]
    order = text(buyer.get(first.headers["Location"]))
    assert "파일의 주문을 접수했습니다" in order and "회계과" in order


def test_an_xlsx_workbook_is_read_like_a_csv(buyer):
    workbook = Workbook()
    sheet = workbook.active
    for row in (["상품군코드", "수량"], ["KIMCHI-POGI-10KG", 10]):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = text(upload(buyer, buffer.getvalue(), filename="주문.xlsx"))
    assert "1개 줄 모두 주문할 수 있습니다" in html and "UTF-8" in html


def test_wrong_files_are_explained_next_to_the_file_field(buyer):
    for content, filename, message in (
        (None, None, "주문할 파일을 고르세요."),
        (b"%PDF-1.4", "order.pdf", "CSV(.csv) 또는 엑셀(.xlsx) 파일만"),
        (b"not a zip", "order.xlsx", "엑셀 파일을 열 수 없습니다"),
        (b"", "empty.csv", "빈 파일입니다."),
    ):
        response = upload(buyer, content, filename=filename)
        html = text(response)
        assert response.status_code == 422, filename
        assert 'id="f-file-error"' in html and message in html, filename


def test_delivery_field_errors_from_the_dry_run_stay_next_to_their_fields(buyer):
    response = upload(buyer, GOOD.encode("utf-8"), delivery_address="", needed_by="")
    html = text(response)
    assert response.status_code == 422
    assert 'id="f-delivery_address-error"' in html and 'id="f-needed_by-error"' in html
