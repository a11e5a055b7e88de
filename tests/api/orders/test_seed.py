from orders import seed
from orders.adapters.models import Institution


def test_demo_institutions_are_seeded_once_with_stable_ids(orders_app, token):
    o = orders_app.extensions["orders"]
    assert seed.run(o) == {"institutions": len(seed.INSTITUTIONS)}
    assert seed.run(o) == {"institutions": 0}
    city = seed.institution_id("gwangmyeong-city")
    assert city == "7Y2JHG63R0ERCVKR9VTNZNWCCQ"  # printed in the README walk-through
    with o.db.reading() as session:
        assert session.get(Institution, city).name == "광명시청"
    response = orders_app.test_client().get(
        f"/v1/institutions/{city}", headers=token("buyer", city, dept="총무과")
    )
    assert response.status_code == 200
    assert "총무과" in [d["name"] for d in response.get_json()["departments"]]
