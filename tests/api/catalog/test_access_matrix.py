"""Who may call each catalog write endpoint: admin, the enterprise's own operator, another
enterprise's operator, a buyer, a committee member, anonymous. A refusal writes nothing."""

import io
import itertools

import pytest

from catalog.adapters.models import Base
from tests.support.builders import create_product, enterprise_body, product_body
from tests.support.catalog_builders import brand_body, create_brand, create_group, csv_bytes

ROLES = ("anonymous", "buyer", "committee", "other", "own", "admin")
_n = itertools.count(1)


CSV = {
    "enterprises": csv_bytes(
        [
            ["상호", "기업유형", "사업자등록번호", "대표자", "시군구코드"],
            ["광명 두레 협동조합", "협동조합", "1208147521", "김순자", "41210"],
        ]
    ),
    "products": csv_bytes(
        [
            ["상품코드(SKU)", "상품명", "분류", "단위", "단가", "과세구분"],
            ["SKU-1", "두부과자", "식품", "봉", "3500", "과세"],
        ]
    ),
}


# endpoint: (method, path template, body factory or None, expected status per role)
CASES = {
    "register enterprise": (
        "post",
        "/v1/enterprises",
        lambda w: enterprise_body(),
        {"admin": 201, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "patch enterprise": (
        "patch",
        "/v1/enterprises/{tofu}",
        lambda w: {"address": f"광명시 {next(_n)}"},
        {"admin": 200, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "patch contact": (
        "patch",
        "/v1/enterprises/{tofu}/contact",
        lambda w: {"phone": f"02-2680-{next(_n):04d}"},
        {"admin": 200, "own": 200, "other": 404, "buyer": 403, "committee": 403},
    ),
    "add certification": (
        "post",
        "/v1/enterprises/{tofu}/certifications",
        lambda w: {
            "kind": "cooperative",
            "number": f"N-{next(_n)}",
            "issuer": "광명시",
            "valid_from": "2025-01-01",
            "valid_to": "2030-12-31",
        },
        {"admin": 201, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "scan certifications": (
        "post",
        "/v1/certification-scans",
        None,
        {"admin": 200, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "create product": (
        "post",
        "/v1/products",
        lambda w: product_body(w["tofu"]),
        {"admin": 201, "own": 201, "other": 403, "buyer": 403, "committee": 403},
    ),
    "patch product": (
        "patch",
        "/v1/products/{product}",
        lambda w: {"unit_price": 3000 + next(_n)},
        {"admin": 200, "own": 200, "other": 404, "buyer": 403, "committee": 403},
    ),
    "create category": (
        "post",
        "/v1/categories",
        lambda w: {"code": f"cat_{next(_n)}", "label": f"분류{next(_n)}"},
        {"admin": 201, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "create group": (
        "post",
        "/v1/product-groups",
        lambda w: {"code": f"GROUP-{next(_n)}", "name": "두부과자 200g", "unit": "봉"},
        {"admin": 201, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "patch group": (
        "patch",
        "/v1/product-groups/{group}",
        lambda w: {"description": f"설명 {next(_n)}"},
        {"admin": 200, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "delete group": (
        "delete",
        "/v1/product-groups/{group}",
        None,
        {"admin": 204, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "create brand": (
        "post",
        "/v1/brands",
        lambda w: brand_body(code=f"BRAND-{next(_n)}"),
        {"admin": 201, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "patch brand": (
        "patch",
        "/v1/brands/BITSONE",
        lambda w: {"acceptance_hours": 12 + next(_n) % 10},
        {"admin": 200, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "record listing approval": (
        "put",
        "/v1/brands/BITSONE/listings/{product}",
        lambda w: {},
        {"admin": 200, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "import enterprises": (
        "post",
        "/v1/imports/enterprises?dry_run=true",
        "enterprises",
        {"admin": 200, "own": 403, "other": 403, "buyer": 403, "committee": 403},
    ),
    "import products": (
        "post",
        "/v1/imports/products?dry_run=true&enterprise_id={tofu}",
        "products",
        {"admin": 200, "own": 200, "other": 404, "buyer": 403, "committee": 403},
    ),
}


@pytest.fixture
def world(client, admin, tofu, other):
    create_brand(client, admin)
    create_group(client, admin, code="SPARE-GROUP", name="예비 상품군", unit="개")
    product = create_product(client, admin, tofu["id"])
    return {
        "tofu": tofu["id"],
        "other": other["id"],
        "product": product["id"],
        "group": "SPARE-GROUP",
    }


def rows(app):
    with app.extensions["catalog"].db.reading() as session:
        return {t.name: session.execute(t.select()).all() for t in Base.metadata.sorted_tables}


@pytest.mark.parametrize("case", list(CASES))
def test_access(client, world, token, case):
    method, template, body, expected = CASES[case]
    expected = {"anonymous": 401, **expected}
    headers = {
        "anonymous": {},
        "buyer": token("buyer", "INST-1"),
        "committee": token("committee", "COMMITTEE-1"),
        "other": token("enterprise", world["other"]),
        "own": token("enterprise", world["tofu"]),
        "admin": token("admin"),
    }
    path = template.format(**world)
    for role in ROLES:
        before = rows(client.application)
        kwargs = {"headers": headers[role]}
        if isinstance(body, str):
            kwargs.update(
                data={"file": (io.BytesIO(CSV[body]), "x.csv")}, content_type="multipart/form-data"
            )
        elif body is not None:
            kwargs["json"] = body(world)
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == expected[role], (case, role, response.get_json())
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
            assert rows(client.application) == before, (case, role)
