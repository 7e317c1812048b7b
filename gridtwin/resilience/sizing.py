"""Sizing for a survival target: outage scenarios in the LP, checked by the survival analysis,
in bounded rounds (``resilience.sizing``).

Round 0 is the study's sizing without outages. After each solve the survival analysis of the
result (:mod:`gridtwin.resilience.survival`, every start hour) gives the probability of riding
through an outage of ``duration_h``, averaged over the start hours. While it is below
``target``, the ``starts_per_round`` start hours that fare worst (each a duration away from the
others and from the starts already in) become outage scenarios of the LP
(:class:`gridtwin.optimize.outage.OutageSpec`) and it is solved again, at most ``rounds``
times. The cost of the target is the objective's rise over round 0.

The generator sets count in the LP at the share of their rating that is still working at the
end of the outage with probability ``1 - (1 - target) / 2`` (a binomial quantile of the units
with REopt's availability, failure to start and failure rate; the other half of the failure
budget is left for the start hours the LP does not see). Their fuel is burnt as the survival
model counts it, so a design the LP carries through an outage is one the survival analysis
carries through it with every counted unit running.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import xarray as xr
from scipy.stats import binom

from gridtwin.config import StudyConfig
from gridtwin.exceptions import InfeasibleError
from gridtwin.optimize.outage import OutageSpec
from gridtwin.optimize.problem import Solution, SystemProblem
from gridtwin.resilience.island import critical_load, island_system
from gridtwin.resilience.survival import survival_probability

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SurvivalRound:
    """One solve of the resilience sizing.

    Attributes
    ----------
    round : int
        0 for the sizing without outages.
    outages : int
        Outage scenarios in the LP.
    objective : float
        [currency a-1 over the horizon].
    survival : float
        Survival probability of ``duration_h`` outages, mean over start hours [-].
    genset, fuel : float
        Generator sets [MW] and fuel [MWh] built for the outages.
    """

    round: int
    outages: int
    objective: float
    survival: float
    genset: float
    fuel: float


def derate(
    units: int, start_probability: float, failure_rate: float, hours: int, target: float
) -> float:
    """Share of ``units`` generator sets working at the end of an outage of ``hours`` with
    probability at least ``1 - (1 - target) / 2`` [-] (binomial quantile; 1 without units)."""
    if units <= 0:
        return 1.0
    p_end = start_probability * (1.0 - failure_rate) ** hours
    working = binom.ppf((1.0 - target) / 2.0, units, p_end)
    return float(max(working, 0.0)) / units


def spread_starts(order: np.ndarray, taken: list[int], count: int, gap: int, n: int) -> list[int]:
    """The first ``count`` start hours of ``order`` at least ``gap`` hours (cyclic) from each
    other and from ``taken``."""
    chosen: list[int] = []
    for t in order:
        near = [abs(int(t) - s) for s in taken + chosen]
        if all(min(d, n - d) >= gap for d in near):
            chosen.append(int(t))
        if len(chosen) == count:
            break
    return chosen


def outage_spec(
    problem: SystemProblem, campus: xr.Dataset, cfg: StudyConfig, starts: list[int]
) -> OutageSpec:
    """The outage scenarios of ``starts`` for the study's campus (:mod:`gridtwin.optimize.
    outage`), costs per horizon like the problem's."""
    res, sizing = cfg.resilience, cfg.resilience.sizing
    assert sizing is not None
    backups = {b.name for b in cfg.campus.backup}
    gens = [g.name for g in problem.generators if not g.offsite and g.name not in backups]
    backup_p_nom = sum(g.p_nom for g in problem.generators if g.name in backups)
    crit = critical_load(campus, res).to_numpy()
    g = res.gensets
    units = math.ceil(max(backup_p_nom, float(crit.max())) / g.unit_p_nom - 1e-9)
    start = g.operational_availability * (1.0 - g.failure_to_start)
    share = derate(units, start, 1.0 / g.mean_time_to_failure, sizing.duration_h, sizing.target)
    ups = cfg.campus.ups
    years = problem.horizon_years
    storage = problem.storage
    return OutageSpec(
        starts=np.asarray(sorted(starts), dtype=int),
        hours=sizing.duration_h,
        critical_load=crit,
        generators=tuple(gens),
        storage=tuple(s.name for s in storage),
        backup_p_nom=backup_p_nom,
        derate=share,
        fuel_hours=g.fuel_hours,
        refuel_delay_h=g.refuel_delay_h,
        refuel_share=g.refuel_share,
        reserve=ups.energy_per_mw * cfg.campus.it_capacity * ups.reserve_share,
        efficiency_charge=min((s.efficiency_charge for s in storage), default=1.0),
        efficiency_discharge=min((s.efficiency_discharge for s in storage), default=1.0),
        genset_capital_cost=None
        if sizing.genset_capital_cost is None
        else sizing.genset_capital_cost * years,
        fuel_capital_cost=None
        if sizing.fuel_capital_cost is None
        else sizing.fuel_capital_cost * years,
    )


def run_survival_sizing(
    problem: SystemProblem,
    solution: Solution,
    campus: xr.Dataset,
    cfg: StudyConfig,
    solve: Callable[[SystemProblem], Solution],
    results: Callable[[SystemProblem, Solution], xr.Dataset],
) -> tuple[SystemProblem, Solution, list[SurvivalRound]]:
    """Add outage scenarios until the survival target holds (module docstring).

    Parameters
    ----------
    problem, solution : SystemProblem, Solution
        The hourly sizing problem without outages and its solution (round 0).
    campus : xarray.Dataset
        The campus load (``it_load``, ``it_load_training``, ``pue``).
    cfg : StudyConfig
        With ``resilience.sizing``.
    solve : callable
        Solves a problem.
    results : callable
        Builds the result dataset of a solution (for the survival analysis).

    Returns
    -------
    tuple
        The last problem and solution and every round.
    """
    sizing = cfg.resilience.sizing
    assert sizing is not None
    hours, n = sizing.duration_h, len(problem.snapshots)
    starts: list[int] = []
    history: list[SurvivalRound] = []
    current, sol = problem, solution
    for k in range(sizing.rounds + 1):
        ds = results(current, sol)
        system = island_system(ds, cfg.resilience)
        by_start = survival_probability(system, hours, soc_bins=cfg.resilience.soc_bins)[:, -1]
        cap = sol.outage_capacity
        history.append(
            SurvivalRound(
                k, len(starts), sol.objective, float(by_start.mean()),
                cap.get("genset", 0.0), cap.get("fuel", 0.0),
            )
        )  # fmt: skip
        logger.info("resilience round %d: survival %.6f over %d h", k, by_start.mean(), hours)
        if by_start.mean() >= sizing.target or k == sizing.rounds:
            break
        order = np.argsort(by_start, kind="stable")
        order = order[by_start[order] < 1.0 - 1e-12]
        new = spread_starts(order, starts, sizing.starts_per_round, max(1, hours // 2), n)
        if not new:
            break
        starts += new
        current = replace(problem, outage=outage_spec(problem, campus, cfg, starts))
        try:
            sol = solve(current)
        except InfeasibleError:
            raise InfeasibleError(
                f"resilience.sizing: the campus cannot ride through {hours} h outages from "
                f"the {len(starts)} worst start hours with what the study may build; allow "
                "resilience.sizing.genset_capital_cost and/or fuel_capital_cost, more on-site "
                "storage or generation, refuelling (resilience.gensets.refuel_share), or a "
                "shorter duration_h"
            ) from None
    return current, sol, history


def survival_attrs(
    history: list[SurvivalRound], target: float, years: float, hours: int
) -> dict[str, str]:
    """Global attributes of the resilience sizing: its rounds, whether it met the target and
    what the target costs per year (objective over round 0 / ``years``) [currency a-1]."""
    last = history[-1]
    return {
        "survival_sizing_rounds": json.dumps([r.__dict__ for r in history]),
        "survival_sizing_target": f"{target:g}",
        "survival_sizing_duration_h": str(hours),
        "survival_sizing_met": str(int(last.survival >= target)),
        "survival_sizing_cost": f"{(last.objective - history[0].objective) / years:.6g}",
    }


__all__ = ["SurvivalRound", "derate", "outage_spec", "run_survival_sizing", "survival_attrs"]
