"""Real servers on loopback for notify's tests: a webhook receiver and an SMS provider
(http.server in a thread), an SMTP server (aiosmtpd), and helpers to run deliveries."""

from __future__ import annotations

import email
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from tests.support.infra import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    peer: tuple[str, int] | None = None  # the sender's address and port (one per connection)

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    hold: threading.Event | None = None  # answer only once this is set (a stuck receiver)


class HTTPReceiver:
    """Records every request; answers with the queued replies, then with `default`."""

    def __init__(self, default: Reply | None = None) -> None:
        self.requests: list[Received] = []
        self.replies: list[Reply] = []
        self.default = default or Reply()
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(
                        Received(
                            self.path,
                            dict(self.headers.items()),
                            body,
                            time.time(),
                            self.client_address[:2],
                        )
                    )
                    reply = receiver.replies.pop(0) if receiver.replies else receiver.default
                receiver.arrived.set()
                if reply.hold is not None:
                    reply.hold.wait(60)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender went away (killed, timed out)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def peers(self) -> set[tuple[str, int]]:
        """The connections the requests came over."""
        return {r.peer for r in list(self.requests)}

    def __enter__(self) -> HTTPReceiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


NHN_OK = Reply(
    200,
    {"Content-Type": "application/json;charset=UTF-8"},
    json.dumps(
        {
            "header": {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"},
            "body": {"data": {"requestId": "20260101000000abcdef", "statusCode": "2"}},
        }
    ).encode(),
)


@dataclass
class SMTPInbox:
    host: str
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    # the connection (client address) each recipient was given on, refused or not
    peers: list[tuple[str, int]] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[SMTPInbox]:
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox("127.0.0.1", free_port())

    class Handler:
        async def handle_RCPT(self, _server, session, envelope, address, _options):
            inbox.peers.append(session.peer)
            if address.startswith("nobody@"):  # a mailbox the server does not have
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, _server, _session, envelope):
            inbox.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            inbox.messages.append(
                email.message_from_bytes(envelope.original_content, policy=policy.default)
            )
            return "250 OK"

    controller = Controller(Handler(), hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


# --- running deliveries in the test process ---------------------------------------------


def rows(app, model, **where):
    """notify's `model` rows matching `where` (column = value), oldest id first."""
    query = select(model).order_by(model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    with app.extensions["notify"].db.reading() as session:
        return list(session.scalars(query))


def deliveries(app, **where):
    from notify.adapters.models import Delivery

    return rows(app, Delivery, **where)


def send_all(app, *, wait: float = 5.0, channel: str | None = None) -> list:
    """Send every pending or failed delivery until none is due any more (short backoffs in
    tests), exactly as the worker would, one `send_delivery` per row per attempt."""
    from notify.domain.delivery import DUE
    from notify.services.deliveries import send_delivery

    n = app.extensions["notify"]
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        rows = [r for r in deliveries(app) if r.status in DUE and r.channel != "inbox"]
        if channel:
            rows = [r for r in rows if r.channel == channel]
        if not rows:
            break
        for row in rows:
            with app.app_context():
                send_delivery(n, row.id)
        time.sleep(0.02)
    return deliveries(app)
