"""PyPSA backend of a :class:`~gridtwin.optimize.plan.PlanProblem`: the periods' blocks
joined into one LP (:mod:`gridtwin.optimize.pypsa_join`) with the vintage columns and the rows
that tie each block's capacity to them (equations in :mod:`gridtwin.optimize.plan`).

Why not PyPSA's own multi-investment mode (``multi_investment_periods=True``): it prices and
retires vintages the same way (checked in the tests against a network built with
``build_year`` and ``lifetime``), but its snapshots become a (period, timestep) MultiIndex that
none of gridtwin's rows (CFE, flexibility, site network, budgets) is written for; joining the
blocks keeps one code path for a period and a single study.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pypsa

from gridtwin.optimize import pypsa_join
from gridtwin.optimize.outcome import Attempt
from gridtwin.optimize.plan import Investment, PlanProblem, PlanSolution, existing_capacity
from gridtwin.optimize.pypsa_backend import _extra_functionality


def _capacity_label(n: pypsa.Network, inv: Investment) -> tuple[int, float]:
    """Linopy label of an investment's capacity variable in a block and the factor that turns
    the variable into the capacity (a discharger is rated on its DC input)."""
    m = n.model
    if inv.kind == "s_nom":
        var, name, scale = (
            "Line-s_nom" if inv.asset in n.lines.index else "Transformer-s_nom",
            inv.asset,
            1.0,
        )
    elif inv.kind == "e_nom":
        var, name, scale = "Store-e_nom", inv.asset, 1.0
    elif inv.asset in n.generators.index:
        var, name, scale = "Generator-p_nom", inv.asset, 1.0
    elif inv.kind == "p_nom":
        var, name, scale = "Link-p_nom", f"{inv.asset} charger", 1.0
    else:
        eta = float(n.links.at[f"{inv.asset} discharger", "efficiency"])
        var, name, scale = "Link-p_nom", f"{inv.asset} discharger", eta
    return int(m.variables[var].labels.sel(name=name).item()), scale


def build_plan_model(plan: PlanProblem) -> tuple[pypsa_join.Joined, dict[str, np.ndarray]]:
    """Join the periods' LPs and add the vintages (no solve).

    Returns
    -------
    Joined
        The joined LP.
    built : dict of str to numpy.ndarray
        Column of each vintage per investment key, shape (n_periods,).
    """
    networks = [pypsa_join.block(b, _extra_functionality(b)) for b in plan.blocks]
    factors = plan.weights / np.array([b.horizon_years for b in plan.blocks])
    joined = pypsa_join.Joined.of(networks, factors)
    n_periods = len(plan.periods)
    built: dict[str, np.ndarray] = {}
    for inv in plan.investments:
        cols = joined.add_columns(plan.vintage_costs(inv), np.zeros(n_periods), np.inf)
        built[inv.key] = cols
        active = plan.active(inv.lifetime)
        for k, (block, n) in enumerate(zip(plan.blocks, networks, strict=True)):
            label, scale = _capacity_label(n, inv)
            vintages = cols[active[:, k]]
            existing = existing_capacity(block, inv)
            joined.add_row(
                [*joined.column(k, [label]), *vintages],
                [scale] + [-1.0] * len(vintages),
                existing,
                existing,
            )
    return joined, built


def attempt(plan: PlanProblem, solver: str, opts: dict[str, Any]) -> Attempt:
    """Build the joined LP and solve it once with HiGHS (``Attempt.model``: joined LP and
    vintage columns)."""
    joined, built = build_plan_model(plan)
    run = pypsa_join.solve(joined, solver, opts)
    run.model = (joined, built)
    return run


def extract(run: Attempt, plan: PlanProblem) -> PlanSolution:
    """Each period's Solution (PyPSA's read-back) and the vintages."""
    joined, built = run.model
    blocks = [pypsa_join.block_solution(joined, k, b) for k, b in enumerate(plan.blocks)]
    values = {k: np.maximum(joined.x[cols], 0.0) for k, cols in built.items()}
    return PlanSolution(blocks=blocks, built=values, objective=run.objective)


__all__ = ["attempt", "build_plan_model", "extract"]
