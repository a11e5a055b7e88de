"""Entry point for `celery -A orders.worker worker|beat`: builds the app once per process."""

from orders import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
