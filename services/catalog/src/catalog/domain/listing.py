"""The brand-listing state machine and the committee's decision rule (plain code)."""

from __future__ import annotations

from collections.abc import Iterable

from catalog.domain.brand import LISTING_STATUSES
from gachi_kit.domain_errors import DomainError

# action -> (states it may start from, state it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft"}), "submitted"),
    "start_review": (frozenset({"submitted"}), "in_review"),
    "approve": (frozenset({"in_review"}), "approved"),
    "reject": (frozenset({"in_review"}), "rejected"),
    "suspend": (frozenset({"approved"}), "suspended"),
    "reinstate": (frozenset({"suspended"}), "approved"),
    "expire": (frozenset({"approved"}), "expired"),
    "withdraw": (frozenset({"draft", "submitted", "in_review"}), "withdrawn"),
    # A closed application may be drafted again (a new review round of the same listing).
    "reapply": (frozenset({"rejected", "withdrawn", "expired"}), "draft"),
    # An admin records a decision the committee took offline (or a term it set offline).
    # A suspended listing is reinstated by the committee, not recorded over.
    "record_offline": (
        frozenset(
            {"draft", "submitted", "in_review", "approved", "rejected", "withdrawn", "expired"}
        ),
        "approved",
    ),
}

# Every allowed (from, to) pair; any other pair is refused.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    (source, target) for sources, target in ACTIONS.values() for source in sources
)

# States in which the enterprise still waits for a decision.
PENDING = frozenset({"submitted", "in_review"})
# States in which the product still applies for the brand (a second application is refused).
ACTIVE = frozenset({"draft", "submitted", "in_review", "approved", "suspended"})
VOTE_CHOICES = ("approve", "reject", "abstain")
SCORE_RANGE = (1, 5)
EXPIRING_NOTICE_DAYS = 30
RENEWAL_OPENS_DAYS = 60

# -- re-reviews of an approved listing --------------------------------------------------------
# An approved listing is reviewed again for its renewal (60 days before the end of its term)
# or after a material edit of its product. It stays approved, and orderable, meanwhile: the
# re-review is a small machine of its own beside the listing's status.
REREVIEW_KINDS = ("renewal", "change")
REREVIEW_ACTIONS: dict[str, tuple[frozenset[str | None], str | None]] = {
    "open": (frozenset({None}), "submitted"),
    "start_review": (frozenset({"submitted"}), "in_review"),
    "approve": (frozenset({"in_review"}), None),
    "reject": (frozenset({"in_review"}), None),
    "close": (frozenset({"submitted", "in_review"}), None),  # the listing left `approved`
}
# Product fields whose edit the committee must see again ("unit": the same price for less is
# a price rise). The price itself counts only beyond the brand's tolerance: price_is_material.
LISTING_MATERIAL_FIELDS = ("name", "description", "unit", "image_urls")


def next_rereview_state(current: str | None, action: str) -> str | None:
    """The re-review state `action` leads to (None: no re-review open), or TransitionRefused."""
    sources, target = REREVIEW_ACTIONS.get(action, (frozenset(), None))
    if current not in sources:
        raise TransitionRefused(current or "none", action)
    return target


def review_stage(status: str, rereview: str | None) -> str | None:
    """Where the listing's open review stands ("submitted" or "in_review"), whichever review
    it is (the application itself or a re-review of an approved listing); None if none."""
    if status in PENDING:
        return status
    if status == "approved":
        return rereview
    return None


def rereview_outcome(kind: str, decision: str, has_changes: bool) -> str:
    """What a decided re-review does to the approved listing.

    "extend": a renewal approved, the term runs on from its current end;
    "keep": changes approved, the term stays;
    "suspend": refused with product changes in it, the changed product loses the brand now;
    "lapse": a renewal refused without changes, the listing expires at the end of its term.
    """
    if decision == "approve":
        return "extend" if kind == "renewal" else "keep"
    return "suspend" if has_changes else "lapse"


def price_is_material(reviewed: int, new: int, tolerance_percent: int) -> bool:
    """A price counts as a material edit when it moved more than the brand's tolerance away
    from the price the committee last reviewed (so many small steps cannot add up unseen)."""
    if reviewed <= 0:
        return new != reviewed
    return abs(new - reviewed) * 100 > tolerance_percent * reviewed


class TransitionRefused(DomainError):
    """`action` is not allowed from the `current` state."""

    def __init__(self, current: str, action: str) -> None:
        super().__init__(f"{action} is not allowed from {current}")
        self.current = current
        self.action = action


def next_state(current: str, action: str) -> str:
    """The state `action` leads to from `current`, or TransitionRefused."""
    if current not in LISTING_STATUSES or action not in ACTIONS:
        raise TransitionRefused(current, action)
    sources, target = ACTIONS[action]
    if current not in sources:
        raise TransitionRefused(current, action)
    return target


def tally(choices: Iterable[str], quorum: int) -> str | None:
    """The committee's outcome so far: "approve", "reject" or None (not decided yet).

    Decided once at least `quorum` votes are cast (abstentions count towards the quorum) and
    approvals and rejections are not tied (simple majority among the non-abstaining votes).
    """
    choices = list(choices)
    if len(choices) < max(quorum, 1):
        return None
    approve, reject = choices.count("approve"), choices.count("reject")
    if approve > reject:
        return "approve"
    if reject > approve:
        return "reject"
    return None


def score_errors(scores: dict, criteria_codes: Iterable[str]) -> dict[str, list[str]]:
    """Why a vote's scores are wrong for the brand's criteria (empty when fine)."""
    codes = set(criteria_codes)
    errors: dict[str, list[str]] = {}
    for code, value in scores.items():
        if code not in codes:
            errors[code] = ["이 브랜드의 심사 기준이 아닙니다."]
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[code] = ["점수는 정수여야 합니다."]
        elif not SCORE_RANGE[0] <= value <= SCORE_RANGE[1]:
            errors[code] = ["점수는 1~5점이어야 합니다."]
    missing = sorted(codes - set(scores))
    for code in missing:
        errors[code] = ["이 기준의 점수가 없습니다."]
    return errors


def waited_hours(seconds: float) -> float:
    return round(max(seconds, 0) / 3600, 1)
