"""Reading a generated PDF back in tests."""

from __future__ import annotations

import io

from pypdf import PdfReader


def text_of(pdf: bytes) -> str:
    """The first page's text without the spaces and NULs pypdf puts between this font's
    glyphs."""
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\x00", "")
    return "".join(text.split())
