"""orders' lists page the kit's way: `limit` (and its deprecated alias `page_size`), opaque
cursors that are refused when tampered with or made for another list."""

from __future__ import annotations

from tests.support.builders import register_institution


def test_institutions_come_page_by_page_in_registration_order(orders_app, token):
    client, admin = orders_app.test_client(), token("admin")
    registered = [
        register_institution(client, admin, name=name, brn=None, departments=[])["id"]
        for name in ("광명시청", "시흥시청", "완주군청")
    ]

    first = client.get("/v1/institutions?limit=2", headers=admin).get_json()
    second = client.get(
        "/v1/institutions",
        query_string={"page_size": 2, "cursor": first["next_cursor"]},
        headers=admin,
    ).get_json()

    assert [i["id"] for i in first["items"] + second["items"]] == registered
    assert second["next_cursor"] is None


def test_a_tampered_cursor_or_one_from_another_list_is_refused(orders_app, token):
    client, admin = orders_app.test_client(), token("admin")
    for name in ("광명시청", "시흥시청"):
        register_institution(client, admin, name=name, departments=[])
    cursor = client.get("/v1/institutions?limit=1", headers=admin).get_json()["next_cursor"]

    tampered = client.get(f"/v1/institutions?cursor={cursor[:-2]}xx", headers=admin)
    elsewhere = client.get(f"/v1/group-orders?cursor={cursor}", headers=admin)

    for response in (tampered, elsewhere):
        assert response.status_code == 422
        assert response.get_json()["code"] == "invalid_cursor"
        assert "cursor" in response.get_json()["errors"]
