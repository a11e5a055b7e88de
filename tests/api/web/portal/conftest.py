from tests.support.portal_fixtures import buyer, client, portal_app  # noqa: F401
