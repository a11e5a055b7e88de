"""Which uploads an application accepts, and the names they are kept under."""

import pytest

from catalog.domain.documents import MAX_FILENAME_LENGTH, clean_filename, content_type_of

PDF = b"%PDF-1.7\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("사업계획서.pdf", PDF, "application/pdf"),
        ("인증서.PDF", PDF, "application/pdf"),
        ("제품사진.png", PNG, "image/png"),
        ("제품사진.jpeg", JPEG, "image/jpeg"),
        ("제품사진.JPG", JPEG, "image/jpeg"),
        ("사회적기업인증서.hwp", OLE, "application/x-hwp"),
        ("예산.xls", OLE, None),  # an OLE file, but not 한글
        ("사업계획서.pdf", b"MZ\x90\x00", None),  # an executable renamed .pdf
        ("사진.png", JPEG, None),  # the name and the bytes disagree
        ("script.svg", b"<svg", None),
        ("빈파일.pdf", b"", None),
    ],
)
def test_content_type_comes_from_the_bytes_and_the_name(name, head, expected):
    assert content_type_of(name, head) == expected


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("사업계획서.pdf", "사업계획서.pdf"),
        ("C:\\Users\\김대표\\문서\\인증서.pdf", "인증서.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("인증서\x00\r\n.pdf", "인증서.pdf"),
        ("\u1100\u1161\u11a8.pdf", "각.pdf"),  # NFD (macOS) → NFC
        ("  .  ", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_long_names_keep_their_extension():
    name = clean_filename("가" * 300 + ".pdf")
    assert len(name) == MAX_FILENAME_LENGTH and name.endswith(".pdf")
