"""CSV import: Korean Excel files (UTF-8, UTF-8 with BOM, CP949), dry runs, upserts that
change nothing the second time, all-or-nothing vs valid rows, and every refusal."""

import io

import pytest

from catalog.adapters.models import Certification, Enterprise, OutboxMessage, PriceHistory, Product
from gachi_kit.brn import make_brn
from tests.support.catalog_builders import count, create_group, csv_bytes, events

ENTERPRISE_HEADER = [
    "상호",
    "기업유형",
    "사업자등록번호",
    "대표자",
    "시군구코드",
    "주소",
    "전화번호",
    "이메일",
    "담당자",
    "인증구분",
    "인증번호",
    "인증기관",
    "인증시작일",
    "인증종료일",
    "비고",
]
PRODUCT_HEADER = [
    "상품코드(SKU)",
    "상품명",
    "분류",
    "단위",
    "단가",
    "과세구분",
    "최소주문수량",
    "납기일수",
    "주간공급능력",
    "재고",
    "상품설명",
    "태그",
    "이미지URL",
    "상품군코드",
    "판매상태",
]
BRN = [make_brn(f"{510 + i:03d}86{i:04d}") for i in range(4)]


def enterprise_rows():
    return [
        ENTERPRISE_HEADER,
        [
            "광명두부마을 협동조합",
            "협동조합",
            BRN[0][:3] + "-" + BRN[0][3:5] + "-" + BRN[0][5:],
            "김순자",
            "41210",
            "경기도 광명시 오리로 613",
            "02-2680-2114",
            "tofu@example.kr",
            "이담당",
            "협동조합 설립신고",
            "2019-광명-7",
            "광명시",
            "2019-03-01",
            "2029-02-28",
            "",
        ],
        [
            "완주 김치 마을기업",
            "마을기업",
            BRN[1],
            "박영희",
            "52710",
            "",
            "063-290-1234",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "메모는 무시",
        ],
        [
            "전주 자활 수제비누 사업단",
            "self_reliance_work_group",
            BRN[2],
            "최민수",
            "52111",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]


def product_rows():
    return [
        PRODUCT_HEADER,
        [
            "TOFU-SNACK-200",
            "국산콩 두부과자 200g",
            "식품",
            "봉",
            "3,500",
            "과세",
            "10",
            "",
            "500",
            "",
            "바삭한 두부과자",
            "간식, 국산콩",
            "https://cdn.gachi.kr/tofu.jpg",
            "TOFU-SNACK-200G",
            "",
        ],
        [
            "TOFU-1KG",
            "손두부 1kg",
            "food",
            "모",
            "6000",
            "면세",
            "",
            "2",
            "",
            "30",
            "",
            "",
            "",
            "",
            "준비중",
        ],
        [
            "WALNUT-20",
            "호두과자 20개입",
            "식품",
            "상자",
            "12000",
            "taxable",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "판매중",
        ],
    ]


def post_csv(client, url, data: bytes, headers, *, multipart=True, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    if multipart:
        return client.post(
            f"{url}?{qs}",
            data={"file": (io.BytesIO(data), "기업목록.csv")},
            headers=headers,
            content_type="multipart/form-data",
        )
    return client.post(f"{url}?{qs}", data=data, headers={**headers, "Content-Type": "text/csv"})


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp949", "cp949")],
)
def test_enterprise_import_reads_what_korean_excel_saves(client, admin, encoding, reported):
    data = csv_bytes(enterprise_rows(), encoding)
    response = post_csv(client, "/v1/imports/enterprises", data, admin)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["encoding"] == reported and report["written"] is True
    assert (report["created"], report["updated"], report["unchanged"], report["invalid"]) == (
        3,
        0,
        0,
        0,
    )
    assert [r["row"] for r in report["rows"]] == [2, 3, 4]  # the header is row 1
    assert report["ignored_columns"] == ["비고"]
    app = client.application
    with app.extensions["catalog"].db.reading() as session:
        tofu = session.query(Enterprise).filter_by(brn=BRN[0]).one()
        assert (tofu.name, tofu.enterprise_type, tofu.contact_person) == (
            "광명두부마을 협동조합",
            "cooperative",
            "이담당",
        )
        assert session.query(Enterprise).filter_by(brn=BRN[2]).one().enterprise_type == (
            "self_reliance_work_group"
        )
    assert count(app, Certification) == 1
    assert len(events(app, "enterprise.registered")) == 3
    certified = client.get(f"/v1/enterprises/{tofu.id}?on=2025-01-01", headers=admin).get_json()
    assert certified["certified_on_date"] is True


def test_dry_run_reports_and_writes_nothing(client, admin):
    data = csv_bytes(enterprise_rows())
    response = post_csv(client, "/v1/imports/enterprises", data, admin, dry_run="true")
    assert response.status_code == 200
    report = response.get_json()
    assert report["dry_run"] is True and report["written"] is False
    assert [r["action"] for r in report["rows"]] == ["created"] * 3
    assert count(client.application, Enterprise) == 0
    assert count(client.application, OutboxMessage) == 0


def test_reimporting_the_same_file_changes_nothing(client, admin):
    data = csv_bytes(enterprise_rows(), "cp949")
    post_csv(client, "/v1/imports/enterprises", data, admin)
    before = count(client.application, OutboxMessage)
    again = post_csv(client, "/v1/imports/enterprises", data, admin).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert again["written"] is False
    assert count(client.application, OutboxMessage) == before
    # one cell changed: that enterprise is updated, once
    rows = enterprise_rows()
    rows[2][6] = "063-290-9999"
    changed = post_csv(client, "/v1/imports/enterprises", csv_bytes(rows), admin).get_json()
    assert [r["action"] for r in changed["rows"]] == ["unchanged", "updated", "unchanged"]
    assert changed["rows"][1]["changed_fields"] == ["phone"]
    (event,) = [
        e
        for e in events(client.application, "enterprise.updated")
        if e.data["changed_fields"] == ["phone"]
    ]
    assert event.data["changes"]["phone"]["new"] == "063-290-9999"


def broken_enterprise_rows():
    rows = enterprise_rows()
    rows.insert(
        2,
        [
            "",
            "스타트업",
            "120-81-47522",
            "홍길동",
            "99999",
            "",
            "전화없음",
            "x@",
            "",
            "인증",
            "",
            "",
            "2025-02-30",
            "",
            "",
        ],
    )
    return rows


def test_all_or_nothing_refuses_the_file_and_says_why_in_korean(client, admin):
    response = post_csv(
        client, "/v1/imports/enterprises", csv_bytes(broken_enterprise_rows()), admin
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "csv_invalid_rows"
    assert "아무것도 저장하지 않았습니다" in problem["detail"]
    bad = problem["report"]["rows"][1]
    assert (bad["row"], bad["action"]) == (3, "invalid")
    by_column = {e["column"]: e["message"] for e in bad["errors"]}
    assert by_column["상호"] == "값이 비어 있습니다."
    assert "협동조합" in by_column["기업유형"]
    assert "검증번호" in by_column["사업자등록번호"]
    assert "시군구" in by_column["시군구코드"]
    assert "전화번호" in by_column["전화번호"] and "이메일" in by_column["이메일"]
    assert "날짜" in by_column["인증시작일"]
    assert "인증번호" in by_column  # the certification columns go together
    assert "3행" in problem["errors"]
    assert count(client.application, Enterprise) == 0
    assert count(client.application, OutboxMessage) == 0


def test_valid_rows_mode_writes_the_rest_in_one_go(client, admin):
    response = post_csv(
        client,
        "/v1/imports/enterprises",
        csv_bytes(broken_enterprise_rows()),
        admin,
        mode="valid_rows",
    )
    assert response.status_code == 200
    report = response.get_json()
    assert (report["created"], report["invalid"]) == (3, 1)
    assert [r["action"] for r in report["rows"]] == ["created", "invalid", "created", "created"]
    assert count(client.application, Enterprise) == 3


@pytest.fixture
def seller(client, admin):
    response = post_csv(client, "/v1/imports/enterprises", csv_bytes(enterprise_rows()), admin)
    ids = {r["key"]: r["id"] for r in response.get_json()["rows"]}
    create_group(client, admin, code="TOFU-SNACK-200G", name="두부과자 200g", unit="봉")
    return {"tofu": ids[BRN[0]], "kimchi": ids[BRN[1]]}


def test_operator_imports_its_products_and_reimport_changes_nothing(client, seller, token):
    operator = token("enterprise", seller["tofu"])
    data = csv_bytes(product_rows(), "utf-8-sig")
    response = post_csv(client, "/v1/imports/products", data, operator, multipart=False)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["enterprise_id"] == seller["tofu"] and report["created"] == 3
    mine = client.get(
        f"/v1/products?enterprise_id={seller['tofu']}&sort=price_asc", headers=operator
    ).get_json()["items"]
    assert [(p["sku"], p["unit_price"], p["status"]) for p in mine] == [
        ("TOFU-SNACK-200", 3500, "active"),
        ("TOFU-1KG", 6000, "draft"),
        ("WALNUT-20", 12000, "active"),
    ]
    snack = mine[0]
    assert snack["tags"] == ["간식", "국산콩"] and snack["group_code"] == "TOFU-SNACK-200G"
    assert (snack["min_order_qty"], snack["lead_time_days"], snack["weekly_capacity"]) == (
        10,
        3,
        500,
    )
    assert snack["stock"] is None and mine[1]["stock"] == 30
    assert len(events(client.application, "product.created")) == 3

    again = post_csv(client, "/v1/imports/products", data, operator, multipart=False).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert events(client.application, "product.updated") == []

    rows = product_rows()
    rows[1][4] = "3800"  # a new price
    rows[3][9] = "12"  # stock, not material
    changed = post_csv(client, "/v1/imports/products", csv_bytes(rows), operator).get_json()
    assert [r["action"] for r in changed["rows"]] == ["updated", "unchanged", "updated"]
    snack_after = client.get(f"/v1/products/{snack['id']}", headers=operator).get_json()
    assert (snack_after["unit_price"], snack_after["version"]) == (3800, 2)
    assert count(client.application, PriceHistory) == 4  # three first prices and one change
    updates = events(client.application, "product.updated")
    assert [e.data["material_fields"] for e in updates] == [["unit_price"], []]


def test_admin_imports_into_a_named_enterprise(client, admin, seller):
    data = csv_bytes(product_rows())
    missing = post_csv(client, "/v1/imports/products", data, admin)
    assert missing.status_code == 422 and "enterprise_id" in missing.get_json()["errors"]
    ok = post_csv(client, "/v1/imports/products", data, admin, enterprise_id=seller["kimchi"])
    assert ok.status_code == 200 and ok.get_json()["created"] == 3
    nowhere = post_csv(client, "/v1/imports/products", data, admin, enterprise_id="NOPE")
    assert nowhere.status_code == 404


def test_import_roles(client, seller, token):
    data = csv_bytes(product_rows())
    other = token("enterprise", seller["kimchi"])
    theirs = post_csv(client, "/v1/imports/products", data, other, enterprise_id=seller["tofu"])
    assert theirs.status_code == 404 and theirs.get_json()["code"] == "enterprise_not_found"
    for role in ("buyer", "institution_admin", "committee", "service"):
        refused = post_csv(client, "/v1/imports/products", data, token(role, "X"))
        assert refused.status_code == 403, role
        enterprises = post_csv(client, "/v1/imports/enterprises", data, token(role, "X"))
        assert enterprises.status_code == 403, role
    assert post_csv(client, "/v1/imports/enterprises", data, other).status_code == 403
    assert post_csv(client, "/v1/imports/products", data, {}).status_code == 401
    assert count(client.application, Product) == 0


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        (4, "3500.5", "정수"),
        (4, "-100", "0 이상"),
        (4, "", "비어"),
        (2, "무기류", "쓸 수 없습니다"),
        (5, "부가세", "과세, 면세"),
        (12, "http://cdn.gachi.kr/a.jpg", "https://"),
        (13, "NO-SUCH-GROUP", "상품군"),
        (0, "두부 과자!", "상품코드"),
    ],
)
def test_product_cell_errors_name_row_column_and_problem(
    client, seller, token, cell, value, message
):
    rows = product_rows()
    rows[2][cell] = value
    response = post_csv(
        client,
        "/v1/imports/products",
        csv_bytes(rows),
        token("enterprise", seller["tofu"]),
        dry_run="true",
    )
    assert response.status_code == 200
    (bad,) = [r for r in response.get_json()["rows"] if r["action"] == "invalid"]
    assert bad["row"] == 3
    (error,) = bad["errors"]
    assert error["column"] == PRODUCT_HEADER[cell] and message in error["message"]


def test_duplicate_sku_in_one_file_is_a_row_error(client, seller, token):
    rows = product_rows()
    rows.append(["", "", "", "", "", "", "", "", "", "", "", "", "", "", ""])  # blank row 5
    rows.append(list(rows[1]))  # row 6 repeats row 2
    response = post_csv(
        client,
        "/v1/imports/products",
        csv_bytes(rows),
        token("enterprise", seller["tofu"]),
        dry_run="true",
    )
    last = response.get_json()["rows"][-1]
    assert last["row"] == 6 and "2행" in last["errors"][0]["message"]


@pytest.mark.parametrize(
    ("data", "query", "code", "says"),
    [
        ("상호,기업유형\n광명,협동조합\n".encode(), {}, "csv_missing_columns", "사업자등록번호"),
        (b"", {}, "csv_empty", "비어"),
        ("\ufeff".encode() + ",".join(ENTERPRISE_HEADER).encode(), {}, "csv_empty", "데이터 행"),
        (b"\xff\xfe\x00A\x00,\x00", {}, "csv_encoding", "CP949"),
        (
            "상호,대표자\n광명두부,김순자\n".encode("cp949"),
            {"encoding": "utf-8"},
            "csv_encoding",
            "UTF-8",
        ),
        (b"PK\x03\x04rest-of-a-zip", {}, "csv_not_csv", ".xlsx"),
        ("상호,상호명\n".encode(), {}, "csv_duplicate_column", "상호"),
    ],
)
def test_unreadable_files_are_422_in_korean(client, admin, data, query, code, says):
    response = post_csv(client, "/v1/imports/enterprises", data, admin, **query)
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert problem["code"] == code and says in problem["detail"]
    assert problem["errors"]["file"]
    assert count(client.application, Enterprise) == 0


def test_too_many_rows_and_too_many_bytes(client, admin):
    header = ",".join(ENTERPRISE_HEADER[:5])
    many = header + "\n" + "광명두부,협동조합,1208147521,김순자,41210\n" * 5001
    response = post_csv(client, "/v1/imports/enterprises", many.encode(), admin, multipart=False)
    assert response.status_code == 422 and response.get_json()["code"] == "csv_too_many_rows"

    huge = b"x" * (50 * 1024 * 1024)  # 50 MB
    response = post_csv(client, "/v1/imports/enterprises", huge, admin, multipart=False)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "payload_too_large"
    assert "5MB" in response.get_json()["detail"]
    # 3 MB is fine for an import (it fails on its content, not its size) ...
    big = (header + "\n").encode() + b"#" * (3 * 1024 * 1024)
    assert (
        post_csv(client, "/v1/imports/enterprises", big, admin, multipart=False).status_code == 422
    )
    # ... but not for JSON endpoints, which keep the 2 MiB cap
    response = client.post(
        "/v1/products",
        data=b"x" * (3 * 1024 * 1024),
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert count(client.application, Enterprise) == 0


def test_wrong_content_type_and_missing_file(client, admin):
    data = csv_bytes(enterprise_rows())
    wrong = client.post(
        "/v1/imports/enterprises",
        data=data,
        headers={**admin, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert wrong.status_code == 415 and wrong.get_json()["code"] == "unsupported_media_type"
    nofile = client.post(
        "/v1/imports/enterprises",
        data={"other": "x"},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert nofile.status_code == 422 and nofile.get_json()["code"] == "csv_missing_file"
    mode = post_csv(client, "/v1/imports/enterprises", data, admin, mode="some_rows")
    assert mode.status_code == 422 and "mode" in mode.get_json()["errors"]


def test_the_columns_are_documented_in_openapi(client):
    spec = client.get("/openapi.json").get_json()
    products = spec["paths"]["/v1/imports/products"]["post"]
    assert "상품코드(SKU)" in products["description"] and "과세구분" in products["description"]
    assert "multipart/form-data" in products["requestBody"]["content"]
    assert "text/csv" in products["requestBody"]["content"]
    enterprises = spec["paths"]["/v1/imports/enterprises"]["post"]["description"]
    for header in ("상호", "기업유형", "사업자등록번호", "대표자", "시군구코드", "CP949"):
        assert header in enterprises
