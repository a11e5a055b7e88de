import pytest

from tests.support.builders import register_enterprise


@pytest.fixture
def client(catalog_app):
    return catalog_app.test_client()


@pytest.fixture
def admin(token):
    return token("admin")


@pytest.fixture
def tofu(client, admin):
    """광명두부마을 협동조합 (광명시), no certification yet."""
    return register_enterprise(client, admin, name="광명두부마을 협동조합")


@pytest.fixture
def other(client, admin):
    """Another enterprise (완주군)."""
    return register_enterprise(
        client,
        admin,
        name="완주 김치 마을기업",
        enterprise_type="village_enterprise",
        sigungu_code="52710",
    )
