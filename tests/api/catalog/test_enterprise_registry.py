"""Enterprises: directory, one enterprise on a date, admin and operator edits, certifications."""

from datetime import date, timedelta

import pytest

from catalog.adapters.models import Enterprise, OutboxMessage
from tests.support.builders import create_product, register_enterprise
from tests.support.catalog_builders import certify, count, events


def test_directory_filters_and_pages_with_an_opaque_cursor(client, admin, token):
    names = []
    for n in range(5):
        e = register_enterprise(client, admin, name=f"광명 햇살두부 협동조합 {n}호")
        names.append(e["name"])
    register_enterprise(
        client,
        admin,
        name="완주 김치 마을기업",
        enterprise_type="village_enterprise",
        sigungu_code="52710",
    )
    buyer = token("buyer", "INST-1")

    first = client.get("/v1/enterprises?sido=41&page_size=2", headers=buyer).get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    seen = [e["name"] for e in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(
            f"/v1/enterprises?sido=41&page_size=2&cursor={cursor}", headers=buyer
        ).get_json()
        seen += [e["name"] for e in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(names)  # every 광명 enterprise once, newest first
    assert seen == list(reversed(names))

    by_type = client.get("/v1/enterprises?enterprise_type=village_enterprise", headers=buyer)
    assert [e["name"] for e in by_type.get_json()["items"]] == ["완주 김치 마을기업"]
    assert by_type.get_json()["items"][0]["enterprise_type_label"] == "마을기업"
    by_q = client.get("/v1/enterprises?q=김치 마을", headers=buyer).get_json()["items"]
    assert [e["name"] for e in by_q] == ["완주 김치 마을기업"]
    by_choseong = client.get("/v1/enterprises?q=ㅎㅅㄷㅂ&sort=name", headers=buyer).get_json()
    assert [e["name"] for e in by_choseong["items"]] == sorted(names)

    # a cursor is only valid for the filters it was made with
    mixed = client.get(f"/v1/enterprises?sido=52&cursor={first['next_cursor']}", headers=buyer)
    assert mixed.status_code == 422 and mixed.get_json()["code"] == "invalid_cursor"
    garbage = client.get("/v1/enterprises?cursor=not-a-cursor", headers=buyer)
    assert garbage.status_code == 422 and garbage.get_json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("query", "field"),
    [("page_size=1000000", "page_size"), ("page_size=0", "page_size"), ("sort=random", "sort")],
)
def test_directory_refuses_bad_paging(client, admin, query, field):
    response = client.get(f"/v1/enterprises?{query}", headers=admin)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_unknown_region_filter_is_422(client, admin):
    response = client.get("/v1/enterprises?sigungu=99999", headers=admin)
    assert response.status_code == 422 and response.get_json()["code"] == "unknown_region"


def test_only_admins_see_suspended_enterprises_in_the_directory(client, admin, tofu, token):
    client.patch(f"/v1/enterprises/{tofu['id']}", json={"status": "suspended"}, headers=admin)
    buyer = token("buyer", "INST-1")
    assert client.get("/v1/enterprises", headers=buyer).get_json()["items"] == []
    hidden = client.get("/v1/enterprises?status=suspended", headers=buyer).get_json()
    assert hidden["items"] == []
    shown = client.get("/v1/enterprises?status=suspended", headers=admin).get_json()["items"]
    assert [e["id"] for e in shown] == [tofu["id"]]


def test_get_tells_whether_certified_on_a_date(client, admin, tofu, token):
    today = date.today()
    certify(
        client,
        admin,
        tofu["id"],
        valid_from=today - timedelta(days=10),
        valid_to=today + timedelta(days=20),
        number="2025-광명-01",
    )
    buyer = token("buyer", "INST-1")

    now = client.get(f"/v1/enterprises/{tofu['id']}", headers=buyer).get_json()
    assert now["certified_on_date"] is True
    assert now["certification"]["number"] == "2025-광명-01"
    assert now["certification"]["state"] == "valid"
    later = (today + timedelta(days=21)).isoformat()
    after = client.get(f"/v1/enterprises/{tofu['id']}?on={later}", headers=buyer).get_json()
    assert after["on"] == later
    assert after["certified_on_date"] is False and after["certification"] is None

    listed = client.get(
        f"/v1/enterprises/{tofu['id']}/certifications?on={later}", headers=buyer
    ).get_json()
    assert [(c["number"], c["state"]) for c in listed["items"]] == [("2025-광명-01", "expired")]
    bad = client.get(f"/v1/enterprises/{tofu['id']}?on=2025-13-01", headers=buyer)
    assert bad.status_code == 422
    missing = client.get("/v1/enterprises/NOPE", headers=buyer)
    assert missing.status_code == 404 and missing.get_json()["code"] == "enterprise_not_found"


def test_certification_period_and_duplicates_are_checked(client, admin, tofu):
    url = f"/v1/enterprises/{tofu['id']}/certifications"
    body = {
        "kind": "social_enterprise",
        "number": "2024-001",
        "issuer": "고용노동부",
        "valid_from": "2025-01-01",
        "valid_to": "2024-12-31",
    }
    backwards = client.post(url, json=body, headers=admin)
    assert backwards.status_code == 422 and backwards.get_json()["code"] == "invalid_period"
    ok = client.post(url, json=body | {"valid_to": "2027-12-31"}, headers=admin)
    assert ok.status_code == 201
    again = client.post(url, json=body | {"valid_to": "2027-12-31"}, headers=admin)
    assert again.status_code == 409 and again.get_json()["code"] == "certification_exists"
    (event,) = [e for e in events(client.application, "enterprise.updated")]
    assert event.data["changed_fields"] == ["certifications"]
    assert event.data["certification"]["number"] == "2024-001"


def test_admin_patch_changes_listed_fields_and_emits_enterprise_updated(client, admin, tofu):
    response = client.patch(
        f"/v1/enterprises/{tofu['id']}",
        json={
            "name": "광명두부 사회적협동조합",
            "enterprise_type": "social_cooperative",
            "sigungu_code": "52710",
            "status": "suspended",
        },
        headers=admin,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["enterprise_type"]) == (
        "광명두부 사회적협동조합",
        "social_cooperative",
    )
    assert (body["sido_code"], body["sigungu_code"], body["status"]) == ("52", "52710", "suspended")
    (event,) = events(client.application, "enterprise.updated")
    assert event.data["changed_fields"] == [
        "enterprise_type",
        "name",
        "sido_code",
        "sigungu_code",
        "status",
    ]
    assert event.data["changes"]["status"] == {"old": "active", "new": "suspended"}
    assert "email" not in event.data and "phone" not in event.data  # contacts did not change
    assert event.aggregate_id == tofu["id"]

    # the same values again: no change, no event
    same = client.patch(
        f"/v1/enterprises/{tofu['id']}", json={"status": "suspended"}, headers=admin
    )
    assert same.status_code == 200
    assert len(events(client.application, "enterprise.updated")) == 1


def test_renaming_an_enterprise_reindexes_its_products_for_search(client, admin, tofu, token):
    create_product(client, admin, tofu["id"], name="국산콩 두부과자 200g")
    client.patch(f"/v1/enterprises/{tofu['id']}", json={"name": "비츠원 두부공방"}, headers=admin)
    found = client.get("/v1/products?q=비츠원", headers=token("buyer", "I")).get_json()["items"]
    assert [p["enterprise_name"] for p in found] == ["비츠원 두부공방"]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"brn": "120-81-47522"}, "invalid_brn", "brn"),
        ({"sigungu_code": "99999"}, "unknown_region", "sigungu_code"),
        ({"status": "bankrupt"}, "validation_failed", "status"),
        ({"id": "X"}, "validation_failed", "id"),
        ({"sido_code": "11"}, "validation_failed", "sido_code"),  # derived, not writable
        ({}, "validation_failed", "_schema"),
    ],
)
def test_admin_patch_refuses_bad_input(client, admin, tofu, body, code, field):
    response = client.patch(f"/v1/enterprises/{tofu['id']}", json=body, headers=admin)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == code
    assert field in response.get_json()["errors"]
    assert events(client.application, "enterprise.updated") == []


def test_admin_patch_to_a_taken_brn_is_409(client, admin, tofu, other):
    response = client.patch(
        f"/v1/enterprises/{tofu['id']}", json={"brn": other["brn"]}, headers=admin
    )
    assert response.status_code == 409 and response.get_json()["code"] == "enterprise_brn_taken"


def test_operator_edits_only_its_own_contact_fields(client, tofu, other, token):
    mine = token("enterprise", tofu["id"])
    response = client.patch(
        f"/v1/enterprises/{tofu['id']}/contact",
        json={"phone": "02-2680-0000", "email": "new@example.kr", "contact_person": "이담당"},
        headers=mine,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["contact_person"] == "이담당"
    (event,) = events(client.application, "enterprise.updated")
    assert event.data["changed_fields"] == ["contact_person", "email", "phone"]
    assert event.data["updated_by"] == "enterprise-user"
    # the new contacts also at the top level (notify's managed subscriptions follow them)
    assert (event.data["email"], event.data["phone"]) == ("new@example.kr", "02-2680-0000")

    # anything but the contact fields is refused
    name = client.patch(f"/v1/enterprises/{tofu['id']}/contact", json={"name": "X"}, headers=mine)
    assert name.status_code == 422 and "name" in name.get_json()["errors"]
    # the main PATCH is admins only
    main = client.patch(f"/v1/enterprises/{tofu['id']}", json={"phone": "0"}, headers=mine)
    assert main.status_code == 403
    # another enterprise: as if it did not exist
    theirs = client.patch(
        f"/v1/enterprises/{other['id']}/contact", json={"phone": "02-000-0000"}, headers=mine
    )
    assert theirs.status_code == 404 and theirs.get_json()["code"] == "enterprise_not_found"
    with client.application.extensions["catalog"].db.reading() as session:
        assert session.get(Enterprise, other["id"]).phone == other["phone"]
    bad = client.patch(
        f"/v1/enterprises/{tofu['id']}/contact", json={"email": "not-an-email"}, headers=mine
    )
    assert bad.status_code == 422 and "email" in bad.get_json()["errors"]
    assert count(client.application, OutboxMessage) == 3  # two registrations, one update
