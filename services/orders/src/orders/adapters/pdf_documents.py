"""Drawing a `Document` as PDF with fpdf2 and an embedded Korean font.

The font comes from a package on PyPI (Noto Sans KR from `pylopdf-fonts-ko`, which ships
the font under its own licence, SIL OFL 1.1, with the licence text: docs/operations.md),
installed with the other dependencies and never fetched at run time; fpdf2 embeds only the
glyphs a document uses.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from fpdf import FPDF

from orders.domain.documents import Document, amount_in_words, shown_brn

FONT = "NotoSansKR"
COLUMNS = (("번호", 12), ("품명", 62), ("단위", 14), ("수량", 18), ("단가", 26), ("공급가액", 30))


@cache
def cached_file(exports_dir: str, name: str) -> Path:
    """Where a drawn document is kept: `documents/` beside the exports folder."""
    return Path(exports_dir).parent / "documents" / name


def write_once(path: Path, document: Callable[[], Document]) -> str:
    """Draw `document()` into `path` unless it is there already ("cached" / "rendered").
    Written to a file of this process's own, then renamed: readers never see half a file."""
    if path.exists():
        return "cached"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(render(document()))
    partial.replace(path)
    return "rendered"


def font_path() -> str:
    import pylopdf_fonts_ko as package

    return str(resources.files(package) / "NotoSansKR-Regular.otf")


def render(document: Document) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"{document.title} {document.number}")
    pdf.set_creator("gachi")
    pdf.add_font(FONT, fname=font_path())
    pdf.add_page()
    pdf.set_font(FONT, size=20)
    pdf.cell(0, 14, document.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.cell(0, 6, f"문서번호 {document.number}    작성일 {document.issued_on:%Y-%m-%d}",
             align="R", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(2)
    for party in (document.supplier, document.buyer):
        pdf.set_font(FONT, size=10)
        pdf.cell(30, 8, party.role, border=1)
        pdf.cell(100, 8, party.name, border=1)
        pdf.cell(0, 8, f"사업자등록번호 {shown_brn(party.brn)}", border=1,
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(4)
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 9, f"합계 금액  {amount_in_words(document.total)}  (₩{document.total:,})",
             border=1, new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(3)
    pdf.set_font(FONT, size=9)
    for label, width in COLUMNS:
        pdf.cell(width, 7, label, border=1, align="C")
    pdf.cell(0, 7, "비고", border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    for line in document.lines:
        cells = (
            (str(line.no), "C"),
            (line.name, "L"),
            (line.unit, "C"),
            (f"{line.quantity:,}", "R"),
            (f"{line.unit_price:,}", "R"),
            (f"{line.supply:,}", "R"),
        )
        for (text, align), (_, width) in zip(cells, COLUMNS, strict=True):
            pdf.cell(width, 7, text, border=1, align=align)
        note = "면세" if line.tax_type == "exempt" else line.note
        pdf.cell(0, 7, note, border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for label, amount in (
        ("공급가액", document.supply),
        ("세액", document.vat),
        ("합계", document.total),
    ):
        pdf.cell(40, 7, label, border=1)
        pdf.cell(50, 7, f"{amount:,}원", border=1, align="R")
        pdf.cell(0, 7, amount_in_words(amount), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for note in document.notes:
        pdf.multi_cell(0, 6, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
