"""Reading the audit log: newest first, filtered, and as CSV for a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy import select

from gachi_kit.dates import KST
from web.identity.audit import ACTIONS
from web.identity.models import AuditEntry, Person
from web.wiring import Web

COLUMNS = ("시각", "활동", "활동 코드", "계정", "이메일", "한 사람", "주소", "내용")


def entries(
    w: Web,
    *,
    action: str | None = None,
    email: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[dict]:
    with w.db.reading() as session:
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if action:
            query = query.where(AuditEntry.action == action)
        if email:
            query = query.where(AuditEntry.email == email.strip().lower())
        if since:
            query = query.where(AuditEntry.at >= since)
        if until:
            query = query.where(AuditEntry.at < until)
        rows = list(session.scalars(query.limit(limit)))
        ids = {r.person_id for r in rows} | {r.actor_id for r in rows}
        names = dict(
            session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all()
        )
    return [
        {
            "at": row.at.astimezone(KST).strftime("%Y-%m-%d %H:%M:%S"),
            "action": row.action,
            "action_name": ACTIONS[row.action],
            "person": names.get(row.person_id, ""),
            "email": row.email or "",
            "actor": names.get(row.actor_id, ""),
            "address": row.address or "",
            "detail": json.dumps(row.detail, ensure_ascii=False, sort_keys=True)
            if row.detail
            else "",
        }
        for row in rows
    ]


def as_csv(rows: list[dict]) -> str:
    """UTF-8 with a BOM, so that Excel opens the Korean text as Korean."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            _cell(r[key])
            for key in (
                "at",
                "action_name",
                "action",
                "person",
                "email",
                "actor",
                "address",
                "detail",
            )
        )
    return out.getvalue()


def _cell(value: str) -> str:
    """A spreadsheet must not run what someone typed as their name (=HYPERLINK(…))."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
