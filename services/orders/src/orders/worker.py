"""Entry point for `celery -A orders.worker worker|beat`: builds the app once per process."""

from orders import create_app

app = create_app()
celery = app.extensions["celery"]
