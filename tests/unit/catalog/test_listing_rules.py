"""The brand-listing state machine and decision rule (catalog/domain/listing.py)."""

import itertools

import pytest

from catalog.domain.brand import LISTING_STATUSES
from catalog.domain.listing import (
    ACTIONS,
    ALLOWED,
    REREVIEW_ACTIONS,
    TransitionRefused,
    next_rereview_state,
    next_state,
    price_is_material,
    rereview_outcome,
    review_stage,
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
    # a closed application is drafted again
    ("rejected", "draft"),
    ("withdrawn", "draft"),
    ("expired", "draft"),
    # an admin records an offline decision over anything but a suspension
    ("draft", "approved"),
    ("submitted", "approved"),
    ("in_review", "approved"),
    ("approved", "approved"),
    ("rejected", "approved"),
    ("withdrawn", "approved"),
    ("expired", "approved"),
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


# -- re-reviews of an approved listing -------------------------------------------------------

REREVIEW_STATES = (None, "submitted", "in_review")
REREVIEW_EXPECTED = {
    ("open", None): "submitted",
    ("start_review", "submitted"): "in_review",
    ("approve", "in_review"): None,
    ("reject", "in_review"): None,
    ("close", "submitted"): None,
    ("close", "in_review"): None,
}


@pytest.mark.parametrize(
    ("current", "action"), list(itertools.product(REREVIEW_STATES, sorted(REREVIEW_ACTIONS)))
)
def test_every_rereview_action_from_every_state(current, action):
    if (action, current) in REREVIEW_EXPECTED:
        assert next_rereview_state(current, action) == REREVIEW_EXPECTED[(action, current)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_rereview_state(current, action)
        assert refused.value.current == (current or "none")


def test_unknown_rereview_action_refused():
    with pytest.raises(TransitionRefused):
        next_rereview_state(None, "expire")


@pytest.mark.parametrize(
    ("status", "rereview", "stage"),
    [
        ("submitted", None, "submitted"),
        ("in_review", None, "in_review"),
        ("approved", None, None),
        ("approved", "submitted", "submitted"),
        ("approved", "in_review", "in_review"),
        ("suspended", None, None),
        ("draft", None, None),
        ("rejected", None, None),
    ],
)
def test_review_stage(status, rereview, stage):
    assert review_stage(status, rereview) == stage


@pytest.mark.parametrize(
    ("kind", "decision", "has_changes", "outcome"),
    [
        ("renewal", "approve", False, "extend"),
        ("renewal", "approve", True, "extend"),
        ("change", "approve", True, "keep"),
        ("renewal", "reject", False, "lapse"),
        ("renewal", "reject", True, "suspend"),
        ("change", "reject", True, "suspend"),
    ],
)
def test_rereview_outcome(kind, decision, has_changes, outcome):
    assert rereview_outcome(kind, decision, has_changes) == outcome


@pytest.mark.parametrize(
    ("reviewed", "new", "tolerance", "material"),
    [
        (10_000, 11_000, 10, False),  # exactly at the tolerance
        (10_000, 11_001, 10, True),
        (10_000, 8_999, 10, True),  # down counts as well
        (10_000, 9_000, 10, False),
        (10_000, 10_001, 0, True),  # no tolerance: every change
        (0, 0, 10, False),
        (0, 100, 10, True),
    ],
)
def test_price_is_material(reviewed, new, tolerance, material):
    assert price_is_material(reviewed, new, tolerance) is material
