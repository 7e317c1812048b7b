"""Outage-scenario rows of the cvxpy backend (:mod:`gridtwin.optimize.cvxpy_backend`): the
equations of :mod:`gridtwin.optimize.outage`, term for term as in
:mod:`gridtwin.optimize.pypsa_outage`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cvxpy as cp
import numpy as np

from gridtwin.optimize.outage import OUTAGE_KEYS
from gridtwin.optimize.problem import SystemProblem

if TYPE_CHECKING:
    from gridtwin.optimize.cvxpy_backend import Model


def outage_rows(
    problem: SystemProblem,
    model: Model,
    constraints: list[cp.Constraint],
    cost: list[cp.Expression | float],
) -> None:
    """Every outage scenario's island dispatch and the new generator sets and fuel; the
    variables go into ``model.outage`` (nothing without outage scenarios)."""
    o = problem.outage
    if o is None:
        return
    idx = o.snapshot_index()
    shape = idx.shape
    n_time = len(problem.snapshots)
    crit = o.critical_load[idx]
    by_name = {g.name: g for g in problem.generators}
    avail: Any = np.zeros(shape)
    for name in o.generators:
        avail = avail + model.p_nom[name] * by_name[name].capacity_factor[idx]
    v = {k: cp.Variable(shape, name=f"outage_{k}", nonneg=True) for k in OUTAGE_KEYS}
    fleet: Any = o.backup_p_nom
    fuel: Any = 0.0
    if o.genset_capital_cost is not None:
        new = cp.Variable(name="outage_genset_p_nom", nonneg=True)
        fleet = fleet + new
        cost.append(o.genset_capital_cost * new)
        model.outage["genset_p_nom"] = new
    if o.fuel_capital_cost is not None:
        fuel = cp.Variable(name="outage_fuel", nonneg=True)
        cost.append(o.fuel_capital_cost * fuel)
        model.outage["fuel"] = fuel
    stores = list(o.storage)
    e_max = sum((model.e_nom[s] for s in stores), o.reserve)
    start = sum((model.soc[s][(np.asarray(o.starts) - 1) % n_time] for s in stores), o.reserve)
    gain = o.efficiency_charge * v["charge"] - v["discharge"] / o.efficiency_discharge
    energy = v["energy"]
    constraints += [
        v["genset"] + v["discharge"] + v["onsite"] >= crit,
        v["onsite"] + v["charge"] <= avail,
        v["genset"] <= o.derate * fleet,
        v["net_load"] >= crit - avail,
        cp.cumsum(v["net_load"], axis=1) <= np.tile(o.fuel_per_mw(), (shape[0], 1)) * fleet + fuel,
        energy[:, 0] == start + gain[:, 0],
        energy <= e_max,
        v["discharge"] <= sum((model.p_nom_discharge[s] for s in stores), 0.0),
        v["charge"] <= sum((model.p_nom[s] for s in stores), 0.0),
    ]
    if o.hours > 1:
        constraints.append(energy[:, 1:] == energy[:, :-1] + gain[:, 1:])
    model.outage.update(v)


def outage_values(model: Model) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The outage dispatch and the new generator sets and fuel of a solved model."""
    if not model.outage:
        return {}, {}
    values = {k: np.asarray(model.outage[k].value, dtype=float) for k in OUTAGE_KEYS}
    capacity = {
        key: float(model.outage[name].value) if name in model.outage else 0.0
        for key, name in (("genset", "genset_p_nom"), ("fuel", "fuel"))
    }
    return values, capacity


__all__ = ["outage_rows", "outage_values"]
