"""Amounts in Korean words as money documents write them."""

import pytest

from orders.domain.documents import amount_in_words, document_number, korean_number


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "영"),
        (10, "일십"),
        (1_234_000, "일백이십삼만사천"),
        (100_000_000, "일억"),
        (1_000_010_001, "일십억일만일"),
        (65_000, "육만오천"),
        (8_100_000_000, "팔십일억"),
    ],
)
def test_korean_number(value, words):
    assert korean_number(value) == words


def test_amount_in_words_and_document_numbers():
    from datetime import date

    assert amount_in_words(1_234_000) == "금 일백이십삼만사천원정"
    assert document_number("inspection", "01ABC", date(2026, 11, 30)) == "IR-20261130-01ABC"
    with pytest.raises(ValueError):
        korean_number(-1)
