"""Documents an enterprise uploads with a brand application (plain rules, no I/O).

What a file is, is read from its first bytes, never from the name or the type the browser
sent: a renamed executable stays refused. 한글 (.hwp) is accepted because public bodies and
enterprises in Korea write their certificates and plans in it.
"""

from __future__ import annotations

import unicodedata

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 20
MAX_FILENAME_LENGTH = 200

# (magic bytes, extensions the name may have, content type served back)
_KINDS = (
    (b"%PDF-", (".pdf",), "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", (".png",), "image/png"),
    (b"\xff\xd8\xff", (".jpg", ".jpeg"), "image/jpeg"),
    # HWP 5.0 is an OLE compound file, like old Word and Excel files: only with .hwp.
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", (".hwp",), "application/x-hwp"),
)
ACCEPTED = "PDF, PNG, JPEG, 한글(HWP)"


def content_type_of(filename: str, head: bytes) -> str | None:
    """The content type of an accepted document, or None when it is not one."""
    name = filename.lower()
    for magic, extensions, content_type in _KINDS:
        if head.startswith(magic) and name.endswith(extensions):
            return content_type
    return None


def clean_filename(raw: str | None) -> str | None:
    """The name to store and serve back: the last path part, NFC, no control characters,
    at most 200 characters (the extension kept). None when nothing usable is left."""
    if not raw:
        return None
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if not name:
        return None
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_FILENAME_LENGTH - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and keep > 0 else name[:MAX_FILENAME_LENGTH]
    return name
