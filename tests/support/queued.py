"""What a Celery message waiting on a Redis list carries (kombu's JSON envelope)."""

from __future__ import annotations

import base64
import json


def task_and_args(raw: bytes) -> tuple[str, list]:
    """The task's name and its positional arguments."""
    message = json.loads(raw)
    args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    return message["headers"]["task"], args


def events_in(raw: bytes) -> list[dict]:
    """The events an event message carries: one (`handle_event`) or one commit's
    (`handle_events`)."""
    task, (carried,) = task_and_args(raw)
    return carried if task.endswith(".handle_events") else [carried]
