import sqlite3
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.domain.search_text import (
    CHOSEONG,
    FIELD_SEP,
    SECTION_SEP,
    choseong,
    escape_like,
    grams,
    index_text,
    is_choseong_query,
    normalize,
    query_terms,
    term_grams,
)

syllables = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
korean_words = st.text(alphabet=syllables | st.sampled_from(" 0123456789ABCxyz-·,"), max_size=20)


def matches(query: str, *fields: str) -> bool:
    """The SQL side does: every term LIKE '%term%' against the index column."""
    terms = query_terms(query)
    text = index_text(*fields)
    return bool(terms) and all(term in text for term in terms)


# --- normalize ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("호두 과자", "호두과자"),
        ("호두과자", "호두과자"),
        ("  호두\t과자\n", "호두과자"),
        ("비츠원 수제쿠키", "비츠원수제쿠키"),
        ("A4 복사용지", "a4복사용지"),
        ("친환경 (유기농) 두부, 500g!", "친환경유기농두부500g"),
        ("“착한” 커피·원두 - 1kg", "착한커피원두1kg"),
        ("ㅋㅋ 쿠키", "ㅋㅋ쿠키"),  # compatibility jamo are kept
        ("\uff21\uff14 용지", "a4용지"),  # full-width Latin and digits are folded
        ("㈜비츠원", "주비츠원"),  # so is ㈜, the same as (주)비츠원
        ("(주)비츠원", "주비츠원"),
        ("Café Latte", "cafélatte"),
        ("農협 쌀", "협쌀"),  # Han characters are not kept
        ("", ""),
        ("  --- ", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_composes_nfd_hangul() -> None:
    # macOS keyboards and file names often deliver decomposed (conjoining) jamo.
    nfd = unicodedata.normalize("NFD", "호두 과자")
    assert nfd != "호두 과자"
    assert normalize(nfd) == "호두과자"


def test_normalize_keeps_jamo_sequences_uncomposed() -> None:
    # NFKC would turn "ㄱㅏ" into "가"; 초성 queries rely on jamo staying jamo.
    assert normalize("ㄱㅏ") == "ㄱㅏ"
    assert normalize("ㄷㅂㄱㅈ") == "ㄷㅂㄱㅈ"


# --- choseong ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("두부과자", "ㄷㅂㄱㅈ"),
        ("호두 과자", "ㅎㄷㄱㅈ"),
        ("까치 빵", "ㄲㅊㅃ"),
        ("힣가", "ㅎㄱ"),
        ("A4 복사용지", "a4ㅂㅅㅇㅈ"),
        ("ㅋㅋ쿠키", "ㅋㅋㅋㅋ"),
        ("", ""),
    ],
)
def test_choseong(raw: str, expected: str) -> None:
    assert choseong(raw) == expected


def test_choseong_of_every_initial() -> None:
    # The first syllable of each initial's block: 가 까 나 ... 하, 588 code points apart.
    firsts = "".join(chr(0xAC00 + i * 588) for i in range(19))
    assert firsts == "가까나다따라마바빠사싸아자짜차카타파하"
    assert choseong(firsts) == CHOSEONG


# --- is_choseong_query -------------------------------------------------------


@pytest.mark.parametrize("q", ["ㄷㅂㄱㅈ", "ㄱ", " ㄷㅂ ㄱㅈ ", "ㄲㅆ"])
def test_is_choseong_query(q: str) -> None:
    assert is_choseong_query(q)


@pytest.mark.parametrize("q", ["", "   ", "두부", "ㄷㅂ과자", "ㄷㅂa", "ㅏ", "ㄳ", "a4"])
def test_is_not_choseong_query(q: str) -> None:
    assert not is_choseong_query(q)


# --- index_text --------------------------------------------------------------


def test_index_text_layout() -> None:
    text = index_text("두부 과자", "비츠원", "간식", "유기농")
    assert text == "두부과자|비츠원|간식|유기농#ㄷㅂㄱㅈ|ㅂㅊㅇ"
    only_name = index_text("두부 과자", "비츠원", "간식", choseong_fields=1)
    assert only_name == "두부과자|비츠원|간식#ㄷㅂㄱㅈ"
    assert index_text("두부 과자") == "두부과자#ㄷㅂㄱㅈ"
    assert index_text() == "#"


def test_index_text_rejects_negative_choseong_fields() -> None:
    with pytest.raises(ValueError, match="choseong_fields"):
        index_text("두부", choseong_fields=-1)


# --- query_terms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("호두 과자", ["호두과자"]),
        ("호두과자", ["호두과자"]),
        ("두부과", ["두부과"]),
        ("ㄷㅂㄱㅈ", ["ㄷㅂㄱㅈ"]),
        ("ㄷㅂ ㄱㅈ", ["ㄷㅂㄱㅈ"]),
        ("비츠원 수제쿠키", ["비츠원수제쿠키"]),
        ("A4 복사용지", ["a4복사용지"]),
        ("", []),
        ("   ", []),
        ("!!!", []),
    ],
)
def test_query_terms(q: str, terms: list[str]) -> None:
    assert query_terms(q) == terms


def test_spacing_variants_give_the_same_terms() -> None:
    assert query_terms("호두 과자") == query_terms("호두과자") == query_terms(" 호 두 과 자 ")


# --- matching scenarios ------------------------------------------------------


def test_kimchi_matches_compounds() -> None:
    assert matches("김치", "포기김치", "행복마을협동조합")
    assert matches("김치", "김치찌개용 묵은지", "행복마을협동조합")
    assert not matches("김치", "깍두기", "행복마을협동조합")


def test_prefix_of_a_compound_matches() -> None:
    assert matches("두부과", "두부과자", "비츠원")
    assert matches("두부 과자", "두부과자", "비츠원")
    assert matches("두부과자", "두부 과자", "비츠원")


def test_choseong_query() -> None:
    assert matches("ㄷㅂㄱㅈ", "두부과자", "비츠원")
    assert not matches("ㄷㅂㄱㅈ", "호두과자", "비츠원")
    assert matches("ㅎㄷㄱㅈ", "호두과자", "비츠원")
    assert matches("ㅂㅊㅇ", "수제쿠키", "비츠원")  # enterprise name is a name field


def test_choseong_query_ignores_tags() -> None:
    assert not matches("ㄱㅅ", "두부과자", "비츠원", "간식")
    assert matches("간식", "두부과자", "비츠원", "간식")


def test_brand_words_are_kept_intact() -> None:
    assert matches("비츠원 수제쿠키", "비츠원 수제쿠키 선물세트", "비츠원")
    assert matches("비츠원", "수제쿠키", "(주)비츠원")
    assert matches("비츠원", "수제쿠키", "㈜비츠원")


def test_mixed_latin() -> None:
    assert matches("A4 복사용지", "A4 복사용지 500매", "희망나눔")
    assert matches("a4", "A4 복사용지 500매", "희망나눔")
    assert matches("\uff21\uff14", "A4 복사용지 500매", "희망나눔")  # full-width


def test_no_match_across_fields() -> None:
    # "과자비츠" would span the name and enterprise fields if they were simply concatenated.
    assert not matches("과자비츠", "두부과자", "비츠원")
    assert not matches("ㅈㅂ", "두부과자", "비츠원")


def test_empty_query_matches_nothing() -> None:
    assert not matches("", "두부과자")
    assert not matches("  ", "두부과자")


# --- escape_like -------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "escaped"),
    [
        ("두부", "두부"),
        ("100%", "100\\%"),
        ("a_b", "a\\_b"),
        ("c:\\x", "c:\\\\x"),
        ("\\%_", "\\\\\\%\\_"),
    ],
)
def test_escape_like(term: str, escaped: str) -> None:
    assert escape_like(term) == escaped


def test_like_in_sqlite() -> None:
    # The same pattern and ESCAPE clause are meant for PostgreSQL as well.
    products = {
        1: index_text("두부과자", "비츠원"),
        2: index_text("호두 과자", "행복마을"),
        3: index_text("포기김치", "행복마을"),
        4: index_text("김치찌개용 묵은지", "희망나눔"),
        5: "100%_\\literal",
    }
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, search_text TEXT)")
        db.executemany("INSERT INTO p VALUES (?, ?)", products.items())

        def search(raw_term: str) -> set[int]:
            rows = db.execute(
                "SELECT id FROM p WHERE search_text LIKE '%' || ? || '%' ESCAPE '\\'",
                (escape_like(raw_term),),
            )
            return {row[0] for row in rows}

        def search_query(q: str) -> set[int]:
            (term,) = query_terms(q)
            return search(term)

        assert search_query("김치") == {3, 4}
        assert search_query("호두 과자") == {2}
        assert search_query("과자") == {1, 2}
        assert search_query("ㄷㅂㄱㅈ") == {1}
        assert search_query("ㅎㅂㅁㅇ") == {2, 3}
        # Wildcards in a raw term are literal once escaped.
        assert search("0%_") == {5}
        assert search("%") == {5}
        assert search("_") == {5}
        assert search("\\") == {5}
    finally:
        db.close()


# --- properties --------------------------------------------------------------


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@given(st.text())
def test_normalize_output_is_searchable(text: str) -> None:
    n = normalize(text)
    assert " " not in n
    assert not set(n) & {FIELD_SEP, SECTION_SEP, "%", "_", "\\"}
    assert n == n.lower()
    assert escape_like(n) == n


@given(st.text())
def test_choseong_is_one_char_per_normalized_char(text: str) -> None:
    assert len(choseong(text)) == len(normalize(text))


@given(st.text(alphabet=syllables))
def test_choseong_length_equals_syllable_count(text: str) -> None:
    cho = choseong(text)
    assert len(cho) == len(text)
    assert set(cho) <= set(CHOSEONG)
    assert cho == "" or is_choseong_query(cho)


@given(korean_words, st.data())
def test_any_substring_of_a_name_matches(name: str, data: st.DataObject) -> None:
    n = normalize(name)
    start = data.draw(st.integers(0, len(n)))
    end = data.draw(st.integers(start, len(n)))
    text = index_text(name, "기업")
    assert n[start:end] in text
    assert choseong(name)[start:end] in text


@given(korean_words, korean_words)
def test_spacing_never_matters(a: str, b: str) -> None:
    assert query_terms(a + b) == query_terms(f"{a} {b}")


# --- the gram index ------------------------------------------------------------

jamo = st.sampled_from(CHOSEONG)
index_chars = syllables | jamo | st.sampled_from("0123456789abcxyzéÅＡ４ ·|#")


def test_grams_are_the_characters_and_pairs_of_each_field() -> None:
    assert grams("김치|ㄱㅊ") == ["ㄱ", "ㄱㅊ", "ㅊ", "김", "김치", "치"]
    # never a pair across a field or section separator
    assert "치두" not in grams(index_text("김치", "두부"))
    assert term_grams("두부과자") == ["두부", "부과", "과자"]
    assert term_grams("김") == ["김"]
    assert term_grams("ㄷㅂ") == ["ㄷㅂ"]
    assert term_grams("하하하") == ["하하"]


@given(st.lists(st.text(alphabet=index_chars, max_size=12), min_size=1, max_size=4), st.data())
def test_a_text_holding_a_term_holds_all_its_grams(fields, data) -> None:
    text = index_text(*fields)
    words = text.replace(SECTION_SEP, FIELD_SEP).split(FIELD_SEP)
    word = data.draw(st.sampled_from(words))
    start = data.draw(st.integers(0, len(word)))
    term = word[start : data.draw(st.integers(start, len(word)))]
    if term:
        assert set(term_grams(term)) <= set(grams(text))


FTS5 = (
    "CREATE VIRTUAL TABLE f USING fts5(grams, tokenize='unicode61 remove_diacritics 0', "
    "detail='none', columnsize=0)"
)


@given(st.text(alphabet=index_chars, min_size=1, max_size=16), st.text(max_size=4))
def test_sqlite_fts5_finds_every_text_that_holds_the_term(name, other) -> None:
    """The tokenizer migration 0007 uses keeps every gram whole: a MATCH of a term's grams
    finds the text (so the index can only narrow, never lose, what LIKE would find)."""
    text = index_text(name, other)
    db = sqlite3.connect(":memory:")
    try:
        db.execute(FTS5)
        db.execute("INSERT INTO f (rowid, grams) VALUES (1, ?)", (" ".join(grams(text)),))
        for term in {normalize(name), choseong(name), normalize(name)[1:3]} - {""}:
            assert term in text
            match = " AND ".join(f'"{g}"' for g in term_grams(term))
            found = db.execute("SELECT rowid FROM f WHERE f MATCH ?", (match,)).fetchall()
            assert found == [(1,)], (term, match)
    finally:
        db.close()
