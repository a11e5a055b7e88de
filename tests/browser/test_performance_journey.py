"""우선구매 실적 in a real browser (Debian's Chromium), axe on every page visited: an
institution admin sets a target, imports an off-platform CSV with one bad row, reads the
chart and its table, has orders' real Celery worker build the .xlsx and downloads it, then
publishes the department ranking, which a visitor opens signed out (desktop and phone)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from tests.browser.conftest import PHONE
from tests.support.infra import Processes, celery_worker_argv, service_env
from tests.support.portal import GWANGMYEONG_CITY
from tests.support.portal_performance import (
    INSTITUTION_ADMIN,
    LOCAL,
    inspected_order,
    purchases_csv,
    tofu_brn,
)


def sign_in(page, checked, email):
    from web.seed import DEMO_PASSWORD

    page.goto("/sign-in")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))


def test_an_institution_admin_reports_priority_purchases(open_page, checked, portal, tmp_path):
    inspected_order(portal, "총무과")
    inspected_order(portal, "회계과")
    processes = Processes(tmp_path, service_env(portal.config))
    processes.start("orders-worker", celery_worker_argv("orders"))
    page = open_page()
    try:
        sign_in(page, checked, INSTITUTION_ADMIN)
        page.get_by_role("link", name="우선구매 실적").first.click()
        page.wait_for_url(re.compile(rf"/performance/{GWANGMYEONG_CITY}"))
        checked(page, "report")

        # 목표: 광명시 사회적경제기업 제품, 5천만원 for the institution
        page.locator(".bo-subnav").get_by_role("link", name="목표 관리").click()
        page.get_by_label(re.compile("^범주")).select_option(LOCAL)
        page.get_by_label("목표 금액 (원, 금액 방식)").fill("50,000,000")
        page.get_by_role("button", name="목표 저장").click()
        page.get_by_text("목표를 저장했습니다.").wait_for()
        checked(page, "targets")
        assert page.get_by_role("cell", name="50,000,000원").count() == 1

        # 외부 구매: a CSV with one bad row, checked first, then only the valid rows
        page.locator(".bo-subnav").get_by_role("link", name="외부 구매 실적").click()
        page.get_by_role("link", name="파일로 한꺼번에 넣기 (CSV, 엑셀)").click()
        page.get_by_label("CSV 또는 엑셀 파일").set_input_files(
            files=[
                {
                    "name": "외부구매.csv",
                    "mimeType": "text/csv",
                    "buffer": purchases_csv(tofu_brn(portal)),
                }
            ]
        )
        page.get_by_role("button", name="검사하기").click()
        bad_row = page.locator("tr.bo-row-error")
        bad_row.wait_for()
        assert bad_row.count() == 1 and "사업자등록번호" in bad_row.inner_text()
        checked(page, "import-preview")
        page.get_by_role("button", name="올바른 행 2개만 넣기").click()
        page.get_by_text("외부 구매 실적 2건을 넣었습니다.").wait_for()
        checked(page, "purchases")

        # The report: the target, the chart and the same figures as a table
        page.locator(".bo-subnav").get_by_role("link", name="실적", exact=True).click()
        page.get_by_label("범주", exact=True).select_option(LOCAL)
        page.get_by_role("button", name="보기").click()
        chart = page.locator("svg#chart-cumulative")
        assert chart.get_attribute("role") == "img" and chart.is_visible()
        assert page.get_by_role(
            "table", name=re.compile("월별 실적 \\(그래프와 같은 숫자\\)")
        ).is_visible()
        assert "50,000,000원" in page.locator(".perf-figures").first.inner_text()
        checked(page, "report-with-target")
        page.get_by_role("link", name=re.compile("플랫폼 밖 구매 .*근거 보기")).click()
        page.locator(".perf-off").first.wait_for()
        checked(page, "off-platform-evidence")
        phone = open_page(PHONE)
        sign_in(phone, checked, INSTITUTION_ADMIN)
        phone.goto(f"/performance/{GWANGMYEONG_CITY}?category={LOCAL}")
        checked(phone, "report-phone")

        # 내보내기: the .xlsx built by orders' worker, progress polled, then downloaded
        processes.wait_log("orders-worker", "ready.")
        page.locator(".bo-subnav").get_by_role("link", name="내보내기").click()
        checked(page, "exports")
        page.get_by_role("button", name="엑셀 파일 만들기").click()
        link = page.get_by_role("link", name=re.compile("내려받기$"))
        link.wait_for(timeout=60_000)
        checked(page, "export-ready")
        with page.expect_download() as downloading:
            link.click()
        path = downloading.value.path()
        workbook = load_workbook(io.BytesIO(Path(path).read_bytes()))
        assert "실적 명세" in workbook.sheetnames

        # 설정: publish the ranking; a visitor opens it signed out
        page.locator(".bo-subnav").get_by_role("link", name="설정").click()
        publish = page.get_by_label("부서별 구매실적 순위를 로그인 없이 공개")
        page.locator("label[for=f-publish_ranking]").click()  # KRDS draws the box on the label
        assert publish.is_checked()
        page.get_by_role("button", name="설정 저장").click()
        page.get_by_text("설정을 저장했습니다.").wait_for()
        checked(page, "settings")
        for viewport in (None, PHONE):
            visitor = open_page(viewport) if viewport else open_page()
            visitor.goto(f"/ranking/{GWANGMYEONG_CITY}")
            assert (
                visitor.get_by_role("heading", level=1).inner_text().startswith("광명시청 부서별")
            )
            assert visitor.get_by_role("link", name="로그인").count() >= 1  # signed out
            checked(visitor, "public-ranking" + ("-phone" if viewport else ""))
        page.locator("label[for=f-publish_ranking]").click()
        assert not publish.is_checked()
        page.get_by_role("button", name="설정 저장").click()
        page.get_by_text("설정을 저장했습니다.").wait_for()
    finally:
        processes.stop_all()


def test_a_buyer_follows_a_figure_to_its_order_and_its_inspection_record(
    open_page, checked, portal, tmp_path
):
    """정구매 (총무과) on a phone: only 총무과's figures, a figure opened down to its supplier
    order, whose 검수조서 orders' real worker draws while the page waits."""
    from tests.support.portal import BUYER

    order = inspected_order(portal, "총무과")
    so = order["supplier_orders"][0]
    processes = Processes(tmp_path, service_env(portal.config))
    processes.start("orders-worker", celery_worker_argv("orders"))
    page = open_page(PHONE)
    try:
        sign_in(page, checked, BUYER)
        page.goto("/performance")
        page.get_by_text("총무과 실적만 보입니다").wait_for()
        assert page.locator(".bo-subnav").get_by_role("link", name="목표 관리").count() == 0
        checked(page, "buyer-report")
        page.get_by_role("link", name=re.compile("^플랫폼 주문 .*근거 보기")).click()
        page.get_by_role("heading", name=re.compile("실적 근거")).wait_for()
        checked(page, "buyer-evidence")
        page.goto(f"/orders/{order['id']}")
        processes.wait_log("orders-worker", "ready.")
        page.get_by_role("link", name=re.compile(f"^검수조서 PDF.*{so['enterprise_name']}")).click()
        page.get_by_text("검수조서 PDF를 만드는 중입니다").wait_for()
        checked(page, "document-waiting")
        opened = page.get_by_role("link", name="검수조서 PDF 열기")
        opened.wait_for(timeout=60_000)
        checked(page, "document-ready")
        response = page.request.get(opened.get_attribute("href"))
        assert response.status == 200 and response.body().startswith(b"%PDF")
    finally:
        processes.stop_all()
