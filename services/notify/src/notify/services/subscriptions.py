"""Use cases of subscriptions: who hears what, where. Callers manage only their own
recipients (admins any); webhook URLs pass the SSRF rules before anything is written."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, invalid, not_found
from gachi_kit.events import new_id, utcnow
from gachi_kit.logging import get_logger
from gachi_kit.paging import keyset_page
from notify.adapters import webhooks
from notify.adapters.models import Subscription
from notify.domain import subscriptions as rules
from notify.domain.catalogue import ENTERPRISE_DEFAULTS
from notify.domain.recipients import Recipient, recipient_of, recipients_of
from notify.services.dispatch import _delivery, dedupe_key, subscriptions_changed
from notify.wiring import Notify

log = get_logger(__name__)
WRITABLE = ("address", "event_types", "active", "digest")


INVALID = "subscription_invalid"


def _recipient_for(actor: Principal, fields: dict) -> tuple[str, str]:
    rtype, rid = fields.get("recipient_type"), fields.get("recipient_id")
    if actor.role == "admin":
        if not rtype or not rid:
            raise invalid(
                "recipient_id",
                "관리자는 수신자(recipient_type, recipient_id)를 정해야 합니다.",
                code=INVALID,
            )
        return rtype, rid
    mine = recipients_of(actor.role, actor.sub, actor.org, actor.dept)
    if rtype is None and rid is None:
        primary = recipient_of(actor.role, actor.org)
        return primary if primary in mine else ("user", actor.sub)
    if rtype == "user" and rid is None:
        rid = actor.sub
    if (rtype, rid) not in recipients_of(actor.role, actor.sub, actor.org, actor.dept):
        raise Problem(
            403, "forbidden_recipient", "권한이 없습니다", "자신의 알림 설정만 바꿀 수 있습니다."
        )
    return rtype, rid


def _check(n: Notify, channel: str, address: str, rtype: str, patterns, digest) -> str:
    address = rules.normalise_address(channel, address)
    errors = {
        **rules.address_errors(channel, address, rtype),
        **rules.event_type_errors(patterns),
        **rules.digest_errors(channel, digest),
    }
    if errors:
        raise invalid(errors=errors, code=INVALID)
    if channel == "webhook":
        # an unsafe URL raises UnsafeURL: 422 on `address` (mapped in create_app)
        webhooks.check(address, n.settings.webhook_allow_loopback)
    return address


def create(n: Notify, actor: Principal, fields: dict) -> tuple[Subscription, str | None]:
    rtype, rid = _recipient_for(actor, fields)
    channel = fields["channel"]
    address = _check(
        n, channel, fields.get("address", ""), rtype, fields["event_types"], fields.get("digest")
    )
    secret = webhooks.new_secret() if channel == "webhook" else None
    with n.db.transaction() as session:
        duplicate = session.scalar(
            select(Subscription.id).where(
                Subscription.recipient_type == rtype,
                Subscription.recipient_id == rid,
                Subscription.channel == channel,
                Subscription.address == address,
            )
        )
        if duplicate:
            raise Problem(
                409,
                "subscription_exists",
                "이미 있는 알림 설정입니다",
                "같은 수신자·채널·주소의 설정이 있습니다. 그 설정을 고쳐 쓰세요.",
                subscription_id=duplicate,
            )
        subscription = Subscription(
            id=new_id(),
            recipient_type=rtype,
            recipient_id=rid,
            channel=channel,
            address=address,
            event_types=list(fields["event_types"]),
            digest=fields.get("digest"),
            active=fields.get("active", True),
            managed=False,
            secret=secret,
            created_by=actor.sub[:64],
        )
        session.add(subscription)
    return subscription, secret


def _owned(session: Session, actor: Principal, subscription_id: str) -> Subscription:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or (
        actor.role != "admin"
        and (subscription.recipient_type, subscription.recipient_id)
        not in recipients_of(actor.role, actor.sub, actor.org, actor.dept)
    ):
        raise not_found("subscription", "알림 설정")
    return subscription


def get(n: Notify, actor: Principal, subscription_id: str) -> Subscription:
    with n.db.reading() as session:
        return _owned(session, actor, subscription_id)


def list_for(n: Notify, actor: Principal, query: dict) -> dict:
    """Newest first: the caller's own recipients' subscriptions (an admin's: all)."""
    stmt = select(Subscription)
    if actor.role != "admin":
        mine = recipients_of(actor.role, actor.sub, actor.org, actor.dept)
        stmt = stmt.where(
            or_(
                *(
                    and_(Subscription.recipient_type == t, Subscription.recipient_id == i)
                    for t, i in mine
                )
            )
        )
    for name in ("recipient_type", "recipient_id", "channel"):
        if query.get(name):
            stmt = stmt.where(getattr(Subscription, name) == query[name])
    with n.db.reading() as session:
        page = keyset_page(session, stmt, query, order_by=(Subscription.id,), descending=True)
    return page.as_dict()


def update(n: Notify, actor: Principal, subscription_id: str, fields: dict) -> Subscription:
    with n.db.transaction() as session:
        subscription = _owned(session, actor, subscription_id)
        address = fields.get("address", subscription.address)
        patterns = fields.get("event_types", subscription.event_types)
        digest = fields.get("digest", subscription.digest)
        address = _check(
            n, subscription.channel, address, subscription.recipient_type, patterns, digest
        )
        subscription.address = address
        subscription.event_types = list(patterns)
        subscription.digest = digest
        if "address" in fields or "event_types" in fields:
            subscription.managed = False  # the owner took it over from the contacts
        if "active" in fields:
            subscription.active = fields["active"]
            if fields["active"]:
                subscription.disabled_reason = None
        subscription.updated_at = utcnow()
    return subscription


def delete(n: Notify, actor: Principal, subscription_id: str) -> None:
    with n.db.transaction() as session:
        session.delete(_owned(session, actor, subscription_id))


def rotate_secret(
    n: Notify, actor: Principal, subscription_id: str, overlap_hours: int | None
) -> tuple[Subscription, str]:
    """A new `whsec_` secret; the old one keeps signing too (two signatures) until the
    overlap ends, so the receiver can switch without losing a message."""
    hours = n.settings.webhook_secret_overlap_hours if overlap_hours is None else overlap_hours
    with n.db.transaction() as session:
        subscription = _owned(session, actor, subscription_id)
        if subscription.channel != "webhook":
            raise Problem(
                409, "not_a_webhook", "웹훅 설정이 아닙니다", "비밀값은 웹훅에만 있습니다."
            )
        secret = webhooks.new_secret()
        now = utcnow()
        subscription.previous_secret = subscription.secret if hours > 0 else None
        subscription.previous_secret_expires_at = now + timedelta(hours=hours) if hours else None
        subscription.secret = secret
        subscription.updated_at = now
    return subscription, secret


TEST_EVENT = "webhook.test"


def send_test_event(n: Notify, actor: Principal, subscription_id: str):
    """One `webhook.test` event to the caller's own webhook, through the normal signed
    delivery (so it is retried and shows in the delivery log like any other). Korean
    sample data, so the receiver can check its decoding too."""
    now = utcnow()
    with n.db.transaction() as session:
        subscription = session.get(Subscription, subscription_id)
        owner = subscription and (subscription.recipient_type, subscription.recipient_id)
        if owner not in recipients_of(actor.role, actor.sub, actor.org, actor.dept):
            raise not_found("subscription", "알림 설정")  # owner only: even admins
        if subscription.channel != "webhook":
            raise Problem(
                409, "not_a_webhook", "웹훅 설정이 아닙니다", "시험 이벤트는 웹훅에만 보냅니다."
            )
        if not subscription.active:
            raise Problem(
                409,
                "subscription_inactive",
                "꺼진 웹훅입니다",
                "웹훅을 켠 뒤에 시험 이벤트를 보내세요.",
            )
        event_id = new_id()
        recipient = Recipient(*owner, template=TEST_EVENT, subject_id=None)
        data = {
            "message": "같이 웹훅 시험 이벤트입니다. 이 알림은 주문과 관계없습니다.",
            "sample": {"기업명": "광명두부마을 협동조합", "품목": "국산콩 두부과자 200g"},
            "subscription_id": subscription.id,
        }
        delivery = _delivery(
            n,
            recipient,
            "webhook",
            subscription.address,
            subscription.id,
            dedupe_key(event_id, recipient, "webhook", subscription.address),
            event_id,
            TEST_EVENT,
            now.isoformat(),
            data,
            {},
        )
        delivery.enqueued_at = now
        session.add(delivery)
    n.enqueue([(delivery.id, delivery.channel, delivery.address)])
    log.info("webhook_test_queued", subscription_id=subscription_id, delivery_id=delivery.id)
    return delivery


# --- from catalog's events ---------------------------------------------------------------


def create_defaults(session: Session, data: dict) -> None:
    """enterprise.registered: in-app inbox, e-mail and (for a mobile number) SMS, made from
    the enterprise's contacts. Once per enterprise: a replayed event changes nothing."""
    enterprise_id = data["enterprise_id"]
    existing = set(
        session.scalars(
            select(Subscription.channel).where(
                Subscription.recipient_type == "enterprise",
                Subscription.recipient_id == enterprise_id,
                Subscription.managed.is_(True),
            )
        )
    )
    wanted = {"inbox": ""}
    if rules.is_email(data.get("email")):
        wanted["email"] = rules.normalise_address("email", data["email"])
    if rules.is_mobile(data.get("phone")):
        wanted["sms"] = rules.phone_digits(data["phone"])
    else:
        log.info("no_sms_default", enterprise_id=enterprise_id, reason="not a mobile number")
    for channel, address in wanted.items():
        if channel in existing:
            continue
        session.add(
            Subscription(
                id=new_id(),
                recipient_type="enterprise",
                recipient_id=enterprise_id,
                channel=channel,
                address=address,
                event_types=list(ENTERPRISE_DEFAULTS[channel]),
                active=True,
                managed=True,
                created_by="notify",
            )
        )
    _written(session)


def follow_contacts(session: Session, data: dict) -> None:
    """enterprise.updated: managed e-mail/SMS subscriptions follow the new contacts."""
    enterprise_id = data["enterprise_id"]
    managed = {
        s.channel: s
        for s in session.scalars(
            select(Subscription).where(
                Subscription.recipient_type == "enterprise",
                Subscription.recipient_id == enterprise_id,
                Subscription.managed.is_(True),
            )
        )
    }
    if "email" in data and rules.is_email(data["email"]):
        _follow(
            session,
            managed,
            enterprise_id,
            "email",
            rules.normalise_address("email", data["email"]),
        )
    if "phone" in data:
        if rules.is_mobile(data["phone"]):
            _follow(session, managed, enterprise_id, "sms", rules.phone_digits(data["phone"]))
        elif "sms" in managed:
            managed["sms"].active = False
            managed["sms"].disabled_reason = "대표 번호가 휴대전화 번호가 아닙니다"
    _written(session)


def _written(session: Session) -> None:
    """Written now, in the event's transaction, so a later event of the same batch reaches
    them: the fan-out reads subscriptions through Core (no autoflush) and keeps what it
    read, which it forgets here."""
    session.flush()
    subscriptions_changed(session)


def _follow(session, managed: dict, enterprise_id: str, channel: str, address: str) -> None:
    subscription = managed.get(channel)
    if subscription is None:
        session.add(
            Subscription(
                id=new_id(),
                recipient_type="enterprise",
                recipient_id=enterprise_id,
                channel=channel,
                address=address,
                event_types=list(ENTERPRISE_DEFAULTS[channel]),
                active=True,
                managed=True,
                created_by="notify",
            )
        )
        return
    subscription.address = address
    subscription.active = True
    subscription.disabled_reason = None
