"""The portal's test platform: web (identity and the portal) in front of catalog, orders
and notify, each a live server on a database of its own, loaded with the demo data and
the demo people a newcomer signs in as."""

from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gachi_kit.auth import issue_token
from tests.support import infra

GWANGMYEONG_CITY = "7Y2JHG63R0ERCVKR9VTNZNWCCQ"  # 광명시청, a demo institution with a stable id
DEPARTMENT = "총무과"
BUYER = "buyer@gachi.example"  # 정구매, 광명시청 총무과 구매담당자
OPERATOR = "tofu@gachi.example"  # 광명두부마을 협동조합's operator
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
API_SERVICES = ("catalog", "orders", "notify")


@dataclass
class PortalPlatform:
    config: dict
    urls: dict[str, str]
    apps: dict = field(default_factory=dict)
    private_key: str = ""

    @property
    def web_app(self):
        return self.apps["web"]

    def bearer(self, role: str, org: str | None = None, dept: str | None = None) -> dict:
        """A developer-key token the APIs accept, for what a test does outside the portal
        (an enterprise accepting and shipping its supplier order)."""
        jwt = issue_token(
            self.private_key,
            sub=f"portal-test-{role}",
            role=role,
            org=org,
            dept=dept,
            audience=list(API_SERVICES),
        )
        return {"Authorization": f"Bearer {jwt}"}


@contextmanager
def portal_platform(folder: Path, redis_url: str, keys: tuple[str, str], **extra):
    """Migrated, seeded services on real sockets (web too: the APIs fetch its JWKS)."""
    import catalog
    import notify
    import orders
    import web
    from catalog import seed as catalog_seed
    from orders import seed as orders_seed
    from web import seed as web_seed

    private, public = keys
    web_port = infra.free_port()
    config = {
        "GACHI_DATA_DIR": str(folder / "data"),
        "REDIS_URL": redis_url,
        "JWT_PUBLIC_KEY": public,
        "JWT_PRIVATE_KEY": private,
        "WEB_URL": f"http://127.0.0.1:{web_port}",
        "LOG_LEVEL": "WARNING",
        **infra.UNLIMITED,
        **{
            f"{s.upper()}_DATABASE_URL": infra.database_url(s, folder, "_portal")
            for s in infra.SERVICES
        },
        **extra,
    }
    with ExitStack() as stack:
        apps, urls = {}, {"web": config["WEB_URL"]}
        apps["catalog"] = catalog.create_app(config)
        catalog_seed.run(apps["catalog"].extensions["catalog"])
        urls["catalog"] = stack.enter_context(infra.live_server(apps["catalog"]))
        apps["orders"] = orders.create_app({**config, "CATALOG_URL": urls["catalog"]})
        orders_seed.run(apps["orders"].extensions["orders"])
        urls["orders"] = stack.enter_context(infra.live_server(apps["orders"]))
        apps["notify"] = notify.create_app({**config, "ORDERS_URL": urls["orders"]})
        urls["notify"] = stack.enter_context(infra.live_server(apps["notify"]))
        config |= {f"{s.upper()}_URL": urls[s] for s in API_SERVICES}
        apps["web"] = web.create_app(config)
        with apps["web"].app_context():
            web_seed.run(apps["web"].extensions["web"])
        stack.enter_context(infra.live_server(apps["web"], web_port))
        yield PortalPlatform(config=config, urls=urls, apps=apps, private_key=private)


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client, email: str = BUYER):
    """Sign the test client in through the sign-in form, as a demo person."""
    from web.seed import DEMO_PASSWORD

    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    return client


def order_sheet_form(html: str, **overrides) -> dict:
    """What the 주문서's 주문하기 sends: its CSRF token and Idempotency-Key, and a delivery
    to 광명시청 in three weeks."""
    from datetime import timedelta

    from gachi_kit.dates import today_kst

    return {
        "csrf_token": csrf_token(html),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1),
        "delivery_address": "경기도 광명시 시청로 20 광명시청 총무과",
        "delivery_sigungu_code": "41210",
        "needed_by": (today_kst() + timedelta(days=21)).isoformat(),
        "brand_code": "",
        "memo": "",
        **overrides,
    }


def post_form(client, page: str, action: str, data: dict, **kwargs):
    """Submit a form the way a browser does: with the CSRF token of the page it is on."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data}, **kwargs)
