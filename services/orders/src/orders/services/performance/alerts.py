"""Use case (daily): tell institution admins, through notify, when the institution or a
department falls behind the straight line to its target by its margin (once a month at most
per target), and a month before a category's statutory package is due (once a year).
Only events: notify decides who reads them and how."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from gachi_kit.auth import Principal
from gachi_kit.dates import today_kst
from gachi_kit.db import insert_or_ignore
from gachi_kit.events import stable_id
from orders.adapters.models import Institution
from orders.adapters.performance_models import PerformanceAlert, PerformanceTarget
from orders.services.performance.categories import all_categories
from orders.services.performance.classification import classify_pending
from orders.services.performance.report import build_report
from orders.wiring import OrdersWiring

SYSTEM = Principal(sub="system", role="admin")
REMINDER_DAYS = 30


def run_daily(wiring: OrdersWiring, today: date | None = None) -> dict[str, int]:
    today = today or today_kst()
    with wiring.db.transaction() as session:  # a safety net: placement records them
        classify_pending(session)
    return {"behind_pace": behind_pace(wiring, today), "package_due": package_due(wiring, today)}


def behind_pace(wiring: OrdersWiring, today: date) -> int:
    with wiring.db.reading() as session:
        institutions = sorted(
            set(
                session.scalars(
                    select(PerformanceTarget.institution_id).where(
                        PerformanceTarget.fiscal_year == today.year
                    )
                )
            )
        )
    raised = 0
    for institution_id in institutions:
        report = build_report(wiring, SYSTEM, institution_id, {"fiscal_year": today.year})
        margin = report["settings"]["alert_margin_percent"]
        behind = [
            (c["code"], None, c)
            for c in report["categories"]
            if (c["behind_percent"] or 0) >= margin
        ] + [
            (c["code"], d["department"], c)
            for d in report["departments"]
            for c in d["categories"]
            if (c["behind_percent"] or 0) >= margin
        ]
        for code, department, figures in behind:
            subject = code if department is None else f"{code}/{department}"
            data = {
                "institution_id": institution_id,
                "institution_name": report["institution"]["name"],
                "fiscal_year": today.year,
                "category": code,
                "department": department,
                "target": figures["target"],
                "achieved": figures["counted"],
                "expected_to_date": figures["expected_to_date"],
                "behind_percent": figures["behind_percent"],
                "margin_percent": margin,
            }
            raised += _raise_once(wiring, institution_id, "behind_pace", subject, today, data)
    return raised


def package_due(wiring: OrdersWiring, today: date) -> int:
    """A month ahead of each category's due date: the package (plan, last year's results,
    the ratio) of every active institution is ready to export."""
    with wiring.db.reading() as session:
        categories = all_categories(session)
        institutions = list(
            session.execute(
                select(Institution.id, Institution.name).where(Institution.status == "active")
            )
        )
    raised = 0
    for category in categories:
        due = category.due_date(today.year)
        if due is None or not due - timedelta(days=REMINDER_DAYS) <= today <= due:
            continue
        for institution_id, name in institutions:
            data = {
                "institution_id": institution_id,
                "institution_name": name,
                "category": category.code,
                "category_name": category.name,
                "receiving_body": category.receiving_body,
                "due_on": due.isoformat(),
                "results_year": today.year - 1,
            }
            raised += _raise_once(wiring, institution_id, "package_due", category.code, today, data)
    return raised


def _raise_once(wiring, institution_id, kind, subject, today: date, data: dict) -> int:
    """Record the alert for this month (year for reminders) and its event, unless done."""
    period = f"{today.year}" if kind == "package_due" else f"{today:%Y-%m}"
    with wiring.db.transaction() as session:
        before = session.scalar(
            select(PerformanceAlert.id).where(
                PerformanceAlert.institution_id == institution_id,
                PerformanceAlert.kind == kind,
                PerformanceAlert.subject == subject,
                PerformanceAlert.fiscal_year == today.year,
                PerformanceAlert.period == period,
            )
        )
        if before is not None:
            return 0
        insert_or_ignore(
            session,
            PerformanceAlert,
            {
                "id": _alert_id(institution_id, kind, subject, period),
                "institution_id": institution_id,
                "kind": kind,
                "subject": subject,
                "fiscal_year": today.year,
                "period": period,
            },
        )
        wiring.outbox.record(session, f"performance.{kind}", data, aggregate_id=institution_id)
    return 1


def _alert_id(*parts: str) -> str:
    return stable_id("performance-alert:" + ":".join(parts))
