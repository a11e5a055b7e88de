"""web's demo people and one API client of 광명시청, written to a running platform's web
database (for the e2e tests and the identity benchmark)."""

from __future__ import annotations


def seed_with_client(config: dict) -> tuple[str, str]:
    """Returns (client_id, client_secret) of an institution-admin client of 광명시청."""
    import web
    from web import seed
    from web.identity.services import clients

    app = web.create_app(config)
    w = app.extensions["web"]
    try:
        with app.app_context():
            seed.run(w)
            client, secret = clients.create(
                w,
                actor_id="01ADMIN0000000000000000000",
                actor_role="institution_admin",
                org_id=seed.GWANGMYEONG_CITY,
                role="institution_admin",
                name="회계 ERP",
            )
    finally:
        w.db.dispose()
    return client.client_id, secret
