"""PyPSA backend of a :class:`~gridtwin.optimize.plan.PlanProblem`.

PyPSA and gridtwin's hook build each period's block exactly as for a single study
(:func:`gridtwin.optimize.pypsa_backend.build_network` and its ``extra_functionality``); this
module joins the blocks' linopy matrices (``Model.matrices``) into one LP, block by block on
the diagonal, adds the vintage columns and the rows that tie each block's capacity to them
(equations in :mod:`gridtwin.optimize.plan`), solves it with HiGHS (``highspy``) and hands
every block its part of the primal and dual values (``Model.assign_result``), so PyPSA's own
read-back and gridtwin's extraction run unchanged on each block.

Why not PyPSA's own multi-investment mode (``multi_investment_periods=True``): it prices and
retires vintages the same way (checked in the tests against a network built with
``build_year`` and ``lifetime``), but its snapshots become a (period, timestep) MultiIndex that
none of gridtwin's rows (CFE, flexibility, site network, budgets) is written for; joining the
blocks keeps one code path for a period and a single study.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pypsa
import scipy.sparse as sp

from gridtwin.optimize.outcome import Attempt, Status
from gridtwin.optimize.plan import Investment, PlanProblem, PlanSolution, existing_capacity
from gridtwin.optimize.pypsa_backend import _extra_functionality, _extract, build_network
from gridtwin.optimize.pypsa_network import existing_branch_cost

#: HiGHS model status (``highspy.HighsModelStatus`` name) -> status.
STATUSES = {
    "kOptimal": Status.OPTIMAL,
    "kInfeasible": Status.INFEASIBLE,
    "kUnbounded": Status.UNBOUNDED,
    "kUnboundedOrInfeasible": Status.INFEASIBLE_OR_UNBOUNDED,
    "kTimeLimit": Status.TIME_LIMIT,
    "kIterationLimit": Status.ITERATION_LIMIT,
    "kSolveError": Status.ERROR,
}


@dataclass
class PlanModel:
    """The blocks' networks and where each block sits in the joined LP.

    Attributes
    ----------
    networks : list of pypsa.Network
        Each period's network with its linopy model (``n.model``).
    columns, rows : list of slice
        Columns and rows of each block in the joined LP.
    factors : numpy.ndarray
        Weight of each block's costs in the joined objective [a per horizon of the block].
    built : dict of str to numpy.ndarray
        Column of each vintage per investment key, shape (n_periods,).
    x, row_dual : numpy.ndarray
        Primal values and row duals of the joined LP after a solve (empty before).
    """

    networks: list[pypsa.Network]
    columns: list[slice]
    rows: list[slice]
    factors: np.ndarray
    built: dict[str, np.ndarray]
    x: np.ndarray
    row_dual: np.ndarray


def _block(problem: Any) -> pypsa.Network:
    """A period's network with its linopy model and gridtwin's rows, not solved."""
    n = build_network(problem)
    n.optimize.create_model(include_objective_constant=False)
    _extra_functionality(problem)(n, n.snapshots)
    return n


def _capacity_column(n: pypsa.Network, inv: Investment, efficiency: float) -> tuple[int, float]:
    """Linopy label of an investment's capacity variable in a block and the factor that turns
    the variable into the capacity (a discharger is rated on its DC input)."""
    m = n.model
    if inv.kind == "s_nom":
        var = "Line-s_nom" if inv.asset in n.lines.index else "Transformer-s_nom"
        return int(m.variables[var].labels.sel(name=inv.asset).item()), 1.0
    if inv.kind == "e_nom":
        var, name, scale = "Store-e_nom", inv.asset, 1.0
    elif inv.asset in n.generators.index:
        var, name, scale = "Generator-p_nom", inv.asset, 1.0
    elif inv.kind == "p_nom":
        var, name, scale = "Link-p_nom", f"{inv.asset} charger", 1.0
    else:
        var, name, scale = "Link-p_nom", f"{inv.asset} discharger", efficiency
    return int(m.variables[var].labels.sel(name=name).item()), scale


def build_plan_model(plan: PlanProblem) -> tuple[PlanModel, dict[str, Any]]:
    """Join the blocks' LPs and the vintages into one LP (no solve).

    Returns
    -------
    PlanModel
    lp : dict
        ``A`` (scipy CSC), ``c``, ``col_lower``, ``col_upper``, ``row_lower``,
        ``row_upper``: the joined LP, ``min c'x`` s.t. ``row_lower <= A x <= row_upper``.
    """
    networks = [_block(b) for b in plan.blocks]
    factors = plan.weights / np.array([b.horizon_years for b in plan.blocks])
    mats, blocks_a = [], []
    c, lb, ub, rl, ru = [], [], [], [], []
    columns, rows = [], []
    col, row = 0, 0
    for factor, n in zip(factors, networks, strict=True):
        mat = n.model.matrices
        a = sp.csr_array(mat.A)
        blocks_a.append(a)
        mats.append(mat)
        c.append(factor * np.asarray(mat.c, dtype=float))
        lb.append(np.asarray(mat.lb, dtype=float))
        ub.append(np.asarray(mat.ub, dtype=float))
        b, sense = np.asarray(mat.b, dtype=float), np.asarray(mat.sense)
        rl.append(np.where(sense == "<", -np.inf, b))
        ru.append(np.where(sense == ">", np.inf, b))
        columns.append(slice(col, col + a.shape[1]))
        rows.append(slice(row, row + a.shape[0]))
        col, row = col + a.shape[1], row + a.shape[0]
    n_periods = len(plan.periods)
    built: dict[str, np.ndarray] = {}
    tie_r, tie_c, tie_v, tie_b = [], [], [], []
    n_tie = 0
    for inv in plan.investments:
        built[inv.key] = col + np.arange(n_periods)
        c.append(plan.vintage_costs(inv))
        lb.append(np.zeros(n_periods))
        ub.append(np.full(n_periods, np.inf))
        active = plan.active(inv.lifetime)
        for k, (block, n, mat) in enumerate(zip(plan.blocks, networks, mats, strict=True)):
            eta = _discharge_efficiency(block, inv.asset)
            label, scale = _capacity_column(n, inv, eta)
            position = columns[k].start + int(np.flatnonzero(mat.vlabels == label)[0])
            vintages = built[inv.key][active[:, k]]
            tie_r += [n_tie] * (1 + len(vintages))
            tie_c += [position, *vintages]
            tie_v += [scale] + [-1.0] * len(vintages)
            tie_b.append(existing_capacity(block, inv))
            n_tie += 1
        col += n_periods
    ties = sp.csr_array((tie_v, (tie_r, tie_c)), shape=(n_tie, col))
    joined = sp.block_diag(blocks_a, format="csr")
    joined = sp.hstack([joined, sp.csr_array((row, col - joined.shape[1]))], format="csr")
    lp = {
        "A": sp.vstack([joined, ties], format="csc"),
        "c": np.concatenate(c),
        "col_lower": np.concatenate(lb),
        "col_upper": np.concatenate(ub),
        "row_lower": np.concatenate([*rl, tie_b]),
        "row_upper": np.concatenate([*ru, tie_b]),
    }
    model = PlanModel(networks, columns, rows, factors, built, np.zeros(0), np.zeros(0))
    return model, lp


def _discharge_efficiency(block: Any, asset: str) -> float:
    for s in block.storage:
        if s.name == asset:
            return float(s.efficiency_discharge)
    return 1.0


def _highs(lp: dict[str, Any], opts: dict[str, Any]) -> highspy.Highs:
    """A HiGHS instance holding the joined LP with the study's options, output off."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for name, value in opts.items():
        h.setOptionValue(name, value)
    a = lp["A"]
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = a.shape[1], a.shape[0]
    model.col_cost_ = lp["c"]
    model.col_lower_, model.col_upper_ = lp["col_lower"], lp["col_upper"]
    model.row_lower_, model.row_upper_ = lp["row_lower"], lp["row_upper"]
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = a.shape[1], a.shape[0]
    model.a_matrix_.start_ = a.indptr
    model.a_matrix_.index_ = a.indices
    model.a_matrix_.value_ = a.data
    h.passModel(model)
    return h


def attempt(plan: PlanProblem, solver: str, opts: dict[str, Any]) -> Attempt:
    """Build the joined LP and solve it once with HiGHS (``Attempt.model``: the PlanModel).

    Raises
    ------
    ConfigError
        ``solver`` is not HiGHS (the joined LP is handed to HiGHS directly).
    """
    from gridtwin.exceptions import ConfigError

    if solver != "HIGHS":
        raise ConfigError(
            f"investment periods: the pypsa backend solves plans with HiGHS, not {solver}; "
            "use solver.name: highs, or backend: cvxpy"
        )
    model, lp = build_plan_model(plan)
    h = _highs(lp, opts)
    t0 = time.perf_counter()
    h.run()
    run_time = time.perf_counter() - t0
    said = h.modelStatusToString(h.getModelStatus())
    name = str(h.getModelStatus()).rsplit(".", 1)[-1]
    kind = STATUSES.get(name, Status.NO_VERDICT)
    info = h.getInfo()
    iterations = {
        "simplex": int(info.simplex_iteration_count),
        "ipm": int(info.ipm_iteration_count),
        "crossover": int(info.crossover_iteration_count),
    }
    value = float("nan")
    if kind is Status.OPTIMAL:
        solution = h.getSolution()
        model.x = np.asarray(solution.col_value, dtype=float)
        model.row_dual = np.asarray(solution.row_dual, dtype=float)
        value = float(lp["c"] @ model.x)
    return Attempt(kind, said, model, value, run_time, iterations)


def extract(run: Attempt, plan: PlanProblem) -> PlanSolution:
    """Hand each block its values (PyPSA's read-back) and collect the :class:`PlanSolution`."""
    from linopy.constants import Result, SolverStatus, TerminationCondition
    from linopy.constants import Solution as LinopySolution
    from linopy.constants import Status as LinopyStatus

    pm: PlanModel = run.model
    blocks = []
    for k, (block, n) in enumerate(zip(plan.blocks, pm.networks, strict=True)):
        m, mat = n.model, n.model.matrices
        x = pm.x[pm.columns[k]]
        primal = np.full(m._xCounter, np.nan)
        primal[mat.vlabels] = x
        dual = np.full(m._cCounter, np.nan)
        dual[mat.clabels] = pm.row_dual[pm.rows[k]] / pm.factors[k]
        objective = float(np.asarray(mat.c, dtype=float) @ x)
        result = Result(
            LinopyStatus(SolverStatus.ok, TerminationCondition.optimal),
            LinopySolution(primal, dual, objective),
            solver_name="highs",
        )
        m.assign_result(result)
        n.optimize.assign_solution()
        n.optimize.assign_duals(False)
        n.optimize.post_processing()
        blocks.append(_extract(n, block, objective - existing_branch_cost(block)))
    built = {k: np.maximum(pm.x[cols], 0.0) for k, cols in pm.built.items()}
    return PlanSolution(blocks=blocks, built=built, objective=run.objective)


__all__ = ["PlanModel", "attempt", "build_plan_model", "extract"]
