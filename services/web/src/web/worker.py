"""Entry point for `celery -A web.worker worker|beat`: builds the app once per process."""

from web import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
