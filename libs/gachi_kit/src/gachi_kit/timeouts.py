"""How long anything waits on another process, in one place: a stalled dependency must
cost a caller seconds, never minutes (docs/operations.md)."""

from __future__ import annotations

# Every Redis client that someone waits on (an API's broker connection, sessions): a paused
# Redis fails fast. The socket timeout stays above kombu's 1 s BRPOP.
REDIS_CLIENT = {"socket_connect_timeout": 2.0, "socket_timeout": 3.0}
# A Celery worker's own broker connection: no socket timeout. A worker whose ack timed
# out while Redis was paused stopped consuming for good ("Couldn't ack ... TimeoutError",
# tests/e2e/test_faults.py); without the timeout it waits for Redis and carries on. A dead
# Redis still fails at once (connection reset), and a half-open connection is dropped by
# kombu's BRPOP health check and TCP keepalive.
REDIS_WORKER = {"socket_connect_timeout": 2.0, "socket_timeout": None, "socket_keepalive": True}
# The rate limiter's counters: it fails open (the request goes on uncounted), so quickly.
RATE_LIMIT_REDIS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
# /readyz answers within this, 503 naming the dependency that did not answer in time.
READINESS_SECONDS = 1.0
# One call from a service to another, retries included.
SERVICE_CALL_DEADLINE_SECONDS = 4.0
# Consecutive failed calls that open a service's circuit, and how long it stays open
# (answering 503 at once) before one call probes whether the service is back.
CIRCUIT_FAILURES = 3
CIRCUIT_RESET_SECONDS = 10
# The service's own PostgreSQL: a new connection, and a request waiting for a free one in
# the pool. While the database is down requests answer 503 in about this long, not 30 s.
DATABASE_CONNECT_SECONDS = 3
DATABASE_POOL_WAIT_SECONDS = 5
# A producer asks its consumers whether they received an event this long after sending it
# (gachi_kit.receipts): twice the broker's visibility timeout, so a message a killed worker
# held has come back by then, and only one the broker lost is sent again.
CONFIRM_AFTER_SECONDS = 600.0
