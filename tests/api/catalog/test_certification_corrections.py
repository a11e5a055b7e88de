"""Admins correct a certification (a typo, an early revocation) or remove one recorded by
mistake, with a reason; what depends on it follows."""

from __future__ import annotations

from datetime import timedelta

from catalog.adapters.models import Certification
from catalog.services.certifications import scan_certifications
from gachi_kit.dates import today_kst
from tests.support.builders import create_product
from tests.support.catalog_builders import approve, certify, count, create_brand, events


def url(enterprise, certification):
    return f"/v1/enterprises/{enterprise['id']}/certifications/{certification['id']}"


def changes(client):
    return [
        e.data["certification"]
        for e in events(client.application, "enterprise.updated")
        if "certification" in e.data
    ]


def test_a_typo_is_corrected_with_its_reason(client, admin, tofu):
    cert = certify(client, admin, tofu["id"], number="2024-001")
    fixed = client.patch(
        url(tofu, cert), json={"number": "2024-0017", "reason": "인증번호 오기"}, headers=admin
    )
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["number"] == "2024-0017" and fixed.get_json()["state"] == "valid"
    last = changes(client)[-1]
    assert (last["change"], last["corrected_fields"], last["reason"]) == (
        "corrected",
        ["number"],
        "인증번호 오기",
    )


def test_a_revocation_ends_the_certification_and_the_scan_suspends_listings(client, admin, tofu):
    cert = certify(client, admin, tofu["id"])
    create_brand(client, admin)
    product = create_product(client, admin, tofu["id"])
    approve(client, admin, "BITSONE", product["id"])
    cat = client.application.extensions["catalog"]
    # a scan a while ago already announced nothing; the certification is revoked today
    yesterday = today_kst() - timedelta(days=1)
    revoked = client.patch(
        url(tofu, cert),
        json={"valid_to": yesterday.isoformat(), "reason": "인증 취소 (고용노동부 통보)"},
        headers=admin,
    )
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "expired"
    detail = client.get(f"/v1/enterprises/{tofu['id']}", headers=admin).get_json()
    assert detail["certified_on_date"] is False
    assert scan_certifications(cat) == {"expiring": 0, "expired": 1}
    listing = client.get(f"/v1/products/{product['id']}", headers=admin).get_json()["listings"][0]
    assert listing["status"] == "suspended"


def test_moving_the_end_date_announces_again(client, admin, tofu):
    today = today_kst()
    cert = certify(
        client,
        admin,
        tofu["id"],
        valid_from=today - timedelta(days=300),
        valid_to=today + timedelta(days=10),
    )
    cat = client.application.extensions["catalog"]
    assert scan_certifications(cat) == {"expiring": 1, "expired": 0}
    later = today + timedelta(days=20)
    client.patch(
        url(tofu, cert), json={"valid_to": later.isoformat(), "reason": "기간 정정"}, headers=admin
    )
    assert scan_certifications(cat) == {"expiring": 1, "expired": 0}  # the new date, once
    assert scan_certifications(cat) == {"expiring": 0, "expired": 0}
    # a correction that leaves the end date alone does not announce it again
    client.patch(url(tofu, cert), json={"issuer": "고용노동부장관", "reason": "x"}, headers=admin)
    assert scan_certifications(cat) == {"expiring": 0, "expired": 0}


def test_refused_corrections_change_nothing(client, admin, tofu, other, token):
    cert = certify(client, admin, tofu["id"])
    before = client.get(f"/v1/enterprises/{tofu['id']}/certifications", headers=admin).get_json()
    published = len(changes(client))
    cases = [
        (url(tofu, cert), {"valid_to": "2000-01-01", "reason": "r"}, admin, 422, "invalid_period"),
        (url(tofu, cert), {"number": "2024-9"}, admin, 422, "validation_failed"),  # no reason
        (url(tofu, cert), {"kind": "x", "reason": "r"}, admin, 422, "validation_failed"),
        (url(other, cert), {"number": "1", "reason": "r"}, admin, 404, "certification_not_found"),
        (
            url(tofu, {"id": "NOPE"}),
            {"number": "1", "reason": "r"},
            admin,
            404,
            "certification_not_found",
        ),
        (
            url(tofu, cert),
            {"number": "1", "reason": "r"},
            token("enterprise", tofu["id"]),
            403,
            "forbidden_role",
        ),
    ]
    for path, body, headers, status, code in cases:
        response = client.patch(path, json=body, headers=headers)
        assert response.status_code == status, (body, response.get_json())
        assert response.get_json()["code"] == code
    after = client.get(f"/v1/enterprises/{tofu['id']}/certifications", headers=admin).get_json()
    assert after == before and len(changes(client)) == published


def test_a_certification_recorded_by_mistake_is_removed(client, admin, tofu, token):
    cert = certify(client, admin, tofu["id"])
    operator = token("enterprise", tofu["id"])
    refused = client.delete(url(tofu, cert), query_string={"reason": "r"}, headers=operator)
    assert refused.status_code == 403
    no_reason = client.delete(url(tofu, cert), headers=admin)
    assert no_reason.status_code == 422
    gone = client.delete(
        url(tofu, cert), query_string={"reason": "다른 기업의 인증을 잘못 등록"}, headers=admin
    )
    assert gone.status_code == 204
    assert count(client.application, Certification) == 0
    assert changes(client)[-1]["change"] == "removed"
    detail = client.get(f"/v1/enterprises/{tofu['id']}", headers=admin).get_json()
    assert detail["certified_on_date"] is False
    again = client.delete(url(tofu, cert), query_string={"reason": "r"}, headers=admin)
    assert again.status_code == 404
