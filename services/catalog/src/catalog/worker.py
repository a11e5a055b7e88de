"""Entry point for `celery -A catalog.worker worker|beat`: builds the app once per process."""

from catalog import create_app

app = create_app()
celery = app.extensions["celery"]
