"""사업자등록번호: the rule lives in the kit, so web's enterprise sign-up checks a number
exactly as catalog does."""

from gachi_kit.brn import (  # noqa: F401 (re-exported)
    MSG_CHECK_DIGIT,
    MSG_FORMAT,
    InvalidBRN,
    format_brn,
    make_brn,
    normalize_brn,
)
