"""POST /oauth/token: OAuth 2.0 client credentials, served by Authlib's authorization
server. The access token is the same RS256 JWT people's memberships get, for the client's
organisation and role, carrying `client_id`; a revoked client gets no new token."""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from flask import Blueprint, Flask, current_app

from web.identity.services import clients, tokens
from web.wiring import web

AUTH_METHODS = ("client_secret_basic", "client_secret_post")
bp = Blueprint("oauth", __name__)


class OAuthClient(ClientMixin):
    """What Authlib needs to know of one of our API clients."""

    def __init__(self, row) -> None:
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return ""  # the organisation and role are the client's, not asked for

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return clients.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in AUTH_METHODS

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS


def _query_client(client_id: str):
    row = clients.active(web(), client_id)
    return OAuthClient(row) if row else None


def _generate(grant_type, client, user=None, scope=None, expires_in=None, **_ignored):
    token, _expires = tokens.for_client(web(), client.row)
    return {
        "token_type": "Bearer",
        "access_token": token,
        "expires_in": web().settings.access_token_minutes * 60,
    }


def init(app: Flask) -> None:
    server = AuthorizationServer(app, query_client=_query_client, save_token=_nothing_to_save)
    server.register_grant(ClientCredentials)
    server.register_token_generator("client_credentials", _generate)
    app.extensions["oauth_server"] = server


def _nothing_to_save(token, request) -> None:
    """Tokens are self-contained JWTs: nothing to store, they simply expire."""


@bp.post("/oauth/token")
def issue_token():
    return current_app.extensions["oauth_server"].create_token_response()
