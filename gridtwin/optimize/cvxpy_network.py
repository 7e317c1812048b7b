"""The cvxpy backend's site network, offsite contracts and land: the rows of
:meth:`gridtwin.network.spec.NetworkSpec.linear` and of the contracts as vectorised cvxpy
expressions; used by :mod:`gridtwin.optimize.cvxpy_backend`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from gridtwin.network.spec import NetworkSpec
from gridtwin.optimize.problem import SystemProblem

if TYPE_CHECKING:
    from gridtwin.optimize.cvxpy_backend import Model

Capacity = cp.Variable | float


def total(terms: list[Any]) -> cp.Expression:
    """Sum of a non-empty list of expressions."""
    return sum(terms[1:], start=terms[0])


def capacity(name: str, existing: float, extendable: bool, upper: float) -> Capacity:
    """A capacity variable bounded by ``[existing, upper]`` or the fixed existing value."""
    if not extendable:
        return float(existing)
    return cp.Variable(name=name, bounds=[float(existing), float(upper)])


def offsite(
    problem: SystemProblem,
    model: Model,
    constraints: list[cp.Constraint],
    cost: list[cp.Expression | float],
    clean: list[cp.Expression],
    periods: sp.csr_array,
) -> cp.Variable:
    """Offsite contracts: their output is delivered through the POI or sold at the export
    price; returns the delivered power [MW] (part of the physical import)."""
    n_time = len(problem.snapshots)
    w = problem.snapshot_weights
    zeros = np.zeros(n_time)
    delivered = cp.Variable(
        n_time, name="offsite_delivery", bounds=[zeros, np.full(n_time, problem.poi.p_nom)]
    )
    sold = cp.Variable(
        n_time, name="offsite_sale", bounds=[zeros, np.full(n_time, problem.offsite_limit)]
    )
    output = total([model.p[g.name] for g in problem.offsite])
    constraints.append(output == delivered + sold)
    cost.append(-(w * (problem.poi.export_price - problem.tie_break_cost)) @ sold)
    if problem.hourly_accounting:  # counted up to the hour's import
        clean.append(periods @ delivered)
    else:  # volumetric: every offsite MWh counts
        clean.append(periods @ output)
    model.offsite_delivered, model.offsite_sold = delivered, sold
    return delivered


def land_constraint(problem: SystemProblem, model: Model, constraints: list[cp.Constraint]) -> None:
    """Site land: ``sum land_use x p_nom <= land_area`` over on-site assets [ha]."""
    assert problem.land_area is not None
    terms: list[Any] = [
        g.land_use * model.p_nom[g.name] for g in problem.generators if g.land_use and not g.offsite
    ]
    terms += [s.land_use * model.p_nom[s.name] for s in problem.storage if s.land_use]
    variable = [t for t in terms if isinstance(t, cp.Expression)]
    fixed = float(sum(t for t in terms if not isinstance(t, cp.Expression)))
    if variable:
        constraints.append(total(variable) <= problem.land_area - fixed)


def site_network(
    problem: SystemProblem,
    network: NetworkSpec,
    model: Model,
    constraints: list[cp.Constraint],
    demand: cp.Expression | np.ndarray,
) -> list[Any]:
    """Kirchhoff's laws, ratings, N-1 and upgrades of the site network (the rows of
    :meth:`NetworkSpec.linear`, parallel branches merged into corridors); returns the upgrade
    costs [currency]."""
    n_time = len(problem.snapshots)
    lin = network.linear()
    net = lin.spec
    flow = cp.Variable((len(net.branches), n_time), name="branch_flow")
    model.flow = flow
    incidence = net.incidence()
    assert model.grid_import is not None and model.grid_export is not None
    grid = (model.grid_import, model.grid_export)
    for i, bus in enumerate(net.buses):
        terms: list[Any] = [
            model.p[g.name]
            for g in problem.generators
            if not g.offsite and net.bus_of(g.name) == bus
        ]
        terms += [
            model.discharge[s.name] - model.charge[s.name]
            for s in problem.storage
            if net.bus_of(s.name) == bus
        ]
        if bus == net.grid_bus:
            terms += [grid[0], -grid[1]]
            if model.offsite_delivered is not None:
                terms.append(model.offsite_delivered)
        injected = total(terms) if terms else np.zeros(n_time)
        withdrawn = demand if bus == net.load_bus else np.zeros(n_time)
        constraints.append(injected - withdrawn == incidence[i] @ flow)
    cycles = net.cycles()
    if cycles.shape[1]:
        kvl = (cycles * np.array([b.x for b in net.branches])[:, None]).T
        kvl /= np.abs(kvl).max(axis=1, keepdims=True)  # rows of unit scale
        constraints.append(sp.csr_array(kvl) @ flow == 0)
    cost: list[Any] = []
    s_nom: list[Capacity] = []
    for j, b in enumerate(net.branches):
        s_nom.append(capacity(f"{b.name}_s_nom", b.s_nom, b.extendable, b.s_nom_max))
        model.s_nom[b.name] = s_nom[j]
        if isinstance(s_nom[j], cp.Variable):
            cost.append(b.capital_cost * (s_nom[j] - b.s_nom))
        constraints += [flow[j] <= b.s_max_pu * s_nom[j], flow[j] >= -b.s_max_pu * s_nom[j]]
        if np.isfinite(b.flow_max):
            constraints += [flow[j] <= b.flow_max, flow[j] >= -b.flow_max]
    for ell, k, coef, share in zip(lin.monitored, lin.outage, lin.coef, lin.share, strict=True):
        after = flow[ell] + float(coef) * flow[k]
        constraints += [after <= share * s_nom[ell], after >= -share * s_nom[ell]]
    return cost


def network_values(model: Model, problem: SystemProblem) -> tuple[dict[str, float], dict]:
    """Ratings after upgrades [MVA] and flows [MW] of the branches of a solved model
    (corridors split between their members); empty without a site network."""
    if model.flow is None or problem.network is None:
        return {}, {}
    lin = problem.network.linear()
    values = np.asarray(model.flow.value, dtype=float)
    corridor = {b.name: values[j] for j, b in enumerate(lin.spec.branches)}
    ratings = {
        k: float(np.asarray(v.value, dtype=float)) if isinstance(v, cp.Variable) else float(v)
        for k, v in model.s_nom.items()
    }
    return lin.member_values(ratings, problem.network), lin.member_values(corridor, problem.network)


__all__ = [
    "Capacity",
    "capacity",
    "land_constraint",
    "network_values",
    "offsite",
    "site_network",
    "total",
]
