"""Clarabel's interior point method on the LP that PyPSA builds.

PyPSA writes the sizing LP as a linopy model and linopy hands it to HiGHS. This module hands
the same model to Clarabel instead: it reads linopy's matrices (``Model.matrices``: ``A``,
``b``, ``sense``, ``c``, ``lb``, ``ub``, in linopy's label order), writes them in Clarabel's
cone form, solves, and returns the primal values and the row duals to linopy
(``Model.assign_result``) in HiGHS's sign convention, so PyPSA's own read-back
(``assign_solution``, ``assign_duals``, ``post_processing``) and gridtwin's extraction work
unchanged.

Cone form (Clarabel: minimise ``c'x`` subject to ``Ax + s = b``, ``s`` in a cone):

* an equality row ``a'x = b`` and a fixed variable: the zero cone;
* ``a'x <= b`` as ``a'x + s = b``, ``a'x >= b`` as ``-a'x + s = -b``, and each finite
  variable bound alike: the non-negative cone.

Clarabel's duals ``z`` satisfy ``c + A'z = 0`` on the rows of the cone form, so the dual of a
row in HiGHS's convention (``c - A'y`` = reduced costs) is ``y = -z`` for ``=`` and ``<=``
rows and ``y = +z`` for ``>=`` rows.

Why: Clarabel factorises the KKT system directly (the supernodal ``faer`` LDL, both cores)
where HiGHS's IPX solves the normal equations iteratively and then needs crossover. On the
default study's full-year LP (192,729 columns, 456,266 rows) Clarabel took 53 iterations and
10 s against IPX's 97 iterations plus 5,131 crossover iterations and 76 s; on the firm/LDES
LP at 100 % CFE 39 s where no HiGHS algorithm finished within 600 s
(``bench/solvers.py``, December 2026, quiet 2-core machine).

References
----------
Goulart, P. J., Chen, Y. (2024), Clarabel: An interior-point solver for conic programs with
quadratic objectives, arXiv:2405.12762.
"""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import scipy.sparse as sp

from gridtwin.exceptions import ConfigError, SolverError
from gridtwin.highs import check_clarabel_options, clarabel_value
from gridtwin.optimize import progress

log_lines = logging.getLogger("gridtwin.optimize.clarabel")

#: Clarabel settings gridtwin sets unless the study gives its own (Clarabel's names).
#: ``direct_solve_method: faer`` is Clarabel's supernodal, multi-threaded LDL (QDLDL, the
#: default, is single-threaded and took twice as long per iteration on the firm LP);
#: ``max_threads: 0`` lets it use every core. The infeasibility tolerances are 1e-14 instead
#: of 1e-8: with 1e-8 Clarabel declared the default study's LP, whose costs span 1e-2 to 1e5,
#: dual infeasible (unbounded) at its third iteration although HiGHS solves it, and the
#: firm/LDES LP at 1e-10 at its fourth; at 1e-14 both solved (53 and 119 iterations, objectives
#: within 3e-10 of HiGHS's; measured December 2026).
DEFAULT_SETTINGS: Final[dict[str, Any]] = {
    "direct_solve_method": "faer",
    "max_threads": 0,
    "tol_infeas_abs": 1e-14,
    "tol_infeas_rel": 1e-14,
}

#: Clarabel status name -> (linopy status, linopy termination condition).
CONDITIONS: Final[dict[str, tuple[str, str]]] = {
    "Solved": ("ok", "optimal"),
    "PrimalInfeasible": ("warning", "infeasible"),
    "DualInfeasible": ("warning", "unbounded"),
    "MaxIterations": ("warning", "iteration_limit"),
    "MaxTime": ("warning", "time_limit"),
}


@dataclass
class ClarabelRun:
    """What one Clarabel solve said.

    Attributes
    ----------
    status, condition : str
        linopy's status (``"ok"``, ``"warning"``) and termination condition (``"optimal"``,
        ``"infeasible"``, ``"unbounded"``, ``"iteration_limit"``, ``"time_limit"``, or
        ``"unknown"`` for Clarabel's other statuses).
    said : str
        Clarabel's own status (``"Solved"``, ``"AlmostSolved"``, ``"InsufficientProgress"``...).
    run_time_s : float
        Clarabel's solve time [s] (setup and factorisation included, building the matrices not).
    iterations : int
        Interior point iterations.
    """

    status: str
    condition: str
    said: str
    run_time_s: float
    iterations: int


@dataclass
class _ConeForm:
    """The LP in Clarabel's form and how to read its duals back."""

    A: sp.csc_matrix
    b: np.ndarray
    n_zero: int
    n_nonneg: int
    row_of: np.ndarray  # for each cone row: the linopy row position, -1 for a variable bound
    sign: np.ndarray  # +1 where the cone row is the row as written, -1 where it is negated


def cone_form(
    A: Any, b: np.ndarray, sense: np.ndarray, lb: np.ndarray, ub: np.ndarray
) -> _ConeForm:
    """Write ``{lb <= x <= ub, A x (sense) b}`` as Clarabel's ``A x + s = b``, ``s`` in cones.

    Rows whose right-hand side is infinite in their own direction bind nothing and are left
    out (their dual is zero).

    Raises
    ------
    SolverError
        A row has a NaN right-hand side or an unknown sense.
    """
    A = sp.csr_matrix(A)
    b = np.asarray(b, dtype=float)
    sense = np.asarray(sense).astype(str)
    if np.isnan(b).any() or not np.isin(sense, ("=", "<", ">")).all():
        raise SolverError("Clarabel: the LP has a row with a NaN right-hand side or no sense")
    n_vars = A.shape[1]
    rows = np.arange(A.shape[0])
    eye = sp.identity(n_vars, format="csr")
    fixed = np.isfinite(lb) & np.isfinite(ub) & (lb == ub)
    eq = (sense == "=") & np.isfinite(b)
    le = (sense == "<") & (b < np.inf)
    ge = (sense == ">") & (b > -np.inf)
    upper = np.isfinite(ub) & ~fixed
    lower = np.isfinite(lb) & ~fixed
    blocks = [A[eq], eye[fixed], A[le], -A[ge], eye[upper], -eye[lower]]
    rhs = [b[eq], ub[fixed], b[le], -b[ge], ub[upper], -lb[lower]]
    none = -np.ones(n_vars, dtype=int)
    row_of = [rows[eq], none[fixed], rows[le], rows[ge], none[upper], none[lower]]
    signs = [np.ones(eq.sum()), np.ones(fixed.sum()), np.ones(le.sum()), -np.ones(ge.sum())]
    signs += [np.ones(upper.sum()), -np.ones(lower.sum())]
    n_zero = int(eq.sum() + fixed.sum())
    stacked = sp.vstack(blocks, format="csc")
    return _ConeForm(
        A=stacked,
        b=np.concatenate(rhs),
        n_zero=n_zero,
        n_nonneg=stacked.shape[0] - n_zero,
        row_of=np.concatenate(row_of),
        sign=np.concatenate(signs),
    )


def implied_bounds(
    A: Any, b: np.ndarray, sense: np.ndarray, lb: np.ndarray, ub: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Variable bounds tightened by the rows with one non-zero (``a x_j <= b`` is a bound on
    ``x_j``: PyPSA states the dispatch limits of fixed-size components as such rows).

    Returns
    -------
    lower, upper : numpy.ndarray
        Per variable; where the rows contradict each other the variable keeps its own bounds.
    """
    A = sp.csr_matrix(A)
    single = np.flatnonzero(np.diff(A.indptr) == 1)
    col = A.indices[A.indptr[single]]
    value = A.data[A.indptr[single]]
    bound = np.asarray(b, dtype=float)[single] / value
    kind = np.asarray(sense).astype(str)[single]
    caps = (kind == "=") | ((kind == "<") & (value > 0)) | ((kind == ">") & (value < 0))
    floors = (kind == "=") | ((kind == ">") & (value > 0)) | ((kind == "<") & (value < 0))
    lower, upper = np.array(lb, dtype=float), np.array(ub, dtype=float)
    np.minimum.at(upper, col[caps], bound[caps])
    np.maximum.at(lower, col[floors], bound[floors])
    clash = lower > upper
    lower[clash], upper[clash] = np.asarray(lb)[clash], np.asarray(ub)[clash]
    return lower, upper


def row_duals(form: _ConeForm, z: np.ndarray, n_rows: int) -> np.ndarray:
    """Row duals in HiGHS's convention (``c - A'y`` = reduced costs) from Clarabel's ``z``."""
    y = np.zeros(n_rows)
    on_row = form.row_of >= 0
    np.add.at(y, form.row_of[on_row], -(form.sign * np.asarray(z))[on_row])
    return y


def clarabel_settings(options: dict[str, Any] | None) -> dict[str, Any]:
    """The study's Clarabel settings, checked (:func:`gridtwin.highs.check_clarabel_options`)
    and copied, each of the type Clarabel takes (``max_iter: 100.0`` becomes ``100``).

    Raises
    ------
    ConfigError
        A setting Clarabel does not know or a value it refuses.
    """
    import clarabel

    opts = dict(options or {})
    try:
        check_clarabel_options(opts)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    defaults = clarabel.DefaultSettings()
    return {name: clarabel_value(getattr(defaults, name), v) for name, v in opts.items()}


def solve_model(m: Any, settings: dict[str, Any]) -> ClarabelRun:
    """Solve the linopy model ``m`` (a minimisation LP) with Clarabel and assign the result.

    Parameters
    ----------
    m : linopy.Model
        A continuous model with a linear objective to minimise (PyPSA's ``n.model`` after
        ``create_model`` and gridtwin's extra rows).
    settings : dict
        Clarabel settings (``clarabel.DefaultSettings`` names) over :data:`DEFAULT_SETTINGS`;
        ``verbose`` is always off (with ``-v`` the iterations go to the logger
        ``gridtwin.optimize.clarabel`` instead).

    Returns
    -------
    ClarabelRun
        With ``status == "ok"`` the model holds the solution (``m.solution``, constraint
        ``dual``) and ``m.objective.value``.

    Raises
    ------
    SolverError
        The model is a maximisation, has integer variables or a quadratic objective.
    """
    from linopy.constants import Result, Solution, SolverStatus, Status, TerminationCondition

    if m.objective.sense != "min" or m.is_quadratic or len(m.integers) or len(m.binaries):
        raise SolverError("Clarabel in gridtwin solves linear minimisations only")
    matrices = m.matrices
    c = np.asarray(matrices.c, dtype=float)
    run, x, y = solve_matrices(
        matrices.A, matrices.b, matrices.sense, c, matrices.lb, matrices.ub, settings
    )
    if run.status != "ok":
        m.status, m.termination_condition = run.status, run.condition
        return run
    constant = float(np.asarray(m.objective.expression.const).sum()) * m.objective.scaling
    primal = np.full(m._xCounter, np.nan)
    primal[matrices.vlabels] = x
    dual = np.full(m._cCounter, np.nan)
    dual[matrices.clabels] = y
    objective = float(c @ x) + constant
    result = Result(
        Status(SolverStatus.ok, TerminationCondition.optimal),
        Solution(primal, dual, objective),
        solver_name="clarabel",
    )
    m.assign_result(result)
    return run


def solve_matrices(
    A: Any,
    b: np.ndarray,
    sense: np.ndarray,
    c: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    settings: dict[str, Any],
) -> tuple[ClarabelRun, np.ndarray, np.ndarray]:
    """Solve ``min c'x`` s.t. ``A x (sense) b``, ``lb <= x <= ub`` with Clarabel.

    Returns
    -------
    run : ClarabelRun
    x : numpy.ndarray
        Primal values put back within the bounds the rows imply (empty unless ``ok``).
    y : numpy.ndarray
        Row duals in HiGHS's convention (empty unless ``ok``).
    """
    import clarabel

    form = cone_form(A, b, sense, lb, ub)
    c = np.asarray(c, dtype=float)
    opts = clarabel.DefaultSettings()
    for name, value in {**DEFAULT_SETTINGS, **settings, "verbose": False}.items():
        setattr(opts, name, value)
    cones = [clarabel.ZeroConeT(form.n_zero), clarabel.NonnegativeConeT(form.n_nonneg)]
    n_vars = len(c)
    solver = clarabel.DefaultSolver(sp.csc_matrix((n_vars, n_vars)), c, form.A, form.b, cones, opts)
    watch = _Progress(float(opts.tol_gap_rel))
    solver.set_termination_callback(watch)
    t0 = time.perf_counter()
    with _sigint_stops(watch):
        found = solver.solve()
    run_time = time.perf_counter() - t0
    if watch.interrupted:  # Ctrl-C during the solve: Clarabel was stopped at an iteration
        raise KeyboardInterrupt
    said = str(found.status).rsplit(".", 1)[-1]
    status, condition = CONDITIONS.get(said, ("warning", "unknown"))
    run = ClarabelRun(status, condition, said, run_time, int(found.iterations))
    if status != "ok":
        return run, np.zeros(0), np.zeros(0)
    # an interior point stops within its tolerance of the bounds (e.g. a curtailment of
    # -2.6e-8 MW on the default study): values are put back on their bounds, a change far
    # below the tolerance of any row, so no result shows an impossible sign
    lower, upper = implied_bounds(A, b, sense, lb, ub)
    x = np.clip(np.asarray(found.x), lower, upper)
    return run, x, row_duals(form, np.asarray(found.z), np.shape(A)[0])


@contextlib.contextmanager
def _sigint_stops(watch: _Progress) -> Iterator[None]:
    """While Clarabel runs, Ctrl-C sets ``watch.interrupted`` (its callback then stops the
    solve) instead of raising ``KeyboardInterrupt`` inside the callback, which Clarabel would
    print and ignore. Only in the main thread, and not where SIGINT is ignored (dask workers).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        watch.interrupted = True

    signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Progress:
    """Clarabel's per-iteration callback: the iteration table on the logger, and a summary
    for :func:`gridtwin.optimize.progress.listen` listeners at most every
    :data:`~gridtwin.optimize.progress.REPORT_EVERY_S` seconds. Stops the solve on Ctrl-C."""

    def __init__(self, tolerance: float) -> None:
        self.tracker = progress.Tracker("Clarabel", tolerance)
        self.interrupted = False
        log_lines.info("iter    pcost        dcost       gap       pres      dres")

    def __call__(self, info: Any) -> bool:
        """Report one iteration; ``True`` (stop) once Ctrl-C has arrived.

        Python runs its SIGINT handler only while Python code runs, i.e. here: the
        ``KeyboardInterrupt`` is caught (Clarabel would print it and go on) and turned into
        a stop; :func:`solve_model` raises it again once Clarabel has returned.
        """
        try:
            self._report(info)
        except KeyboardInterrupt:
            self.interrupted = True
        return self.interrupted

    def _report(self, info: Any) -> None:
        gap = float(info.gap_rel)
        log_lines.info(
            "%4d  %+.4e  %+.4e  %.2e  %.2e  %.2e",
            info.iterations,
            info.cost_primal,
            info.cost_dual,
            gap,
            info.res_primal,
            info.res_dual,
        )
        if math.isfinite(gap):
            self.tracker.iteration(int(info.iterations), info.cost_primal, info.cost_dual, gap)


__all__ = [
    "DEFAULT_SETTINGS",
    "ClarabelRun",
    "clarabel_settings",
    "cone_form",
    "implied_bounds",
    "row_duals",
    "solve_matrices",
    "solve_model",
]
