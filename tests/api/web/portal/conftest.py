from tests.support.portal_fixtures import buyer, client, portal, portal_app  # noqa: F401
