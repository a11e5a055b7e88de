"""The back office in a real browser (Debian's Chromium), axe on every page visited:
an enterprise operator on a phone answers the order its e-mail announced, ships it and
marks it delivered; the 비츠원 committee reviews an application with a PDF; an admin
replays a dead webhook delivery."""

from __future__ import annotations

import email
import re
import time
import uuid
from datetime import date, timedelta
from email import policy
from pathlib import Path

import pyotp
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DESKTOP, PHONE
from tests.support.dead_events import park_dead_decline
from tests.support.notify_receivers import HTTPReceiver, Reply, deliveries, send_all
from tests.support.portal import DEPARTMENT, GWANGMYEONG_CITY, OPERATOR

TOFU = "23KFF7TJ9W6P3ZPDERCAH15E5Z"  # 광명두부마을 협동조합 (demo data)
TOFU_MAIL = "gm-tofu@example.kr"
CHAIR, MEMBER = "chair@gachi.example", "member@gachi.example"
THIRD = "member3@gachi.example"  # 박소하, the committee's third member (catalog's demo sub)
ADMIN = "admin@gachi.example"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FAST = {
    "DELIVERY_BACKOFF_BASE_SECONDS": "0.05",
    "DELIVERY_BACKOFF_MAX_SECONDS": "0.2",
    "DELIVERY_MAX_ATTEMPTS": "3",
    "WEBHOOK_TIMEOUT_SECONDS": "1",
    "WEBHOOK_ALLOW_LOOPBACK": "1",
}


def sign_in(page, checked, email_address, name, *, already_there=False):
    """Through the sign-in form (and the code step for chairs and admins); `already_there`
    when a signed-out visit was just sent to the form."""
    from web.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET

    if not already_there:
        page.goto("/sign-in")
    page.get_by_label("이메일").fill(email_address)
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    submit(page, "로그인")
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    # A code is good once (for 120 s), and the demo people sign in again and again: try
    # the three codes the one-step tolerance accepts, and if this module's earlier
    # sign-ins used them all, wait for the next step, whose code is new.
    give_up = time.time() + 100
    while "/sign-in/code" in page.url and time.time() < give_up:
        for ahead in (0, 30, -30):
            page.get_by_label("인증 코드").fill(totp.at(time.time() + ahead))
            submit(page, "확인")
            if "/sign-in/code" not in page.url:
                break
        else:
            time.sleep(30.5 - time.time() % 30)
    assert "/sign-in" not in page.url, f"{name} was not signed in"


def submit(page, button: str) -> None:
    """Press a form's button and wait for the server's answer to it: the navigation the
    press starts, committed (redirects followed), so `page.url` is where the answer led.
    Not the next page's load event: its stylesheets and fonts are not what is checked, and
    on a loaded machine they can take longer than the answer itself. What follows waits
    for the elements it uses."""
    with page.expect_navigation(wait_until="commit"):
        page.get_by_role("button", name=button).click()


def act_as(page, label: str) -> None:
    """Pick the membership to act as (a city officer who also chairs the committee)."""
    page.goto("/account/membership")
    page.get_by_label(label).check()
    submit(page, "이 역할로 전환")


def relay_events(portal, needle: str) -> None:
    """What the Celery relay does between the services, done here in-process: every outbox
    event of catalog and orders that mentions `needle` is handled by notify, then notify
    sends what is due (the embedded default writes each e-mail as an .eml file)."""
    from notify.services.events import handle_event

    notify_app = portal.apps["notify"]
    for service in ("catalog", "orders"):
        app = portal.apps[service]
        models = __import__(f"{service}.adapters.models", fromlist=["OutboxMessage"])
        with app.extensions[service].db.reading() as session:
            rows = session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id))
            events = [row.envelope().to_dict() for row in rows]
        with notify_app.app_context():
            for event in events:
                if needle in str(event["data"]):
                    handle_event(notify_app.extensions["notify"], event)
    send_all(notify_app, channel="email")


def newest_mail_to(portal, address: str, subject_part: str) -> email.message.EmailMessage:
    folder = Path(portal.config["GACHI_DATA_DIR"]) / "mail"
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in str(message["To"]) and subject_part in str(message["Subject"]):
            return message
    raise AssertionError(f"no e-mail to {address} about {subject_part}")


def place_order(portal) -> dict:
    """광명시청 총무과 orders two of 광명두부마을's products."""
    headers = portal.bearer("buyer", GWANGMYEONG_CITY, DEPARTMENT)
    products = requests.get(
        portal.urls["catalog"] + "/v1/products",
        params={"enterprise_id": TOFU},
        headers=headers,
        timeout=10,
    ).json()["items"]
    snack = next(p for p in products if p["sku"] == "TOFU-SNACK-200")
    tofu = next(p for p in products if p["sku"] == "TOFU-1KG")
    response = requests.post(
        portal.urls["orders"] + "/v1/orders",
        json={
            "delivery_address": "경기도 광명시 시청로 20 광명시청 총무과",
            "needed_by": (date.today() + timedelta(days=14)).isoformat(),
            "lines": [
                {"product_id": snack["id"], "quantity": 120},
                {"product_id": tofu["id"], "quantity": 30},
            ],
        },
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return next(so for so in response.json()["supplier_orders"] if so["enterprise_id"] == TOFU)


def test_an_operator_on_a_phone_answers_the_order_from_its_email(browser, checked, portal):
    so = place_order(portal)
    relay_events(portal, TOFU)
    mail = newest_mail_to(portal, TOFU_MAIL, "새 공급 주문")
    text = mail.get_body(("plain",)).get_content()
    view = re.search(r"주문 보기: (\S+)", text).group(1)
    # the links as sent, on the notify and web under test (the e-mail names the defaults)
    view = portal.urls["notify"] + view[view.index("/links/") :]
    in_portal = re.search(r"포털에서 처리\(부분 수락·발송\): (\S+)", text).group(1)
    in_portal = in_portal[in_portal.index("/enterprise/") :]
    assert in_portal == f"/enterprise/supplier-orders/{so['id']}"

    # notify's link page forbids injected scripts (its CSP); axe is let in for the check
    context = browser.new_context(
        viewport=PHONE, locale="ko-KR", base_url=portal.urls["web"], bypass_csp=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(view)
    checked(page, "email-link")
    assert "국산콩 두부과자 200g" in page.content()
    # the portal link, signed out: sign-in first, then straight back to the order
    page.goto(in_portal)
    assert "/sign-in" in page.url
    sign_in(page, checked, OPERATOR, "the operator", already_there=True)
    assert page.url.endswith(in_portal)
    checked(page, "supplier-order")
    page.goto("/enterprise/")
    checked(page, "dashboard")
    page.get_by_role("link", name=re.compile("국산콩 두부과자 200g 외 1건")).first.click()
    assert so["id"] in page.url

    page.get_by_label("수락 수량 (모)").fill("20")
    page.get_by_role("button", name="수락", exact=True).click()
    assert page.locator(".form-hint-invalid").first.inner_text() == (
        "수락하지 않는 수량의 사유를 적어 주세요."
    )
    checked(page, "reason-missing")
    page.get_by_label("일부만 수락하는 사유").nth(1).fill("이번 주 콩 입고가 부족합니다")
    page.get_by_role("button", name="수락", exact=True).click()
    assert "부분 수락" in page.locator("h1").inner_text()
    checked(page, "partially-accepted")

    page.get_by_role("button", name="생산 시작으로 표시").click()
    page.get_by_label("택배사").fill("CJ대한통운")
    page.get_by_label("송장 번호").fill("6012-3456-7890")
    page.get_by_role("button", name="발송 완료").click()
    assert "CJ대한통운 · 송장 6012-3456-7890" in page.content()
    checked(page, "shipped")
    page.get_by_role("button", name="납품 완료").click()
    assert "구매 기관의 검수를 기다리고 있습니다." in page.content()
    checked(page, "delivered")
    lines = requests.get(
        f"{portal.urls['orders']}/v1/supplier-orders/{so['id']}",
        headers=portal.bearer("enterprise", TOFU),
        timeout=10,
    ).json()
    assert lines["status"] == "delivered"
    assert [line["accepted_quantity"] for line in lines["lines"]] == [120, 20]
    context.close()


def add_third_member(portal) -> None:
    """박소하 (catalog's demo member committee-bitsone-3) gets an account in web."""
    from web.identity.models import Membership, Person
    from web.seed import DEMO_PASSWORD

    w = portal.web_app.extensions["web"]
    with w.db.transaction() as session:
        if session.scalar(select(Person).where(Person.email == THIRD)) is None:
            person = Person(
                sub="committee-bitsone-3",
                email=THIRD,
                name="박소하",
                status="active",
                password_hash=w.passwords.hash(DEMO_PASSWORD),
            )
            session.add(person)
            session.flush()
            session.add(Membership(person_id=person.id, role="committee", org_id="BITSONE"))


def application_with_a_pdf(portal) -> str:
    """광명두부마을 applies for 비츠원 with a new product and its business plan (PDF)."""
    operator = portal.bearer("enterprise", TOFU)
    base = portal.urls["catalog"]
    product = requests.post(
        base + "/v1/products",
        json={
            "sku": f"TOFU-GIFT-{uuid.uuid4().hex[:6]}",
            "name": "두부과자 선물세트",
            "category": "food",
            "unit": "세트",
            "unit_price": 18000,
            "tax_type": "taxable",
        },
        headers=operator,
        timeout=10,
    )
    assert product.status_code == 201, product.text
    listing = requests.post(
        base + "/v1/listings",
        json={"brand_code": "BITSONE", "product_id": product.json()["id"], "pitch": "국산콩"},
        headers=operator,
        timeout=10,
    ).json()
    uploaded = requests.post(
        f"{base}/v1/listings/{listing['id']}/documents",
        files={"file": ("사업계획서.pdf", PDF, "application/pdf")},
        headers=operator,
        timeout=10,
    )
    assert uploaded.status_code == 201, uploaded.text
    submitted = requests.post(
        f"{base}/v1/listings/{listing['id']}/submit", headers=operator, timeout=10
    )
    assert submitted.status_code == 200, submitted.text
    return listing["id"]


def vote(page, checked, listing_id, who):
    """4 points on every criterion of 비츠원's rubric, approve, with a comment."""
    page.goto(f"/committee/listings/{listing_id}")
    checked(page, f"{who}-application")
    criteria = page.locator("form[action$='/vote'] fieldset.bo-score")
    for index in range(criteria.count() - 1):  # the last one is the choice itself
        criteria.nth(index).locator("label", has_text="4점").click()  # KRDS draws the radio
    page.locator("label[for=choice-approve]").click()
    page.get_by_label("의견 (반려하면 필수)").fill("지역 원료와 품질 모두 좋습니다")
    page.get_by_role("button", name="투표", exact=True).click()
    expect(page.locator("body")).to_contain_text("투표했습니다")
    checked(page, f"{who}-voted")


def test_the_committee_reviews_an_application_with_a_pdf(open_page, checked, portal, browser):
    add_third_member(portal)
    listing_id = application_with_a_pdf(portal)

    chair = open_page()
    sign_in(chair, checked, CHAIR, "the chair")
    act_as(chair, "비츠원 · 위원장")
    chair.goto("/committee/")
    checked(chair, "queue")
    chair.get_by_role("link", name="두부과자 선물세트").click()
    chair.get_by_role("button", name="심사 시작").click()
    expect(chair.locator("body")).to_contain_text("심사를 시작했습니다.")

    member = open_page()
    sign_in(member, checked, MEMBER, "the member")
    member.goto(f"/committee/listings/{listing_id}")
    with member.expect_popup() as shown:
        member.get_by_role("link", name=re.compile("보기 사업계획서.pdf")).click()
    assert shown.value.url.endswith("view=1")
    vote(member, checked, listing_id, "member")
    assert "이하안" in member.locator("#votes-title ~ div table").inner_text()

    third = open_page()
    sign_in(third, checked, THIRD, "the third member")
    third.goto(f"/committee/listings/{listing_id}")
    checked(third, "third-before-conflict")
    admin = open_page()
    sign_in(admin, checked, ADMIN, "the admin")
    admin.goto("/admin/brands/BITSONE")
    checked(admin, "brand")
    form = admin.locator("form.bo-member", has_text="committee-bitsone-3")
    form.get_by_label("이해충돌 기업 ID").fill(TOFU)
    form.get_by_role("button", name=re.compile("^저장")).click()
    expect(admin.locator("body")).to_contain_text("위원 정보를 고쳤습니다.")
    third.reload(wait_until="domcontentloaded")
    assert "이 신청은 볼 수 없습니다" in third.content()
    assert "사업계획서.pdf" not in third.content()
    checked(third, "third-conflicted")

    vote(chair, checked, listing_id, "chair")
    chair.locator("label[for=outcome-approved]").click()
    chair.get_by_label("결정 사유").fill("지역성·품질 기준을 충족합니다")
    chair.get_by_role("button", name="결정 기록").click()
    expect(chair.locator("body")).to_contain_text("승인했습니다.")
    chair.get_by_role("link", name="감사 기록 보기").click()
    checked(chair, "audit")
    chair.goto("/committee/statistics")
    checked(chair, "statistics")
    said = chair.locator("svg#chart-decisions desc").text_content()
    assert re.search(r"승인 [1-9][\d,]*건", said), said  # the decision just taken, counted
    chair.set_viewport_size(PHONE)  # the charts stay inside a phone's width
    checked(chair, "statistics-phone")
    chair.set_viewport_size(DESKTOP)

    buyer = open_page()
    sign_in(buyer, checked, "buyer@gachi.example", "the buyer")
    buyer.goto("/brands/BITSONE")
    assert "두부과자 선물세트" in buyer.content()
    checked(buyer, "brand-showcase")


def test_an_admin_replays_a_dead_webhook_delivery(open_page, checked, portal):
    import notify
    from notify.services.events import handle_event
    from tests.support.notify_events import supplier_order_created

    quick = notify.create_app({**portal.config, **FAST})
    with HTTPReceiver() as receiver:
        hook = quick.test_client().post(  # this notify allows a loopback receiver
            "/v1/subscriptions",
            json={"channel": "webhook", "address": receiver.url, "event_types": ["*"]},
            headers=portal.bearer("enterprise", TOFU),
        )
        assert hook.status_code == 201, hook.get_json()
        receiver.default = Reply(500)
        with quick.app_context():
            handle_event(quick.extensions["notify"], supplier_order_created(TOFU))
        send_all(quick, wait=30, channel="webhook")
        receiver.default = Reply(200)

        page = open_page()
        sign_in(page, checked, ADMIN, "the admin")
        page.goto("/admin/deliveries/dead")
        checked(page, "dead-deliveries")
        page.locator("td .krds-form-check label").first.click()  # KRDS draws the box
        page.get_by_role("button", name="고른 발송 다시 보내기").click()
        assert "1건을 다시 보냈습니다." in page.content()
        checked(page, "replayed")
        send_all(quick, channel="webhook")
        assert any(d.status == "sent" and d.replays == 1 for d in deliveries(quick))

        # a decline orders' re-routing gave up on: listed beside notify's, replayed by orders
        dead = park_dead_decline(portal.apps["orders"].extensions["orders"])
        page.goto("/admin/deliveries/dead")
        assert "주문 재배정" in page.content()
        checked(page, "dead-events")
        page.get_by_role("button", name=f"다시 처리 supplier_order.declined {dead}").click()
        assert "이벤트를 다시 처리하도록 넣었습니다." in page.content()
    quick.extensions["notify"].db.dispose()


def test_every_back_office_list_and_form_page_on_a_phone(open_page, checked, portal):
    """The pages the journeys above do not pass through, at 375 px, with axe."""
    operator = open_page(PHONE)
    sign_in(operator, checked, OPERATOR, "the operator")
    for path, name in (
        ("/enterprise/supplier-orders", "supplier-orders"),
        ("/enterprise/products", "products"),
        ("/enterprise/products/new", "product-new"),
        ("/enterprise/products/import", "product-import"),
        ("/enterprise/applications", "applications"),
        ("/enterprise/applications/new", "application-new"),
        ("/enterprise/certifications", "certifications"),
        ("/enterprise/notifications", "notifications"),
        ("/enterprise/notifications/deliveries", "deliveries"),
    ):
        operator.goto(path)
        checked(operator, name)
    operator.goto("/enterprise/products")
    operator.get_by_role("link", name="국산콩 두부과자 200g").click()
    assert "가격 이력" in operator.content()
    checked(operator, "product-edit")

    admin = open_page(PHONE)
    sign_in(admin, checked, ADMIN, "the admin")
    for path, name in (
        ("/admin/enterprises", "admin-enterprises"),
        ("/admin/enterprises/new", "admin-enterprise-new"),
        (f"/admin/enterprises/{TOFU}", "admin-enterprise"),
        ("/admin/institutions", "admin-institutions"),
        ("/admin/brands", "admin-brands"),
        ("/admin/health", "admin-health"),
    ):
        admin.goto(path)
        checked(admin, name)
