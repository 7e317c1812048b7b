"""Several PyPSA models as one LP: the blocks of a plan or a fleet.

Each block is built by PyPSA and gridtwin's hook exactly as a single study
(:func:`gridtwin.optimize.pypsa_backend.build_network` and its ``extra_functionality``). Their
linopy matrices (``Model.matrices``) are joined block by block on the diagonal, each block's
costs times its weight; the caller adds its own columns (vintages, transfers) and rows (what
ties the blocks); HiGHS (``highspy``) solves the whole; every block then gets its part of the
primal and dual values (``Model.assign_result``), so PyPSA's read-back and gridtwin's
extraction run on it unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pypsa
import scipy.sparse as sp

from gridtwin.exceptions import ConfigError
from gridtwin.optimize.clarabel_lp import solve_matrices
from gridtwin.optimize.outcome import Attempt, Status
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.pypsa_backend import _extract
from gridtwin.optimize.pypsa_network import existing_branch_cost
from gridtwin.optimize.solution import Solution

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
class Joined:
    """The blocks' models and the joined LP under construction.

    Attributes
    ----------
    networks : list of pypsa.Network
        Each block's network with its linopy model (``n.model``).
    factors : numpy.ndarray
        Weight of each block's costs in the joined objective [-].
    columns, rows : list of slice
        Columns and rows of each block in the joined LP.
    x, row_dual : numpy.ndarray
        Primal values and row duals after a solve (empty before).
    """

    networks: list[pypsa.Network]
    factors: np.ndarray
    columns: list[slice] = field(default_factory=list)
    rows: list[slice] = field(default_factory=list)
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _blocks: list[sp.csr_array] = field(default_factory=list)
    _position: list[np.ndarray] = field(default_factory=list)
    _c: list[np.ndarray] = field(default_factory=list)
    _lb: list[np.ndarray] = field(default_factory=list)
    _ub: list[np.ndarray] = field(default_factory=list)
    _rl: list[np.ndarray] = field(default_factory=list)
    _ru: list[np.ndarray] = field(default_factory=list)
    _extra: list[tuple[np.ndarray, np.ndarray, float, float]] = field(default_factory=list)
    n_columns: int = 0

    @classmethod
    def of(cls, networks: Sequence[pypsa.Network], factors: np.ndarray) -> Joined:
        """Join the blocks' matrices (each network's model built, not solved)."""
        joined = cls(list(networks), np.asarray(factors, dtype=float))
        row = 0
        for factor, n in zip(factors, networks, strict=True):
            mat = n.model.matrices
            a = sp.csr_array(mat.A)
            position = np.full(n.model._xCounter, -1)
            position[mat.vlabels] = joined.n_columns + np.arange(a.shape[1])
            joined._position.append(position)
            joined._blocks.append(a)
            joined._c.append(factor * np.asarray(mat.c, dtype=float))
            joined._lb.append(np.asarray(mat.lb, dtype=float))
            joined._ub.append(np.asarray(mat.ub, dtype=float))
            b, sense = np.asarray(mat.b, dtype=float), np.asarray(mat.sense)
            joined._rl.append(np.where(sense == "<", -np.inf, b))
            joined._ru.append(np.where(sense == ">", np.inf, b))
            joined.columns.append(slice(joined.n_columns, joined.n_columns + a.shape[1]))
            joined.rows.append(slice(row, row + a.shape[0]))
            joined.n_columns += a.shape[1]
            row += a.shape[0]
        return joined

    def column(self, block: int, labels: Any) -> np.ndarray:
        """Joined columns of linopy variable labels of a block (array-like of int)."""
        found = self._position[block][np.asarray(labels, dtype=int).ravel()]
        if (found < 0).any():
            raise ConfigError("a joined LP refers to a variable its block does not use")
        return found

    def add_columns(self, cost: Any, lower: Any, upper: Any) -> np.ndarray:
        """New columns with their costs and bounds; returns their positions."""
        cost = np.atleast_1d(np.asarray(cost, dtype=float))
        self._c.append(cost)
        self._lb.append(np.broadcast_to(lower, cost.shape).astype(float))
        self._ub.append(np.broadcast_to(upper, cost.shape).astype(float))
        start, self.n_columns = self.n_columns, self.n_columns + len(cost)
        return np.arange(start, self.n_columns)

    def add_row(self, cols: Any, vals: Any, lower: float, upper: float) -> None:
        """A row ``lower <= sum vals x[cols] <= upper`` of the joined LP."""
        cols = np.asarray(cols, dtype=int).ravel()
        vals = np.broadcast_to(np.asarray(vals, dtype=float), cols.shape)
        self._extra.append((cols, vals, float(lower), float(upper)))

    def lp(self) -> dict[str, Any]:
        """The joined LP: ``min c'x`` s.t. ``row_lower <= A x <= row_upper``, bounds."""
        joined = sp.block_diag(self._blocks, format="csr")
        pad = sp.csr_array((joined.shape[0], self.n_columns - joined.shape[1]))
        joined = sp.hstack([joined, pad], format="csr")
        r = [np.full(len(c), i) for i, (c, _, _, _) in enumerate(self._extra)]
        extra = sp.csr_array(
            (
                np.concatenate([v for _, v, _, _ in self._extra]) if self._extra else [],
                (
                    np.concatenate(r) if r else [],
                    np.concatenate([c for c, _, _, _ in self._extra]) if self._extra else [],
                ),
            ),
            shape=(len(self._extra), self.n_columns),
        )
        return {
            "A": sp.vstack([joined, extra], format="csc"),
            "c": np.concatenate(self._c),
            "col_lower": np.concatenate(self._lb),
            "col_upper": np.concatenate(self._ub),
            "row_lower": np.concatenate([*self._rl, [e[2] for e in self._extra]]),
            "row_upper": np.concatenate([*self._ru, [e[3] for e in self._extra]]),
        }


def block(problem: SystemProblem, extra_functionality: Any, add: Any = None) -> pypsa.Network:
    """A block's network with its linopy model and gridtwin's rows, not solved; ``add(n)``
    adds components before the model is built."""
    from gridtwin.optimize.pypsa_backend import build_network

    n = build_network(problem)
    if add is not None:
        add(n)
    n.optimize.create_model(include_objective_constant=False)
    extra_functionality(n, n.snapshots)
    return n


def solve(joined: Joined, solver: str, opts: dict[str, Any]) -> Attempt:
    """Solve the joined LP once with HiGHS or Clarabel (``Attempt.model``: the Joined).

    Clarabel gets the LP in its cone form (:func:`gridtwin.optimize.clarabel_lp.solve_matrices`)
    and stops at an interior point of the optimal face: load curtailed is spread over equally
    cheap hours (a single study solves again with HiGHS for a vertex; a joined LP does not).
    """
    lp = joined.lp()
    if solver == "CLARABEL":
        return _clarabel(joined, lp, opts)
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
    t0 = time.perf_counter()
    h.run()
    run_time = time.perf_counter() - t0
    said = h.modelStatusToString(h.getModelStatus())
    kind = STATUSES.get(str(h.getModelStatus()).rsplit(".", 1)[-1], Status.NO_VERDICT)
    info = h.getInfo()
    iterations = {
        "simplex": int(info.simplex_iteration_count),
        "ipm": int(info.ipm_iteration_count),
        "crossover": int(info.crossover_iteration_count),
    }
    value = float("nan")
    if kind is Status.OPTIMAL:
        solution = h.getSolution()
        joined.x = np.asarray(solution.col_value, dtype=float)
        joined.row_dual = np.asarray(solution.row_dual, dtype=float)
        value = float(lp["c"] @ joined.x)
    return Attempt(kind, said, joined, value, run_time, iterations)


#: Clarabel's termination condition (linopy's word) -> status.
CLARABEL_STATUSES = {
    "optimal": Status.OPTIMAL,
    "infeasible": Status.INFEASIBLE,
    "unbounded": Status.UNBOUNDED,
    "iteration_limit": Status.ITERATION_LIMIT,
    "time_limit": Status.TIME_LIMIT,
}


def _clarabel(joined: Joined, lp: dict[str, Any], opts: dict[str, Any]) -> Attempt:
    """Clarabel on the joined LP: rows ``lower <= a'x <= upper`` as ``=``, ``<`` or ``>``."""
    lower, upper = lp["row_lower"], lp["row_upper"]
    if np.any(np.isfinite(lower) & np.isfinite(upper) & (lower != upper)):
        raise ConfigError("Clarabel: a joined LP row has two different finite bounds")
    sense = np.where(lower == upper, "=", np.where(np.isfinite(upper), "<", ">"))
    b = np.where(np.isfinite(upper), upper, lower)
    run, x, y = solve_matrices(lp["A"], b, sense, lp["c"], lp["col_lower"], lp["col_upper"], opts)
    kind = CLARABEL_STATUSES.get(run.condition, Status.NO_VERDICT)
    value = float("nan")
    if kind is Status.OPTIMAL:
        joined.x, joined.row_dual = x, y
        value = float(lp["c"] @ x)
    iterations = {"ipm": run.iterations}
    return Attempt(kind, run.said, joined, value, run.run_time_s, iterations)


def block_solution(joined: Joined, k: int, problem: SystemProblem) -> Solution:
    """Hand block ``k`` its values (PyPSA's read-back) and extract its Solution (objective and
    duals per unit of the block's own costs, unweighted)."""
    from linopy.constants import Result, SolverStatus, TerminationCondition
    from linopy.constants import Solution as LinopySolution
    from linopy.constants import Status as LinopyStatus

    n = joined.networks[k]
    m, mat = n.model, n.model.matrices
    x = joined.x[joined.columns[k]]
    primal = np.full(m._xCounter, np.nan)
    primal[mat.vlabels] = x
    dual = np.full(m._cCounter, np.nan)
    dual[mat.clabels] = joined.row_dual[joined.rows[k]] / joined.factors[k]
    objective = float(np.asarray(mat.c, dtype=float) @ x)
    m.assign_result(
        Result(
            LinopyStatus(SolverStatus.ok, TerminationCondition.optimal),
            LinopySolution(primal, dual, objective),
            solver_name="highs",
        )
    )
    n.optimize.assign_solution()
    n.optimize.assign_duals(False)
    n.optimize.post_processing()
    return _extract(n, problem, objective - existing_branch_cost(problem))


__all__ = ["Joined", "block", "block_solution", "solve"]
