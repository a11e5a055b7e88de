"""Every orders endpoint × every kind of caller: who gets in, who gets 401/403/404.

403 = the role may never do this; 404 = the role may, but this object is not theirs (and we
do not say whether it exists)."""

import uuid
from datetime import date, timedelta

import pytest

from tests.support.builders import register_institution

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def world(orders_app, two_suppliers, institution, buyer, token):
    client = orders_app.test_client()
    order = client.post(
        "/v1/orders",
        json={
            "delivery_address": "광명시청",
            "needed_by": NEEDED_BY,
            "lines": [{"product_id": two_suppliers["snack"]["id"], "quantity": 5}],
        },
        headers={**buyer(), "Idempotency-Key": str(uuid.uuid4())},
    ).get_json()
    other = register_institution(client, token("admin"), name="시흥시청", sigungu_code="41390")
    tofu_id = two_suppliers["tofu"]["id"]
    callers = {
        "buyer": buyer(),
        "buyer_other_dept": buyer(dept="복지정책과"),
        "institution_admin": buyer(role="institution_admin", dept=None),
        "buyer_other_institution": token("buyer", other["id"], dept="총무과"),
        "enterprise_owner": token("enterprise", tofu_id),
        "enterprise_other": token("enterprise", two_suppliers["kimchi"]["id"]),
        "committee": token("committee", "BITSONE"),
        "admin": token("admin"),
        "service": token("service"),
        "anonymous": {},
    }
    return {
        "order": order,
        "so": order["supplier_orders"][0],
        "callers": callers,
        "institution": institution,
    }


# endpoint → expected status per caller (missing callers: the default of that row)
MATRIX = [
    (
        "GET",
        "/v1/orders/{order}",
        {
            "buyer": 200,
            "institution_admin": 200,
            "admin": 200,
            "service": 200,
            "buyer_other_dept": 404,
            "buyer_other_institution": 404,
            "anonymous": 401,
        },
        403,
    ),
    (
        "GET",
        "/v1/orders",
        {
            "buyer": 200,
            "institution_admin": 200,
            "admin": 200,
            "buyer_other_dept": 200,
            "buyer_other_institution": 200,
            "anonymous": 401,
        },
        403,
    ),
    (
        "GET",
        "/v1/orders/{order}/routing",
        {
            "buyer": 200,
            "institution_admin": 200,
            "admin": 200,
            "buyer_other_dept": 404,
            "buyer_other_institution": 404,
            "anonymous": 401,
        },
        403,
    ),
    (
        "GET",
        "/v1/supplier-orders/{so}",
        {
            "buyer": 200,
            "institution_admin": 200,
            "admin": 200,
            "service": 200,
            "enterprise_owner": 200,
            "enterprise_other": 404,
            "buyer_other_dept": 404,
            "buyer_other_institution": 404,
            "anonymous": 401,
        },
        403,
    ),
    (
        "GET",
        "/v1/supplier-orders",
        {
            "buyer": 200,
            "institution_admin": 200,
            "admin": 200,
            "enterprise_owner": 200,
            "enterprise_other": 200,
            "buyer_other_dept": 200,
            "buyer_other_institution": 200,
            "anonymous": 401,
        },
        403,
    ),
    (
        "POST",
        "/v1/supplier-orders/{so}/production",
        {"enterprise_owner": 409, "enterprise_other": 404, "anonymous": 401},
        403,
    ),
    (
        "POST",
        "/v1/supplier-orders/{so}/pay",
        {
            "buyer": 409,
            "institution_admin": 409,
            "buyer_other_dept": 404,
            "buyer_other_institution": 404,
            "anonymous": 401,
        },
        403,
    ),
    (
        "POST",
        "/v1/orders/{order}/cancel",
        {
            "buyer": 200,  # callers go in order: the institution admin then finds it cancelled
            "institution_admin": 409,
            "buyer_other_dept": 404,
            "buyer_other_institution": 404,
            "anonymous": 401,
        },
        403,
    ),
    (
        "GET",
        "/v1/institutions/{institution}",
        {
            "buyer": 200,
            "institution_admin": 200,
            "buyer_other_dept": 200,
            "admin": 200,
            "buyer_other_institution": 404,
            "anonymous": 401,
        },
        403,
    ),
    ("GET", "/v1/institutions", {"admin": 200, "anonymous": 401}, 403),
    (
        "POST",
        "/v1/institutions/{institution}/departments",
        {"institution_admin": 201, "admin": 201, "anonymous": 401},
        403,
    ),
]


@pytest.mark.parametrize(
    "method,path,expected,default", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_access(orders_app, world, method, path, expected, default):
    client = orders_app.test_client()
    url = path.format(
        order=world["order"]["id"], so=world["so"]["id"], institution=world["institution"]["id"]
    )
    for caller, headers in world["callers"].items():
        body = {"reason": "권한 점검"} if url.endswith("/cancel") else {}
        if url.endswith("/departments"):
            body = {"name": f"부서-{caller}"}
        response = client.open(
            url, method=method, json=body if method == "POST" else None, headers=headers
        )
        assert response.status_code == expected.get(caller, default), (caller, response.get_json())
