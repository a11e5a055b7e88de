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
from catalog.services import published
from catalog.services.listings.scans import suspend_for_lapsed_certification
from catalog.wiring import Catalog
from gachi_kit.dates import today_kst
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger

log = get_logger(__name__)


def scan_certifications(catalog: Catalog, today: date | None = None) -> dict[str, int]:
    """Announce what lapses within the notice period or has lapsed; returns the counts."""
    today = today or today_kst()
    horizon = today + timedelta(days=EXPIRY_NOTICE_DAYS)
    sent = {"expiring": 0, "expired": 0}
    with catalog.db.transaction() as session:
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
        enterprise_ids = {certification.enterprise_id for certification in candidates}
        siblings: dict[str, list[Certification]] = defaultdict(list)
        for sibling in session.scalars(
            select(Certification).where(Certification.enterprise_id.in_(enterprise_ids))
        ):
            siblings[sibling.enterprise_id].append(sibling)
        names = dict(
            session.execute(
                select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(enterprise_ids))
            ).all()
        )
        now = utcnow()
        for certification in candidates:
            others = [
                _period(other)
                for other in siblings[certification.enterprise_id]
                if other.id != certification.id
            ]
            notice = expiry_notice(
                _period(certification),
                others,
                today,
                expiring_sent=certification.expiring_notified_at is not None,
                expired_sent=certification.expired_notified_at is not None,
            )
            if notice is None:
                continue
            if notice == "expiring":
                certification.expiring_notified_at = now
            else:
                certification.expired_notified_at = now
                # Lapsed before any scan saw it expiring: that notice is moot now.
                certification.expiring_notified_at = certification.expiring_notified_at or now
                # No certification covers the enterprise any more: its approvals stop.
                suspend_for_lapsed_certification(catalog, session, certification.enterprise_id)
            published.certification_notice(
                catalog, session, certification, names[certification.enterprise_id], notice, today
            )
            sent[notice] += 1
    log.info("certification_scan", today=today.isoformat(), **sent)
    return sent


def _period(certification: Certification) -> CertificationPeriod:
    return CertificationPeriod(
        certification.kind,
        certification.number,
        certification.valid_from,
        certification.valid_to,
    )
