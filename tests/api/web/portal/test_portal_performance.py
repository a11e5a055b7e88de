"""우선구매 실적 pages: the report with its charts and tables, drill-down to the evidence,
targets and settings with the API's messages next to the fields, off-platform purchases
(one, or a CSV with its dry run), exports, the public ranking, and who sees what."""

from __future__ import annotations

import re

import pytest

from gachi_kit.brn import InvalidBRN, normalize_brn
from gachi_kit.dates import today_kst
from tests.support.portal import GWANGMYEONG_CITY, csrf_token, post_form, sign_in
from tests.support.portal_performance import (
    INSTITUTION_ADMIN,
    LOCAL,
    TOFU,
    TOFU_SNACK,
    api,
    inspected_order,
    purchases_csv,
    tofu_brn,
)

YEAR = today_kst().year
REPORT = f"/performance/{GWANGMYEONG_CITY}"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(portal_app):
    """한기관, 광명시청's institution admin, signed in."""
    return sign_in(portal_app.test_client(), INSTITUTION_ADMIN)


@pytest.fixture(scope="module")
def purchases(portal):
    """Two inspected orders (총무과, 복지정책과) behind the figures."""
    return [
        inspected_order(portal, "총무과"),
        inspected_order(portal, "복지정책과", [{"product_id": TOFU_SNACK, "quantity": 30}]),
    ]


def counted(portal, department=None) -> dict:
    headers = portal.bearer("institution_admin", GWANGMYEONG_CITY)
    params = {"fiscal_year": YEAR} | ({"department": department} if department else {})
    return api(
        portal, "orders", "GET", f"/v1/institutions/{GWANGMYEONG_CITY}/performance", headers,
        params=params,
    )  # fmt: skip


def recorded(portal) -> list[dict]:
    """The off-platform purchases orders holds for 광명시청."""
    path = f"/v1/institutions/{GWANGMYEONG_CITY}/off-platform-purchases"
    headers = portal.bearer("institution_admin", GWANGMYEONG_CITY)
    return api(portal, "orders", "GET", path, headers)["items"]


def test_the_menu_leads_buyers_and_admins_to_their_institution(admin, buyer):
    for person in (admin, buyer):
        home = text(person.get("/"))
        assert "우선구매 실적" in home
        response = person.get("/performance")
        assert response.status_code == 302 and response.headers["Location"].endswith(REPORT)


def test_the_report_shows_figures_charts_with_tables_and_the_basis(admin, portal, purchases):
    report = counted(portal)
    html = text(admin.get(REPORT, query_string={"fiscal_year": YEAR, "category": LOCAL}))
    assert f"{YEAR}년 우선구매 실적" in html and "광명시청" in html
    assert "검수일 기준" in html and "공급가액 기준" in html  # the basis, on the page
    local = next(c for c in report["categories"] if c["code"] == LOCAL)
    assert local["counted"] > 0 and f"{local['counted']:,}원" in html
    # Both charts are SVG figures with a caption, a title and a description, and a table
    assert html.count("<figure") >= 2 and html.count("<figcaption") >= 2
    assert 'id="chart-cumulative"' in html and 'id="chart-categories"' in html
    assert html.count('role="img"') >= 2 and "<desc id=" in html
    assert "월별 실적 (그래프와 같은 숫자)" in html and "범주별 실적, 목표" in html
    # Every breakdown is there, with a link to the lines behind each figure
    for heading in ("부서별 실적", "월별 실적 (모든 범주)", "기업 유형별 실적", "기업별 실적"):
        assert heading in html
    assert "총무과" in html and "복지정책과" in html
    assert f"/performance/{GWANGMYEONG_CITY}/lines?" in html and "department=" in html


def test_a_figure_drills_down_to_its_supplier_orders_and_sums_to_it(admin, portal, purchases):
    report = counted(portal)
    local = next(c for c in report["categories"] if c["code"] == LOCAL)
    html = text(admin.get(f"{REPORT}/lines", query_string={"fiscal_year": YEAR, "category": LOCAL}))
    assert "실적 근거" in html and f"<strong>{local['counted']:,}원</strong>" in html
    assert "플랫폼 주문" in html and "검수" in html
    so = purchases[0]["supplier_orders"][0]
    assert so["enterprise_name"] in html and f"/orders/{purchases[0]['id']}" in html
    assert f"/documents/supplier-orders/{so['id']}/inspection" in html


def test_buyers_see_their_own_department_and_no_other(buyer, portal, purchases):
    html = text(buyer.get(REPORT))
    assert "총무과 실적만 보입니다" in html
    own = counted(portal, "총무과")
    assert f"{own['totals']['counted']:,}원" in html
    other = buyer.get(f"{REPORT}/lines", query_string={"department": "복지정책과"})
    assert other.status_code == 403 and "접근 권한이 없습니다" in text(other)
    # Editors' pages are not theirs
    for page in ("targets", "settings", "purchases", "purchases/import"):
        assert buyer.get(f"{REPORT}/{page}").status_code == 403


def test_buyers_see_every_department_once_the_institution_allows_it(buyer, portal, purchases):
    settings = f"/v1/institutions/{GWANGMYEONG_CITY}/performance/settings"
    headers = portal.bearer("institution_admin", GWANGMYEONG_CITY)
    api(portal, "orders", "PATCH", settings, headers, json={"buyers_see_institution": True})
    try:
        html = text(buyer.get(REPORT))
        assert "실적만 보입니다" not in html and "복지정책과" in html
        other = buyer.get(f"{REPORT}/lines", query_string={"department": "복지정책과"})
        assert other.status_code == 200 and "복지정책과" in text(other)
    finally:
        api(portal, "orders", "PATCH", settings, headers, json={"buyers_see_institution": False})
    assert "총무과 실적만 보입니다" in text(buyer.get(REPORT))


def test_another_institutions_figures_are_not_found(admin, buyer, portal):
    other = api(
        portal, "orders", "POST", "/v1/institutions", portal.bearer("admin"),
        json={"name": "완도군청", "kind": "지자체", "sido_code": "46", "departments": ["총무과"]},
    )  # fmt: skip
    for person in (admin, buyer):
        for page in ("", "/lines", "/exports"):
            response = person.get(f"/performance/{other['id']}{page}")
            assert response.status_code == 404, page
            assert "찾을 수 없습니다" in text(response)
    assert admin.get(f"/performance/{other['id']}/targets").status_code == 404


def test_an_unreadable_year_is_explained_next_to_the_selector(admin):
    response = admin.get(REPORT, query_string={"fiscal_year": "이천"})
    assert response.status_code == 422
    assert 'id="f-fiscal_year-error"' in text(response)
    assert "네 자리 숫자" in text(response)
    far = admin.get(REPORT, query_string={"fiscal_year": "1999"})
    assert far.status_code == 422 and 'id="f-fiscal_year-error"' in text(far)


def test_targets_refused_next_to_their_fields_then_saved(admin, portal):
    page = f"{REPORT}/targets"
    share = {
        "fiscal_year": str(YEAR),
        "category_code": LOCAL,
        "department": "",
        "kind": "share",
        "share_percent": "5",
        "denominator": "2,000,000,000",
        "denominator_label": "",
    }
    refused = post_form(admin, page, page, share)
    assert refused.status_code == 422
    html = text(refused)
    assert 'id="f-denominator_label-error"' in html and "분모가 무엇인지 적어 주세요" in html
    bad_amount = post_form(admin, page, page, share | {"kind": "amount", "amount": "-300"})
    assert 'id="f-amount-error"' in text(bad_amount) and "0 이상의 숫자" in text(bad_amount)
    bad_share = post_form(
        admin, page, page, share | {"share_percent": "다섯", "denominator_label": "총구매액"}
    )
    assert 'id="f-share_percent-error"' in text(bad_share)
    far = post_form(
        admin, page, page, share | {"fiscal_year": "2300", "denominator_label": "총구매액"}
    )
    assert far.status_code == 422 and 'id="f-fiscal_year-error"' in text(far)
    saved = post_form(admin, page, page, share | {"denominator_label": "공사 제외 총구매액"})
    assert saved.status_code == 302, text(saved)
    listed = text(admin.get(page, query_string={"fiscal_year": YEAR}))
    assert "목표를 저장했습니다." in listed and "100,000,000원" in listed  # 5 % of 20억
    assert "공사 제외 총구매액" in listed
    report = text(admin.get(REPORT, query_string={"category": LOCAL}))
    assert "100,000,000원" in report and "목표 직선" in report


def test_settings_are_saved_and_the_ranking_published_only_then(admin, client, portal, purchases):
    public = f"/ranking/{GWANGMYEONG_CITY}"
    page = f"{REPORT}/settings"
    form = {"basis": "inspection", "amount_kind": "supply", "alert_margin_percent": "10"}
    post_form(admin, page, page, form)
    assert client.get(public).status_code == 404  # not published
    refused = post_form(admin, page, page, form | {"alert_margin_percent": "0"})
    assert refused.status_code == 422 and 'id="f-alert_margin_percent-error"' in text(refused)
    assert "1~100 사이여야 합니다." in text(refused)
    done = post_form(admin, page, page, form | {"publish_ranking": "on", "amount_kind": "total"})
    assert done.status_code == 302
    html = text(admin.get(page))
    assert "설정을 저장했습니다." in html and 'value="total" checked' in html
    ranking = client.get(public)  # signed out
    assert ranking.status_code == 200
    shown = text(ranking)
    assert "부서별 사회적경제기업 제품 구매실적" in shown and "합계(부가세 포함) 기준" in shown
    assert "총무과" in shown and "복지정책과" in shown and "1위" in shown
    assert 'id="chart-departments"' in shown and "월별 순위" in shown
    post_form(admin, page, page, form)  # back to the defaults for the other tests
    assert client.get(public).status_code == 404


def test_one_off_platform_purchase_with_field_errors_then_recorded(admin, portal):
    page = f"{REPORT}/purchases"
    brn = tofu_brn(portal)
    base = {
        "enterprise_brn": "123-45-67890",
        "item_name": "두부 납품 (수의계약)",
        "supply_amount": "200,000",
        "vat_amount": "20,000",
        "total_amount": "",
        "channel": "direct",
        "department": "총무과",
        "inspected_on": today_kst().isoformat(),
        "evidence_reference": "계약-2026-010",
    }
    with pytest.raises(InvalidBRN):
        normalize_brn(base["enterprise_brn"])
    refused = post_form(admin, page, page, base)
    assert refused.status_code == 422 and 'id="f-enterprise_brn-error"' in text(refused)
    no_date = post_form(admin, page, page, base | {"enterprise_brn": brn, "inspected_on": ""})
    assert 'id="f-inspected_on-error"' in text(no_date) and "하나는 있어야" in text(no_date)
    wrong_total = post_form(admin, page, page, base | {"enterprise_brn": brn, "total_amount": "1"})
    assert 'id="f-total_amount-error"' in text(wrong_total)
    done = post_form(admin, page, page, base | {"enterprise_brn": brn})
    assert done.status_code == 302, text(done)
    html = text(admin.get(page))
    assert "두부 납품 (수의계약)" in html and "수의계약(직접)" in html and "계약-2026-010" in html


def test_a_csv_import_previews_each_row_then_imports_the_valid_ones(admin, portal):
    page = f"{REPORT}/purchases/import"
    token = csrf_token(text(admin.get(page)))
    content = purchases_csv(tofu_brn(portal))
    preview = admin.post(
        page,
        data={"csrf_token": token, "file": (__import__("io").BytesIO(content), "외부구매.csv")},
        content_type="multipart/form-data",
    )
    html = text(preview)
    assert preview.status_code == 200 and "검사 결과 (아직 넣지 않았습니다)" in html
    assert re.search(r'class="bo-row-error">\s*<th scope="row" class="bo-num">3</th>', html)
    assert "사업자등록번호:" in html and "두부 선물세트 (나라장터)" in html
    # the refused row shows its cells as the file has them, beside its problem
    refused = re.search(r'class="bo-row-error">(.*?)</tr>', html, re.S).group(1)
    assert "123-45-67890" in refused and "잘못된 번호의 기업" in refused
    assert "공급가액 500000 + 부가세 50000" in refused and "사업자등록번호:" in refused
    assert len(re.findall(r'<th scope="row" class="bo-num">\d+</th>', html)) == 3
    assert "올바른 행 2개만 넣기" in html
    before = len(recorded(portal))
    upload = re.search(r'name="upload" value="([^"]+)"', html).group(1)
    done = admin.post(
        page,
        data={
            "csrf_token": token,
            "upload": upload,
            "filename": "외부구매.csv",
            "mode": "valid_rows",
        },
    )
    assert done.status_code == 302, text(done)
    listed = text(admin.get(done.headers["Location"]))
    assert "외부 구매 실적 2건을 넣었습니다." in listed and "콩물 납품" in listed
    assert len(recorded(portal)) == before + 2
    off = text(admin.get(f"{REPORT}/lines", query_string={"source": "off_platform"}))
    assert "플랫폼 밖 구매" in off and "나라장터-2026-001" in off and "perf-off" in off


def test_exports_csv_in_both_encodings_and_an_xlsx_job_with_progress(admin, portal, purchases):
    page = f"{REPORT}/exports"
    html = text(admin.get(page))
    assert "엑셀 파일 만들기" in html and "법정 제출 자료" in html
    utf8 = admin.get(f"{page}/csv", query_string={"view": "departments", "encoding": "utf-8"})
    assert utf8.status_code == 200 and utf8.data.startswith(b"\xef\xbb\xbf")
    assert "총무과" in utf8.data.decode("utf-8-sig")
    cp949 = admin.get(f"{page}/csv", query_string={"view": "departments", "encoding": "cp949"})
    assert "총무과" in cp949.data.decode("cp949")
    started = post_form(admin, page, page, {"fiscal_year": str(YEAR)})
    assert started.status_code == 302
    job_page = text(admin.get(started.headers["Location"]))
    assert 'role="status"' in job_page and "hx-get=" in job_page and "<progress" in job_page
    status = text(admin.get(started.headers["Location"] + "/status"))
    assert 'id="export-job"' in status and ("기다리는 중" in status or "만드는 중" in status)
    package = admin.get(
        f"{REPORT}/package",
        query_string={"category": "social_enterprise_products", "fiscal_year": YEAR},
    )
    assert package.status_code == 200 and package.data[:2] == b"PK"
    bad = admin.get(
        f"{REPORT}/package",
        query_string={"category": "social_enterprise_products", "total_purchases": "-1"},
    )
    assert bad.status_code == 422 and 'id="f-package-total-error"' in text(bad)


def test_supplier_order_pages_link_their_documents(buyer, portal, purchases):
    from orders.services import documents

    order = purchases[0]
    so = order["supplier_orders"][0]
    html = text(buyer.get(f"/orders/{order['id']}"))
    assert f"/documents/supplier-orders/{so['id']}/statement" in html
    assert f"/documents/supplier-orders/{so['id']}/inspection" in html
    url = f"/documents/supplier-orders/{so['id']}/inspection"
    waiting = buyer.get(url)  # no worker here: orders says it is drawing it
    assert waiting.status_code == 202 and "만드는 중" in text(waiting) and "hx-get" in text(waiting)
    orders_app = portal.apps["orders"]
    with orders_app.app_context():
        documents.render_cached(orders_app.extensions["orders"], so["id"], "inspection")
    ready = text(buyer.get(url, query_string={"wait": 1}))
    assert "검수조서 PDF 열기" in ready
    pdf = buyer.get(url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    operator = sign_in(buyer.application.test_client(), "tofu@gachi.example")
    tofu_so = purchases[1]["supplier_orders"][0]
    assert tofu_so["enterprise_id"] == TOFU and so["enterprise_id"] != TOFU
    page = text(operator.get(f"/enterprise/supplier-orders/{tofu_so['id']}"))
    assert "거래명세서 PDF" in page and "검수조서 PDF" in page
    assert operator.get(url).status_code == 404  # another enterprise's supplier order
    assert buyer.get(f"/documents/supplier-orders/{so['id']}/invoice").status_code == 404


def test_every_performance_page_answers_each_role(portal_app, client, admin, buyer):
    """Every GET route of the 우선구매 pages × role: anonymous → sign-in, an enterprise →
    403, a buyer → 403 on the editors' pages; the URL map is read, so a new route is in."""
    from web.portal.performance import NAV

    editors_only = {endpoint for endpoint, _label, only in NAV if only} | {
        "performance.import_form",
        "performance.package",
    }
    operator = sign_in(portal_app.test_client(), "tofu@gachi.example")
    rules = [r for r in portal_app.url_map.iter_rules() if r.endpoint.startswith("performance.")]
    checked = 0
    for rule in rules:
        if "GET" not in rule.methods or rule.endpoint == "performance.static":
            continue
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", "0" * 26, rule.rule)
        url = url.replace("0" * 26, GWANGMYEONG_CITY, 1)
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"], url
        assert operator.get(url).status_code == 403, url
        expected_buyer = {403} if rule.endpoint in editors_only else {200, 302, 404, 422}
        assert buyer.get(url).status_code in expected_buyer, url
        assert admin.get(url).status_code in {200, 302, 404, 422}, url
        checked += 1
    assert checked >= 12


def test_an_xlsx_file_is_checked_the_same_way(admin, portal):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["사업자등록번호", "품명", "공급가액", "부가세", "검수일", "증빙"])
    sheet.append([tofu_brn(portal), "두부 도시락", 450000, 0, today_kst(), "지출-2026-77"])
    sheet.append(["", "번호 없는 줄", 1000, 0, today_kst(), "지출-2026-78"])
    buffer = __import__("io").BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    page = f"{REPORT}/purchases/import"
    token = csrf_token(text(admin.get(page)))
    preview = admin.post(
        page,
        data={"csrf_token": token, "file": (buffer, "외부구매.xlsx")},
        content_type="multipart/form-data",
    )
    html = text(preview)
    assert preview.status_code == 200 and "두부 도시락" in html and "450,000원" in html
    assert "사업자등록번호: 값이 없습니다." in html and "올바른 행 1개만 넣기" in html
