"""견적서 over HTTP: a cart split into one quotation per enterprise, priced as placement
prices; the PDF drawn by the task and cached, read back (Korean names, 사업자등록번호,
amounts, the total in Korean words, validity) and one page drawn as PNG; who may read them;
refusals in Korean with nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pypdfium2
import pytest
from sqlalchemy import func, select

from gachi_kit.dates import today_kst
from orders.adapters.quotation_models import Quotation
from orders.domain.documents import amount_in_words
from orders.services import quotations
from tests.support.builders import register_institution
from tests.support.pdf import text_of
from tests.support.performance import enterprises

NEEDED_BY = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def cart(orders_app, catalog_app, token):
    client = orders_app.test_client()
    made = enterprises(catalog_app.test_client(), token("admin"))
    institution = register_institution(client, token("admin"), brn="1348100021")
    buyer = token("buyer", institution["id"], dept="총무과")
    return {"client": client, "made": made, "institution": institution, "buyer": buyer}


def ask(client, headers, lines, **extra):
    body = {"lines": [{"product_id": p["product"]["id"], "quantity": q} for p, q in lines]}
    return client.post("/v1/quotations", json=body | extra, headers=headers)


def count(orders_app) -> int:
    with orders_app.extensions["orders"].db.reading() as session:
        return session.scalar(select(func.count()).select_from(Quotation))


def test_one_quotation_per_enterprise_priced_like_an_order(cart):
    client, made = cart["client"], cart["made"]
    response = ask(
        client,
        cart["buyer"],
        [(made["sun"], 7), (made["share"], 3), (made["tofu"], 5), (made["sun"], 2)],
        note="행사용 간식, 개별 포장 부탁드립니다",
        needed_by=NEEDED_BY,
    )
    assert response.status_code == 201, response.get_json()
    items = {q["enterprise_name"]: q for q in response.get_json()["items"]}
    assert set(items) == {"햇살 사회적기업", "나눔 사회적협동조합", "광명두부마을 협동조합"}
    assert len({q["request_id"] for q in items.values()}) == 1
    sun = items["햇살 사회적기업"]
    # 9 × 3,333 = 29,997 + VAT 2,999 (원 미만 절사)
    assert (sun["supply_amount"], sun["vat_amount"], sun["total_amount"]) == (29_997, 2_999, 32_996)
    assert [(ln["quantity"], ln["supply_amount"]) for ln in sun["lines"]] == [
        (7, 23_331),
        (2, 6_666),
    ]
    share = items["나눔 사회적협동조합"]  # 면세: no VAT
    assert (share["supply_amount"], share["vat_amount"]) == (195_000, 0)
    assert sun["institution_name"] == "광명시청" and sun["institution_brn"] == "134-81-00021"
    assert sun["number"].startswith(f"QT-{today_kst():%Y%m%d}-")  # the day in Korea
    issued = date.fromisoformat(sun["issued_on"])
    assert date.fromisoformat(sun["valid_until"]) == issued + timedelta(days=30)
    assert sun["note"] == "행사용 간식, 개별 포장 부탁드립니다" and sun["needed_by"] == NEEDED_BY
    assert sun["pdf_ready"] is False


def test_the_pdf_is_drawn_by_the_task_cached_and_reads_back(orders_app, cart, tmp_path):
    client, made, buyer = cart["client"], cart["made"], cart["buyer"]
    [quotation] = ask(client, buyer, [(made["sun"], 7)], note="급식 행사").get_json()["items"]
    url = f"/v1/quotations/{quotation['id']}/pdf"
    first = client.get(url, headers=buyer)
    assert first.status_code == 202 and first.headers["Retry-After"]
    wiring = orders_app.extensions["orders"]
    assert quotations.render_cached(wiring, quotation["id"]) == "rendered"  # the task's work
    assert quotations.render_cached(wiring, quotation["id"]) == "cached"
    pdf = client.get(url, headers=buyer)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = text_of(pdf.data)
    assert "견적서" in text and "햇살사회적기업" in text and "광명시청" in text
    assert "134-81-00021" in text and quotation["enterprise_brn"] in text
    assert quotation["number"] in text
    # 7 × 3,333 = 23,331 + VAT 2,333 = 25,664
    assert "".join(amount_in_words(25_664).split()) in text  # 금이만오천육백육십사원정
    assert "금이만오천육백육십사원정" in text
    assert "23,331" in text and "2,333" in text and "25,664" in text
    assert f"유효기간:{quotation['valid_until']}까지(30일)" in text
    assert "요청사항:급식행사" in text
    page = pypdfium2.PdfDocument(pdf.data)[0]
    image = page.render(scale=1).to_pil()
    image.save(tmp_path / "quotation.png")
    assert image.size[0] > 500 and (tmp_path / "quotation.png").stat().st_size > 5_000
    listed = client.get("/v1/quotations", headers=buyer).get_json()["items"]
    assert [q["pdf_ready"] for q in listed] == [True]


def test_only_the_institution_and_the_enterprise_read_them(orders_app, cart, token):
    client, made, buyer = cart["client"], cart["made"], cart["buyer"]
    iid = cart["institution"]["id"]
    items = ask(client, buyer, [(made["sun"], 1), (made["tofu"], 1)]).get_json()["items"]
    sun = next(q for q in items if q["enterprise_name"] == "햇살 사회적기업")
    quotations.render_cached(orders_app.extensions["orders"], sun["id"])
    sun_operator = token("enterprise", made["sun"]["enterprise"]["id"])
    for headers in (buyer, token("institution_admin", iid), sun_operator):
        assert client.get(f"/v1/quotations/{sun['id']}", headers=headers).status_code == 200
        assert client.get(f"/v1/quotations/{sun['id']}/pdf", headers=headers).status_code == 200
    addressed = client.get("/v1/quotations", headers=sun_operator).get_json()["items"]
    assert [q["id"] for q in addressed] == [sun["id"]]
    for headers in (
        token("buyer", iid, dept="복지정책과"),
        token("institution_admin", "01OTHERINSTITUTION00000000"),
        token("enterprise", made["tofu"]["enterprise"]["id"]),
        token("admin"),
    ):
        for path in (f"/v1/quotations/{sun['id']}", f"/v1/quotations/{sun['id']}/pdf"):
            assert client.get(path, headers=headers).status_code in (403, 404)
    assert (
        client.get("/v1/quotations", headers=token("buyer", iid, dept="복지정책과")).get_json()[
            "items"
        ]
        == []
    )
    refused = client.post(
        "/v1/quotations",
        json={"lines": [{"product_id": made["sun"]["product"]["id"], "quantity": 1}]},
        headers=sun_operator,
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"lines": []}, "lines", "validation_failed"),
        ({"lines": [{"product_id": "01NOSUCHPRODUCT00000000000", "quantity": 1}]}, "lines", None),
        ({"lines": [{"group_code": "kimchi-10kg", "quantity": 1}]}, "lines", "validation_failed"),
        ({"lines": [{"product_id": "x", "quantity": 0}]}, "lines", "validation_failed"),
        ({"needed_by": "2020-01-01"}, "needed_by", "needed_by_in_past"),
        ({"note": "가" * 501}, "note", "validation_failed"),
    ],
)
def test_bad_requests_are_refused_in_korean_and_nothing_is_written(
    orders_app, cart, body, field, code
):
    client, made = cart["client"], cart["made"]
    full = {"lines": [{"product_id": made["sun"]["product"]["id"], "quantity": 1}]} | body
    response = client.post("/v1/quotations", json=full, headers=cart["buyer"])
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    if code:
        assert problem["code"] == code
    else:
        assert problem["code"] == "quotation_lines_invalid"
        assert problem["title"] == "견적을 받을 수 없는 품목이 있습니다"
    assert any("\uac00" <= ch <= "\ud7a3" for ch in problem["title"])
    assert field in problem["errors"]
    assert count(orders_app) == 0
