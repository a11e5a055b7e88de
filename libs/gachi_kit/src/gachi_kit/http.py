"""HTTP client for calls between services: timeouts, bounded retries, correlation id."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from gachi_kit.domain_errors import TemporaryFailure
from gachi_kit.logging import CORRELATION_HEADER, current_correlation_id


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
    ) -> None:
        """`retry_methods` lists the methods safe to repeat on this service (e.g. a POST
        that only reads, like batch pricing); others are sent once."""
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = (connect_timeout, read_timeout)
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=0.2,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset(m.upper() for m in retry_methods),
            raise_on_status=False,
            respect_retry_after_header=False,
        )
        self._session = requests.Session()
        self._session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=20))
        self._session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=20))

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        cid = current_correlation_id()
        if cid:
            headers[CORRELATION_HEADER] = cid
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token()}"
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise UpstreamUnavailable(f"{method} {path}: {exc.__class__.__name__}") from exc
        if response.status_code >= 500:
            raise UpstreamUnavailable(f"{method} {path}: HTTP {response.status_code}")
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)
