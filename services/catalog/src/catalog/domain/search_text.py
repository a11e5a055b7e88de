"""Korean search normalisation for one shared index column.

Products store ``index_text(...)`` in a plain text column; a search turns the user's
query into ``query_terms(q)`` and matches each term with
``column LIKE '%' || :term || '%' ESCAPE '\\'`` (after ``escape_like``). Because all
folding happens here in Python, SQLite and PostgreSQL behave identically: no
collation, ``ILIKE`` or database-side Unicode handling is involved.

Both spacing variants match (``호두 과자`` = ``호두과자``) because whitespace is
removed on both sides, and a 초성 query such as ``ㄷㅂㄱㅈ`` matches the 초성 section
of the index. There is no morphological analysis: words such as ``비츠원`` are
matched as plain substrings, so brand names and neologisms need no dictionary.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "CHOSEONG",
    "FIELD_SEP",
    "SECTION_SEP",
    "choseong",
    "escape_like",
    "grams",
    "index_text",
    "is_choseong_query",
    "normalize",
    "query_terms",
    "term_grams",
]

# The 19 initial consonants, in Unicode syllable order, as compatibility jamo.
CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_CHOSEONG_SET = frozenset(CHOSEONG)

# Neither is ever produced by normalize() or choseong(), so no term can match
# across two fields or across the two sections.
FIELD_SEP = "|"
SECTION_SEP = "#"

_SYLLABLE_FIRST, _SYLLABLE_LAST = 0xAC00, 0xD7A3  # 가 .. 힣
_JAMO_FIRST, _JAMO_LAST = 0x3131, 0x318E  # ㄱ .. ㆎ (Hangul Compatibility Jamo)
_SYLLABLES_PER_INITIAL = 21 * 28  # medial vowels x finals (incl. none)


def _is_syllable(ch: str) -> bool:
    return _SYLLABLE_FIRST <= ord(ch) <= _SYLLABLE_LAST


def _is_hangul(ch: str) -> bool:
    return _is_syllable(ch) or _JAMO_FIRST <= ord(ch) <= _JAMO_LAST


def _is_latin_or_digit(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum()
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN ")


def normalize(text: str) -> str:
    """NFC, lowercase, keep only Hangul syllables, compatibility jamo, Latin letters, digits.

    Non-Hangul characters are additionally NFKC-folded so full-width and enclosed
    forms match their plain ones (full-width A4 -> ``a4``, ``㈜`` -> ``주``). Hangul is
    exempt because NFKC would turn compatibility jamo (ㄱ) into conjoining jamo and
    compose ``ㄱㅏ`` into ``가``, breaking 초성 search.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if _is_hangul(ch):
            out.append(ch)
            continue
        for c in unicodedata.normalize("NFKC", ch).lower():
            if _is_hangul(c) or _is_latin_or_digit(c):
                out.append(c)
    return "".join(out)


def choseong(text: str) -> str:
    """Normalise, then replace each Hangul syllable by its initial consonant.

    Everything else normalize() keeps (jamo, Latin, digits) stays as it is, so the
    result has exactly one character per character of ``normalize(text)``:
    ``두부과자`` -> ``ㄷㅂㄱㅈ``, ``A4 복사용지`` -> ``a4ㅂㅅㅇㅈ``.
    """
    return "".join(
        CHOSEONG[(ord(ch) - _SYLLABLE_FIRST) // _SYLLABLES_PER_INITIAL] if _is_syllable(ch) else ch
        for ch in normalize(text)
    )


def is_choseong_query(q: str) -> bool:
    """True when the normalised query is one or more of the 19 initial consonants only.

    Compound consonants such as ``ㄳ`` never start a syllable, so they don't count.
    """
    n = normalize(q)
    return bool(n) and all(ch in _CHOSEONG_SET for ch in n)


def index_text(*fields: str, choseong_fields: int = 2) -> str:
    """Text for a product's search index column.

    Layout::

        normalize(f1) | normalize(f2) | ... | normalize(fn) # choseong(f1) | ... | choseong(fk)

    without spaces, where ``|`` is FIELD_SEP, ``#`` is SECTION_SEP and
    ``k = min(choseong_fields, n)``. Pass the name fields first (product name,
    enterprise name), then tags, category and so on; only the first
    ``choseong_fields`` fields get a 초성 section, so that ``ㄱㅈ`` does not match
    every tag. Example::

        index_text("두부 과자", "비츠원", "간식") == "두부과자|비츠원|간식#ㄷㅂㄱㅈ|ㅂㅊㅇ"

    A term from ``query_terms`` matches when it is a substring of this text.
    Latin/digit runs are identical in both sections, so a term can only match the
    second section where it would be a real 초성 match.
    """
    if choseong_fields < 0:
        raise ValueError("choseong_fields must not be negative")
    words = FIELD_SEP.join(normalize(f) for f in fields)
    initials = FIELD_SEP.join(choseong(f) for f in fields[:choseong_fields])
    return f"{words}{SECTION_SEP}{initials}"


def query_terms(q: str) -> list[str]:
    """Terms that must each occur in ``index_text`` for a product to match.

    ``호두 과자`` -> ``["호두과자"]``; ``ㄷㅂㄱㅈ`` -> ``["ㄷㅂㄱㅈ"]``; blank -> ``[]``.
    Spacing is ignored rather than splitting into words, because Korean users space
    compounds inconsistently (``호두 과자`` vs ``호두과자``).
    """
    n = normalize(q)
    if not n:
        return []
    # A 초성 query is already in the form the 초성 section stores, and ordinary
    # text matches the first section; both are the normalised string.
    return [n]


def escape_like(term: str) -> str:
    """Escape ``\\``, ``%`` and ``_`` for ``LIKE ... ESCAPE '\\'``.

    normalize() never produces these characters, so for query terms this is a
    safeguard; it matters if raw input ever reaches a LIKE pattern.
    """
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def grams(text: str) -> list[str]:
    """The gram index of an ``index_text`` value: every distinct character and every distinct
    pair of adjacent characters within a field (never across ``|`` or ``#``), sorted:
    ``grams("김치|ㄱㅊ") == ["ㄱ", "ㄱㅊ", "ㅊ", "김", "김치", "치"]``.

    A term from ``query_terms`` occurs in the text only if all of ``term_grams(term)`` are
    in this set (a term never contains a separator, so it lies within one field). The
    converse does not hold, so the index only narrows the candidates and the exact
    ``LIKE`` decides; it serves terms of any length, where trigram indexes need three
    characters and a two-syllable word such as ``김치`` is the most common query.
    """
    out: set[str] = set()
    for field in text.replace(SECTION_SEP, FIELD_SEP).split(FIELD_SEP):
        out.update(field)
        out.update(field[i : i + 2] for i in range(len(field) - 1))
    return sorted(out)


def term_grams(term: str) -> list[str]:
    """The grams a text must hold to contain ``term``: its adjacent pairs, or the character
    itself for a one-character term. ``두부과자`` -> ``["두부", "부과", "과자"]``."""
    if len(term) == 1:
        return [term]
    return list(dict.fromkeys(term[i : i + 2] for i in range(len(term) - 1)))
