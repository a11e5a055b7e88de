"""The brand-listing state machine and the committee's decision rule (plain code)."""

from __future__ import annotations

from collections.abc import Iterable

from catalog.domain.brand import LISTING_STATUSES

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
}

# Every allowed (from, to) pair; any other pair is refused.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    (source, target) for sources, target in ACTIONS.values() for source in sources
)

# States in which the enterprise still waits for a decision.
PENDING = frozenset({"submitted", "in_review"})
VOTE_CHOICES = ("approve", "reject", "abstain")
SCORE_RANGE = (1, 5)
EXPIRING_NOTICE_DAYS = 30


class TransitionRefused(Exception):
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


def can_move(source: str, target: str) -> bool:
    return (source, target) in ALLOWED


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
