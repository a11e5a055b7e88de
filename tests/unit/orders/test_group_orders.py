"""Group-order rules: the state machine, entries, opening, codes, secrets, contacts, shares."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain import group_orders as g
from orders.domain.money import invoice_amounts

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 12:00 in Seoul

# --- the state machine ----------------------------------------------------------------

ALLOWED = {("open", "closed"), ("open", "cancelled"), ("open", "failed")}


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed(current, target):
    assert g.transition(current, target) == target


@pytest.mark.parametrize(
    ("current", "target"), sorted(set(itertools.product(g.STATES, g.STATES)) - ALLOWED)
)
def test_refused(current, target):
    with pytest.raises(g.InvalidTransition) as refused:
        g.transition(current, target)
    assert (refused.value.current, refused.value.target) == (current, target)


def test_unknown_states_are_refused():
    with pytest.raises(g.InvalidTransition):
        g.transition("placed", "closed")
    with pytest.raises(g.InvalidTransition):
        g.transition("open", "placed")


def test_final_states_and_labels():
    assert {"closed", "cancelled", "failed"} == g.FINAL
    assert set(g.LABELS) == g.STATES


# --- entries (join, change, withdraw) ---------------------------------------------------


def test_entries_are_taken_while_open_and_before_the_deadline():
    g.check_accepting_entries("open", NOW + timedelta(seconds=1), NOW)
    assert g.accepting_entries("open", NOW + timedelta(seconds=1), NOW)


@pytest.mark.parametrize(
    ("status", "deadline", "reason"),
    [
        ("open", NOW, "참여 마감 시간이 지났습니다."),
        ("open", NOW - timedelta(minutes=1), "참여 마감 시간이 지났습니다."),
        ("closed", NOW + timedelta(days=1), "이미 주문 완료된 단체 구매입니다."),
        ("cancelled", NOW + timedelta(days=1), "이미 취소된 단체 구매입니다."),
        ("failed", NOW + timedelta(days=1), "이미 주문 실패된 단체 구매입니다."),
    ],
)
def test_entries_are_refused_after_the_deadline_or_once_settled(status, deadline, reason):
    with pytest.raises(g.EntriesClosed) as refused:
        g.check_accepting_entries(status, deadline, NOW)
    assert (refused.value.current, refused.value.reason) == (status, reason)
    assert not g.accepting_entries(status, deadline, NOW)


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ([{"item_no": 1, "quantity": 3}], None),
        ([{"item_no": 1, "quantity": 0}, {"item_no": 2, "quantity": 1}], None),
        ([{"item_no": 3, "quantity": 1}], "없는 품목 번호입니다: 3"),
        (
            [{"item_no": 1, "quantity": 1}, {"item_no": 1, "quantity": 2}],
            "품목 번호가 두 번 있습니다: 1",
        ),
        ([{"item_no": 1, "quantity": 0}], "한 품목 이상 수량을 입력하세요."),
        ([], "한 품목 이상 수량을 입력하세요."),
    ],
)
def test_quantities_problem(entries, problem):
    assert g.quantities_problem(entries, [1, 2]) == problem


def test_quantities_drop_zeros_and_totals_add_up_per_item():
    a = g.as_quantities([{"item_no": 1, "quantity": 3}, {"item_no": 2, "quantity": 0}])
    b = g.as_quantities([{"item_no": 1, "quantity": 2}, {"item_no": 2, "quantity": 5}])
    assert a == {1: 3}
    assert g.item_totals([a, b]) == {1: 5, 2: 5}
    assert g.item_totals([]) == {}


def test_minimum_is_met_at_exactly_the_minimum():
    assert g.minimum_met(10, 10)
    assert not g.minimum_met(9, 10)


# --- opening ----------------------------------------------------------------------------

ITEMS = [{"product_id": "p1"}, {"group_code": "KIMCHI-10KG"}]


def test_a_good_opening_has_no_problems():
    deadline = NOW + timedelta(days=3)
    assert g.opening_problems(deadline, date(2026, 12, 1), NOW, ITEMS) == {}


@pytest.mark.parametrize(
    ("deadline", "needed_by", "items", "fields"),
    [
        (NOW, date(2026, 12, 1), ITEMS, {"deadline"}),
        (NOW - timedelta(hours=1), date(2026, 12, 1), ITEMS, {"deadline"}),
        (NOW + timedelta(days=91), date(2027, 6, 1), ITEMS, {"deadline"}),
        # deadline 2026-11-28 12:00 KST: delivery must be the 29th or later
        (NOW + timedelta(days=3), date(2026, 11, 28), ITEMS, {"needed_by"}),
        (NOW + timedelta(days=3), date(2026, 11, 20), ITEMS, {"needed_by"}),
        (NOW + timedelta(days=3), date(2026, 12, 1), [ITEMS[0], ITEMS[0]], {"items"}),
        (
            NOW + timedelta(days=3),
            date(2026, 12, 1),
            [ITEMS[1], {"group_code": "KIMCHI-10KG"}],
            {"items"},
        ),
    ],
)
def test_opening_problems(deadline, needed_by, items, fields):
    assert set(g.opening_problems(deadline, needed_by, NOW, items)) == fields


def test_needed_by_is_compared_with_the_korean_date_of_the_deadline():
    # 2026-11-28 23:30 KST is still the 28th in Seoul (14:30 UTC)
    deadline = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)
    assert "needed_by" in g.opening_problems(deadline, date(2026, 11, 28), NOW, ITEMS)
    assert g.opening_problems(deadline, date(2026, 11, 29), NOW, ITEMS) == {}
    # 2026-11-28 16:00 UTC is already the 29th in Seoul
    late = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    assert "needed_by" in g.opening_problems(late, date(2026, 11, 29), NOW, ITEMS)


# --- share codes, secrets, contacts -----------------------------------------------------


def test_share_codes_are_eight_typable_characters():
    codes = {g.new_share_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("01OI")
        assert set(code) <= set(g.CODE_ALPHABET)
    assert len(g.CODE_ALPHABET) == 32


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ABCD2345", "ABCD2345"),
        ("abcd-2345", "ABCD2345"),
        (" abcd 2345 ", "ABCD2345"),
        ("ABCD234", None),
        ("ABCD23450", None),
        ("ABCD0345", None),  # 0 is never in a code
        ("ABCDI345", None),
        ("", None),
        ("../../x", None),
    ],
)
def test_typed_codes_are_normalised(typed, code):
    assert g.normalise_share_code(typed) == code


def test_secrets_are_random_and_only_their_hash_matches():
    secret, other = g.new_secret(), g.new_secret()
    assert secret != other and len(secret) >= 40
    stored = g.hash_secret(secret)
    assert stored != secret and len(stored) == 64
    assert g.secret_matches(secret, stored)
    assert not g.secret_matches(other, stored)
    assert not g.secret_matches("", stored)
    assert not g.secret_matches(None, stored)


@pytest.mark.parametrize(
    ("raw", "contact"),
    [
        ("010-1234-5678", ("phone", "010-1234-5678")),
        ("01012345678", ("phone", "010-1234-5678")),
        ("010 1234 5678", None),
        ("02-123-4567", ("phone", "02-123-4567")),
        ("0221234567", ("phone", "02-2123-4567")),
        ("031-123-4567", ("phone", "031-123-4567")),
        ("kim@Example.KR", ("email", "kim@example.kr")),
        ("  lee.jisu+gimjang@welfare.go.kr ", ("email", "lee.jisu+gimjang@welfare.go.kr")),
        ("1234-5678", None),
        ("010-1234-567a", None),
        ("kim@", None),
        ("kim@example", None),
        ("김순자", None),
        ("", None),
    ],
)
def test_contacts_are_a_phone_number_or_an_email(raw, contact):
    assert g.normalise_contact(raw) == contact


# --- each participant's part of the order -----------------------------------------------


def _invoice(key, lines):
    """lines: (item_no, quantity, unit_price, tax_type) → an Invoice with its real VAT."""
    amounts = invoice_amounts((q, price, tax) for _, q, price, tax in lines)
    return g.Invoice(
        key=key,
        vat=amounts.vat,
        lines=tuple(
            g.InvoiceLine(item_no=n, supply=q * price, taxable=tax == "taxable")
            for n, q, price, tax in lines
        ),
    )


def test_shares_follow_each_line_and_each_invoice():
    # 두부과자 (item 1) ×7 at 3,333 and 호두과자 (item 3) ×2 at 12,000 from one enterprise;
    # 포기김치 (item 2, 면세) ×3 at 65,000 from another.
    quantities = {"kim": {1: 3, 2: 1}, "lee": {1: 4, 3: 2}, "park": {2: 2}}
    invoices = [
        _invoice("tofu", [(1, 7, 3_333, "taxable"), (3, 2, 12_000, "taxable")]),
        _invoice("kimchi", [(2, 3, 65_000, "exempt")]),
    ]
    shares = g.participant_shares(quantities, invoices)

    assert (shares["kim"].supply, shares["kim"].vat) == (9_999 + 65_000, 1_000)
    assert (shares["lee"].supply, shares["lee"].vat) == (13_332 + 24_000, 3_733)
    assert (shares["park"].supply, shares["park"].vat) == (130_000, 0)
    assert shares["kim"].by_invoice == {"tofu": (9_999, 1_000), "kimchi": (65_000, 0)}
    assert "tofu" not in shares["park"].by_invoice
    assert sum(s.supply for s in shares.values()) == 47_331 + 195_000
    assert sum(s.vat for s in shares.values()) == 4_733
    assert sum(s.total for s in shares.values()) == 52_064 + 195_000


def test_a_group_item_priced_at_two_prices_is_shared_line_by_line():
    # 포기김치 10kg (item 1) ×10: 6 from one enterprise at 52,000, 4 from another at 55,000
    quantities = {"a": {1: 3}, "b": {1: 7}}
    invoices = [
        _invoice("wanju", [(1, 6, 52_000, "exempt")]),
        _invoice("gimje", [(1, 4, 55_000, "exempt")]),
    ]
    shares = g.participant_shares(quantities, invoices)
    assert shares["a"].supply == 93_600 + 66_000
    assert shares["b"].supply == 218_400 + 154_000
    assert shares["a"].supply + shares["b"].supply == 312_000 + 220_000


def test_a_participant_without_any_item_of_an_invoice_pays_nothing_of_it():
    shares = g.participant_shares(
        {"a": {1: 1}, "b": {2: 1}},
        [_invoice("x", [(1, 1, 1_001, "taxable")]), _invoice("y", [(2, 1, 999, "taxable")])],
    )
    assert shares["a"].by_invoice == {"x": (1_001, 100)}
    assert shares["b"].by_invoice == {"y": (999, 99)}


quantity_maps = st.dictionaries(
    st.sampled_from(["kim", "lee", "park", "choi", "jung", "kang"]),
    st.dictionaries(st.integers(1, 4), st.integers(1, 500), min_size=1, max_size=4),
    min_size=1,
)
allocations = st.lists(
    st.tuples(
        st.integers(1, 4),  # item
        st.integers(1, 200),  # quantity of this allocation
        st.integers(0, 2_000_000),  # unit price
        st.sampled_from(["taxable", "exempt"]),
    ),
    min_size=1,
    max_size=8,
)


@given(quantity_maps, st.lists(allocations, min_size=1, max_size=4))
def test_shares_always_add_up_to_every_line_every_invoice_and_the_order(quantities, raw):
    ordered = {n for q in quantities.values() for n in q}
    invoices = [
        _invoice(f"so{k}", [line for line in lines if line[0] in ordered])
        for k, lines in enumerate(raw)
    ]
    shares = g.participant_shares(quantities, invoices)

    assert set(shares) == set(quantities)
    for key, invoice in enumerate(invoices):
        supply = sum(s.by_invoice.get(f"so{key}", (0, 0))[0] for s in shares.values())
        vat = sum(s.by_invoice.get(f"so{key}", (0, 0))[1] for s in shares.values())
        assert supply == sum(line.supply for line in invoice.lines)
        assert vat == invoice.vat
    assert sum(s.total for s in shares.values()) == sum(
        sum(ln.supply for ln in inv.lines) + inv.vat for inv in invoices
    )
    for share in shares.values():
        assert share.supply >= 0 and share.vat >= 0
        assert share.supply == sum(s for s, _ in share.by_invoice.values())
        assert share.vat == sum(v for _, v in share.by_invoice.values())
    assert g.participant_shares(quantities, invoices) == shares  # deterministic
