"""Identity's routes: pages (sign-in, account) and JSON (JWKS, OAuth token endpoint)."""

from __future__ import annotations

from flask import Flask, render_template
from flask_smorest import Api
from flask_wtf.csrf import CSRFError, CSRFProtect


def register(app: Flask, api: Api, csrf: CSRFProtect) -> None:
    from web.identity import oauth
    from web.identity.views import (  # noqa: F401 (these add routes to signin.bp)
        account,
        admin,
        clients,
        invitations,
        jwks,
        passwords,
        signin,
        totp,
    )

    app.register_blueprint(signin.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(admin.bp)
    # Machines' endpoints: no browser session, so no CSRF token.
    for machine in (jwks.bp, oauth.bp):
        csrf.exempt(machine)
        app.register_blueprint(machine)
    oauth.init(app)
    app.register_error_handler(CSRFError, _csrf_refused)


def _csrf_refused(error: CSRFError):
    """A form without a valid CSRF token: a Korean page, not the library's English text."""
    return (
        render_template(
            "identity/message.html",
            title="요청을 처리할 수 없습니다",
            message="보안 토큰이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.",
        ),
        400,
    )
