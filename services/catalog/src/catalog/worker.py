"""Entry point for `celery -A catalog.worker worker|beat`: builds the app once per process."""

from catalog import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
