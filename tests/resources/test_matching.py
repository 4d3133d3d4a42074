"""Matching: the Hungarian answer is optimal, greedy never beats it, and nothing that cannot
be served is dropped silently."""

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from apps.resources.matching import (
    ALL_SUITABLE_BUSY,
    ASSIGNED_ELSEWHERE,
    NO_SUITABLE_RESOURCE,
    Demand,
    Supply,
    cost_matrix,
    solve,
)

START = datetime(2027, 5, 3, 8, tzinfo=UTC)
KINDS = ["person", "equipment"]


def random_case(rng: random.Random):
    demands = [
        Demand(
            key=f"d{i}",
            kind=rng.choice([*KINDS, None]),
            skills=frozenset(rng.sample(range(4), rng.randint(0, 2))),
            starts_at=START,
            ends_at=START + timedelta(hours=rng.randint(1, 8)),
        )
        for i in range(rng.randint(1, 5))
    ]
    supplies = [
        Supply(
            id=100 + i,
            kind=rng.choice(KINDS),
            hourly_cost=rng.choice([10.0, 25.0, 40.0, 55.5]),
            skills=frozenset(rng.sample(range(4), rng.randint(0, 3))),
        )
        for i in range(rng.randint(1, 5))
    ]
    busy = {
        (row, supply.id) for row in range(len(demands)) for supply in supplies if rng.random() < 0.2
    }
    return demands, supplies, busy


def brute_force_optimum(demands, supplies, busy, surcharge):
    """(most demands served, least cost) by trying every one-to-one assignment."""
    cost, _suitable, feasible = cost_matrix(demands, supplies, busy, surplus_skill_hourly=surcharge)
    best = (0, 0.0)
    columns = [None, *range(len(supplies))]
    for choice in itertools.product(columns, repeat=len(demands)):
        used = [c for c in choice if c is not None]
        if len(used) != len(set(used)):
            continue
        if any(c is not None and not feasible[r, c] for r, c in enumerate(choice)):
            continue
        served = len(used)
        total = sum(cost[r, c] for r, c in enumerate(choice) if c is not None)
        if served > best[0] or (served == best[0] and total < best[1]):
            best = (served, total)
    return best


@pytest.mark.parametrize("seed", range(150))
def test_hungarian_equals_brute_force_and_greedy_is_never_better(seed):
    demands, supplies, busy = random_case(random.Random(seed))
    optimal = solve(demands, supplies, busy, strategy="hungarian", surplus_skill_hourly=5)
    greedy = solve(demands, supplies, busy, strategy="greedy", surplus_skill_hourly=5)
    served, cost = brute_force_optimum(demands, supplies, busy, 5)
    assert len(optimal.pairs) == served
    assert optimal.total_cost == pytest.approx(cost)
    assert len(greedy.pairs) < served or (
        len(greedy.pairs) == served and greedy.total_cost >= cost - 1e-9
    )
    for result in (optimal, greedy):
        # Every demand is either assigned or reported, each resource used at most once.
        rows = [row for row, _r, _c in result.pairs] + [row for row, _why in result.unassigned]
        assert sorted(rows) == list(range(len(demands)))
        resources = [resource for _row, resource, _c in result.pairs]
        assert len(resources) == len(set(resources))
        assert all((row, resource) not in busy for row, resource, _c in result.pairs)


def test_greedy_can_cost_more_than_the_optimum():
    # A short job takes the cheap resource first, leaving the long job the dear one.
    demands = [
        Demand("short", None, frozenset(), START, START + timedelta(hours=1)),
        Demand("long", None, frozenset(), START, START + timedelta(hours=100)),
    ]
    supplies = [Supply(1, "person", 1, frozenset()), Supply(2, "person", 2, frozenset())]
    greedy = solve(demands, supplies, set(), strategy="greedy")
    optimal = solve(demands, supplies, set(), strategy="hungarian")
    assert optimal.total_cost == 2 + 100
    assert greedy.total_cost == 1 + 200


def test_cost_combines_hours_hourly_cost_and_surplus_skills():
    demand = Demand("d", None, frozenset({1}), START, START + timedelta(hours=2))
    specialist = Supply(1, "person", 30, frozenset({1, 2, 3}))
    cost, _suitable, _feasible = cost_matrix([demand], [specialist], set(), surplus_skill_hourly=5)
    assert cost[0, 0] == 2 * (30 + 2 * 5)


def test_unserved_demands_say_why():
    demands = [
        Demand("crane", "vehicle", frozenset(), START, START + timedelta(hours=1)),
        Demand("busy", "person", frozenset(), START, START + timedelta(hours=1)),
        Demand("first", "equipment", frozenset(), START, START + timedelta(hours=1)),
        Demand("second", "equipment", frozenset(), START, START + timedelta(hours=1)),
    ]
    supplies = [Supply(1, "person", 10, frozenset()), Supply(2, "equipment", 10, frozenset())]
    result = solve(demands, supplies, {(1, 1)})
    assert [row for row, _r, _c in result.pairs] in ([2], [3])
    reasons = dict(result.unassigned)
    assert reasons[0] == NO_SUITABLE_RESOURCE
    assert reasons[1] == ALL_SUITABLE_BUSY
    assert ASSIGNED_ELSEWHERE in reasons.values()
