"""A message a killed worker held goes back to its queue once the visibility timeout has
passed, on the real Redis and through the kit's Celery settings: even when the worker died
in the middle of a sweep, holding the lock kombu takes to put such messages back."""

from __future__ import annotations

import time

import redis
from flask import Flask
from kombu import Exchange, Queue

from gachi_kit.celery import RESTORE_LOCK_SECONDS, make_celery
from tests.support.infra import wait_for

QUEUE = "redelivery-test"


def test_a_worker_killed_mid_sweep_holds_the_others_back_for_seconds_not_minutes(
    redis_url, monkeypatch
):
    monkeypatch.setenv("BROKER_VISIBILITY_TIMEOUT", "1")
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    celery_app = make_celery(Flask(__name__), queue=QUEUE, broker_url=redis_url)
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        queue = Queue(QUEUE, Exchange(QUEUE, type="direct"), routing_key=QUEUE)
        with connection.Producer(channel) as producer:
            producer.publish({"order": "공급 주문 1"}, declare=[queue], routing_key=QUEUE)
        # The killed worker had taken the message (it sits in `unacked`) and was sweeping:
        # kombu's lock is left held until it expires.
        assert channel.basic_get(QUEUE, no_ack=False) is not None
        assert client.hlen(channel.unacked_key) == 1
        dead_sweep = client.lock(channel.unacked_mutex_key, timeout=channel.unacked_mutex_expire)
        assert dead_sweep.acquire(blocking=False)
        time.sleep(1.1)  # past the visibility timeout

        def restored() -> bool:
            channel.qos.restore_visible(num=100, interval=1)  # a live worker's sweep
            return client.llen(QUEUE) == 1

        # kombu's own lock outlives its holder by 5 minutes, the kit's by RESTORE_LOCK_SECONDS
        assert RESTORE_LOCK_SECONDS < 60
        wait_for(restored, timeout=60, interval=0.5, what="redelivery within a minute")
        assert client.hlen(channel.unacked_key) == 0
        assert channel.basic_get(QUEUE, no_ack=True).payload == {"order": "공급 주문 1"}
