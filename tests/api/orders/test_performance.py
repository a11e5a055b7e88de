"""우선구매 실적 over HTTP: categories, the report reconciled independently with the supplier
orders, settings shown on the report, targets and their validation, who sees what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from gachi_kit.dates import today_kst
from gachi_kit.errors import Problem
from orders.adapters.models import SupplierOrderLine
from orders.adapters.performance_models import (
    PerformanceTarget,
    SupplierOrderCategory,
    SupplierOrderLineCategory,
)
from orders.services.performance.categories import reclassify_category
from tests.support.performance import INSPECTED, a_year, supplier_orders

YEAR = today_kst().year


@pytest.fixture
def year(orders_app, catalog_app, token):
    return a_year(orders_app.test_client(), catalog_app.test_client(), token)


def report(client, iid, headers, **params):
    response = client.get(
        f"/v1/institutions/{iid}/performance",
        query_string={"fiscal_year": YEAR} | params,
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def expected_categories(line: dict) -> set[str]:
    """The rules written out again, independently of orders.domain.categories."""
    kind, certified = line["enterprise_type"], line["certified"]
    found = {"gwangmyeong_social_economy"}  # the example local category counts all seven
    if kind == "social_enterprise" and certified:
        found.add("social_enterprise_products")
    if kind == "social_cooperative":
        found.add("social_cooperative_products")
    if kind == "self_reliance_enterprise":
        found.add("self_reliance_products")
    return found


def test_categories_are_seeded_with_basis_body_and_due_date(orders_app, token):
    response = orders_app.test_client().get("/v1/priority-categories", headers=token("buyer", "x"))
    items = {c["code"]: c for c in response.get_json()["items"]}
    social = items["social_enterprise_products"]
    assert social["name"] == "사회적기업제품"
    assert "사회적기업 육성법 제12조" in social["legal_basis"]
    assert social["receiving_body"] == "고용노동부장관"
    assert social["due"] == "매년 2월 말일"
    assert social["members"] == [
        {"enterprise_type": "social_enterprise", "certified_only": True, "label": "사회적기업"}
    ]
    assert items["social_cooperative_products"]["receiving_body"] == "기획예산처장관"
    assert items["self_reliance_products"]["due"] is None
    local = items["gwangmyeong_social_economy"]
    assert local["scope"] == "local" and len(local["members"]) == 7


def test_the_report_reconciles_exactly_with_the_supplier_orders(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    admin = token("institution_admin", iid)
    body = report(client, iid, admin)

    # Independently: every supplier order of the institution, summed by the rules as written.
    counted = [so for so in supplier_orders(client, admin) if so["status"] in INSPECTED]
    assert len(counted) == 4  # declined, cancelled and not-yet-inspected ones do not count
    assert body["totals"]["supply"] == sum(so["supply_amount"] for so in counted)
    assert body["totals"]["vat"] == sum(so["vat_amount"] for so in counted)
    assert body["totals"]["total"] == sum(so["total_amount"] for so in counted)
    assert body["totals"]["counted"] == body["totals"]["supply"]  # the default: supply value
    assert body["settings"]["basis"] == "inspection"
    assert body["settings"]["basis_label"] == "검수일 기준"

    # 6 of 7 accepted at 3,333원 (one rejected): 19,998 + VAT 1,999 (원 미만 절사)
    sun = next(e for e in body["enterprises"] if e["enterprise_name"] == "햇살 사회적기업")
    assert (sun["supply"], sun["vat"], sun["total"]) == (19_998, 1_999, 21_997)

    by_category: dict[str, int] = {}
    for so in counted:
        for code in set().union(*(expected_categories(line) for line in so["lines"])):
            by_category[code] = by_category.get(code, 0) + so["supply_amount"]
    assert {c["code"]: c["supply"] for c in body["categories"] if c["supply"]} == by_category

    departments = {d["department"]: d["supply"] for d in body["departments"]}
    assert sum(departments.values()) == body["totals"]["supply"]
    assert departments["복지정책과"] == 10 * 7_707
    assert {t["enterprise_type"] for t in body["enterprise_types"]} == {
        "social_enterprise",
        "social_cooperative",
        "cooperative",
        "self_reliance_enterprise",
    }
    this_month = today_kst().month
    assert body["months"][this_month - 1]["supply"] == body["totals"]["supply"]
    assert body["months"][11]["cumulative"] == body["totals"]["counted"]

    # Drill down: the lines behind the 사회적기업제품 figure sum to it exactly.
    lines = client.get(
        f"/v1/institutions/{iid}/performance/lines",
        query_string={"fiscal_year": YEAR, "category": "social_enterprise_products"},
        headers=admin,
    ).get_json()
    figure = next(c for c in body["categories"] if c["code"] == "social_enterprise_products")
    assert lines["sum"]["supply"] == figure["supply"] == sum(i["supply"] for i in lines["items"])
    [entry] = lines["items"]
    assert entry["evidence"] == "inspection" and entry["off_platform"] is False
    assert entry["lines"][0]["rejected_quantity"] == 1
    assert entry["lines"][0]["counted_quantity"] == 6

    # Every category, in every department, and its drill-down, against the same sums.
    department_of = {
        so["order_id"]: client.get(f"/v1/orders/{so['order_id']}", headers=admin).get_json()[
            "department"
        ]
        for so in counted
    }
    expected: dict[tuple[str, str], int] = {}
    for so in counted:
        for code in set().union(*(expected_categories(line) for line in so["lines"])):
            key = (department_of[so["order_id"]], code)
            expected[key] = expected.get(key, 0) + so["supply_amount"]
    reported = {
        (d["department"], c["code"]): c["supply"]
        for d in body["departments"]
        for c in d["categories"]
        if c["supply"]
    }
    assert reported == expected
    for code, figure in by_category.items():
        drilled = client.get(
            f"/v1/institutions/{iid}/performance/lines",
            query_string={"fiscal_year": YEAR, "category": code, "limit": 100},
            headers=admin,
        ).get_json()
        assert drilled["sum"]["supply"] == figure == sum(i["supply"] for i in drilled["items"])


def test_drill_down_pages_cover_every_entry_once(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    admin = token("institution_admin", iid)
    seen, cursor = [], None
    while True:
        params = {"fiscal_year": YEAR, "limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get(
            f"/v1/institutions/{iid}/performance/lines", query_string=params, headers=admin
        ).get_json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 4
    other_filter = client.get(
        f"/v1/institutions/{iid}/performance/lines",
        query_string={"fiscal_year": YEAR, "limit": 1, "cursor": cursor or "x", "month": 1},
        headers=admin,
    )
    assert other_filter.status_code == 422
    assert other_filter.get_json()["code"] == "invalid_cursor"


def test_recorded_categories_do_not_change_when_a_category_is_edited(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    admin = token("institution_admin", iid)
    before = report(client, iid, admin)
    local_before = next(
        c for c in before["categories"] if c["code"] == "gwangmyeong_social_economy"
    )
    edited = client.put(
        "/v1/priority-categories/gwangmyeong_social_economy",
        json={
            "name": "광명시 사회적경제기업 제품 (예시)",
            "legal_basis": "광명시 조례",
            "receiving_body": "광명시장",
            "members": [{"enterprise_type": "social_enterprise"}],
        },
        headers=token("admin"),
    )
    assert edited.status_code == 200, edited.get_json()
    after = report(client, iid, admin)
    local_after = next(c for c in after["categories"] if c["code"] == "gwangmyeong_social_economy")
    assert local_after["supply"] == local_before["supply"] > 0

    # Recomputed only when an administrator asks for it (the task `orders.reclassify_category`):
    # from 1 January on, only the (certified) 사회적기업 counts locally now.
    wiring = orders_app.extensions["orders"]
    assert reclassify_category(wiring, "gwangmyeong_social_economy", date(YEAR, 1, 1)) == 2
    recomputed = report(client, iid, admin)
    local = next(c for c in recomputed["categories"] if c["code"] == "gwangmyeong_social_economy")
    social = next(c for c in recomputed["categories"] if c["code"] == "social_enterprise_products")
    assert local["supply"] == social["supply"] == 19_998
    assert recomputed["totals"] == after["totals"]
    with pytest.raises(Problem):
        reclassify_category(wiring, "no_such_category", date(YEAR, 1, 1))
    national = client.put(
        "/v1/priority-categories/social_enterprise_products",
        json={
            "name": "x",
            "legal_basis": "x",
            "receiving_body": "x",
            "members": [{"enterprise_type": "cooperative"}],
        },
        headers=token("admin"),
    )
    assert national.status_code == 409


def test_settings_change_the_basis_and_are_shown_on_the_report(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    admin = token("institution_admin", iid)
    response = client.patch(
        f"/v1/institutions/{iid}/performance/settings",
        json={"basis": "payment", "amount_kind": "total"},
        headers=admin,
    )
    assert response.status_code == 200, response.get_json()
    body = report(client, iid, admin)
    assert body["settings"]["basis_label"] == "대금 지급일 기준"
    assert body["settings"]["amount_label"] == "합계(부가세 포함) 기준"
    # Only the 자활기업 order was paid: 10 × 7,707 + VAT.
    assert body["totals"]["supply"] == 77_070
    assert body["totals"]["counted"] == body["totals"]["total"] == 77_070 + 7_707
    bad = client.patch(
        f"/v1/institutions/{iid}/performance/settings", json={"basis": "계약일"}, headers=admin
    )
    assert bad.status_code == 422 and "basis" in bad.get_json()["errors"]


def put_target(client, iid, headers, **body):
    return client.put(f"/v1/institutions/{iid}/performance/targets", json=body, headers=headers)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"amount": -1}, "amount", "0원 이상"),
        ({"amount": 1000.5}, "amount", "원 단위 정수"),
        ({"amount": "1000"}, "amount", "원 단위 정수"),
        ({"fiscal_year": 1999}, "fiscal_year", "회계연도는"),
        ({"fiscal_year": YEAR + 2}, "fiscal_year", "회계연도는"),
        ({"kind": "share", "amount": None, "share_percent": 5}, "denominator", "분모"),
        (
            {"kind": "share", "share_percent": 0, "denominator": 10, "denominator_label": "x"},
            "share_percent",
            "0 초과",
        ),
        ({"category_code": "없는범주"}, "category", "없는"),
        ({"department": "없는과"}, "department", "없는 부서"),
    ],
)
def test_bad_targets_are_refused_in_korean_and_nothing_is_written(
    orders_app, token, body, field, message
):
    client = orders_app.test_client()
    from tests.support.builders import register_institution

    iid = register_institution(client, token("admin"))["id"]
    admin = token("institution_admin", iid)
    full = {
        "fiscal_year": YEAR,
        "category_code": "gwangmyeong_social_economy",
        "kind": "amount",
        "amount": 1000,
    } | body
    response = put_target(client, iid, admin, **full)
    assert response.status_code == (404 if field == "category" else 422), response.get_json()
    problem = response.get_json()
    if field != "category":
        assert response.mimetype == "application/problem+json"
        assert any(message in text for text in problem["errors"][field]), problem
    with orders_app.extensions["orders"].db.reading() as session:
        assert session.scalar(select(func.count()).select_from(PerformanceTarget)) == 0


def test_targets_give_rate_pace_and_forecast_per_category_and_department(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    admin = token("institution_admin", iid)
    created = put_target(
        client,
        iid,
        admin,
        fiscal_year=YEAR,
        category_code="gwangmyeong_social_economy",
        kind="share",
        share_percent="5.5",
        denominator=10_000_000,
        denominator_label="공사 제외 총구매액",
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["target_amount"] == 550_000
    replaced = put_target(
        client,
        iid,
        admin,
        fiscal_year=YEAR,
        category_code="gwangmyeong_social_economy",
        kind="amount",
        amount=1_000_000,
    )
    assert replaced.status_code == 200
    dept = put_target(
        client,
        iid,
        admin,
        fiscal_year=YEAR,
        category_code="gwangmyeong_social_economy",
        kind="amount",
        amount=100_000,
        department="복지정책과",
    )
    assert dept.status_code == 201
    body = report(client, iid, admin)
    local = next(c for c in body["categories"] if c["code"] == "gwangmyeong_social_economy")
    assert local["target"] == 1_000_000
    assert local["rate_percent"] == round(local["counted"] * 100 / 1_000_000, 2)
    assert local["expected_to_date"] is not None and local["forecast"] >= local["counted"]
    assert local["ahead_by"] == local["counted"] - local["expected_to_date"]
    welfare = next(d for d in body["departments"] if d["department"] == "복지정책과")
    welfare_local = next(
        c for c in welfare["categories"] if c["code"] == "gwangmyeong_social_economy"
    )
    assert welfare_local["target"] == 100_000
    assert welfare_local["rate_percent"] == 77.07
    listed = client.get(
        f"/v1/institutions/{iid}/performance/targets",
        query_string={"fiscal_year": YEAR},
        headers=admin,
    ).get_json()["items"]
    assert len(listed) == 2


def test_who_sees_which_figures(orders_app, year, token):
    client, iid = orders_app.test_client(), year["institution"]["id"]
    mine = report(client, iid, year["welfare"])
    assert mine["department"] == "복지정책과"
    assert {d["department"] for d in mine["departments"]} == {"복지정책과"}
    other = client.get(
        f"/v1/institutions/{iid}/performance",
        query_string={"fiscal_year": YEAR, "department": "총무과"},
        headers=year["welfare"],
    )
    assert other.status_code == 403 and other.get_json()["code"] == "department_not_allowed"
    lines = client.get(
        f"/v1/institutions/{iid}/performance/lines",
        query_string={"fiscal_year": YEAR, "department": "총무과"},
        headers=year["welfare"],
    )
    assert lines.status_code == 403
    stranger = client.get(
        f"/v1/institutions/{iid}/performance",
        query_string={"fiscal_year": YEAR},
        headers=token("institution_admin", "01ANOTHERINSTITUTION000000"),
    )
    assert stranger.status_code == 404
    enterprise = client.get(
        f"/v1/institutions/{iid}/performance",
        query_string={"fiscal_year": YEAR},
        headers=token("enterprise", year["made"]["sun"]["enterprise"]["id"]),
    )
    assert enterprise.status_code == 403
    client.patch(
        f"/v1/institutions/{iid}/performance/settings",
        json={"buyers_see_institution": True},
        headers=token("institution_admin", iid),
    )
    allowed = report(client, iid, year["welfare"], department="총무과")
    assert allowed["department"] == "총무과"
    buyer_edit = put_target(
        client,
        iid,
        year["welfare"],
        fiscal_year=YEAR,
        category_code="self_reliance_products",
        kind="amount",
        amount=1,
    )
    assert buyer_edit.status_code == 403


def test_categories_are_recorded_per_line_when_the_order_is_placed(orders_app, year, token):
    """No report has run: placement itself recorded every line's categories (the rules as
    written out above), and each supplier order's union of them."""
    client, iid = orders_app.test_client(), year["institution"]["id"]
    placed = supplier_orders(client, token("institution_admin", iid))
    assert len(placed) == 7
    with orders_app.extensions["orders"].db.reading() as session:
        per_line = session.execute(
            select(
                SupplierOrderLine.supplier_order_id,
                SupplierOrderLine.line_no,
                SupplierOrderLineCategory.category_code,
            ).join(
                SupplierOrderLineCategory,
                SupplierOrderLineCategory.supplier_order_line_id == SupplierOrderLine.id,
            )
        ).all()
        per_order = session.execute(
            select(SupplierOrderCategory.supplier_order_id, SupplierOrderCategory.category_code)
        ).all()
    recorded_lines: dict[tuple[str, int], set[str]] = {}
    for so_id, line_no, code in per_line:
        recorded_lines.setdefault((so_id, line_no), set()).add(code)
    assert recorded_lines == {
        (so["id"], line["line_no"]): expected_categories(line)
        for so in placed
        for line in so["lines"]
    }
    assert sorted(per_order) == sorted(
        (so["id"], code)
        for so in placed
        for code in set().union(*(expected_categories(line) for line in so["lines"]))
    )
