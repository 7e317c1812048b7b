"""The hourly CFE row of the PyPSA backend (:mod:`gridtwin.optimize.pypsa_backend`): its
clean-supply and non-clean forms, the row itself and its shadow price."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import pypsa
import xarray as xr

from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.pypsa_heat import cfe_term


def add_cfe_row(m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]) -> None:
    """The hourly CFE row ``cfe-hourly``, one per CFE period; none without a target (storage
    losses must not make "clean" negative). At a 100 % hourly target it is stated on the
    non-clean supply (:func:`non_clean_expression`), else on the clean supply
    (:func:`cfe_expression`) ``>= target x load``."""
    if problem.cfe_target <= 0:
        return
    if every_hour_clean(problem):  # a forcing row that presolve removes
        m.add_constraints(non_clean_expression(problem, pick) <= 0.0, name="cfe-hourly")
        return
    lhs = cfe_expression(problem, pick)
    load = np.bincount(problem.matching_groups(), problem.snapshot_weights * problem.load)
    target = xr.DataArray(problem.cfe_target * load, coords={"period": lhs.indexes["period"]})
    m.add_constraints(lhs >= target, name="cfe-hourly")


def cfe_expression(problem: SystemProblem, pick: Callable[[str, str], Any]) -> Any:
    """Clean supply per matching period [MWh] on dimension ``period`` (left-hand side of the
    CFE constraint; one period per year of the horizon, or per month under monthly matching,
    see ``SystemProblem.matching_groups``)."""
    idx = problem.snapshots
    w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": idx})
    cfe = w * xr.DataArray(problem.matched_grid_share(), coords={"snapshot": idx})
    period = xr.DataArray(problem.matching_groups(), coords={"snapshot": idx}, name="period")

    def energy(var: str, name: str) -> Any:
        return (w * pick(var, name)).groupby(period).sum()

    terms = [energy("Generator-p", g.name) for g in problem.generators if g.clean and not g.offsite]
    if problem.offsite and problem.hourly_accounting:  # counted up to the hour's import
        terms.append(energy("Link-p", "offsite_delivery"))
    elif problem.offsite:  # volumetric: every offsite MWh counts
        terms += [energy("Generator-p", g.name) for g in problem.offsite]
    for s in problem.storage:
        terms.append(s.efficiency_discharge * energy("Link-p", f"{s.name} discharger"))
        terms.append(-1.0 * energy("Link-p", f"{s.name} charger"))
    if problem.hourly_accounting:  # exported clean energy does not count hour by hour
        terms.append(energy("Generator-p", "poi_export"))  # export is negative generation
    terms.append((cfe * pick("Generator-p", "poi_import")).groupby(period).sum())
    if problem.flex is not None:  # the target is on the load served (curtailed, shifted)
        moved = ("defer", "recover") if problem.shift_crosses_periods() else ()
        terms += [
            problem.cfe_target * energy("Generator-p", f"flex_{k}") for k in ("curtail", *moved)
        ]
    terms += cfe_term(problem, energy)  # the heat side's consumption is served too
    return linopy.merge(terms)


def every_hour_clean(problem: SystemProblem) -> bool:
    """Whether the hourly CFE row is stated on the non-clean supply
    (:func:`non_clean_expression`): at a 100 % hourly target."""
    return problem.cfe_target >= 1.0 and problem.hourly_accounting


def non_clean_expression(problem: SystemProblem, pick: Callable[[str, str], Any]) -> Any:
    """Supply that is not clean, per CFE period [MWh] on dimension ``period``: the left-hand
    side of the hourly CFE row at a 100 % target, ``non-clean <= 0``.

    Summing the power balance of every site bus over a period (lossless linear flow: branch
    flows cancel) gives ``served - clean = sum_t w_t [non-clean generation + (1 - cfe_t)
    import_t]`` for hourly matching: storage, clean generation, exports and offsite deliveries
    cancel, and the load served (after shifting and curtailment) is what the target is on. So
    ``clean >= 1 x served`` is ``non-clean <= 0``: every term is >= 0, and HiGHS's presolve
    fixes them all to zero and drops the row (a forcing row), where the clean-supply form
    (:func:`cfe_expression`) is a dense row of 9 terms per hour without an interior, which
    the interior point method meets head on. At targets below 100 % the clean-supply form is
    kept: written on the non-clean supply (with ``(1 - target) x`` the flexibility terms) the
    default study's LP made HiGHS's interior point method stop without progress.
    """
    idx = problem.snapshots
    w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": idx})
    dirty = w * (1.0 - xr.DataArray(problem.matched_grid_share(), coords={"snapshot": idx}))
    period = xr.DataArray(problem.matching_groups(), coords={"snapshot": idx}, name="period")
    terms = [(dirty * pick("Generator-p", "poi_import")).groupby(period).sum()]
    terms += [
        (w * pick("Generator-p", g.name)).groupby(period).sum()
        for g in problem.generators
        if not g.clean
    ]
    return linopy.merge(terms)


def cfe_price(n: pypsa.Network, problem: SystemProblem) -> float:
    """Shadow price of the CFE constraint [currency MWh-1], mean over its periods weighted
    by their load (the cost of one more MWh of clean supply spread as the target spreads it).

    linopy reports HiGHS's row duals as d objective / d right-hand side, so the dual of the
    ``clean >= target x served`` row of this minimisation is >= 0 (the sign of cvxpy's
    ``dual_value``); the 100 % row on the non-clean supply (``<= 0``) is its mirror image, so
    its price is minus its dual. ``nan`` without the row (``cfe_target`` 0) or without duals.
    """
    try:  # the row's own dual: n.model.dual would join every constraint's duals
        dual = np.asarray(n.model.constraints["cfe-hourly"].dual, dtype=float)
    except (KeyError, AttributeError):
        return float("nan")
    if dual.size == 0 or not np.all(np.isfinite(dual)):
        return float("nan")
    sign = -1.0 if every_hour_clean(problem) else 1.0
    return float(sign * problem.matching_mean(dual))


__all__ = [
    "add_cfe_row",
    "cfe_expression",
    "cfe_price",
    "every_hour_clean",
    "non_clean_expression",
]
