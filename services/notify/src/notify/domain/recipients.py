"""Who hears about an event: one message per supplier order, never per line, and one per
group-order participant, at the contact that participant gave."""

from __future__ import annotations

from dataclasses import dataclass

from notify.domain.catalogue import INBOX_RECIPIENTS, PARTICIPANT, REMINDER, TO_PARTICIPANTS
from notify.domain.subscriptions import is_email, is_mobile, normalise_address


@dataclass(frozen=True, slots=True)
class InboxMessage:
    """One recipient of an event (the name is historical: every channel uses it)."""

    recipient_type: str  # enterprise | institution | department | committee | user | participant
    recipient_id: str
    template: str  # templates/<channel>/<template>.txt
    subject_id: str | None  # the order or supplier order the message is about


Recipient = InboxMessage

TO_ENTERPRISE = frozenset(
    {
        "supplier_order.created",
        REMINDER,
        "supplier_order.cancelled",
        "supplier_order.lines_cancelled",
        "supplier_order.inspected",
        "enterprise.certification_expiring",
        "enterprise.certification_expired",
        "listing.approved",
        "listing.rejected",
        "listing.suspended",
        "listing.expiring",
        "listing.review_started",
        "listing.reinstated",
        "listing.expired",
        "listing.renewal_opened",
        "listing.renewed",
        "listing.renewal_refused",
        "listing.change_flagged",
        "listing.change_approved",
    }
)
# What the brand's committee must act on: a new application, and re-reviews of approved
# listings (a renewal coming up, or material edits of a listed product).
TO_COMMITTEE = frozenset({"listing.submitted", "listing.renewal_opened", "listing.change_flagged"})
TO_BUYERS = frozenset(
    {
        "supplier_order.accepted",
        "supplier_order.partially_accepted",
        "supplier_order.declined",
        "supplier_order.expired",
        "supplier_order.rerouted",
        "supplier_order.shipped",
        "supplier_order.delivered",
    }
)


def recipients(event_type: str, data: dict, known: dict | None = None) -> list[Recipient]:
    """Everyone an event is for. `known` adds what notify learnt from earlier events about
    the same supplier order (department, buyer) when this event does not carry it."""
    known = known or {}
    subject = data.get("supplier_order_id") or data.get("order_id") or data.get("listing_id")
    if event_type.startswith("listing."):
        return _listing_recipients(event_type, data, _short(subject))
    if event_type in TO_ENTERPRISE and data.get("enterprise_id"):
        return [Recipient("enterprise", data["enterprise_id"], event_type, _short(subject))]
    if event_type == "order.placed":
        return _buyers(event_type, data, data, data["order_id"])
    if event_type in TO_BUYERS:
        return _buyers(event_type, data, {**known, **data}, data["supplier_order_id"])
    if event_type in ("order.completed", "order.cancelled", "order.lines_cancelled"):
        return [Recipient("institution", data["institution_id"], event_type, data["order_id"])]
    if event_type.startswith("performance."):
        return [Recipient("institution", data["institution_id"], event_type, data["category"])]
    if event_type in TO_PARTICIPANTS:  # the organiser's side; participants: participants()
        organiser = {**data, "buyer_id": data.get("organiser_id")}
        return _buyers(event_type, data, organiser, _short(data.get("group_order_id")))
    return []


def _listing_recipients(event_type: str, data: dict, subject: str) -> list[Recipient]:
    found = []
    if event_type in TO_ENTERPRISE and data.get("enterprise_id"):
        found.append(Recipient("enterprise", data["enterprise_id"], event_type, subject))
    if event_type in TO_COMMITTEE and data.get("brand_code"):
        found.append(Recipient("committee", data["brand_code"], event_type, subject))
    return found


def _buyers(event_type: str, data: dict, who: dict, subject: str) -> list[Recipient]:
    institution = who.get("institution_id")
    if not institution:
        return []
    found = [Recipient("institution", institution, event_type, subject)]
    if who.get("department"):
        found.append(
            Recipient("department", f"{institution}/{who['department']}", event_type, subject)
        )
    if who.get("buyer_id"):
        found.append(Recipient("user", who["buyer_id"], event_type, subject))
    return found


@dataclass(frozen=True, slots=True)
class Direct:
    """A message to an address the event itself carries: a group-order participant has no
    account and no subscription, only the name and contact given when joining."""

    recipient: Recipient
    channel: str  # sms | email
    address: str
    participant: dict  # the participant as the event describes them (name, quantities, ...)


@dataclass(frozen=True, slots=True)
class Unreachable:
    participant_id: str | None
    contact_kind: str | None
    reason: str


def participants(event_type: str, data: dict) -> tuple[list[Direct], list[Unreachable]]:
    """One message per participant of a settled group order: SMS to a mobile number,
    e-mail to an e-mail address. A landline (or anything else) gets nothing."""
    if event_type not in TO_PARTICIPANTS:
        return [], []
    found: list[Direct] = []
    unreachable: list[Unreachable] = []
    subject = _short(data.get("group_order_id"))
    for person in data.get("participants") or []:
        pid, kind, contact = (
            person.get("participant_id"),
            person.get("contact_kind"),
            person.get("contact"),
        )
        if not pid or len(str(pid)) > 130:
            unreachable.append(Unreachable(None, kind, "no usable participant id"))
            continue
        if kind == "phone" and is_mobile(contact):
            channel = "sms"
        elif kind == "email" and is_email(contact):
            channel = "email"
        elif kind == "phone":
            unreachable.append(Unreachable(pid, kind, "not a mobile number"))
            continue
        else:
            unreachable.append(Unreachable(pid, kind, "no usable contact"))
            continue
        recipient = Recipient(PARTICIPANT, str(pid), f"participant/{event_type}", subject)
        found.append(Direct(recipient, channel, normalise_address(channel, contact), person))
    return found, unreachable


def _short(subject) -> str | None:
    return str(subject)[:26] if subject else None


def inbox_messages(event_type: str, data: dict, known: dict | None = None) -> list[Recipient]:
    """The recipients of an event that have an in-app inbox."""
    return [r for r in recipients(event_type, data, known) if r.recipient_type in INBOX_RECIPIENTS]


def recipient_of(role: str, org: str | None) -> tuple[str, str] | None:
    """The inbox a caller reads, from its token's role and org."""
    if not org:
        return None
    if role == "enterprise":
        return ("enterprise", org)
    if role in ("buyer", "institution_admin"):
        return ("institution", org)
    if role == "committee":
        return ("committee", org)
    return None


def recipients_of(role: str, sub: str, org: str | None, dept: str | None) -> list[tuple[str, str]]:
    """Every recipient a caller may manage subscriptions for and read the delivery log of."""
    own = [("user", sub)]
    if not org:
        return own
    if role == "enterprise":
        own.append(("enterprise", org))
    elif role == "institution_admin":
        own.append(("institution", org))
        if dept:
            own.append(("department", f"{org}/{dept}"))
    elif role == "buyer" and dept:
        own.append(("department", f"{org}/{dept}"))
    elif role == "committee":
        own.append(("committee", org))
    return own
