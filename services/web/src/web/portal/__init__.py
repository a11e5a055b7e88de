"""The portal: the pages purchase officers, group-order participants and the public use.
It owns no business data: every page reads and writes through catalog, orders and notify.

`web.create_app` calls `register(app)` when this package exists."""

from __future__ import annotations

from flask import Flask

from web.portal import (
    assets,
    backoffice,
    catalogue,
    documents,
    groups,
    inbox,
    ordering,
    orders,
    performance,
    quotations,
    upload,
)
from web.portal.api import init_clients
from web.portal.errors import register_error_pages
from web.portal.filters import register_filters
from web.portal.navigation import register_navigation


def register(app: Flask) -> None:
    init_clients(app)
    register_filters(app)
    register_navigation(app)
    for blueprint in (
        assets.bp,
        catalogue.bp,
        ordering.bp,
        upload.bp,
        orders.bp,
        quotations.bp,
        groups.bp,
        groups.public_bp,
        inbox.bp,
        performance.bp,
        performance.public_bp,
    ):
        app.register_blueprint(blueprint)
    documents.register(app)
    register_error_pages(app)
    backoffice.register(app)  # part 2: enterprises, committees, admins
