"""Entry point for `celery -A notify.worker worker|beat`: builds the app once per process."""

from notify import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
