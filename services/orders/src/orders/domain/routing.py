"""Routing: which enterprises supply a product-group line, and how much each.

Eligible: approved brand listing (when the order names a brand), certification valid on the
delivery date, capacity left in the delivery week, a lead time that meets `needed_by`, and
not an enterprise that already declined or let this line expire. Among the eligible, the
brand's policy ranks them; a line larger than one enterprise's capacity is split across
several. Every candidate comes back with its reasons, so a decision can be explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from orders.domain.pricing import Snapshot
from orders.domain.rules import lead_time_met

POLICIES = ("local_first", "fair_share", "lowest_price", "fastest")

REASONS = {
    "not_listed": "브랜드 승인(리스팅)이 없거나 만료되었습니다",
    "not_certified": "납품일에 유효한 인증이 없습니다",
    "lead_time": "납품 요청일까지 제작 기간이 부족합니다",
    "no_capacity": "해당 주의 공급 가능 수량이 남아 있지 않습니다",
    "below_minimum": "남은 수량이 최소 주문 수량보다 적습니다",
    "excluded": "이 품목을 이미 거절했거나 기한 내 응답하지 않았습니다",
    "not_needed": "앞 순위 기업으로 수량이 모두 배정되었습니다",
}
# Why a chosen supplier was chosen: the brand's policy, with the figure it compared.
POLICY_LABELS = {
    "local_first": "가까운 지역 우선",
    "fair_share": "올해 배정액이 적은 기업 우선",
    "lowest_price": "낮은 단가 우선",
    "fastest": "짧은 제작 기간 우선",
}
_DISTANCE_LABELS = ("납품지와 같은 시군구", "납품지와 같은 시도", "납품지와 다른 지역")


@dataclass(frozen=True, slots=True)
class RoutingContext:
    policy: str
    needed_by: date
    today: date
    brand_code: str | None = None
    delivery_sigungu: str | None = None
    # Left to reserve in the delivery week, per product; a missing product is unlimited.
    capacity_left: dict[str, int] = field(default_factory=dict)
    # KRW already ordered from each enterprise this fiscal year (for fair_share).
    fiscal_year_amounts: dict[str, int] = field(default_factory=dict)
    excluded_enterprises: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Evaluation:
    snapshot: Snapshot
    eligible: bool
    reasons: tuple[str, ...]  # codes from REASONS; empty when eligible
    rank_key: tuple = ()

    @property
    def enterprise_id(self) -> str:
        return self.snapshot.enterprise_id

    @property
    def product_id(self) -> str:
        return self.snapshot.product_id


@dataclass(frozen=True, slots=True)
class Allocation:
    snapshot: Snapshot
    quantity: int
    rank: int


@dataclass(frozen=True, slots=True)
class Route:
    allocations: tuple[Allocation, ...]
    unallocated: int
    evaluations: tuple[Evaluation, ...]  # every candidate, ranked eligible first
    chosen_because: dict[str, dict] = field(default_factory=dict)  # product id → reason

    def explain(self) -> list[dict]:
        chosen = {a.snapshot.product_id: a.quantity for a in self.allocations}
        explained = []
        for position, evaluation in enumerate(self.evaluations, start=1):
            reasons = list(evaluation.reasons)
            if evaluation.eligible and evaluation.product_id not in chosen:
                reasons = ["not_needed"]
            explained_reasons = [{"code": r, "detail": REASONS[r]} for r in reasons]
            if evaluation.product_id in self.chosen_because:
                explained_reasons = [self.chosen_because[evaluation.product_id]]
            explained.append(
                {
                    "rank": position if evaluation.eligible else None,
                    "enterprise_id": evaluation.enterprise_id,
                    "enterprise_name": evaluation.snapshot.enterprise_name,
                    "product_id": evaluation.product_id,
                    "unit_price": evaluation.snapshot.unit_price,
                    "lead_time_days": evaluation.snapshot.lead_time_days,
                    "sigungu_code": evaluation.snapshot.sigungu_code,
                    "eligible": evaluation.eligible,
                    "allocated_quantity": chosen.get(evaluation.product_id, 0),
                    "reasons": explained_reasons,
                }
            )
        return explained


def evaluate(snapshot: Snapshot, ctx: RoutingContext) -> Evaluation:
    reasons = []
    if snapshot.enterprise_id in ctx.excluded_enterprises:
        reasons.append("excluded")
    if ctx.brand_code is not None and not _listed(snapshot, ctx):
        reasons.append("not_listed")
    if not snapshot.certified:
        reasons.append("not_certified")
    if not lead_time_met(snapshot.lead_time_days, ctx.today, ctx.needed_by):
        reasons.append("lead_time")
    if ctx.capacity_left.get(snapshot.product_id, 1) <= 0:
        reasons.append("no_capacity")
    return Evaluation(snapshot, not reasons, tuple(reasons), _rank_key(snapshot, ctx))


def route(candidates: Sequence[Snapshot], quantity: int, ctx: RoutingContext) -> Route:
    if ctx.policy not in POLICIES:
        raise ValueError(f"unknown routing policy {ctx.policy!r}")
    evaluations = [evaluate(c, ctx) for c in candidates]
    ranked = sorted((e for e in evaluations if e.eligible), key=lambda e: e.rank_key)
    refused = [e for e in evaluations if not e.eligible]
    allocations: list[Allocation] = []
    remaining = quantity
    final_evaluations: list[Evaluation] = []
    for evaluation in ranked:
        if remaining == 0:
            final_evaluations.append(evaluation)
            continue
        left = ctx.capacity_left.get(evaluation.product_id)
        take = remaining if left is None else min(remaining, left)
        if take < evaluation.snapshot.min_order_qty:
            final_evaluations.append(
                Evaluation(evaluation.snapshot, False, ("below_minimum",), evaluation.rank_key)
            )
            continue
        allocations.append(Allocation(evaluation.snapshot, take, len(allocations) + 1))
        remaining -= take
        final_evaluations.append(evaluation)
    eligible_first = sorted(final_evaluations, key=lambda e: not e.eligible)
    competitors = [e for e in eligible_first if e.eligible]
    chosen_because = {a.snapshot.product_id: why_chosen(a, competitors, ctx) for a in allocations}
    return Route(tuple(allocations), remaining, tuple(eligible_first + refused), chosen_because)


def why_chosen(allocation: Allocation, competitors: list[Evaluation], ctx: RoutingContext) -> dict:
    """The policy rank of a chosen supplier, with its figure beside the next one's."""
    figures = {e.product_id: _policy_figure(e.snapshot, ctx) for e in competitors}
    own = figures[allocation.snapshot.product_id]
    runner_up = next(
        (
            (e.snapshot.enterprise_name, figures[e.product_id])
            for e in competitors
            if e.rank_key > _rank_key(allocation.snapshot, ctx)
        ),
        None,
    )
    compared = f" (다음 순위 {runner_up[0]}: {runner_up[1]})" if runner_up else " (다른 후보 없음)"
    return {
        "code": f"policy_{ctx.policy}",
        "detail": (
            f"{POLICY_LABELS[ctx.policy]} {allocation.rank}순위: {own}{compared}, "
            f"{allocation.quantity}{allocation.snapshot.unit} 배정"
        ),
        "policy": ctx.policy,
        "policy_rank": allocation.rank,
    }


def _policy_figure(snapshot: Snapshot, ctx: RoutingContext) -> str:
    price = f"단가 {snapshot.unit_price:,}원"
    lead = f"제작 기간 {snapshot.lead_time_days}일"
    if ctx.policy == "local_first":
        place = _DISTANCE_LABELS[_distance(snapshot, ctx.delivery_sigungu)]
        return f"{place}({snapshot.sigungu_code or '지역 미상'}), {price}"
    if ctx.policy == "fair_share":
        amount = ctx.fiscal_year_amounts.get(snapshot.enterprise_id, 0)
        return f"올해 배정액 {amount:,}원, {price}"
    if ctx.policy == "lowest_price":
        return f"{price}, {lead}"
    return f"{lead}, {price}"


def _listed(snapshot: Snapshot, ctx: RoutingContext) -> bool:
    listing = snapshot.listing
    return (
        listing is not None
        and listing.brand_code == ctx.brand_code
        and listing.status == "approved"
        and listing.valid_until is not None
        and listing.valid_until >= ctx.needed_by
    )


def _rank_key(snapshot: Snapshot, ctx: RoutingContext) -> tuple:
    price, lead, tie = snapshot.unit_price, snapshot.lead_time_days, snapshot.product_id
    if ctx.policy == "local_first":
        return (_distance(snapshot, ctx.delivery_sigungu), price, lead, tie)
    if ctx.policy == "fair_share":
        return (ctx.fiscal_year_amounts.get(snapshot.enterprise_id, 0), price, lead, tie)
    if ctx.policy == "lowest_price":
        return (price, lead, tie)
    return (lead, price, tie)  # fastest


def _distance(snapshot: Snapshot, delivery_sigungu: str | None) -> int:
    """0 = same 시군구, 1 = same 시도, 2 = elsewhere (or no delivery region given)."""
    if not delivery_sigungu:
        return 2
    sigungu = snapshot.sigungu_code or ""
    if sigungu == delivery_sigungu:
        return 0
    if sigungu[:2] == delivery_sigungu[:2]:
        return 1
    return 2
