"""The brand-listing state machine and decision rule (catalog/domain/listing.py)."""

import itertools

import pytest

from catalog.domain.brand import LISTING_STATUSES
from catalog.domain.listing import (
    ACTIONS,
    ALLOWED,
    TransitionRefused,
    next_state,
    score_errors,
    tally,
)

EXPECTED = {
    ("draft", "submitted"),
    ("submitted", "in_review"),
    ("in_review", "approved"),
    ("in_review", "rejected"),
    ("approved", "suspended"),
    ("suspended", "approved"),
    ("approved", "expired"),
    ("draft", "withdrawn"),
    ("submitted", "withdrawn"),
    ("in_review", "withdrawn"),
}


def test_allowed_pairs_are_exactly_the_workflow():
    assert set(ALLOWED) == EXPECTED


@pytest.mark.parametrize(
    ("current", "action"), list(itertools.product(LISTING_STATUSES, sorted(ACTIONS)))
)
def test_every_action_from_every_state(current, action):
    sources, target = ACTIONS[action]
    if current in sources:
        assert next_state(current, action) == target
        assert (current, target) in EXPECTED
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_state(current, action)
        assert refused.value.current == current


def test_unknown_state_or_action_refused():
    with pytest.raises(TransitionRefused):
        next_state("archived", "submit")
    with pytest.raises(TransitionRefused):
        next_state("draft", "publish")


@pytest.mark.parametrize(
    ("choices", "quorum", "outcome"),
    [
        ([], 3, None),
        (["approve", "approve"], 3, None),
        (["approve", "approve", "reject"], 3, "approve"),
        (["reject", "reject", "approve"], 3, "reject"),
        (["approve", "reject", "abstain"], 3, None),  # tie: wait or the chair decides
        (["abstain", "abstain", "abstain"], 3, None),
        (["approve", "abstain", "abstain"], 3, "approve"),
        (["approve"], 1, "approve"),
        (["approve", "approve", "reject", "reject"], 3, None),
    ],
)
def test_tally(choices, quorum, outcome):
    assert tally(choices, quorum) == outcome


def test_score_errors():
    assert score_errors({"quality": 5, "locality": 1}, ["quality", "locality"]) == {}
    errors = score_errors({"quality": 6, "taste": 3, "locality": True}, ["quality", "locality"])
    assert set(errors) == {"quality", "taste", "locality"}
    assert set(score_errors({}, ["quality"])) == {"quality"}
