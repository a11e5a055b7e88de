"""Use case: an institution's 우선구매 report for a fiscal year — achieved vs target, rate,
pace and forecast; by category, month, department, enterprise type and enterprise. Every
figure is a sum of the facts `figures` reads, so each one can be drilled down to its lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from orders.adapters.performance_models import WHOLE_INSTITUTION
from orders.domain.categories import ENTERPRISE_TYPE_LABELS, Category
from orders.domain.performance import counted_amount, pace, report_as_of
from orders.services.performance import categories as category_rules
from orders.services.performance.figures import (
    OFF_PLATFORM,
    PLATFORM,
    Fact,
    Facts,
    Filters,
    all_facts,
)
from orders.services.performance.settings import Scope, resolve_scope, settings_view
from orders.services.performance.targets import check_fiscal_year, targets_for
from orders.wiring import OrdersWiring


@dataclass
class Sums:
    supply: int = 0
    vat: int = 0
    total: int = 0
    count: int = 0

    def add(self, fact: Fact) -> None:
        self.supply += fact.supply
        self.vat += fact.vat
        self.total += fact.total
        self.count += fact.count

    def view(self, amount_kind: str) -> dict:
        return {
            "supply": self.supply,
            "vat": self.vat,
            "total": self.total,
            "counted": counted_amount(self.supply, self.total, amount_kind),
            "count": self.count,
        }


def grouped(facts: Iterable[Fact], key: Callable[[Fact], object]) -> dict:
    sums: dict = defaultdict(Sums)
    for fact in facts:
        sums[key(fact)].add(fact)
    return sums


def build_report(wiring: OrdersWiring, actor: Principal, institution_id: str, query: dict) -> dict:
    check_fiscal_year(query["fiscal_year"])
    with wiring.db.reading() as session:
        scope = resolve_scope(session, actor, institution_id, query.get("department"))
        filters = Filters(
            fiscal_year=query["fiscal_year"],
            department=scope.department,
            source=query.get("source"),
        )
        facts = all_facts(session, institution_id, scope.settings.basis, filters)
        categories = category_rules.all_categories(session)
        targets = targets_for(session, institution_id, filters.fiscal_year)
    return assemble(scope, filters, facts, categories, targets)


def assemble(
    scope: Scope,
    filters: Filters,
    facts: Facts,
    categories: list[Category],
    targets: dict[tuple[str, str], int],
) -> dict:
    kind = scope.settings.amount_kind
    year = filters.fiscal_year
    as_of = report_as_of(year, today_kst())
    scope_key = scope.department or WHOLE_INSTITUTION

    def with_pace(sums: Sums, target: int | None) -> dict:
        view = sums.view(kind)
        measured = pace(target, view["counted"], year, as_of)
        return view | {
            "target": measured.target,
            "rate_percent": measured.rate_percent,
            "expected_to_date": measured.expected_to_date,
            "ahead_by": measured.ahead_by,
            "behind_percent": measured.behind_percent,
            "forecast": measured.forecast,
        }

    by_time, by_category = facts.by_time, facts.by_category
    per_category = grouped(by_category, lambda f: f.category)
    category_rows = [
        {"code": c.code, "name": c.name, "scope": c.scope}
        | with_pace(per_category[c.code], targets.get((c.code, scope_key)))
        for c in categories
    ]
    total_sums = grouped(by_time, lambda f: "all")["all"]
    by_source = grouped(by_time, lambda f: f.source)

    month_sums = grouped(by_time, lambda f: f.month)
    month_category = grouped(by_category, lambda f: (f.month, f.category))
    months, cumulative = [], 0
    for month in range(1, 13):
        view = month_sums[month].view(kind)
        cumulative += view["counted"]
        months.append(
            {"month": month, **view, "cumulative": cumulative}
            | {
                "categories": {
                    c.code: month_category[(month, c.code)].view(kind)["counted"]
                    for c in categories
                }
            }
        )

    dept_sums = grouped(by_time, lambda f: f.department or "")
    dept_category = grouped(by_category, lambda f: (f.department or "", f.category))
    dept_month = grouped(by_time, lambda f: (f.department or "", f.month))
    departments = [
        {"department": name or None, **sums.view(kind)}
        | {"months": [dept_month[(name, m)].view(kind)["counted"] for m in range(1, 13)]}
        | {
            "categories": [
                {"code": c.code}
                | with_pace(dept_category[(name, c.code)], targets.get((c.code, name)))
                for c in categories
            ]
        }
        for name, sums in sorted(dept_sums.items(), key=lambda kv: -kv[1].total)
    ]

    type_sums = grouped(facts.by_enterprise, lambda f: f.enterprise_type)
    enterprise_types = [
        {"enterprise_type": t, "label": ENTERPRISE_TYPE_LABELS.get(t, t), **sums.view(kind)}
        for t, sums in sorted(type_sums.items(), key=lambda kv: -kv[1].total)
    ]
    enterprise_sums = grouped(
        facts.by_enterprise, lambda f: (f.enterprise_id, f.enterprise_name, f.enterprise_type)
    )
    sources_of = defaultdict(set)
    for fact in facts.by_enterprise:
        sources_of[fact.enterprise_id].add(fact.source)
    enterprises = [
        {
            "enterprise_id": eid,
            "enterprise_name": name,
            "enterprise_type": etype,
            "off_platform": OFF_PLATFORM in sources_of[eid],
            **sums.view(kind),
        }
        for (eid, name, etype), sums in sorted(enterprise_sums.items(), key=lambda kv: -kv[1].total)
    ]
    return {
        "institution": {"id": scope.institution.id, "name": scope.institution.name},
        "fiscal_year": year,
        "as_of": as_of.isoformat(),
        "department": scope.department,
        "source": filters.source,
        "settings": settings_view(scope.settings),
        "totals": total_sums.view(kind)
        | {
            "platform": by_source[PLATFORM].view(kind)["counted"],
            "off_platform": by_source[OFF_PLATFORM].view(kind)["counted"],
        },
        "categories": category_rows,
        "months": months,
        "departments": departments,
        "enterprise_types": enterprise_types,
        "enterprises": enterprises,
    }
