"""How orders answers the errors its use cases and adapters raise: registered once in
`create_app` (`gachi_kit.errors.map_errors`), so use cases raise plain errors and the
Celery tasks decide by the error's kind (`TemporaryFailure` or not), never by a status."""

from __future__ import annotations

from gachi_kit.errors import Problem, invalid_transition, unavailable
from gachi_kit.http import UpstreamUnavailable
from gachi_kit.logging import get_logger
from orders.adapters.catalog_client import CatalogError
from orders.domain.states import InvalidTransition
from orders.services.placing import CATALOG_DOWN

log = get_logger(__name__)


def catalog_unavailable(exc: Exception) -> Problem:
    if isinstance(exc, CatalogError):
        log.error("catalog_bad_answer", error=str(exc))  # a bug on one side: look at it
    else:
        log.warning("catalog_unavailable", error=str(exc))
    return unavailable(
        "catalog_unavailable", CATALOG_DOWN, title="상품 정보를 확인할 수 없습니다", retry_after=10
    )


PROBLEMS = {
    # orders' only upstream is catalog: it is down, or answered something unusable.
    UpstreamUnavailable: catalog_unavailable,
    CatalogError: catalog_unavailable,
    InvalidTransition: lambda exc: invalid_transition(exc.current, exc.detail),
}
