"""A TCP port that accepts and never answers, for tests of stalled dependencies."""

from __future__ import annotations

import socket
import threading

import pytest


class BlackHole:
    """A TCP port that accepts every connection and never sends a byte (what a SIGSTOPped
    Redis or a hung process looks like from outside)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url_port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture(name="black_hole")
def black_hole_fixture():
    hole = BlackHole()
    yield hole
    hole.close()
