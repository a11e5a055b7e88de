"""사업자등록번호 rules live in the kit (orders checks them too); catalog's name for them."""

from gachi_kit.brn import (
    MSG_CHECK_DIGIT,
    MSG_FORMAT,
    InvalidBRN,
    format_brn,
    make_brn,
    normalize_brn,
)

__all__ = ["MSG_CHECK_DIGIT", "MSG_FORMAT", "InvalidBRN", "format_brn", "make_brn", "normalize_brn"]
