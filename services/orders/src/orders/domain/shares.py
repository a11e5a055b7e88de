"""Apportioning a whole amount over weights in exact integers (largest remainder).

Used wherever an amount is split between people or parts: the parts are whole KRW, never
negative, always add up to exactly the whole, each is within 1 of its exact share, and the
same input always gives the same parts (ties go to the earlier weight).
"""

from __future__ import annotations

from collections.abc import Sequence


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` (≥ 0) in proportion to `weights` (each ≥ 0).

    Each part starts at the floor of its exact share `total × w / Σw`; the few units left
    over (fewer than the number of weights) go one each to the largest remainders, earlier
    weights first on a tie. A zero weight always gets 0. All weights zero is only allowed
    when there is nothing to split.
    """
    _check_int(total, "total")
    if total < 0:
        raise ValueError("total cannot be negative")
    for weight in weights:
        _check_int(weight, "weight")
        if weight < 0:
            raise ValueError("weights cannot be negative")
    whole = sum(weights)
    if whole == 0:
        if total != 0:
            raise ValueError("cannot apportion a non-zero total over zero weights")
        return [0] * len(weights)
    parts, remainders = [], []
    for weight in weights:
        part, remainder = divmod(total * weight, whole)
        parts.append(part)
        remainders.append(remainder)
    left = total - sum(parts)
    # Largest remainder first; on a tie the earlier index (stable and deterministic).
    for index in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left]:
        parts[index] += 1
    return parts


def _check_int(value: object, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
