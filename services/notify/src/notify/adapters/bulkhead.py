"""Per-destination bulkhead: at most `limit` sends in flight to one destination (a webhook
host and port, the SMTP server, a text provider) in this process.

The deliveries worker runs a pool of threads; without this, a receiver that answers slowly
would soon hold every thread and every other recipient would wait behind it. A send that
finds its destination's slots taken does not wait: it is deferred (`DEFERRED`, not counted
as an attempt) and the sweep sends it again a little later, so the threads stay free for
the destinations that answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit


class Bulkhead:
    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}

    @contextmanager
    def slot(self, destination: str) -> Iterator[bool]:
        """Yields True with a slot held for the block, or False when none is free."""
        with self._lock:
            busy = self._in_flight.get(destination, 0)
            free = busy < self.limit
            if free:
                self._in_flight[destination] = busy + 1
        try:
            yield free
        finally:
            if free:
                with self._lock:
                    left = self._in_flight[destination] - 1
                    if left:
                        self._in_flight[destination] = left
                    else:
                        del self._in_flight[destination]


def destination(channel: str, address: str) -> str:
    """What one slow peer is: a webhook's scheme, host and port; for the other channels the
    one server or provider the channel goes through."""
    if channel == "webhook":
        parts = urlsplit(address)
        return f"webhook:{parts.scheme}://{(parts.netloc or '').lower()}"
    if channel == "alimtalk":
        return "alimtalk"
    return channel  # email: the SMTP server (or the mail folder); sms: the provider
