"""Per-destination bulkhead: at most `limit` sends in flight to one destination (a webhook
host and port, the SMTP server, a text provider) in this process.

The deliveries worker runs a pool of threads; without this, a receiver that answers slowly
would soon hold every thread and every other recipient would wait behind it. A send that
finds its destination's slots taken waits for one, but only while the destination looks
healthy: once the oldest send in flight to it has taken `slow_after` seconds (or after
waiting that long), the send is deferred instead (`DEFERRED`, not counted as an attempt)
and the sweep sends it again a little later. So a busy receiver that answers gets its
messages at full pace, and a hanging one holds `limit` threads while the rest keep going.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit


class Bulkhead:
    def __init__(
        self, limit: int, slow_after: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = max(1, limit)
        self.slow_after = slow_after
        self.clock = clock
        self._changed = threading.Condition()
        self._started: dict[str, list[float]] = {}  # destination -> start of each send

    @contextmanager
    def slot(self, destination: str) -> Iterator[bool]:
        """Yields True with a slot held for the block, or False: defer this send."""
        started = self._acquire(destination)
        try:
            yield started is not None
        finally:
            if started is not None:
                self._release(destination, started)

    def _acquire(self, destination: str) -> float | None:
        with self._changed:
            give_up = self.clock() + self.slow_after
            while True:
                now = self.clock()
                in_flight = self._started.setdefault(destination, [])
                if len(in_flight) < self.limit:
                    in_flight.append(now)
                    return now
                slow_at = min(in_flight) + self.slow_after
                if now >= slow_at or now >= give_up:
                    return None
                self._changed.wait(min(slow_at, give_up) - now)

    def _release(self, destination: str, started: float) -> None:
        with self._changed:
            in_flight = self._started[destination]
            in_flight.remove(started)
            if not in_flight:
                del self._started[destination]
            self._changed.notify_all()


def destination(channel: str, address: str) -> str:
    """What one slow peer is: a webhook's scheme, host and port; for the other channels the
    one server or provider the channel goes through."""
    if channel == "webhook":
        parts = urlsplit(address)
        return f"webhook:{parts.scheme}://{(parts.netloc or '').lower()}"
    if channel == "alimtalk":
        return "alimtalk"
    return channel  # email: the SMTP server (or the mail folder); sms: the provider
