"""The Celery app bench/redelivery.py runs: the kit's `make_celery`, one slow task."""

from __future__ import annotations

import json
import os
import time

from flask import Flask

from gachi_kit.celery import make_celery

celery_app = make_celery(
    Flask(__name__), queue="bench", broker_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:9")
)
if os.environ.get("REDELIVERY_KOMBU_DEFAULT_SCAN"):  # the baseline: kombu's own cadence
    options = celery_app.conf.broker_transport_options
    options.pop("unacked_restore_interval")
    options.pop("unacked_restore_throttle")


@celery_app.task(name="bench.slow")
def slow(tag: str) -> None:
    with open(os.environ["REDELIVERY_STARTS"], "a") as starts:
        starts.write(json.dumps({"tag": tag, "pid": os.getpid(), "at": time.time()}) + "\n")
    time.sleep(60)
