"""Enterprise CSV import: Korean Excel files (UTF-8, UTF-8 with BOM, CP949), dry runs, upserts
that change nothing the second time, all-or-nothing vs valid rows, and every refused file."""

import pytest

from catalog.adapters.models import Certification, Enterprise, OutboxMessage
from tests.support.catalog_builders import count, csv_bytes, events
from tests.support.catalog_imports import BRN, ENTERPRISE_HEADER, enterprise_rows, post_csv


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
