"""Every allowed and every refused supplier-order transition."""

import itertools

import pytest

from orders.domain import states

ALLOWED = {
    ("pending", "accepted"),
    ("pending", "partially_accepted"),
    ("pending", "declined"),
    ("pending", "expired"),
    ("pending", "cancelled"),
    ("accepted", "in_production"),
    ("accepted", "shipped"),
    ("accepted", "cancelled"),
    ("partially_accepted", "in_production"),
    ("partially_accepted", "shipped"),
    ("partially_accepted", "cancelled"),
    ("in_production", "shipped"),
    ("in_production", "cancelled"),
    ("shipped", "delivered"),
    ("delivered", "inspected"),
    ("inspected", "invoiced"),
    ("invoiced", "paid"),
}


@pytest.mark.parametrize("current,target", sorted(ALLOWED))
def test_allowed(current, target):
    assert states.transition(current, target) == target


@pytest.mark.parametrize(
    "current,target",
    sorted(set(itertools.product(states.STATES, states.STATES)) - ALLOWED),
)
def test_refused(current, target):
    with pytest.raises(states.InvalidTransition) as refused:
        states.transition(current, target)
    assert (refused.value.current, refused.value.target) == (current, target)


def test_final_void_and_cancellable_sets():
    assert {"declined", "expired", "cancelled", "paid"} == states.FINAL
    assert {"declined", "expired", "cancelled"} == states.VOID
    assert {"pending", "accepted", "partially_accepted", "in_production"} == states.CANCELLABLE
    assert set(states.LABELS) == states.STATES


@pytest.mark.parametrize(
    "requested,accepted,state",
    [
        ([10, 5], [10, 5], "accepted"),
        ([10, 5], [0, 0], "declined"),
        ([10, 5], [10, 0], "partially_accepted"),
        ([10], [3], "partially_accepted"),
    ],
)
def test_after_acceptance(requested, accepted, state):
    assert states.after_acceptance(requested, accepted) == state


@pytest.mark.parametrize(
    "requested,accepted", [([10], [11]), ([10], [-1]), ([10, 5], [10]), ([], [])]
)
def test_after_acceptance_refuses_impossible_answers(requested, accepted):
    with pytest.raises(ValueError):
        states.after_acceptance(requested, accepted)
