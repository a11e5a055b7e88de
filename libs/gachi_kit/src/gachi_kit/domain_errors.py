"""Base classes for the errors use cases and domain rules raise.

Plain Python (no Flask, no SQLAlchemy), so `domain/` packages may subclass them. A service
maps each of its domain errors to a problem once, in `create_app`
(`gachi_kit.errors.map_errors`); Celery code asks `is_retryable(exc)`, never an HTTP status.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A rule refused the request. Final: the same call would be refused again."""

    retryable: ClassVar[bool] = False


class TemporaryFailure(DomainError):
    """Something outside the service is down; the same call may succeed later."""

    retryable = True


def is_retryable(exc: BaseException) -> bool:
    """True when trying the same work again later may succeed (a dependency was down);
    False for a final refusal. Problems answer through their own `retryable` flag."""
    return bool(getattr(exc, "retryable", False))
