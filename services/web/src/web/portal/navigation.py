"""What every page's header shows: the menu for the membership acted as, the 주문서 count
and the unread badge of the inbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, g, request, session, url_for

from gachi_kit.logging import get_logger
from web.identity import current
from web.portal.api import ApiError, UpstreamUnavailable, call

log = get_logger(__name__)
BUYERS = ("buyer", "institution_admin")
CART_KEY = "portal_cart"
CATALOGUE_PAGES = ("catalogue.search", "catalogue.product", "catalogue.brand", "catalogue.group")


@dataclass
class MenuItem:
    label: str
    url: str
    blueprints: tuple[str, ...] = ()
    count: int = 0
    endpoints: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        return request.blueprint in self.blueprints or request.endpoint in self.endpoints


@dataclass
class Navigation:
    person: object | None
    membership: object | None
    menu: list[MenuItem] = field(default_factory=list)
    unread: int | None = None
    can_switch: bool = False
    sign_in_url: str = ""
    sign_out_url: str = ""
    switch_url: str = ""

    @property
    def person_name(self) -> str:
        return getattr(self.person, "name", "") or getattr(self.person, "email", "")

    @property
    def membership_label(self) -> str:
        return getattr(self.membership, "label", "") or ""


def unread_count() -> int | None:
    """The inbox's unread count, once per request; a notify that is down hides the badge
    instead of breaking the page."""
    if "portal_unread" not in g:
        try:
            page = call("notify", "GET", "/v1/inbox", params={"limit": 1, "unread": "true"})
            g.portal_unread = int(page.get("unread_count") or 0)
        except (ApiError, UpstreamUnavailable) as exc:
            log.warning("inbox_badge_unavailable", error=str(exc))
            g.portal_unread = None
    return g.portal_unread


def cart_lines() -> list[dict]:
    return session.get(CART_KEY, [])


def is_buyer() -> bool:
    membership = current.current_membership()
    return membership is not None and membership.role in BUYERS


def build_navigation() -> Navigation:
    person = current.current_person()
    membership = current.current_membership() if person else None
    nav = Navigation(person=person, membership=membership)
    nav.sign_in_url = url_for("identity.sign_in", next=request.full_path.rstrip("?"))
    nav.sign_out_url = url_for("identity.sign_out")
    nav.switch_url = url_for("identity.membership", next=request.full_path.rstrip("?"))
    nav.menu = [
        MenuItem("홈", url_for("catalogue.home"), endpoints=("catalogue.home",)),
        MenuItem("상품 찾기", url_for("catalogue.search"), endpoints=CATALOGUE_PAGES),
    ]
    if membership is not None and membership.role in BUYERS:
        nav.menu += [
            MenuItem("주문서", url_for("ordering.cart"), ("ordering",), len(cart_lines())),
            MenuItem("주문 내역", url_for("orders.index"), ("orders",)),
            MenuItem("견적서", url_for("quotations.index"), ("quotations",)),
            MenuItem("단체 구매", url_for("groups.index"), ("groups",)),
            MenuItem("우선구매 실적", url_for("performance.home"), ("performance",)),
        ]
    if membership is not None:
        nav.menu.append(MenuItem("알림함", url_for("inbox.index"), ("inbox",)))
        nav.unread = unread_count()
        nav.can_switch = len(current.person_memberships()) > 1
    return nav


def register_navigation(app: Flask) -> None:
    @app.context_processor
    def _navigation():
        return {"portal_nav": build_navigation}
