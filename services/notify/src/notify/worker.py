"""Entry point for `celery -A notify.worker worker|beat`: builds the app once per process."""

from notify import create_app

app = create_app()
celery = app.extensions["celery"]
