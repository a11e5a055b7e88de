"""Use case: 부서별 구매실적 — departments ranked by achieved amount and by rate against their
own targets, month by month, readable without sign-in once the institution publishes it."""

from __future__ import annotations

from gachi_kit.auth import Principal
from gachi_kit.errors import not_found
from orders.services.performance.report import build_report

SYSTEM = Principal(sub="system", role="admin")


def public_ranking(wiring, institution_id: str, fiscal_year: int) -> dict:
    report = build_report(wiring, SYSTEM, institution_id, {"fiscal_year": fiscal_year})
    if not report["settings"]["publish_ranking"]:
        raise not_found("institution", "기관")  # unpublished: as if there were nothing
    return rank(report)


def rank(report: dict) -> dict:
    """Departments by counted amount (ties by name), with each one's best rate against a
    department target, and the cumulative amount at the end of each month."""
    rows = []
    for department in report["departments"]:
        if department["department"] is None:
            continue
        rates = [
            c["rate_percent"] for c in department["categories"] if c["rate_percent"] is not None
        ]
        rows.append(
            {
                "department": department["department"],
                "counted": department["counted"],
                "count": department["count"],
                "rate_percent": max(rates) if rates else None,
                "targets": [
                    {
                        "category": c["code"],
                        "target": c["target"],
                        "rate_percent": c["rate_percent"],
                    }
                    for c in department["categories"]
                    if c["target"]
                ],
            }
        )
    rows.sort(key=lambda r: (-r["counted"], r["department"]))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    by_rate = sorted(
        (r for r in rows if r["rate_percent"] is not None),
        key=lambda r: (-r["rate_percent"], r["department"]),
    )
    return {
        "institution": report["institution"],
        "fiscal_year": report["fiscal_year"],
        "as_of": report["as_of"],
        "settings": {k: report["settings"][k] for k in ("basis_label", "amount_label")},
        "by_amount": rows,
        "by_rate": [
            {"department": r["department"], "rate_percent": r["rate_percent"]} for r in by_rate
        ],
        "months": monthly(report),
    }


def monthly(report: dict) -> list[dict]:
    """For each month: departments ranked by what they had achieved by its end."""
    named = [d for d in report["departments"] if d["department"] is not None]
    months = []
    for month in range(1, 13):
        standing = sorted(
            ((d["department"], sum(d["months"][:month])) for d in named),
            key=lambda pair: (-pair[1], pair[0]),
        )
        months.append(
            {
                "month": month,
                "ranking": [
                    {"rank": i, "department": name, "cumulative": amount}
                    for i, (name, amount) in enumerate(standing, start=1)
                ],
            }
        )
    return months
