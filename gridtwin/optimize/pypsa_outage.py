"""Outage-scenario rows of the PyPSA backend (:mod:`gridtwin.optimize.pypsa_backend`): the
equations of :mod:`gridtwin.optimize.outage` as linopy variables and rows on the dimensions
``outage`` (scenario) and ``outage_hour``, added in the backend's extra-functionality hook;
the new generator sets ``outage-genset_p_nom`` and fuel ``outage-fuel`` pay their capital cost
in the objective."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import xarray as xr

from gridtwin.optimize.outage import OUTAGE_KEYS
from gridtwin.optimize.problem import SystemProblem

DIMS = ("outage", "outage_hour")


def _capacities(
    problem: SystemProblem, pick: Callable[[str, str], Any]
) -> tuple[dict[str, Any], Any, Any, Any]:
    """``p_nom`` of the outage generators and the pool's energy, discharge and charge ratings
    (variables when extendable, else numbers)."""
    o = problem.outage
    assert o is not None
    gens = {g.name: g for g in problem.generators}
    p_nom = {
        name: pick("Generator-p_nom", name) if gens[name].extendable else gens[name].p_nom
        for name in o.generators
    }
    e_max: Any = o.reserve
    p_dis: Any = 0.0
    p_ch: Any = 0.0
    for s in problem.storage:
        if s.name not in o.storage:
            continue
        if s.extendable:
            e_max = e_max + pick("Store-e_nom", s.name)
            p_dis = p_dis + s.efficiency_discharge * pick("Link-p_nom", f"{s.name} discharger")
            p_ch = p_ch + pick("Link-p_nom", f"{s.name} charger")
        else:
            e_max, p_dis, p_ch = e_max + s.e_nom, p_dis + s.p_nom, p_ch + s.p_nom
    return p_nom, e_max, p_dis, p_ch


def outage_constraints(
    m: linopy.Model, problem: SystemProblem, pick: Callable[[str, str], Any]
) -> None:
    """Every outage scenario's island dispatch (nothing without outage scenarios)."""
    o = problem.outage
    if o is None:
        return
    idx = o.snapshot_index()
    n_out, hours = idx.shape
    coords = {DIMS[0]: np.arange(n_out), DIMS[1]: np.arange(hours)}

    def grid(values: np.ndarray) -> xr.DataArray:
        return xr.DataArray(np.asarray(values, dtype=float), coords=coords, dims=DIMS)

    v = {k: m.add_variables(lower=0.0, coords=coords, name=f"outage-{k}") for k in OUTAGE_KEYS}
    p_nom, e_max, p_dis, p_ch = _capacities(problem, pick)
    gens = {g.name: g for g in problem.generators}
    avail: Any = grid(np.zeros(idx.shape))
    for name, cap in p_nom.items():
        avail = avail + cap * grid(gens[name].capacity_factor[idx])
    crit = grid(o.critical_load[idx])
    fleet: Any = o.backup_p_nom
    fuel: Any = 0.0
    extra = []
    if o.genset_capital_cost is not None:
        new = m.add_variables(lower=0.0, name="outage-genset_p_nom")
        fleet = new + o.backup_p_nom
        extra.append(o.genset_capital_cost * new)
    if o.fuel_capital_cost is not None:
        fuel = m.add_variables(lower=0.0, name="outage-fuel")
        extra.append(o.fuel_capital_cost * fuel)
    m.add_constraints(v["genset"] + v["discharge"] + v["onsite"] >= crit, name="outage-load")
    m.add_constraints(v["onsite"] + v["charge"] - avail <= 0, name="outage-onsite")
    m.add_constraints(v["genset"] - o.derate * fleet <= 0, name="outage-genset")
    m.add_constraints(v["net_load"] + avail >= crit, name="outage-net_load")
    burnt = v["net_load"].cumsum(DIMS[1])
    per_mw = grid(np.tile(o.fuel_per_mw(), (n_out, 1)))
    m.add_constraints(burnt - per_mw * fleet - fuel <= 0, name="outage-fuel_left")
    gain = o.efficiency_charge * v["charge"] - (1.0 / o.efficiency_discharge) * v["discharge"]
    energy = v["energy"]
    if hours > 1:
        later = {DIMS[1]: slice(1, None)}
        before = energy.shift({DIMS[1]: 1}).isel(later)
        m.add_constraints(energy.isel(later) - before - gain.isel(later) == 0, name="outage-energy")
    prev = (np.asarray(o.starts) - 1) % len(problem.snapshots)
    for k, t in enumerate(prev):
        start = sum((pick("Store-e", s).isel(snapshot=int(t)) for s in o.storage), o.reserve)
        first = {DIMS[0]: k, DIMS[1]: 0}
        m.add_constraints(
            energy.isel(first) - gain.isel(first) - start == 0, name=f"outage-start_{k}"
        )
    m.add_constraints(energy - e_max <= 0, name="outage-energy_max")
    m.add_constraints(v["discharge"] - p_dis <= 0, name="outage-discharge_max")
    m.add_constraints(v["charge"] - p_ch <= 0, name="outage-charge_max")
    if extra:
        m.add_objective(m.objective.expression + sum(extra), overwrite=True)


def outage_results(m: linopy.Model, problem: SystemProblem) -> tuple[dict, dict]:
    """The outage dispatch and new generator sets and fuel of a solved model."""
    if problem.outage is None:
        return {}, {}
    values = {k: np.asarray(m.variables[f"outage-{k}"].solution, dtype=float) for k in OUTAGE_KEYS}
    capacity = {
        key: float(np.asarray(m.variables[name].solution)) if name in m.variables else 0.0
        for key, name in (("genset", "outage-genset_p_nom"), ("fuel", "outage-fuel"))
    }
    return values, capacity


__all__ = ["outage_constraints", "outage_results"]
