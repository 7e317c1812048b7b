"""cvxpy backend of a :class:`~gridtwin.optimize.plan.PlanProblem`: every period's block is
the LP of :func:`gridtwin.optimize.cvxpy_backend.build_model`; the vintages tie their
capacities and carry the capital costs (equations in :mod:`gridtwin.optimize.plan`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import cvxpy as cp
import numpy as np

from gridtwin.optimize.cvxpy_backend import Model, build_model, extract_solution, run_model
from gridtwin.optimize.outcome import Attempt
from gridtwin.optimize.plan import Investment, PlanProblem, PlanSolution, existing_capacity


@dataclass
class PlanModel:
    """The blocks' models, the vintage variables and the whole LP.

    Attributes
    ----------
    top : Model
        The whole LP (``top.problem``; objective [currency], the plan's horizon).
    blocks : list of Model
        Each period's model; its constraints are part of ``top``.
    factors : numpy.ndarray
        Weight of each block's objective in ``top`` [a per horizon of the block].
    built : dict of str to cvxpy.Variable
        Capacity built per period per investment key [MW or MWh], shape (n_periods,).
    """

    top: Model
    blocks: list[Model]
    factors: np.ndarray
    built: dict[str, cp.Variable]


def build_plan_model(plan: PlanProblem) -> PlanModel:
    """Translate a plan into one cvxpy LP (no solve)."""
    models = [build_model(b) for b in plan.blocks]
    factors = plan.weights / np.array([b.horizon_years for b in plan.blocks])
    constraints: list[cp.Constraint] = []
    cost: list[cp.Expression] = []
    for factor, m in zip(factors, models, strict=True):
        constraints += m.problem.constraints
        cost.append(factor * m.problem.objective.args[0])
    built = {}
    for inv in plan.investments:
        v = cp.Variable(len(plan.periods), name=f"{inv.key}_built", nonneg=True)
        active = plan.active(inv.lifetime).astype(float)
        for k, (block, m) in enumerate(zip(plan.blocks, models, strict=True)):
            in_service = existing_capacity(block, inv) + active[:, k] @ v
            constraints.append(_capacity(m, inv) == in_service)
        cost.append(plan.vintage_costs(inv) @ v)
        built[inv.key] = v
    top = Model(problem=cp.Problem(cp.Minimize(cp.sum(cp.hstack(cost))), constraints))
    return PlanModel(top, models, factors, built)


def _capacity(m: Model, inv: Investment) -> Any:
    """The block model's capacity variable of an investment."""
    table = {
        "p_nom": m.p_nom,
        "p_nom_discharge": m.p_nom_discharge,
        "e_nom": m.e_nom,
        "s_nom": m.s_nom,
    }
    return table[inv.kind][inv.asset]


def attempt(plan: PlanProblem, solver: str, opts: dict[str, Any]) -> Attempt:
    """Build the plan's LP and run the solver once (``Attempt.model`` is the PlanModel)."""
    pm = build_plan_model(plan)
    run = run_model(pm.top, solver, opts)
    return replace(run, model=pm)


def extract(run: Attempt, plan: PlanProblem) -> PlanSolution:
    """The :class:`PlanSolution` of an optimal run: each block as its own Solution (objective
    and CFE price per year of the block, unweighted) and the vintages."""
    pm: PlanModel = run.model
    blocks = []
    for factor, block, m in zip(pm.factors, plan.blocks, pm.blocks, strict=True):
        m.scale = pm.top.scale * factor  # the block's duals are weighted in the whole LP
        value = float(m.problem.objective.args[0].value)
        blocks.append(extract_solution(m, block, objective=value))
    built = {k: np.maximum(np.asarray(v.value, dtype=float), 0.0) for k, v in pm.built.items()}
    return PlanSolution(blocks=blocks, built=built, objective=pm.top.objective)


__all__ = ["PlanModel", "attempt", "build_plan_model", "extract"]
