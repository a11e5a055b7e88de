import io
import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from orders.adapters.models import IdempotencyRecord, Order, OutboxMessage

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()
FORM = {"delivery_address": "경기도 광명시 시청로 20", "needed_by": NEEDED_BY}


def upload(client, headers, text, encoding="utf-8", dry_run=False, key=None):
    data = dict(FORM, file=(io.BytesIO(text.encode(encoding)), "주문.csv"))
    headers = dict(headers)
    if key:
        headers["Idempotency-Key"] = key
    return client.post(
        f"/v1/orders/csv?dry_run={'true' if dry_run else 'false'}",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )


def written(app):
    with app.extensions["orders"].db.reading() as session:
        return [
            session.scalar(select(func.count()).select_from(m))
            for m in (Order, OutboxMessage, IdempotencyRecord)
        ]


def test_dry_run_in_cp949_previews_the_split_and_writes_nothing(orders_app, two_suppliers, buyer):
    p = two_suppliers
    text = f"상품ID,수량\n{p['snack']['id']},7\n{p['kimchi10']['id']},3\n"
    response = upload(orders_app.test_client(), buyer(), text, "cp949", dry_run=True)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["ok"] and report["encoding"] == "cp949" and report["rows"] == 2
    assert report["preview"]["total_amount"] == 7 * 3333 + 2333 + 3 * 65000  # VAT 2,333
    assert len(report["preview"]["supplier_orders"]) == 2
    assert written(orders_app) == [0, 0, 0]


def test_a_dry_run_preview_carries_no_id_that_will_never_exist(orders_app, two_suppliers, buyer):
    text = f"상품ID,수량\n{two_suppliers['snack']['id']},7\n"
    response = upload(orders_app.test_client(), buyer(), text, "utf-8", dry_run=True)

    preview = response.get_json()["preview"]
    assert "id" not in preview and "version" not in preview
    assert all("id" not in so and "order_id" not in so for so in preview["supplier_orders"])
    assert preview["supplier_orders"][0]["enterprise_name"]


def test_dry_run_reports_every_problem_by_row(orders_app, two_suppliers, buyer):
    p = two_suppliers
    text = (
        f"상품ID,수량\n{p['snack']['id']},7\n{p['snack']['id']},많이\n"
        f"01JUNKNOWNPRODUCT000000000,1\n"
    )
    parse_problems = upload(orders_app.test_client(), buyer(), text, dry_run=True).get_json()
    assert not parse_problems["ok"]
    assert [(x["row"], x["column"]) for x in parse_problems["problems"]] == [(3, "수량")]

    text = f"상품ID,수량\n{p['snack']['id']},7\n01JUNKNOWNPRODUCT000000000,1\n"
    catalog_problems = upload(orders_app.test_client(), buyer(), text, dry_run=True).get_json()
    assert [(x["row"], x["code"]) for x in catalog_problems["problems"]] == [
        (3, "product_not_found")
    ]
    assert written(orders_app) == [0, 0, 0]


def test_real_upload_places_the_order_once_per_key(orders_app, two_suppliers, buyer):
    p = two_suppliers
    text = f"\ufeff상품ID,수량\n{p['snack']['id']},7\n{p['kimchi10']['id']},3\n"
    key = str(uuid.uuid4())
    first = upload(orders_app.test_client(), buyer(), text, key=key)
    assert first.status_code == 201, first.get_json()
    again = upload(orders_app.test_client(), buyer(), text, key=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert written(orders_app)[0] == 1

    bad = upload(orders_app.test_client(), buyer(), "상품ID,수량\nX,0\n", key=str(uuid.uuid4()))
    assert bad.status_code == 422 and bad.get_json()["code"] == "csv_rows_invalid"
    assert bad.get_json()["errors"]["rows"][0]["row"] == 2


def test_unreadable_or_missing_files(orders_app, two_suppliers, buyer):
    client = orders_app.test_client()
    data = dict(FORM, file=(io.BytesIO(b"\xff\xfe\xfa\x80"), "x.csv"))
    unreadable = client.post(
        "/v1/orders/csv?dry_run=true",
        data=data,
        headers=buyer(),
        content_type="multipart/form-data",
    )
    assert unreadable.status_code == 422 and unreadable.get_json()["code"] == "csv_unreadable"
    missing = client.post(
        "/v1/orders/csv?dry_run=true",
        data=FORM,
        headers=buyer(),
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    no_form = client.post(
        "/v1/orders/csv",
        data={"file": (io.BytesIO(b"a"), "x.csv")},
        headers=buyer(),
        content_type="multipart/form-data",
    )
    assert no_form.status_code == 422 and "needed_by" in no_form.get_json()["errors"]


def test_an_excel_workbook_is_refused_with_how_to_save_it(orders_app, two_suppliers, buyer):
    data = dict(FORM, file=(io.BytesIO(b"PK\x03\x04" + b"\x00" * 64), "주문.xlsx"))
    response = orders_app.test_client().post(
        "/v1/orders/csv?dry_run=true",
        data=data,
        headers=buyer(),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "csv_unreadable"
    assert "CSV" in response.get_json()["detail"] and ".xlsx" in response.get_json()["detail"]
    assert written(orders_app) == [0, 0, 0]
