"""Plain rules: product edits and versions, image URLs, brands, certification notices, cursors."""

from datetime import date

import pytest

from catalog.domain.brand import add_months, carries_brand, effective_listing_status
from catalog.domain.enterprise import CertificationPeriod, expiry_notice
from catalog.domain.product import diff, image_url_problem
from gachi_kit import paging as pagination
from gachi_kit.errors import Problem


def test_diff_knows_material_edits_and_ignores_equal_values():
    current = {"name": "두부과자", "unit_price": 3500, "stock": 3, "image_urls": ["https://a.kr/x"]}
    assert not diff(current, {"name": "두부과자", "image_urls": ["https://a.kr/x"]})
    change = diff(current, {"unit_price": 3800, "stock": 5, "name": "두부과자"})
    assert change.changed_fields == ["stock", "unit_price"]
    assert change.material_fields == ["unit_price"] and change.touches_price
    assert not diff(current, {"stock": 9}).is_material


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://cdn.gachi.kr/a.jpg", True),
        ("https://cdn.gachi.kr:8443/a.jpg?x=1", True),
        ("http://cdn.gachi.kr/a.jpg", False),
        ("javascript:alert(1)", False),
        ("https://localhost/a.jpg", False),
        ("https://user:pw@cdn.gachi.kr/a.jpg", False),
        ("https://cdn.gachi.kr/a b.jpg", False),
        ("https://cdn.gachi.kr:99999/a.jpg", False),
        ("", False),
        ("https://" + "a" * 500 + ".kr", False),
    ],
)
def test_image_urls_must_be_https_with_a_host(url, ok):
    assert (image_url_problem(url) is None) is ok


def test_listing_status_on_a_date_and_carrying_a_brand():
    until = date(2026, 6, 30)
    assert effective_listing_status("approved", until, date(2026, 6, 30)) == "approved"
    assert effective_listing_status("approved", until, date(2026, 7, 1)) == "expired"
    assert effective_listing_status("submitted", None, date(2026, 7, 1)) == "submitted"
    assert carries_brand("approved", until, date(2026, 6, 1), certified=True)
    assert not carries_brand("approved", until, date(2026, 6, 1), certified=False)
    assert not carries_brand("suspended", until, date(2026, 6, 1), certified=True)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 15), 24, date(2028, 3, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month(start, months, end):
    assert add_months(start, months) == end


def period(start, end, number="1"):
    return CertificationPeriod("social_enterprise", number, start, end)


@pytest.mark.parametrize(
    ("today", "sent", "expected"),
    [
        (date(2026, 2, 18), (False, False), None),  # 31 days ahead
        (date(2026, 2, 19), (False, False), "expiring"),  # 30 days ahead
        (date(2026, 3, 21), (False, False), "expiring"),  # the last valid day
        (date(2026, 3, 21), (True, False), None),
        (date(2026, 3, 22), (True, False), "expired"),
        (date(2026, 3, 22), (True, True), None),
        (date(2026, 5, 1), (False, False), "expired"),  # no scan saw it coming
    ],
)
def test_expiry_notice(today, sent, expected):
    cert = period(date(2023, 3, 22), date(2026, 3, 21))
    notice = expiry_notice(cert, [], today, expiring_sent=sent[0], expired_sent=sent[1])
    assert notice == expected


def test_no_notice_for_a_renewed_certification():
    cert = period(date(2023, 3, 22), date(2026, 3, 21))
    renewal = period(date(2026, 3, 22), date(2029, 3, 21), "2")
    for today in (date(2026, 3, 1), date(2026, 4, 1)):
        assert (
            expiry_notice(cert, [renewal], today, expiring_sent=False, expired_sent=False) is None
        )


def test_cursor_round_trip_and_refusals():
    fp = pagination.fingerprint({"q": "김치", "sort": "price_asc"})
    cursor = pagination.encode_cursor("price_asc", [3500, "01ABC"], fp)
    assert pagination.decode_cursor(cursor, "price_asc", fp, (int, str)) == [3500, "01ABC"]
    for bad in (
        lambda: pagination.decode_cursor(cursor, "price_desc", fp, (int, str)),
        lambda: pagination.decode_cursor(cursor, "price_asc", "other", (int, str)),
        lambda: pagination.decode_cursor(cursor, "price_asc", fp, (str, str)),
        lambda: pagination.decode_cursor("!!!", "price_asc", fp, (int, str)),
        lambda: pagination.decode_cursor("x" * 600, "price_asc", fp, (int, str)),
        lambda: pagination.decode_cursor(
            pagination.encode_cursor("price_asc", [True, "x"], fp), "price_asc", fp, (int, str)
        ),
    ):
        with pytest.raises(Problem) as refused:
            bad()
        assert refused.value.code == "invalid_cursor"
