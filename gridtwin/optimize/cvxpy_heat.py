"""Heat reuse and water rows of the cvxpy backend (:mod:`gridtwin.optimize.cvxpy_backend`):
the equations of :mod:`gridtwin.optimize.heat`, term for term as in
:mod:`gridtwin.optimize.pypsa_heat`."""

from __future__ import annotations

from typing import Any

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from gridtwin.optimize.cvxpy_assets import within_budget
from gridtwin.optimize.heat import heat_values
from gridtwin.optimize.problem import SystemProblem


def heat_side(
    problem: SystemProblem,
    handles: dict[str, Any],
    constraints: list[cp.Constraint],
    cost: list[cp.Expression | float],
    clean: list[cp.Expression],
    matching: sp.csr_array,
    served: cp.Expression | np.ndarray,
) -> cp.Expression | None:
    """Heat delivered, heat pumps, tank and sales; returns the site-bus consumption it adds
    [MW] (``e_t q_t``), or ``None`` without heat reuse. Variables go into ``handles``."""
    heat = problem.heat
    if heat is None:
        return None
    n = len(problem.snapshots)
    w = problem.snapshot_weights
    zeros = np.zeros(n)
    limit = heat.delivery_limit(problem.served_max()) + 1.0
    q = cp.Variable(n, name="heat_delivered", bounds=[zeros, np.full(n, limit)])
    hp_max = heat.heat_pump_p_nom_max if np.isfinite(heat.heat_pump_p_nom_max) else None
    hp_nom = cp.Variable(name="heat_pump_p_nom", bounds=[0.0, hp_max])
    constraints += [
        cp.multiply(heat.source_per_heat, q) <= cp.multiply(heat.heat_per_load, served),
        cp.multiply(heat.heat_pump_share, q) <= hp_nom,
    ]
    cost += [
        heat.heat_pump_capital_cost * hp_nom,
        heat.heat_pump_marginal_cost * ((w * heat.heat_pump_share) @ q),
    ]
    sold: cp.Expression = q
    handles.update(heat_delivered=q, heat_pump_p_nom=hp_nom)
    if heat.storage:
        e_nom = cp.Variable(name="heat_storage_e_nom", bounds=[0.0, None])
        p = cp.Variable(n, name="heat_storage_p")  # > 0 discharges
        e = cp.Variable(n, name="heat_storage_e", bounds=[zeros, None])
        keep = (1.0 - heat.storage_standing_loss) ** w
        e_prev = cp.hstack([e[n - 1 :], e[: n - 1]])  # cyclic
        constraints += [
            e == cp.multiply(keep, e_prev) - cp.multiply(w, p),
            e <= e_nom,
            p <= e_nom / heat.storage_hours,
            -p <= e_nom / heat.storage_hours,
        ]
        cost.append(heat.storage_capital_cost * e_nom)
        sold = q + p
        handles.update(heat_storage_e_nom=e_nom, heat_storage_p=p, heat_storage_e=e)
    constraints += [sold >= 0, sold <= heat.demand]
    cost.append(-heat.price * (w @ sold))
    handles["heat_sold"] = sold
    extra = cp.multiply(heat.net_power, q)
    if problem.cfe_target > 0:  # the target is on the whole consumption
        clean.append(-problem.cfe_target * (matching @ extra))
    return extra


def water_rows(
    problem: SystemProblem,
    handles: dict[str, Any],
    constraints: list[cp.Constraint],
    cost: list[cp.Expression | float],
    periods: sp.csr_array,
    served: cp.Expression | np.ndarray,
) -> None:
    """Water price and limits on ``water_t = omega_t served_t - psi_t b_t q_t``."""
    water = problem.water
    if water is None:
        return
    w = problem.snapshot_weights
    use: cp.Expression | np.ndarray = cp.multiply(water.per_load, served)
    if problem.heat is not None and "heat_delivered" in handles:
        recovered = cp.multiply(problem.heat.source_per_heat, handles["heat_delivered"])
        use = use - cp.multiply(water.per_source, recovered)
    handles["water"] = use
    if not isinstance(use, cp.Expression):  # nothing to decide (checked by check_problem)
        return
    if water.price:  # the part that depends on decisions (the objective has no constants)
        base = water.per_load * problem.load
        cost.append(water.price * (w @ (use - base)))
    if water.peak_max is not None:
        constraints.append(use <= water.peak_max)
    if water.annual_max is not None:
        constraints.append(within_budget(periods, use, water.annual_max))


def heat_results(
    model: Any, problem: SystemProblem
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The heat side's results and capacities of a solved model (empty without heat reuse)."""
    if problem.heat is None:
        return {}, {}
    n_time, h = len(problem.snapshots), model.heat

    def value(x: Any) -> float:
        return np.asarray(x.value, dtype=float).item() if isinstance(x, cp.Variable) else float(x)

    def array(x: Any) -> np.ndarray:
        return np.zeros(n_time) if x is None else np.asarray(x.value, dtype=float).reshape(n_time)

    capacity = {
        "heat_pump": value(h["heat_pump_p_nom"]),
        "heat_storage": value(h["heat_storage_e_nom"]) if "heat_storage_e_nom" in h else 0.0,
    }
    values = heat_values(
        problem.heat,
        array(h["heat_delivered"]),
        array(h.get("heat_storage_p")),
        array(h.get("heat_storage_e")),
    )
    return values, capacity
