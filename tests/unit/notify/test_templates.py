"""Korean inbox templates rendered from the event data orders publishes (see placing.py)."""

from __future__ import annotations

import copy

import pytest
from jinja2 import TemplateNotFound, UndefinedError

from notify.adapters.templates import krw, render


def _supplier_order_created() -> dict:
    """`supplier_order.created` as orders' placing._record_events writes it."""
    return {
        "supplier_order_id": "01JAXH0000SUPPLIERORDER001",
        "order_id": "01JAXH0000ORDER00000000001",
        "enterprise_id": "ent-gm-tofu",
        "enterprise_name": "광명두부마을 협동조합",
        "institution_id": "inst-gwangmyeong",
        "department": "복지정책과",
        "needed_by": "2025-03-14",
        "delivery_address": "경기도 광명시 철산로 20 광명시청 본관 1층",
        "supply_amount": 48_240,
        "vat_amount": 3_824,
        "total_amount": 52_064,
        "lines": [
            {
                "line_no": 1,
                "product_id": "prod-tofu-snack",
                "sku": "GM-TS-200",
                "name": "국산콩 두부과자 200g",
                "unit": "봉",
                "quantity": 8,
                "unit_price": 3_500,
                "tax_type": "taxable",
                "supply_amount": 28_000,
            },
            {
                "line_no": 3,
                "product_id": "prod-rice-snack",
                "sku": "GM-RS-150",
                "name": "현미 쌀과자 150g",
                "unit": "봉",
                "quantity": 8,
                "unit_price": 1_280,
                "tax_type": "taxable",
                "supply_amount": 10_240,
            },
            {
                "line_no": 4,
                "product_id": "prod-tofu",
                "sku": "GM-TF-500",
                "name": "국산콩 두부 500g",
                "unit": "모",
                "quantity": 8,
                "unit_price": 1_250,
                "tax_type": "exempt",
                "supply_amount": 10_000,
            },
        ],
    }


def _order_placed() -> dict:
    """`order.placed` as orders' placing._record_events writes it."""
    return {
        "order_id": "01JAXH0000ORDER00000000001",
        "institution_id": "inst-gwangmyeong",
        "department": "복지정책과",
        "buyer_id": "buyer-kim",
        "needed_by": "2025-03-14",
        "supply_amount": 1_204_240,
        "vat_amount": 3_824,
        "total_amount": 1_208_064,
        "line_names": ["국산콩 두부과자 200g", "현미 쌀과자 150g", "포기김치 10kg"],
        "supplier_orders": [
            {
                "supplier_order_id": "01JAXH0000SUPPLIERORDER001",
                "enterprise_id": "ent-gm-tofu",
                "enterprise_name": "광명두부마을 협동조합",
                "total_amount": 52_064,
            },
            {
                "supplier_order_id": "01JAXH0000SUPPLIERORDER002",
                "enterprise_id": "ent-wj-kimchi",
                "enterprise_name": "완주김치 마을기업",
                "total_amount": 1_156_000,
            },
        ],
    }


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0원"), (900, "900원"), (52_064, "52,064원"), (1_208_064, "1,208,064원")],
)
def test_krw_formats_whole_won_with_thousands_separators(amount, text):
    assert krw(amount) == text


def test_supplier_order_title_names_the_first_product_and_counts_the_rest():
    title, _ = render("inbox", "supplier_order.created", _supplier_order_created())

    assert title == "[새 주문] 국산콩 두부과자 200g 외 2건 · 52,064원"


def test_supplier_order_title_with_a_single_line_has_no_count():
    data = _supplier_order_created()
    data["lines"] = data["lines"][:1]

    title, _ = render("inbox", "supplier_order.created", data)

    assert title.startswith("[새 주문] 국산콩 두부과자 200g · ")
    assert "외" not in title


def test_supplier_order_body_lists_every_line_and_the_invoice_amounts():
    title, body = render("inbox", "supplier_order.created", _supplier_order_created())

    assert "\n" not in title
    assert body == body.strip()
    assert "광명두부마을 협동조합 담당자님" in body
    assert "납품 요청일: 2025-03-14" in body
    assert "납품 장소: 경기도 광명시 철산로 20 광명시청 본관 1층" in body
    assert "- 국산콩 두부과자 200g 8봉 × 3,500원 = 28,000원" in body
    assert "- 현미 쌀과자 150g 8봉 × 1,280원 = 10,240원" in body
    assert "- 국산콩 두부 500g 8모 × 1,250원 = 10,000원" in body
    assert "공급가액 48,240원 / 부가세 3,824원 / 합계 52,064원" in body
    assert body.index("두부과자") < body.index("쌀과자") < body.index("두부 500g")


def test_order_placed_title_and_body():
    title, body = render("inbox", "order.placed", _order_placed())

    assert "\n" not in title
    assert title == "[주문 접수] 2개 기업에 주문을 보냈습니다 · 1,208,064원"
    assert "2개 공급 기업" in body
    assert "납품 요청일: 2025-03-14" in body
    assert "공급가액 1,204,240원 / 부가세 3,824원 / 합계 1,208,064원" in body


def test_extra_event_fields_are_ignored():
    data = {**_order_placed(), "new_field_from_a_later_version": {"x": 1}}

    title, _ = render("inbox", "order.placed", data)

    assert title.startswith("[주문 접수]")


@pytest.mark.parametrize("missing", ["enterprise_name", "delivery_address", "needed_by", "lines"])
def test_missing_supplier_order_field_raises_naming_it(missing):
    data = _supplier_order_created()
    del data[missing]

    with pytest.raises(UndefinedError, match=missing):
        render("inbox", "supplier_order.created", data)


def test_missing_line_field_raises_naming_it():
    data = copy.deepcopy(_supplier_order_created())
    del data["lines"][1]["unit"]

    with pytest.raises(UndefinedError, match="unit"):
        render("inbox", "supplier_order.created", data)


@pytest.mark.parametrize(
    ("template", "make", "missing"),
    [
        pytest.param(
            "supplier_order.created", _supplier_order_created, "total_amount", id="so-total"
        ),
        pytest.param("supplier_order.created", _supplier_order_created, "vat_amount", id="so-vat"),
        pytest.param("order.placed", _order_placed, "vat_amount", id="order-vat"),
        pytest.param("order.placed", _order_placed, "supply_amount", id="order-supply"),
    ],
)
def test_missing_amount_raises_naming_it(template, make, missing):
    """The amounts go through the krw filter; it must not hide which field is missing."""
    data = make()
    del data[missing]

    with pytest.raises(UndefinedError, match=missing):
        render("inbox", template, data)


def test_unknown_template_raises():
    with pytest.raises(TemplateNotFound):
        render("inbox", "supplier_order.teleported", _supplier_order_created())


@pytest.mark.parametrize("amount", [52064.7, "52064", True])
def test_krw_refuses_anything_but_whole_won(amount):
    with pytest.raises(TypeError):
        krw(amount)


# --- every event type on every channel ----------------------------------------------------

from notify.adapters.templates import render_message  # noqa: E402
from notify.domain.catalogue import EVENT_TYPES  # noqa: E402
from notify.domain.messages import derived, shareable  # noqa: E402
from tests.support.notify_events import group_order_closed, group_order_settled  # noqa: E402


def _group_order(event_type: str) -> dict:
    """A group-order event as a subscriber's template sees it (no contacts, counts)."""
    if event_type == "group_order.closed":
        event = group_order_closed()
    elif event_type == "group_order.cancelled":
        event = group_order_settled("cancelled", "minimum_not_met", "최소 수량 미달")
    else:
        event = group_order_settled("failed", "order_lines_invalid", "주문을 넣지 못했습니다")
    data = event["data"]
    return shareable(event_type, data) | derived(event_type, data)


LINKS = {
    "view": "https://n.kr/links/v",
    "accept": "https://n.kr/links/a",
    "decline": "https://n.kr/links/d",
}


def _sample(event_type: str) -> dict:
    base = {
        "supplier_order_id": "01JAXH0000SUPPLIERORDER001",
        "order_id": "01JAXH0000ORDER00000000001",
        "enterprise_id": "ent-gm-tofu",
        "institution_id": "inst-gwangmyeong",
        "status": event_type.rsplit(".", 1)[1],
        "listing_id": "lst-1",
        "brand_code": "BEATS1",
        "product_id": "prod-tofu-snack",
        "name": "광명두부마을 협동조합",
        "email": "tofu@example.kr",
        "valid_to": "2026-12-31",
    }
    if event_type == "order.placed":
        return _order_placed()
    if event_type in ("supplier_order.created", "supplier_order.reminder"):
        return {**_supplier_order_created(), "links": LINKS}
    if event_type == "order.lines_cancelled":
        return {**_order_placed(), "reason": "예산 변경", "cancelled_line_nos": [1, 3]}
    if event_type == "supplier_order.lines_cancelled":
        data = {**_supplier_order_created(), "reason": "예산 변경"}
        return data | derived(event_type, data)
    if event_type.startswith("group_order."):
        return _group_order(event_type)
    if event_type.startswith("performance."):
        return _performance()
    if event_type.startswith("supplier_order."):  # every one carries supplier_order_data
        rerouted_to = [{"enterprise_name": "시흥두부 사회적기업", "quantity": 8}]
        return {**_supplier_order_created(), **base, "rerouted_to": rerouted_to}
    if event_type.startswith("order."):
        return {**base, **_order_placed()}
    return base


def _performance() -> dict:
    """Both performance events' fields (each template reads its own)."""
    return {
        "institution_id": "inst-gwangmyeong",
        "institution_name": "광명시청",
        "fiscal_year": 2026,
        "category": "gwangmyeong_social_economy",
        "category_name": "사회적기업제품",
        "department": "복지정책과",
        "target": 8_100_000_000,
        "achieved": 4_300_000_000,
        "expected_to_date": 5_400_000_000,
        "behind_percent": 13.58,
        "margin_percent": 10,
        "receiving_body": "고용노동부장관",
        "due_on": "2027-02-28",
        "results_year": 2026,
    }


@pytest.mark.parametrize("channel", ["inbox", "email", "sms", "alimtalk"])
@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_renders_on_every_channel(event_type, channel):
    message = render_message(channel, event_type, _sample(event_type))
    assert message.title and message.body and "\n" not in message.title
    assert message.ref.endswith(tuple("0123456789abcdef")) and "@" in message.ref
    if channel == "email":
        assert message.html.startswith("<!doctype html>") and message.title in message.html
    if channel == "alimtalk":
        assert message.code.startswith("GACHI_") and message.params


PEOPLE_READ = ("supplier_order.", "order.", "group_order.", "listing.")


@pytest.mark.parametrize("channel", ["inbox", "email", "sms", "alimtalk"])
@pytest.mark.parametrize("event_type", [t for t in EVENT_TYPES if t.startswith(PEOPLE_READ)])
def test_messages_name_enterprises_goods_and_amounts_never_ids(event_type, channel):
    data = _sample(event_type)
    message = render_message(channel, event_type, data)

    text = message.title + "\n" + message.body
    ids = {v for k, v in data.items() if k.endswith("_id") and isinstance(v, str)}
    ids |= {"01JAXH0000SUPPLIERORDER001", "01JAXH0000ORDER00000000001", "lst-1"}
    assert [i for i in ids if i in text and not i.startswith(("inst-", "ent-", "prod-"))] == []


def test_the_buyer_reads_who_takes_a_rerouted_order_over():
    message = render_message("inbox", "supplier_order.rerouted", _sample("supplier_order.rerouted"))

    assert message.title == (
        "[재배정] 광명두부마을 협동조합의 국산콩 두부과자 200g 외 2건(52,064원)을 "
        "시흥두부 사회적기업에 다시 배정했습니다"
    )


def test_html_escapes_what_came_from_an_event():
    data = {**_supplier_order_created(), "enterprise_name": "<script>alert(1)</script>"}
    message = render_message("email", "supplier_order.created", data)
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html


def test_email_carries_the_three_action_links_and_sms_only_the_view_link():
    data = {**_supplier_order_created(), "links": LINKS}
    email_text = render_message("email", "supplier_order.created", data).body
    assert all(url in email_text for url in LINKS.values())
    sms = render_message("sms", "supplier_order.created", data)
    assert LINKS["view"] in sms.body and LINKS["accept"] not in sms.body


def test_deadlines_are_shown_in_korean_time():
    from notify.adapters.templates import kst

    assert kst("2026-12-01T05:00:00+00:00") == "2026-12-01 (화) 14:00"
    data = {
        **_supplier_order_created(),
        "links": LINKS,
        "acceptance_deadline": "2026-12-01T15:30:00+00:00",
    }
    body = render_message("email", "supplier_order.reminder", data).body
    assert "수락 기한: 2026-12-02 (수) 00:30" in body
