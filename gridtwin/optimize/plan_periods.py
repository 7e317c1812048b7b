"""Each period of a solved plan as a single study reports it: the capital cost of the
capacity in service is what its vintages pay that year (:mod:`gridtwin.optimize.plan`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from gridtwin.optimize.plan import (
    Investment,
    PlanProblem,
    PlanSolution,
    capacity_in_service,
    existing_capacity,
)
from gridtwin.optimize.plan_build import STORAGE_COSTS
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.solution import Solution


def payments(plan: PlanProblem, solution: PlanSolution, inv: Investment) -> np.ndarray:
    """Annual capital cost of an investment's vintages in service in each period
    [currency a-1], shape (n_periods,): ``sum_b active[b, p] x capital_cost_b x built_b``.

    ``sum_p weights_p x payments_p`` over the investments is the plan's capital cost (the
    vintage costs of the objective), so each period can be reported as a single study
    paying ``payments_p`` a year (:func:`period_results`).
    """
    paid = np.asarray(inv.capital_cost, dtype=float) * solution.built[inv.key]
    return np.asarray(paid @ plan.active(inv.lifetime), dtype=float)


def charged_capacity(plan: PlanProblem, solution: PlanSolution, inv: Investment) -> np.ndarray:
    """The capacity a single study charges its capital cost on, per period [MW, MWh, MVA]:
    the whole capacity of a generator or storage, the upgrade of a corridor (its existing
    rating is free; :class:`gridtwin.optimize.solution.Solution`)."""
    in_service = capacity_in_service(plan, solution, inv)
    if inv.kind != "s_nom":
        return in_service
    existing = np.array([existing_capacity(b, inv) for b in plan.blocks])
    return np.asarray(in_service - existing, dtype=float)


def period_results(
    plan: PlanProblem, solution: PlanSolution
) -> list[tuple[SystemProblem, Solution]]:
    """Each period as a single study reports it: the block with the capital costs of the
    capacity in service, and its solution with those costs in the objective.

    The capital cost of an investment in period ``p`` becomes ``payments_p / charged_p``
    (:func:`charged_capacity`), so a single study's cost accounting (capital cost x capacity)
    charges exactly the vintages' annual payments, and the verifier's objective recomputation
    and the result's system cost hold per period.

    Returns
    -------
    list of (SystemProblem, Solution)
        One per period; the solution's ``objective`` is the block's operating cost plus the
        payments, per block horizon [currency].
    """
    per_unit, paid = {}, np.zeros(len(plan.periods))
    for inv in plan.investments:
        pay = payments(plan, solution, inv)
        charged = charged_capacity(plan, solution, inv)
        own = np.asarray(inv.capital_cost, dtype=float)  # nothing charged: the period's cost
        safe = np.where(charged > 1e-9, charged, 1.0)
        per_unit[(inv.asset, inv.kind)] = np.where(charged > 1e-9, pay / safe, own)
        paid += pay
    out = []
    for k, (block, part) in enumerate(zip(plan.blocks, solution.blocks, strict=True)):
        years = block.horizon_years
        costs: dict[tuple[str, str], float] = {
            key: float(v[k]) * years for key, v in per_unit.items()
        }
        priced = _with_capital_costs(block, costs)
        out.append((priced, replace(part, objective=part.objective + paid[k] * years)))
    return out


def _with_capital_costs(block: SystemProblem, costs: dict[tuple[str, str], float]) -> SystemProblem:
    """The block with the given capital costs per (asset, kind) [currency unit-1 horizon-1]."""
    gens = tuple(
        replace(g, capital_cost=costs[(g.name, "p_nom")]) if (g.name, "p_nom") in costs else g
        for g in block.generators
    )
    stores = []
    for s in block.storage:
        update: dict[str, Any] = {
            attr: costs[(s.name, kind)]
            for kind, attr in STORAGE_COSTS.items()
            if (s.name, kind) in costs
        }
        stores.append(replace(s, **update) if update else s)
    block = replace(block, generators=gens, storage=tuple(stores))
    if block.network is None:
        return block
    lin = block.network.linear()
    branches = list(block.network.branches)
    for corridor, members in zip(lin.spec.branches, lin.members, strict=True):
        if (corridor.name, "s_nom") in costs:
            for j in members:
                branches[j] = replace(branches[j], capital_cost=costs[(corridor.name, "s_nom")])
    return replace(block, network=block.network.with_branches(tuple(branches)))


__all__ = ["charged_capacity", "payments", "period_results"]
