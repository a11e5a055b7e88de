"""The back office: the screens of enterprise operators, brand committees and platform
admins (issue "Portal, part 2"). Each audience is a blueprint of its own package; this
package holds what they share (labels, form helpers, the chart, the macros)."""

from __future__ import annotations

from flask import Blueprint, Flask, url_for

from web.portal import navigation
from web.portal.backoffice import present

bp = Blueprint(
    "backoffice",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/backoffice/static",
)


def register(app: Flask) -> None:
    """Called once by web.portal.register: the three audiences' blueprints and the labels
    their templates use."""
    from web.portal.admin import bp as admin
    from web.portal.committee import bp as committee
    from web.portal.enterprise import bp as enterprise

    for blueprint in (bp, enterprise, committee, admin):
        app.register_blueprint(blueprint)
    app.context_processor(lambda: {"portal_nav": _navigation_with_back_office})
    app.jinja_env.globals.update(
        labels={
            "listing": present.LISTING_STATUS,
            "rereview": present.REREVIEW_KIND,
            "product": present.PRODUCT_STATUS,
            "certification": present.CERTIFICATION_STATE,
            "vote": present.VOTE_CHOICE,
            "channel": present.CHANNEL,
            "delivery": present.DELIVERY_STATUS,
            "audit": present.AUDIT_ACTION,
            "actor": present.ACTOR_ROLE,
        },
        tone=present.tone,
        time_left=present.time_left,
    )


# The header's menu entry of each back-office role: (label, endpoint, blueprints it covers;
# identity's own admin pages, the audit log and enterprise applications, are "admin").
MENU = {
    "enterprise": ("기업 업무", "enterprise.dashboard", ("enterprise",)),
    "committee": ("위원회 심사", "committee.queue", ("committee",)),
    "admin": ("플랫폼 관리", "platform.enterprises", ("platform", "admin")),
}


def _navigation_with_back_office():
    """The portal's header menu, plus the back office of the membership acted as."""
    nav = navigation.build_navigation()
    entry = MENU.get(getattr(nav.membership, "role", None))
    if entry:
        label, endpoint, blueprints = entry
        nav.menu.insert(1, navigation.MenuItem(label, url_for(endpoint), blueprints))
    return nav
