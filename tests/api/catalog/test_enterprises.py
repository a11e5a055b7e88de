from sqlalchemy import func, select

from catalog.adapters.models import Enterprise, OutboxMessage
from tests.support.builders import enterprise_body, register_enterprise


def _count(app, model):
    with app.extensions["catalog"].db.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_admin_registers_enterprise_and_an_event_is_recorded(catalog_app, token):
    client = catalog_app.test_client()
    body = enterprise_body(brn="120-81-47521")  # hyphenated form is accepted
    response = client.post("/v1/enterprises", json=body, headers=token("admin"))

    assert response.status_code == 201
    created = response.get_json()
    assert created["brn"] == "1208147521"
    assert created["enterprise_type_label"] == "협동조합"
    assert (created["sido_code"], created["sigungu_code"]) == ("41", "41210")
    with catalog_app.extensions["catalog"].db.reading() as session:
        events = session.scalars(select(OutboxMessage)).all()
    assert [e.type for e in events] == ["enterprise.registered"]
    assert events[0].data["enterprise_id"] == created["id"]


def test_duplicate_brn_is_409_and_writes_nothing(catalog_app, token):
    client = catalog_app.test_client()
    first = register_enterprise(client, token("admin"))
    response = client.post(
        "/v1/enterprises", json=enterprise_body(brn=first["brn"]), headers=token("admin")
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "enterprise_brn_taken"
    assert _count(catalog_app, Enterprise) == 1
    assert _count(catalog_app, OutboxMessage) == 1


def test_bad_input_is_problem_json_with_field_errors(catalog_app, token):
    client = catalog_app.test_client()
    cases = [
        ({"brn": "120-81-47522"}, "invalid_brn", "brn"),  # wrong check digit
        ({"sigungu_code": "99999"}, "unknown_region", "sigungu_code"),
        ({"enterprise_type": "startup"}, "validation_failed", "enterprise_type"),
        ({"status": "active"}, "validation_failed", "status"),  # not client-writable
    ]
    for overrides, code, field in cases:
        response = client.post(
            "/v1/enterprises", json=enterprise_body(**overrides), headers=token("admin")
        )
        assert response.status_code == 422, overrides
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["code"] == code
        assert field in problem["errors"]
        assert problem["title"]
    assert _count(catalog_app, Enterprise) == 0


def test_malformed_json_is_400_problem(catalog_app, token):
    response = catalog_app.test_client().post(
        "/v1/enterprises",
        data='{"name": "광명',
        headers={**token("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "malformed_json"


def test_only_admins_register_enterprises(catalog_app, token):
    client = catalog_app.test_client()
    for role in ("enterprise", "buyer", "committee", "service"):
        response = client.post("/v1/enterprises", json=enterprise_body(), headers=token(role, "x"))
        assert response.status_code == 403, role
        assert response.get_json()["code"] == "forbidden_role"
        assert response.get_json()["detail"] == "이 작업은 관리자 역할만 할 수 있습니다."
    response = client.post("/v1/enterprises", json=enterprise_body())
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_missing"
    assert _count(catalog_app, Enterprise) == 0


def test_the_directory_finds_enterprises_by_exact_business_numbers(catalog_app, token):
    client = catalog_app.test_client()
    wanted = register_enterprise(client, token("admin"), brn="120-81-47521")
    other = register_enterprise(client, token("admin"), brn="220-81-62517")

    found = client.get(
        "/v1/enterprises?brn=120-81-47521&brn=1208147521", headers=token("service")
    ).get_json()
    both = client.get(
        f"/v1/enterprises?brn={wanted['brn']}&brn={other['brn']}", headers=token("service")
    ).get_json()
    partial = client.get("/v1/enterprises?brn=12081", headers=token("service"))

    assert [e["id"] for e in found["items"]] == [wanted["id"]]
    assert {e["id"] for e in both["items"]} == {wanted["id"], other["id"]}
    assert partial.status_code == 422  # exact numbers only, never a partial match
    assert partial.get_json()["errors"]
