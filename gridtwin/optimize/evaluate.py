"""A dispatch measured against its problem: the objective's two parts and the CFE balance,
recomputed from capacities and dispatch with the kernels of :mod:`gridtwin.metrics`.

Used by the rolling dispatch (what the committed hours cost and score), the verifier
(:mod:`gridtwin.optimize.verify`) and the tests' cross-checks of the backends.
"""

from __future__ import annotations

import numpy as np

from gridtwin.metrics import clean_supply, operating_cost_parts
from gridtwin.optimize.heat import heat_costs
from gridtwin.optimize.outage import outage_costs
from gridtwin.optimize.problem import Solution, SystemProblem


def above(value: np.ndarray | float, bound: np.ndarray | float) -> np.ndarray:
    """How far ``value`` exceeds ``bound``, 0 where it does not (a verifier row's violation)."""
    return np.maximum(np.asarray(value, dtype=float) - bound, 0.0)


def off(value: np.ndarray | float, target: np.ndarray | float) -> np.ndarray:
    """How far ``value`` is from ``target`` (an equality row's violation)."""
    return np.abs(np.asarray(value, dtype=float) - target)


def series(solution: Solution, name: str, n_time: int) -> np.ndarray:
    """A time series of a solution that may be absent (``offsite_delivered``,
    ``offsite_sold``, ``load_shift``, ``load_curtailment``) [MW], zeros when it is."""
    values = np.asarray(getattr(solution, name), dtype=float)
    return values if values.size == n_time else np.zeros(n_time)


def campus_served(problem: SystemProblem, solution: Solution) -> np.ndarray:
    """Campus load served after shifting and curtailment [MW], shape (n_time,)."""
    n_time = len(problem.snapshots)
    shift = series(solution, "load_shift", n_time)
    return problem.load + shift - series(solution, "load_curtailment", n_time)


def load_served(problem: SystemProblem, solution: Solution) -> np.ndarray:
    """Load served at the site bus [MW], shape (n_time,): the campus load after shifting and
    curtailment (:func:`campus_served`) plus the heat side's net consumption (heat-pump
    electricity less the rejection power that recovered heat saves; 0 without heat reuse),
    all of which the CFE target covers."""
    served = campus_served(problem, solution)
    heat = solution.heat
    if heat:
        served = served + heat["heat_pump_power"] - heat["rejection_saving"]
    return served


def capital_cost(problem: SystemProblem, solution: Solution) -> float:
    """Capital cost (annuity + fixed O&M for the horizon) of the extendable assets at the
    solution's capacities, existing part included as in the backends' objective, plus branch
    upgrades (the existing rating excluded) [currency]."""
    capital = 0.0
    if problem.network is not None:
        for b in problem.network.branches:
            if b.extendable:
                capital += b.capital_cost * (solution.s_nom.get(b.name, b.s_nom) - b.s_nom)
    for g in problem.generators:
        capital += g.capital_cost * solution.p_nom[g.name] if g.extendable else 0.0
    for s in problem.storage:
        if s.extendable:
            capital += s.capital_cost_power * solution.p_nom[s.name]
            capital += s.capital_cost_energy * solution.e_nom[s.name]
            capital += (s.capital_cost_discharge or 0.0) * solution.p_nom_discharge[s.name]
    return capital


def objective_terms(problem: SystemProblem, solution: Solution) -> dict[str, float]:
    """The sizing objective recomputed from capacities and dispatch, in two parts.

    Parameters
    ----------
    problem : SystemProblem
        The sizing problem (its ``extendable`` flags say which assets pay capital cost).
    solution : Solution
        Capacities and dispatch on the problem's hours, shape (n_time,) per series.

    Returns
    -------
    dict
        ``capital`` [currency]: :func:`capital_cost`; ``operating`` [currency]: the sum of
        :func:`gridtwin.metrics.operating_cost_parts` (marginal cost of generation, grid
        imports with negative prices earned on the load served only, minus export revenue,
        tie-break cost on storage discharge and export, demand charges on monthly import
        peaks, shift and curtailment costs, guarantees of origin bought). ``capital + operating``
        is the backends' objective.
    """
    n_time = len(problem.snapshots)
    poi = problem.poi
    delivered = series(solution, "offsite_delivered", n_time)
    discharge = sum((solution.discharge[s.name] for s in problem.storage), np.zeros(n_time))
    flex = problem.flex
    parts = operating_cost_parts(
        problem.snapshot_weights,
        marginal=sum(
            (g.marginal_cost * solution.p[g.name] for g in problem.generators), np.zeros(n_time)
        ),
        import_price=poi.import_price,
        export_price=poi.export_price,
        market_import=solution.grid_import - delivered,
        load_served=load_served(problem, solution),
        sold=solution.grid_export + series(solution, "offsite_sold", n_time),
        discharge=discharge,
        tie_break_cost=problem.tie_break_cost,
        shift=series(solution, "load_shift", n_time),
        curtailment=series(solution, "load_curtailment", n_time),
        shift_cost=flex.shift_cost if flex is not None else 0.0,
        curtail_cost=flex.curtail_cost if flex is not None else 0.0,
        demand_charge=poi.demand_charge,
        physical_import=solution.grid_import,
        billing=problem.billing_months() if poi.demand_charge else None,
    )
    operating = sum(parts.values())
    capital_heat, operating_heat = heat_costs(
        problem.heat,
        problem.water,
        problem.snapshot_weights,
        problem.load,
        campus_served(problem, solution),
        solution.heat,
        solution.heat_capacity,
    )
    operating += operating_heat
    if problem.certificate_price is not None:
        bought = series(solution, "certificates", n_time)
        operating += problem.certificate_price * float(problem.snapshot_weights @ bought)
    capital = capital_cost(problem, solution) + capital_heat
    capital += outage_costs(problem.outage, solution.outage_capacity)
    return {"capital": capital, "operating": operating}


def hourly_clean_supply(problem: SystemProblem, solution: Solution) -> np.ndarray:
    """Clean supply of each snapshot as the problem's CFE rows count it [MW], shape
    (n_time,) (:func:`gridtwin.metrics.clean_supply` under ``problem.matching``)."""
    n_time = len(problem.snapshots)
    onsite = sum(
        (solution.p[g.name] for g in problem.generators if g.clean and not g.offsite),
        np.zeros(n_time),
    )
    for s in problem.storage:
        onsite = onsite + solution.discharge[s.name] - solution.charge[s.name]
    delivered = series(solution, "offsite_delivered", n_time)
    return clean_supply(
        onsite_clean=onsite,
        market_import=solution.grid_import - delivered,
        grid_cfe_share=problem.matched_grid_share(),
        offsite_delivered=delivered,
        offsite_output=sum((solution.p[g.name] for g in problem.offsite), np.zeros(n_time)),
        export=solution.grid_export,
        matching="hourly" if problem.hourly_accounting else "annual",
    )


def cfe_shortfall_by_period(problem: SystemProblem, solution: Solution) -> np.ndarray:
    """Clean supply missing to the target in each CFE period (year of stacked years) [MWh],
    shape (n_periods,): ``cfe_target x sum_t w_t served_t - sum_t w_t clean_t``, negative
    where the period has a surplus."""
    w = problem.snapshot_weights
    wanted = problem.cfe_target * load_served(problem, solution)
    groups = problem.matching_groups()
    return np.bincount(groups, w * (wanted - hourly_clean_supply(problem, solution)))


def cfe_balance(problem: SystemProblem, solution: Solution) -> tuple[float, float]:
    """CFE score and clean shortfall of a dispatch, recomputed from it.

    Parameters
    ----------
    problem : SystemProblem
    solution : Solution
        Dispatch on the problem's hours.

    Returns
    -------
    score : float
        Clean supply / load served over the horizon [-]: hourly-matched (exports subtracted)
        or, for ``matching = "annual"``, volumetric; as :func:`gridtwin.results.cfe_score`.
    shortfall : float
        Clean supply missing to the CFE constraint, summed over CFE periods (years) [MWh]:
        ``sum_periods max(0, cfe_target * sum_t load_served_t - clean)``; 0 without a target.
    """
    w = problem.snapshot_weights
    clean = hourly_clean_supply(problem, solution)
    served = load_served(problem, solution)
    missing = cfe_shortfall_by_period(problem, solution)
    shortfall = float(np.clip(missing, 0.0, None).sum()) if problem.cfe_target > 0 else 0.0
    return float(w @ clean) / float(w @ served), shortfall


__all__ = [
    "above",
    "campus_served",
    "capital_cost",
    "cfe_balance",
    "cfe_shortfall_by_period",
    "hourly_clean_supply",
    "load_served",
    "objective_terms",
    "off",
    "series",
]
