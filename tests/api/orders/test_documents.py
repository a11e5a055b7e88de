"""거래명세서 and 검수조서 as PDF: rendered by the task, cached, read back (Korean names and
amounts in words), one page drawn as PNG; only the buyer's side and the enterprise."""

from __future__ import annotations

import pypdfium2
import pytest

from orders.domain.documents import amount_in_words
from orders.services import documents
from tests.support.builders import register_institution
from tests.support.pdf import text_of
from tests.support.performance import act, deliver, enterprises, place


@pytest.fixture
def inspected(orders_app, catalog_app, token):
    client = orders_app.test_client()
    made = enterprises(catalog_app.test_client(), token("admin"))
    institution = register_institution(client, token("admin"), brn="1348100021")
    buyer = token("buyer", institution["id"], dept="총무과")
    order = place(client, buyer, [(made["sun"], 7)])
    so = order["supplier_orders"][0]
    deliver(client, so, token)
    return {"client": client, "so": so, "buyer": buyer, "made": made, "institution": institution}


def fetch(client, so_id, kind, headers):
    return client.get(f"/v1/supplier-orders/{so_id}/documents/{kind}", headers=headers)


def test_statement_and_inspection_record_as_pdf(orders_app, inspected, token, tmp_path):
    client, so, buyer = inspected["client"], inspected["so"], inspected["buyer"]
    assert fetch(client, so["id"], "inspection", buyer).status_code == 409  # not inspected yet
    rejected = {"line_no": 1, "accepted_quantity": 6, "rejected_quantity": 1, "reason": "포장 파손"}
    act(client, so["id"], "inspect", buyer, lines=[rejected])
    wiring = orders_app.extensions["orders"]
    for kind in ("statement", "inspection"):
        first = fetch(client, so["id"], kind, buyer)
        assert first.status_code == 202 and first.headers["Retry-After"]
        assert documents.render_cached(wiring, so["id"], kind) == "rendered"  # the task's work
        assert documents.render_cached(wiring, so["id"], kind) == "cached"
    statement = fetch(client, so["id"], "statement", buyer)
    assert statement.status_code == 200 and statement.mimetype == "application/pdf"
    text = text_of(statement.data)
    assert "거래명세서" in text and "햇살사회적기업" in text and "광명시청" in text
    assert "134-81-00021" in text
    # 6 accepted × 3,333원 = 19,998 + VAT 1,999 = 21,997
    assert "".join(amount_in_words(21_997).split()) in text  # 금이만일천구백구십칠원정
    assert "21,997" in text
    record = text_of(fetch(client, so["id"], "inspection", buyer).data)
    assert "검수조서" in record and "불합격1(포장파손)" in record
    page = pypdfium2.PdfDocument(statement.data)[0]
    image = page.render(scale=1).to_pil()
    image.save(tmp_path / "statement.png")
    assert image.size[0] > 500 and (tmp_path / "statement.png").stat().st_size > 5_000


def test_only_the_buyer_side_and_the_enterprise_read_them(orders_app, inspected, token):
    client, so = inspected["client"], inspected["so"]
    documents.render_cached(orders_app.extensions["orders"], so["id"], "statement")
    own = fetch(client, so["id"], "statement", token("enterprise", so["enterprise_id"]))
    assert own.status_code == 200
    iid = inspected["institution"]["id"]
    for headers in (
        token("buyer", iid, dept="복지정책과"),
        token("institution_admin", "01OTHERINSTITUTION00000000"),
        token("enterprise", inspected["made"]["tofu"]["enterprise"]["id"]),
    ):
        assert fetch(client, so["id"], "statement", headers).status_code == 404
    assert fetch(client, so["id"], "invoice", inspected["buyer"]).status_code == 422
