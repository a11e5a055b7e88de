"""How catalog's domain errors answer over HTTP, registered once in `create_app`: use cases
and domain rules raise them and never build the problem themselves."""

from __future__ import annotations

from catalog.domain.listing import TransitionRefused
from gachi_kit.brn import InvalidBRN
from gachi_kit.errors import ProblemFactory, invalid, invalid_transition
from gachi_kit.spreadsheet import SpreadsheetError

CATALOG_ERRORS: dict[type[BaseException], ProblemFactory] = {
    # A listing's state machine refused the action (409 with where the listing stands).
    TransitionRefused: lambda exc: invalid_transition(
        exc.current, f"'{exc.current}' 상태에서는 {exc.action} 할 수 없습니다."
    ),
    # A 사업자등록번호 that is malformed or fails its check digit.
    InvalidBRN: lambda exc: invalid("brn", str(exc), code="invalid_brn"),
    # An uploaded spreadsheet that cannot be read as a whole (encoding, header, size).
    SpreadsheetError: lambda exc: invalid("file", exc.detail, code=exc.code, detail=exc.detail),
}
