"""The portal's test platform: catalog, orders and notify as live servers on databases of
their own, loaded with the demo data a newcomer sees, and the web app in front of them."""

from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gachi_kit.auth import issue_token
from tests.support import infra

GWANGMYEONG_CITY = "7Y2JHG63R0ERCVKR9VTNZNWCCQ"  # 광명시청, a demo institution with a stable id
DEPARTMENT = "총무과"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class PortalServices:
    config: dict
    urls: dict[str, str]
    apps: dict = field(default_factory=dict)
    private_key: str = ""

    def bearer(self, role: str, org: str | None = None, dept: str | None = None) -> dict:
        """A token the services accept, for what a test does outside the portal (an
        enterprise accepting and shipping its supplier order)."""
        jwt = issue_token(
            self.private_key,
            sub=f"portal-test-{role}",
            role=role,
            org=org,
            dept=dept,
            audience=list(infra.SERVICES),
        )
        return {"Authorization": f"Bearer {jwt}"}


@contextmanager
def portal_services(folder: Path, redis_url: str, keys: tuple[str, str]):
    """Migrated, seeded services on real sockets; stopped on exit."""
    import catalog
    import notify
    import orders
    from catalog import seed as catalog_seed
    from orders import seed as orders_seed

    private, public = keys
    config = {
        "GACHI_DATA_DIR": str(folder / "data"),
        "REDIS_URL": redis_url,
        "JWT_PUBLIC_KEY": public,
        "JWT_PRIVATE_KEY": private,
        "LOG_LEVEL": "WARNING",
        **infra.UNLIMITED,
        **{
            f"{s.upper()}_DATABASE_URL": infra.database_url(s, folder, "_portal")
            for s in infra.SERVICES
        },
    }
    with ExitStack() as stack:
        catalog_app = catalog.create_app(config)
        catalog_seed.run(catalog_app.extensions["catalog"])
        catalog_url = stack.enter_context(infra.live_server(catalog_app))
        orders_app = orders.create_app({**config, "CATALOG_URL": catalog_url})
        orders_seed.run(orders_app.extensions["orders"])
        orders_url = stack.enter_context(infra.live_server(orders_app))
        notify_app = notify.create_app({**config, "ORDERS_URL": orders_url})
        notify_url = stack.enter_context(infra.live_server(notify_app))
        yield PortalServices(
            config=config,
            urls={"catalog": catalog_url, "orders": orders_url, "notify": notify_url},
            apps={"catalog": catalog_app, "orders": orders_app, "notify": notify_app},
            private_key=private,
        )


def web_config(services: PortalServices, **extra) -> dict:
    return {
        **services.config,
        "CATALOG_URL": services.urls["catalog"],
        "ORDERS_URL": services.urls["orders"],
        "NOTIFY_URL": services.urls["notify"],
        **extra,
    }


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client, role: str = "buyer", org: str = GWANGMYEONG_CITY, dept: str = DEPARTMENT):
    """Sign the test client in as a demo person acting in `role`."""
    response = client.get(f"/sign-in?as={role}&org={org}&dept={dept}")
    assert response.status_code in (302, 303), response.status_code
    return client


def post_form(client, page: str, action: str, data: dict, **kwargs):
    """Submit a form the way a browser does: with the CSRF token of the page it is on."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data}, **kwargs)
