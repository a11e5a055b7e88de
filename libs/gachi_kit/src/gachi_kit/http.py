"""HTTP client for calls between services: one deadline per call (retries included),
bounded retries, a circuit breaker per client, correlation id."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import pybreaker
import requests
from requests.adapters import HTTPAdapter

from gachi_kit.domain_errors import TemporaryFailure
from gachi_kit.logging import CORRELATION_HEADER, current_correlation_id, get_logger
from gachi_kit.timeouts import CIRCUIT_FAILURES, CIRCUIT_RESET_SECONDS

log = get_logger(__name__)
_RETRY_STATUSES = frozenset({502, 503, 504})


class ConcurrentCircuitBreaker(pybreaker.CircuitBreaker):
    """pybreaker's breaker, minus its lock around the protected call (pybreaker#55, open):
    with it, the calls of every thread of a process through one breaker ran one at a
    time. The lock still guards every change of state (open, half-open, close); while the
    circuit is half-open, calls that arrive together may all probe."""

    def call(self, func, *args, **kwargs):
        return self.state.call(func, *args, **kwargs)


class UpstreamUnavailable(TemporaryFailure):
    """The other service could not be reached or answered 5xx after our retries (retryable:
    `is_retryable` says so to tasks)."""


class ServiceClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: Callable[[], str] | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 10.0,
        retries: int = 2,
        retry_methods: Iterable[str] = ("GET", "HEAD"),
        deadline: float | None = None,
    ) -> None:
        """`retry_methods` lists the methods safe to repeat on this service (e.g. a POST
        that only reads, like batch pricing); others are sent once. `deadline` bounds a
        whole call, retries included (a caller answering a person sets
        SERVICE_CALL_DEADLINE_SECONDS); without it each attempt has its own timeouts.
        After CIRCUIT_FAILURES calls in a row that found the service unavailable, calls
        fail at once (UpstreamUnavailable) for CIRCUIT_RESET_SECONDS; then one call
        probes, and its success closes the circuit."""
        self.base_url = base_url.rstrip("/")
        self._token = token
        if deadline is None:
            deadline = (retries + 1) * (connect_timeout + read_timeout + 1)
        self._timeout = (min(connect_timeout, deadline), min(read_timeout, deadline))
        self._deadline = deadline
        self.breaker = ConcurrentCircuitBreaker(
            fail_max=CIRCUIT_FAILURES,
            reset_timeout=CIRCUIT_RESET_SECONDS,
            throw_new_error_on_trip=False,
            name=self.base_url,
        )
        self._retries = retries
        self._retry_methods = frozenset(m.upper() for m in retry_methods)
        self._session = requests.Session()
        self._session.mount("http://", HTTPAdapter(max_retries=0, pool_maxsize=20))
        self._session.mount("https://", HTTPAdapter(max_retries=0, pool_maxsize=20))
        # What requests reads from the environment on every call (the proxy for this host,
        # NO_PROXY, REQUESTS_CA_BUNDLE) is read once: every call goes to base_url, and the
        # reading was a tenth of a placement's pricing call. Not .netrc: its login would
        # replace the bearer token.
        found = self._session.merge_environment_settings(self.base_url, {}, None, None, None)
        self._session.proxies, self._session.verify = found["proxies"], found["verify"]
        self._session.trust_env = False

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.breaker.call(self._request, method, path, **kwargs)
        except pybreaker.CircuitBreakerError as exc:
            log.warning("circuit_open", service=self.base_url, path=path)
            raise UpstreamUnavailable(f"{method} {path}: circuit open") from exc

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        cid = current_correlation_id()
        if cid:
            headers[CORRELATION_HEADER] = cid
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token()}"
        started = time.monotonic()
        safe_to_repeat = method.upper() in self._retry_methods
        attempts = 1 + self._retries
        for attempt in range(attempts):
            left = self._deadline - (time.monotonic() - started)
            try:
                response = self._session.request(
                    method,
                    self.base_url + path,
                    headers=headers,
                    timeout=(min(self._timeout[0], left), min(self._timeout[1], left)),
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.RequestException as exc:
                failure = f"{method} {path}: {exc.__class__.__name__}"
                # never sent (no connection): any method may try again
                repeat = safe_to_repeat or isinstance(exc, requests.ConnectTimeout)
            else:
                if response.status_code not in _RETRY_STATUSES:
                    break
                failure = f"{method} {path}: HTTP {response.status_code}"
                repeat = safe_to_repeat
            pause = 0.2 * 2**attempt
            out_of_time = time.monotonic() - started + pause >= self._deadline
            if not repeat or attempt + 1 == attempts or out_of_time:
                raise UpstreamUnavailable(failure)
            time.sleep(pause)
        if response.status_code >= 500:
            raise UpstreamUnavailable(f"{method} {path}: HTTP {response.status_code}")
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)
