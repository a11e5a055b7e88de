"""What notify can say, to whom, and on which channels: plain data, no I/O."""

from __future__ import annotations

CHANNELS = ("inbox", "email", "sms", "alimtalk", "webhook")
PAID_CHANNELS = ("sms", "alimtalk")  # each message costs money: capped per recipient per day
DIGEST_CHANNELS = ("email",)
DIGESTS = ("hourly", "daily")

# Who can subscribe (and be subscribed for): people and organisations with an account.
SUBSCRIBERS = ("enterprise", "institution", "department", "committee", "user")
# A group-order participant has no account: only the name and contact given when joining.
# Messages reach them at that contact, never through a subscription.
PARTICIPANT = "participant"
RECIPIENT_TYPES = (*SUBSCRIBERS, PARTICIPANT)  # everyone a delivery can be for
INBOX_RECIPIENTS = ("enterprise", "institution", "committee")  # who has an in-app inbox

REMINDER = "supplier_order.reminder"  # made by notify itself, not by another service

# Every event type notify has templates for. Anything else is logged and marked done
# (enterprise.registered/updated only maintain the default subscriptions: no message).
EVENT_TYPES = (
    "enterprise.certification_expiring",
    "enterprise.certification_expired",
    "order.placed",
    "order.completed",
    "order.cancelled",
    "order.lines_cancelled",
    "supplier_order.created",
    REMINDER,
    "supplier_order.accepted",
    "supplier_order.partially_accepted",
    "supplier_order.declined",
    "supplier_order.expired",
    "supplier_order.cancelled",
    "supplier_order.lines_cancelled",
    "supplier_order.rerouted",
    "supplier_order.shipped",
    "supplier_order.delivered",
    "supplier_order.inspected",
    "listing.submitted",
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
    "group_order.closed",
    "group_order.cancelled",
    "group_order.failed",
    # orders' 우선구매 performance: to the institution (its admins read the institution inbox)
    "performance.behind_pace",
    "performance.package_due",
)

# Group-order outcomes each participant hears about, at the contact they gave.
TO_PARTICIPANTS = frozenset({"group_order.closed", "group_order.cancelled", "group_order.failed"})

# The acknowledgement of a supplier order: it ends the wait, and the reminder with it.
ACKNOWLEDGEMENTS = frozenset(
    {
        "supplier_order.accepted",
        "supplier_order.partially_accepted",
        "supplier_order.declined",
        "supplier_order.expired",
        "supplier_order.cancelled",
        "supplier_order.rerouted",
    }
)

# A small enterprise reads its phone first: the reminder goes to the first of these it has.
MOST_DIRECT_FIRST = ("alimtalk", "sms", "email", "webhook")

# Default subscriptions made from an enterprise's contacts when it registers. Paid channels
# carry only what needs an answer soon.
ENTERPRISE_DEFAULTS = {
    "inbox": ["*"],
    "email": ["*"],
    "sms": [
        "supplier_order.created",
        REMINDER,
        "supplier_order.cancelled",
        "supplier_order.lines_cancelled",
    ],
}


def matches(patterns: list[str], event_type: str) -> bool:
    """`*` is every type, `supplier_order.*` a family, anything else an exact type."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def unknown_patterns(patterns: list[str]) -> list[str]:
    """Patterns that match none of the types notify knows (a typo would never fire)."""
    return [p for p in patterns if not any(matches([p], t) for t in EVENT_TYPES)]
