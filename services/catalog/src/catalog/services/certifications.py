"""Use case: the daily certification scan.

Emits `enterprise.certification_expiring` (EXPIRY_NOTICE_DAYS ahead) and
`enterprise.certification_expired` through the outbox, each at most once per certification:
the row records when its notice went out (`expiring_notified_at`, `expired_notified_at`) in
the same transaction as the event, so a second scan, a retried task or two beats racing
each other on PostgreSQL (rows are locked, SKIP LOCKED) never announce it twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, or_, select

from catalog.adapters.models import Certification, Enterprise
from catalog.domain.enterprise import EXPIRY_NOTICE_DAYS, CertificationPeriod, expiry_notice
from catalog.services import listings
from catalog.wiring import Catalog
from gachi_kit.dates import today_kst
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger

log = get_logger(__name__)


def scan_certifications(cat: Catalog, today: date | None = None) -> dict[str, int]:
    """Announce what lapses within the notice period or has lapsed; returns the counts."""
    today = today or today_kst()
    horizon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    sent = {"expiring": 0, "expired": 0}
    with cat.db.transaction() as session:
        due = (
            select(Certification)
            .join(Enterprise)
            .where(
                Enterprise.status != "closed",
                or_(
                    and_(
                        Certification.valid_to < today,
                        Certification.expired_notified_at.is_(None),
                    ),
                    and_(
                        Certification.valid_to >= today,
                        Certification.valid_to <= horizon,
                        Certification.expiring_notified_at.is_(None),
                    ),
                ),
            )
            .order_by(Certification.valid_to, Certification.id)
            .with_for_update(of=Certification, skip_locked=True)
        )
        candidates = session.scalars(due).all()
        if not candidates:
            return sent
        enterprise_ids = {c.enterprise_id for c in candidates}
        siblings: dict[str, list[Certification]] = defaultdict(list)
        for c in session.scalars(
            select(Certification).where(Certification.enterprise_id.in_(enterprise_ids))
        ):
            siblings[c.enterprise_id].append(c)
        names = dict(
            session.execute(
                select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(enterprise_ids))
            ).all()
        )
        now = utcnow()
        for cert in candidates:
            others = [_period(o) for o in siblings[cert.enterprise_id] if o.id != cert.id]
            notice = expiry_notice(
                _period(cert),
                others,
                today,
                expiring_sent=cert.expiring_notified_at is not None,
                expired_sent=cert.expired_notified_at is not None,
            )
            if notice is None:
                continue
            data = {
                "enterprise_id": cert.enterprise_id,
                "enterprise_name": names[cert.enterprise_id],
                "certification_id": cert.id,
                "kind": cert.kind,
                "number": cert.number,
                "issuer": cert.issuer,
                "valid_from": cert.valid_from.isoformat(),
                "valid_to": cert.valid_to.isoformat(),
            }
            if notice == "expiring":
                cert.expiring_notified_at = now
                data["days_left"] = (cert.valid_to - today).days
            else:
                cert.expired_notified_at = now
                # Lapsed before any scan saw it expiring: that notice is moot now.
                cert.expiring_notified_at = cert.expiring_notified_at or now
                data["expired_on"] = (cert.valid_to + timedelta(days=1)).isoformat()
                # No certification covers the enterprise any more: its approvals stop.
                listings.suspend_for_lapsed_certification(cat, session, cert.enterprise_id)
            cat.outbox.record(
                session,
                f"enterprise.certification_{notice}",
                data,
                aggregate_id=cert.enterprise_id,
            )
            sent[notice] += 1
    log.info("certification_scan", today=today.isoformat(), **sent)
    return sent


def _period(c: Certification) -> CertificationPeriod:
    return CertificationPeriod(c.kind, c.number, c.valid_from, c.valid_to)
