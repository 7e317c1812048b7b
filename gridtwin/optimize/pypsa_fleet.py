"""PyPSA backend of a :class:`~gridtwin.optimize.fleet.FleetProblem`: each campus is its
PyPSA network with one more generator at its load bus, ``fleet_exchange`` (output: site-bus
load moved away, negative: taken in), counted in the load its CFE rows see as served; the
campuses are joined into one LP (:mod:`gridtwin.optimize.pypsa_join`) with the transfer
columns and the rows that tie each exchange to them (equations in
:mod:`gridtwin.optimize.fleet`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import linopy
import numpy as np
import pypsa
import xarray as xr

from gridtwin.optimize import pypsa_join
from gridtwin.optimize.fleet import FleetProblem, FleetSolution, exchange_of
from gridtwin.optimize.outcome import Attempt
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.pypsa_backend import EXCHANGE, SITE, _extra_functionality
from gridtwin.optimize.pypsa_cfe import cfe_expression
from gridtwin.optimize.pypsa_network import existing_branch_cost

#: The variable (and row) holding a campus's clean supply per CFE period under a fleet target.
FLEET_CLEAN = "fleet-clean"


def _cfe_rows(expose: bool) -> Callable[[linopy.Model, SystemProblem, Any], None]:
    """The CFE rows of a fleet's campus: the load served falls by the exchange. ``expose``
    (a fleet target): no row, the clean supply becomes the variable ``fleet-clean`` that the
    fleet's own row sums."""

    def add(m: linopy.Model, problem: SystemProblem, pick: Any) -> None:
        if problem.cfe_target <= 0:
            return
        idx = problem.snapshots
        w = xr.DataArray(problem.snapshot_weights, coords={"snapshot": idx})
        groups = problem.matching_groups()
        period = xr.DataArray(groups, coords={"snapshot": idx}, name="period")
        moved = (w * pick("Generator-p", EXCHANGE)).groupby(period).sum()
        lhs = cfe_expression(problem, pick) + problem.cfe_target * moved
        if expose:
            clean = m.add_variables(coords=[lhs.indexes["period"]], name=FLEET_CLEAN)
            m.add_constraints(lhs - clean == 0, name=FLEET_CLEAN)
            return
        load = np.bincount(groups, problem.snapshot_weights * problem.load)
        target = xr.DataArray(problem.cfe_target * load, coords={"period": lhs.indexes["period"]})
        m.add_constraints(lhs >= target, name="cfe-hourly")

    return add


def _exchange(problem: SystemProblem, bound: float) -> Callable[[pypsa.Network], None]:
    """Add the exchange generator at the campus's load bus (both signs, up to ``bound``)."""
    bus = SITE if problem.network is None else problem.network.load_bus

    def add(n: pypsa.Network) -> None:
        n.add("Carrier", "fleet")
        n.add(
            "Generator",
            EXCHANGE,
            bus=bus,
            carrier="fleet",
            p_nom=max(bound, 1e-9),
            p_min_pu=-1.0,
            p_max_pu=1.0,
        )

    return add


def build_fleet_model(fleet: FleetProblem) -> tuple[pypsa_join.Joined, dict[str, np.ndarray]]:
    """Join the campuses' LPs with the transfers (no solve).

    Returns
    -------
    Joined
    moved : dict of str to numpy.ndarray
        Columns of each transfer's hourly moves, shape (n_time,).
    """
    expose = fleet.fleet_target is not None
    networks = [
        pypsa_join.block(
            b,
            _extra_functionality(b, cfe_rows=_cfe_rows(expose)),
            _exchange(b, fleet.exchange_bound(k)),
        )
        for k, b in enumerate(fleet.targets())
    ]
    joined = pypsa_join.Joined.of(networks, np.ones(len(networks)))
    w = fleet.blocks[0].snapshot_weights
    moved = {
        t.name: joined.add_columns(t.cost * w, np.zeros(len(w)), np.asarray(t.p_max, dtype=float))
        for t in fleet.transfers
    }
    for k, site in enumerate(fleet.sites):
        exchange = joined.column(k, networks[k].model.variables["Generator-p"].labels.sel(
            name=EXCHANGE).values)  # fmt: skip
        out = [moved[t.name] for t in fleet.transfers if t.source == site]
        into = [moved[t.name] for t in fleet.transfers if t.target == site]
        pue = fleet.pue[k]
        for i in range(len(w)):  # exchange_t = PUE_t (out_t - in_t)
            cols = [exchange[i], *(c[i] for c in out), *(c[i] for c in into)]
            vals = [1.0] + [-pue[i]] * len(out) + [pue[i]] * len(into)
            joined.add_row(cols, vals, 0.0, 0.0)
            if into:  # what comes in fits the spare IT capacity
                joined.add_row([c[i] for c in into], 1.0, -np.inf, fleet.spare[k][i])
            if out and fleet.movable is not None:  # what leaves is the movable load at most
                joined.add_row([c[i] for c in out], 1.0, -np.inf, fleet.movable[k][i])
    if expose:
        _fleet_row(joined, fleet)
    return joined, moved


def _fleet_row(joined: pypsa_join.Joined, fleet: FleetProblem) -> None:
    """``sum_k clean_k >= target x sum_k load_k`` in each CFE period."""
    columns: dict[int, list[int]] = {}
    required: dict[int, float] = {}
    for k, block in enumerate(fleet.targets()):
        if FLEET_CLEAN not in joined.networks[k].model.variables:
            continue
        labels = joined.networks[k].model.variables[FLEET_CLEAN].labels.values
        cols = joined.column(k, labels)
        load = np.bincount(block.matching_groups(), block.snapshot_weights * block.load)
        for p, col in enumerate(cols):
            columns.setdefault(p, []).append(int(col))
            required[p] = required.get(p, 0.0) + block.cfe_target * float(load[p])
    for p, fleet_cols in columns.items():
        joined.add_row(fleet_cols, 1.0, required[p], np.inf)


def attempt(fleet: FleetProblem, solver: str, opts: dict[str, Any]) -> Attempt:
    """Build the joined LP and solve it once with HiGHS."""
    joined, moved = build_fleet_model(fleet)
    run = pypsa_join.solve(joined, solver, opts)
    run.model = (joined, moved)
    return run


def extract(run: Attempt, fleet: FleetProblem) -> FleetSolution:
    """Each campus's Solution (PyPSA's read-back), the moves and the exchanges."""
    joined, cols = run.model
    blocks = [pypsa_join.block_solution(joined, k, b) for k, b in enumerate(fleet.targets())]
    moved = {k: np.maximum(joined.x[c], 0.0) for k, c in cols.items()}
    exchange = [exchange_of(fleet, moved, k) for k in range(len(fleet.sites))]
    # PyPSA charges the whole rating of an upgradable branch; the existing part is not paid
    existing = sum(existing_branch_cost(b) for b in fleet.blocks)
    return FleetSolution(blocks, moved, exchange, run.objective - existing)


__all__ = ["FLEET_CLEAN", "attempt", "build_fleet_model", "extract"]
