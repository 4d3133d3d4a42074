"""Assigning resources to demands at the least cost.

Each demand wants one resource of a kind, with some skills, over a window; each resource
serves at most one demand of a request. A pair is feasible when the resource is of that
kind, has every skill asked for, and is not booked in the window. Its cost is the hours
times the hourly cost plus a surcharge for every skill the resource has beyond the demand
(so specialists stay free for work that needs them).

The objective is lexicographic: assign as many demands as possible, then at the least
total cost. `hungarian` reaches it exactly (scipy's linear_sum_assignment, with infeasible
pairs priced above any feasible assignment); `greedy` serves the most constrained demands
first with their cheapest free resource, and is never better.
"""

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from scipy.optimize import linear_sum_assignment

from apps.resources.choices import MatchStrategy

NO_SUITABLE_RESOURCE = "no_suitable_resource"
ALL_SUITABLE_BUSY = "all_suitable_resources_busy"
ASSIGNED_ELSEWHERE = "suitable_resources_assigned_to_other_demands"


@dataclass(frozen=True)
class Demand:
    key: str
    kind: str | None
    skills: frozenset[int]
    starts_at: datetime
    ends_at: datetime

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


@dataclass(frozen=True)
class Supply:
    id: int
    kind: str
    hourly_cost: float
    skills: frozenset[int]


@dataclass
class Assignment:
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # demand, resource, cost
    unassigned: list[tuple[int, str]] = field(default_factory=list)  # demand, reason

    @property
    def total_cost(self) -> float:
        return sum(cost for _demand, _resource, cost in self.pairs)


def cost_matrix(
    demands: list[Demand],
    supplies: list[Supply],
    busy: set[tuple[int, int]],
    *,
    surplus_skill_hourly: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cost, suitable, feasible) matrices, demands by supplies: suitable ignores bookings,
    feasible also needs the resource free in the demand's window. Built with array
    operations, never pair by pair."""
    skill_ids = sorted(
        {s for d in demands for s in d.skills} | {s for r in supplies for s in r.skills}
    )
    column = {skill: index for index, skill in enumerate(skill_ids)}
    wants = np.zeros((len(demands), len(skill_ids)), dtype=np.float64)
    has = np.zeros((len(supplies), len(skill_ids)), dtype=np.float64)
    for row, demand in enumerate(demands):
        wants[row, [column[s] for s in demand.skills]] = 1
    for row, supply in enumerate(supplies):
        has[row, [column[s] for s in supply.skills]] = 1
    covered = wants @ has.T  # skills of the demand that the resource has
    suitable = covered == wants.sum(axis=1, keepdims=True)
    demand_kinds = np.array([d.kind or "" for d in demands], dtype=object)
    supply_kinds = np.array([r.kind for r in supplies], dtype=object)
    suitable &= (demand_kinds[:, None] == "") | (demand_kinds[:, None] == supply_kinds[None, :])
    feasible = suitable.copy()
    supply_index = {supply.id: index for index, supply in enumerate(supplies)}
    for demand_row, resource_id in busy:
        feasible[demand_row, supply_index[resource_id]] = False
    surplus = has.sum(axis=1)[None, :] - covered
    hours = np.array([d.hours for d in demands])[:, None]
    hourly = np.array([r.hourly_cost for r in supplies])[None, :]
    cost = hours * (hourly + surplus * surplus_skill_hourly)
    return cost, suitable, feasible


def solve(
    demands: list[Demand],
    supplies: list[Supply],
    busy: set[tuple[int, int]],
    *,
    strategy: str = MatchStrategy.HUNGARIAN,
    surplus_skill_hourly: float = 0.0,
) -> Assignment:
    """Assign supplies (by id) to demands (by index); see the module for the objective.
    `busy` holds (demand index, resource id) pairs booked in the demand's window."""
    result = Assignment()
    if not demands:
        return result
    if not supplies:
        result.unassigned = [(row, NO_SUITABLE_RESOURCE) for row in range(len(demands))]
        return result
    cost, suitable, feasible = cost_matrix(
        demands, supplies, busy, surplus_skill_hourly=surplus_skill_hourly
    )
    if strategy == MatchStrategy.GREEDY:
        chosen = _greedy(cost, feasible)
    else:
        chosen = _optimal(cost, feasible)
    assigned = set()
    for row, col in sorted(chosen):
        result.pairs.append((row, supplies[col].id, float(cost[row, col])))
        assigned.add(row)
    for row in range(len(demands)):
        if row in assigned:
            continue
        if not suitable[row].any():
            reason = NO_SUITABLE_RESOURCE
        elif not feasible[row].any():
            reason = ALL_SUITABLE_BUSY
        else:
            reason = ASSIGNED_ELSEWHERE
        result.unassigned.append((row, reason))
    return result


def _optimal(cost: np.ndarray, feasible: np.ndarray) -> list[tuple[int, int]]:
    if not feasible.any():
        return []
    # Any infeasible pair costs more than every feasible assignment together, so the
    # optimum uses as few of them as possible (assigning the most demands), then the least
    # cost; the infeasible pairs it still needs to square the matrix are dropped.
    penalty = float(cost[feasible].sum()) + 1.0
    priced = np.where(feasible, cost, penalty)
    rows, cols = linear_sum_assignment(priced)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if feasible[r, c]]


def _greedy(cost: np.ndarray, feasible: np.ndarray) -> list[tuple[int, int]]:
    taken = np.zeros(cost.shape[1], dtype=bool)
    chosen = []
    # The demands with the fewest options first, then the cheapest free resource for each.
    for row in np.argsort(feasible.sum(axis=1), kind="stable"):
        options = np.flatnonzero(feasible[row] & ~taken)
        if options.size:
            col = options[np.argmin(cost[row, options])]
            taken[col] = True
            chosen.append((int(row), int(col)))
    return chosen
