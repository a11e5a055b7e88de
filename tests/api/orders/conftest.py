import pytest

from tests.support.builders import create_product, keyed, register_enterprise, register_institution
from tests.support.group_orders import open_body


@pytest.fixture
def two_suppliers(catalog_app, token):
    """Two enterprises in catalog: a taxable snack maker and a tax-exempt kimchi maker."""
    client, admin = catalog_app.test_client(), token("admin")
    tofu = register_enterprise(client, admin, name="광명두부마을 협동조합")
    kimchi = register_enterprise(
        client,
        admin,
        name="완주 김치 마을기업",
        enterprise_type="village_enterprise",
        sigungu_code="52710",
    )
    snack = create_product(client, admin, tofu["id"], name="두부과자 200g", unit_price=3333)
    snack2 = create_product(client, admin, tofu["id"], name="호두과자 20개입", unit_price=12000)
    kimchi10 = create_product(
        client,
        admin,
        kimchi["id"],
        name="포기김치 10kg",
        unit_price=65000,
        tax_type="exempt",
        unit="박스",
    )
    return {"tofu": tofu, "kimchi": kimchi, "snack": snack, "snack2": snack2, "kimchi10": kimchi10}


@pytest.fixture
def institution(orders_app, token):
    return register_institution(orders_app.test_client(), token("admin"))


@pytest.fixture
def buyer(institution, token):
    """buyer(dept="총무과") -> headers of a purchase officer of the registered institution."""

    def make(dept="총무과", role="buyer"):
        return token(role, institution["id"], dept=dept)

    return make


@pytest.fixture
def opened(orders_app, two_suppliers, buyer):
    response = orders_app.test_client().post(
        "/v1/group-orders", json=open_body(two_suppliers), headers=keyed(buyer())
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()
