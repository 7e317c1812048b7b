"""Annual budgets of the PyPSA formulation, each weather year on its own share.

Generators' ``e_sum_max``, the flexibility's curtailment energy, the export limit and the
emissions cap are given for the horizon; with stacked weather years each year gets its share
(:meth:`~gridtwin.optimize.problem.SystemProblem.budget_shares`), so a good year cannot lend
its backup hours or CO2 to a bad one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import xarray as xr

from gridtwin.optimize.problem import SystemProblem


def one_period(problem: SystemProblem) -> bool:
    """True if the horizon budgets are whole (PyPSA's own ``e_sum_max`` holds them); stacked
    years get one row per weather year (:func:`budget_constraints`)."""
    return bool(problem.cfe_groups().max() == 0)


def budget_constraints(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """Horizon budgets, each weather year on its own share (``budget x share_k``, see
    :meth:`SystemProblem.budget_shares`): generators' ``e_sum_max`` and curtailment energy
    of stacked years [MWh], the export limit [MWh] and the emissions cap [t CO2]."""
    idx = problem.snapshots
    groups, shares = problem.budget_shares()
    w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": idx})
    period = xr.DataArray(groups, coords={"snapshot": idx}, name="period")
    share = xr.DataArray(shares, coords={"period": np.arange(len(shares))})

    def per_period(expr: Any) -> Any:
        return (w * expr).groupby(period).sum()

    if not one_period(problem):
        budgets = [(g.name, g.e_sum_max) for g in problem.generators]
        if problem.flex is not None:
            budgets.append(("flex_curtail", problem.flex.curtail_energy_max))
        for name, budget in budgets:
            if np.isfinite(budget):
                m.add_constraints(
                    per_period(pick("Generator-p", name)) <= budget * share,
                    name=f"{name}-e_sum_max_by_year",
                )
    if problem.emissions_cap is not None:
        grid_co2 = xr.DataArray(problem.poi.co2_intensity(len(idx)), coords={"snapshot": idx})
        co2 = [per_period(grid_co2 * pick("Generator-p", "poi_import"))]
        co2 += [
            g.co2_intensity * per_period(pick("Generator-p", g.name))
            for g in problem.generators
            if g.co2_intensity > 0
        ]
        m.add_constraints(linopy.merge(co2) <= problem.emissions_cap * share, name="co2-cap")
    if problem.export_limit is not None:  # export is negative generation
        m.add_constraints(
            -1.0 * per_period(pick("Generator-p", "poi_export")) <= problem.export_limit * share,
            name="poi-export_limit",
        )
