"""Outbound webhooks per the Standard Webhooks spec, sent only where egress rules allow.

Signature (the `standardwebhooks` package's own signer): `v1,` +
base64(HMAC-SHA256(secret, f"{webhook-id}.{webhook-timestamp}.{body}")), the secret being the
base64 part of `whsec_...`. During a rotation both the new and the
previous secret sign, space-separated in one `webhook-signature` header. `webhook-id` is the
delivery's id and stays the same on every retry, so receivers can deduplicate.

Sending: the URL is checked again and its name resolved again at send time, and the
connection goes to the address that passed the check (no second lookup a DNS rebinding
could change); TLS still verifies the certificate for the name. Redirects are never
followed, the response body is read at most 4 KiB and never shown to anyone. Connections
to a checked address are kept alive and reused (one pool per address, port and name).
"""

from __future__ import annotations

import base64
import secrets
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime

import certifi
import urllib3
from standardwebhooks.webhooks import Webhook

from notify.domain.delivery import RETRY, Outcome, webhook_verdict
from notify.domain.egress import Target, UnsafeURL, check_url

SECRET_PREFIX = "whsec_"
USER_AGENT = "gachi-notify/1.0 (+Standard Webhooks)"
POOL_SIZE = 4  # kept-alive connections per receiver (more are opened and not kept)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The spec's reference implementation signs; we only choose which secrets."""
    moment = datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
    return Webhook(secret).sign(msg_id, moment, body.decode())


def headers_for(msg_id: str, body: bytes, secrets_: Iterable[str], now: int | None = None) -> dict:
    timestamp = int(time.time()) if now is None else now
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_),
    }


def resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def check(url: str, allow_loopback: bool) -> Target:
    return check_url(url, allow_loopback=allow_loopback, resolve=resolve)


class WebhookSender:
    """Sends over a kept-alive connection pool per checked address, port and host name
    (at most `max_pools`, the least recently used closed first): a burst to one receiver
    reuses its connections instead of opening one per message. Thread-safe."""

    def __init__(self, *, timeout: float, allow_loopback: bool, max_pools: int = 256) -> None:
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.max_pools = max_pools
        self._pools: OrderedDict[tuple, urllib3.HTTPConnectionPool] = OrderedDict()
        self._lock = threading.Lock()

    def send(self, url: str, msg_id: str, body: bytes, secrets_: list[str]) -> Outcome:
        try:
            target = check(url, self.allow_loopback)
        except UnsafeURL as exc:
            return Outcome("permanent", None, f"보낼 수 없는 주소: {exc.detail}")
        headers = {
            **headers_for(msg_id, body, secrets_),
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
        }
        pool = self._pool(target, target.addresses[0])
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                response.read(4096)
                if response.read(1):  # more than we read: do not reuse this connection
                    response.close()
            finally:
                response.release_conn()
        except urllib3.exceptions.TimeoutError:
            return Outcome(RETRY, None, f"응답 시간 초과({self.timeout:g}초)")
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return Outcome(RETRY, None, f"연결 실패: {exc.__class__.__name__}")
        status = response.status
        verdict = webhook_verdict(status)
        error = None
        if 300 <= status < 400:
            error = f"리디렉션({status})은 따라가지 않습니다"
        elif status == 410:
            error = "수신 측이 410 Gone으로 응답해 웹훅을 중지했습니다"
        elif verdict != "ok":
            error = f"HTTP {status}"
        retry_after = _retry_after(response.headers.get("Retry-After")) if status == 429 else None
        return Outcome(verdict, status, error, retry_after)

    def _pool(self, target: Target, address: str) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, address, target.port, target.host)
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                return pool
            timeout = urllib3.Timeout(connect=min(5.0, self.timeout), read=self.timeout)
            if target.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    target.port,
                    timeout=timeout,
                    retries=False,
                    maxsize=POOL_SIZE,
                    cert_reqs="CERT_REQUIRED",
                    ca_certs=certifi.where(),
                    server_hostname=target.host,
                    assert_hostname=target.host,
                )
            else:
                pool = urllib3.HTTPConnectionPool(
                    address, target.port, timeout=timeout, retries=False, maxsize=POOL_SIZE
                )
            self._pools[key] = pool
            while len(self._pools) > self.max_pools:
                _key, oldest = self._pools.popitem(last=False)
                oldest.close()
            return pool

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
