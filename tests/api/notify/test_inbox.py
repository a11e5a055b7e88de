from gachi_kit.events import Envelope
from notify.services.events import handle_event
from notify.wiring import notify

ENTERPRISE_A, ENTERPRISE_B = "01JENTERPRISEAAAAAAAAAAAAA", "01JENTERPRISEBBBBBBBBBBBBB"


def supplier_order_created(enterprise_id, supplier_order_id="01JSUPPLIERORDER0000000001"):
    return Envelope(
        type="supplier_order.created",
        source="orders",
        data={
            "supplier_order_id": supplier_order_id,
            "order_id": "01JORDER000000000000000001",
            "enterprise_id": enterprise_id,
            "enterprise_name": "광명두부마을 협동조합",
            "institution_id": "INST-GWANGMYEONG",
            "department": "총무과",
            "needed_by": "2026-12-05",
            "delivery_address": "경기도 광명시 시청로 20",
            "supply_amount": 47331,
            "vat_amount": 4733,
            "total_amount": 52064,
            "lines": [
                {
                    "line_no": 1,
                    "product_id": "p1",
                    "sku": "S1",
                    "name": "두부과자 200g",
                    "unit": "봉",
                    "quantity": 7,
                    "unit_price": 3333,
                    "tax_type": "taxable",
                    "supply_amount": 23331,
                },
                {
                    "line_no": 3,
                    "product_id": "p2",
                    "sku": "S2",
                    "name": "호두과자 20개입",
                    "unit": "상자",
                    "quantity": 2,
                    "unit_price": 12000,
                    "tax_type": "taxable",
                    "supply_amount": 24000,
                },
            ],
        },
    ).to_dict()


def deliver(app, raw):
    with app.app_context():
        return handle_event(notify(), raw)


def test_enterprise_sees_its_supplier_order_and_another_enterprise_does_not(notify_app, token):
    assert deliver(notify_app, supplier_order_created(ENTERPRISE_A)) == "done"
    client = notify_app.test_client()

    mine = client.get("/v1/inbox", headers=token("enterprise", ENTERPRISE_A)).get_json()
    assert mine["unread_count"] == 1
    (item,) = mine["items"]
    assert item["title"] == "[새 주문] 두부과자 200g 외 1건 · 52,064원"
    assert "광명두부마을 협동조합 담당자님" in item["body"]
    assert "호두과자 20개입 2상자 × 12,000원 = 24,000원" in item["body"]

    theirs = client.get("/v1/inbox", headers=token("enterprise", ENTERPRISE_B)).get_json()
    assert theirs["items"] == [] and theirs["unread_count"] == 0
    foreign_read = client.post(
        f"/v1/inbox/{item['id']}/read", headers=token("enterprise", ENTERPRISE_B)
    )
    assert foreign_read.status_code == 404


def test_the_same_event_twice_gives_one_message(notify_app, token):
    raw = supplier_order_created(ENTERPRISE_A)
    assert deliver(notify_app, raw) == "done"
    assert deliver(notify_app, raw) == "duplicate"
    items = (
        notify_app.test_client()
        .get("/v1/inbox", headers=token("enterprise", ENTERPRISE_A))
        .get_json()["items"]
    )
    assert len(items) == 1


def test_mark_read_and_unread_filter(notify_app, token):
    deliver(notify_app, supplier_order_created(ENTERPRISE_A, "01JSUPPLIERORDER0000000001"))
    deliver(notify_app, supplier_order_created(ENTERPRISE_A, "01JSUPPLIERORDER0000000002"))
    client, headers = notify_app.test_client(), token("enterprise", ENTERPRISE_A)
    newest = client.get("/v1/inbox?limit=1", headers=headers).get_json()
    assert newest["next_cursor"] is not None
    read = client.post(f"/v1/inbox/{newest['items'][0]['id']}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read_at"]
    unread = client.get("/v1/inbox?unread=true", headers=headers).get_json()
    assert unread["unread_count"] == 1 and len(unread["items"]) == 1


def test_roles_without_an_inbox_are_refused(notify_app, token):
    client = notify_app.test_client()
    assert client.get("/v1/inbox", headers=token("admin")).status_code == 403
    assert client.get("/v1/inbox", headers=token("enterprise")).status_code == 403  # no org
    assert (
        client.get("/v1/inbox", headers=token("enterprise", "x", aud=("orders",))).status_code
        == 401
    )
    assert (
        client.get("/v1/inbox?limit=1000000", headers=token("enterprise", "x")).status_code == 422
    )


def test_pages_follow_the_cursor_and_page_size_still_works_as_the_old_name(notify_app, token):
    for n in range(1, 4):
        deliver(notify_app, supplier_order_created(ENTERPRISE_A, f"01JSUPPLIERORDER000000000{n}"))
    client, headers = notify_app.test_client(), token("enterprise", ENTERPRISE_A)
    seen, cursor = [], ""
    while cursor is not None:
        page = client.get(f"/v1/inbox?limit=2&cursor={cursor}", headers=headers).get_json()
        seen.append([item["subject_id"] for item in page["items"]])
        cursor = page["next_cursor"]
    assert seen == [
        ["01JSUPPLIERORDER0000000003", "01JSUPPLIERORDER0000000002"],
        ["01JSUPPLIERORDER0000000001"],
    ]
    old_name = client.get("/v1/inbox?page_size=1", headers=headers).get_json()
    assert len(old_name["items"]) == 1 and old_name["next_cursor"]


def test_a_cursor_from_another_filter_or_a_forged_one_is_refused(notify_app, token):
    for n in range(1, 3):
        deliver(notify_app, supplier_order_created(ENTERPRISE_A, f"01JSUPPLIERORDER000000000{n}"))
    client, headers = notify_app.test_client(), token("enterprise", ENTERPRISE_A)
    cursor = client.get("/v1/inbox?limit=1", headers=headers).get_json()["next_cursor"]
    for query in (f"unread=true&cursor={cursor}", "cursor=01JINBOXITEM00000000000000"):
        response = client.get(f"/v1/inbox?limit=1&{query}", headers=headers)
        assert response.status_code == 422, query
        assert response.get_json()["code"] == "invalid_cursor"
        assert list(response.get_json()["errors"]) == ["cursor"]
