"""The renewable-share row of the PyPSA formulation (a balance-sheet limit such as Germany's
EnEfG § 11(5)), with guarantees of origin bought at a price where they count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.optimize.problem import SystemProblem

CERTIFICATES = "renewable-certificates"


def add_renewable_share(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """``sum_t w_t (sum_renewable p_t) + certificates_k >= share x sum_t w_t served_t`` in
    each weather year ``k`` (:meth:`SystemProblem.budget_shares`), the load served written as
    ``load - curtail - defer - recover`` (PyPSA's flexibility generators); certificates cost
    ``certificate_price`` per MWh. Nothing without ``renewable_share_min``."""
    share = problem.renewable_share_min
    if share is None or share <= 0:
        return
    idx = problem.snapshots
    groups, _ = problem.budget_shares()
    w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": idx})
    period = xr.DataArray(groups, coords={"snapshot": idx}, name="period")
    periods = pd.RangeIndex(int(groups.max()) + 1, name="period")

    def energy(name: str) -> Any:
        return (w * pick("Generator-p", name)).groupby(period).sum()

    terms = [energy(g.name) for g in problem.generators if g.renewable]
    if problem.flex is not None:
        terms += [share * energy(f"flex_{k}") for k in ("curtail", "defer", "recover")]
    if problem.certificate_price is not None:
        bought = m.add_variables(lower=0.0, coords=[periods], name=CERTIFICATES)
        terms.append(1.0 * bought)
        price = float(problem.certificate_price)
        m.add_objective(m.objective.expression + price * bought.sum(), overwrite=True)
    load = np.bincount(groups, problem.snapshot_weights * problem.load)
    target = xr.DataArray(share * load, coords={"period": periods})
    if not terms:  # nothing renewable can meet it: the constant row makes the LP infeasible
        terms = [0.0 * pick("Generator-p", "poi_import").groupby(period).sum()]
    m.add_constraints(linopy.merge(terms) >= target, name="renewable-share")


def certificates(n: Any, problem: SystemProblem) -> np.ndarray:
    """Certificates bought, each weather year's volume spread over its hours [MW], shape
    (n_time,); empty when none may be bought."""
    if problem.certificate_price is None or problem.renewable_share_min is None:
        return np.zeros(0)
    volume = np.asarray(n.model.variables[CERTIFICATES].solution, dtype=float)
    groups, _ = problem.budget_shares()
    hours = np.bincount(groups, problem.snapshot_weights)
    return np.clip(volume, 0.0, None)[groups] / hours[groups]


__all__ = ["add_renewable_share", "certificates"]
