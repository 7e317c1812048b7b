"""cvxpy backend of a :class:`~gridtwin.optimize.fleet.FleetProblem`: each campus is the LP of
:func:`gridtwin.optimize.cvxpy_backend.build_model` with its exchange in the balance and CFE
rows; the transfers, the spare-capacity rows and a fleet CFE row tie them (equations in
:mod:`gridtwin.optimize.fleet`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import cvxpy as cp
import numpy as np

from gridtwin.optimize.cvxpy_backend import Model, build_model, extract_solution, run_model
from gridtwin.optimize.fleet import FleetProblem, FleetSolution, exchange_of
from gridtwin.optimize.outcome import Attempt


@dataclass
class FleetModel:
    """The campuses' models, the transfer variables and the whole LP."""

    top: Model
    blocks: list[Model]
    moved: dict[str, cp.Variable]
    fleet_row: cp.Constraint | None


def build_fleet_model(fleet: FleetProblem) -> FleetModel:
    """Translate a fleet into one cvxpy LP (no solve)."""
    n_time = len(fleet.blocks[0].snapshots)
    w = fleet.blocks[0].snapshot_weights
    moved = {
        t.name: cp.Variable(n_time, name=f"moved_{t.name}", bounds=[np.zeros(n_time), t.p_max])
        for t in fleet.transfers
    }
    constraints: list[cp.Constraint] = []
    cost: list[Any] = [t.cost * (w @ moved[t.name]) for t in fleet.transfers if t.cost]
    models = []
    for k, (site, block) in enumerate(zip(fleet.sites, fleet.targets(), strict=True)):
        out = [moved[t.name] for t in fleet.transfers if t.source == site]
        into = [moved[t.name] for t in fleet.transfers if t.target == site]
        exchange = None
        if out and fleet.movable is not None:
            constraints.append(cp.sum(cp.vstack(out), axis=0) <= fleet.movable[k])
        if out or into:
            net = cp.sum(cp.vstack(out), axis=0) if out else 0
            if into:
                net = net - cp.sum(cp.vstack(into), axis=0)
                constraints.append(cp.sum(cp.vstack(into), axis=0) <= fleet.spare[k])
            exchange = cp.multiply(fleet.pue[k], net)
        m = build_model(block, exchange=exchange, cfe_row=fleet.fleet_target is None)
        constraints += m.problem.constraints
        cost.append(m.problem.objective.args[0])
        models.append(m)
    fleet_row = None
    parts: list[Any] = [m for m in models if m.clean is not None]
    if fleet.fleet_target is not None and parts:
        clean: Any = cp.sum(cp.vstack([m.clean for m in parts]), axis=0)
        required = np.sum([np.asarray(m.cfe_required) for m in parts], axis=0)
        fleet_row = clean >= required
        constraints.append(fleet_row)
    top = Model(problem=cp.Problem(cp.Minimize(cp.sum(cp.hstack(cost))), constraints))
    return FleetModel(top, models, moved, fleet_row)


def attempt(fleet: FleetProblem, solver: str, opts: dict[str, Any]) -> Attempt:
    """Build the fleet's LP and run the solver once (``Attempt.model``: the FleetModel)."""
    fm = build_fleet_model(fleet)
    run = run_model(fm.top, solver, opts)
    return replace(run, model=fm)


def extract(run: Attempt, fleet: FleetProblem) -> FleetSolution:
    """Each campus as its own Solution, the moves and the exchanges."""
    fm: FleetModel = run.model
    blocks = []
    for block, m in zip(fleet.blocks, fm.blocks, strict=True):
        m.scale = fm.top.scale
        value = float(m.problem.objective.args[0].value)
        blocks.append(extract_solution(m, block, objective=value))
    moved = {k: np.maximum(np.asarray(v.value, dtype=float), 0.0) for k, v in fm.moved.items()}
    exchange = [exchange_of(fleet, moved, k) for k in range(len(fleet.sites))]
    return FleetSolution(blocks, moved, exchange, fm.top.objective)


__all__ = ["FleetModel", "attempt", "build_fleet_model", "extract"]
