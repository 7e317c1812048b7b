"""The optimisation backends behind one door: a registry by name and the solve they share.

Each backend (:mod:`~gridtwin.optimize.pypsa_backend`, :mod:`~gridtwin.optimize.cvxpy_backend`)
writes the LP of a :class:`SystemProblem` on its own — that independence is the cross-check of
DESIGN.md section 6 — and exposes it as a :class:`Backend`: validate options, run the solver
once (an :class:`~gridtwin.optimize.outcome.Attempt` with its status translated), read a
:class:`Solution` out of an optimal run. Everything around the math is here, once: the
diagnosis of a run without an optimum (:func:`gridtwin.optimize.outcome.diagnose`), the relaxed
solve for the highest reachable CFE score, the one retry with crossover, and the
:class:`~gridtwin.optimize.outcome.SolverReport`. Backends are imported when first asked for, so
cvxpy is loaded only by studies that choose it.
"""

from __future__ import annotations

import functools
import importlib
import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from gridtwin.campus.flexibility import POWER_TOL
from gridtwin.exceptions import ConfigError, SolverError
from gridtwin.highs import highs_options
from gridtwin.optimize.clarabel_lp import clarabel_settings
from gridtwin.optimize.evaluate import cfe_balance
from gridtwin.optimize.outcome import (
    RETRIED,
    Attempt,
    SolverReport,
    Status,
    diagnose,
    target_out_of_reach,
)
from gridtwin.optimize.problem import Solution, SystemProblem
from gridtwin.optimize.problem_checks import check_problem

logger = logging.getLogger(__name__)


class Backend(Protocol):
    """What a backend module provides as its ``BACKEND`` object."""

    name: str
    """Registry name, ``"pypsa"`` or ``"cvxpy"``."""
    solvers: tuple[str, ...]
    """Solver names it accepts, upper case (the first is the default)."""

    def options(self, solver: str, options: dict[str, Any] | None) -> dict[str, Any]:
        """The options to pass to ``solver``; ``ConfigError`` for options it cannot take."""
        ...

    def attempt(
        self, problem: SystemProblem, solver: str, opts: dict[str, Any], maximise_cfe: bool = False
    ) -> Attempt:
        """Build the LP of ``problem`` (with ``maximise_cfe`` its clean supply maximised
        instead of the cost, without the CFE row) and run the solver once."""
        ...

    def extract(self, attempt: Attempt, problem: SystemProblem) -> Solution:
        """The :class:`Solution` of an optimal attempt (its ``solver`` left empty)."""
        ...

    def versions(self) -> dict[str, str]:
        """Modelling library versions for the report (``{"pypsa_version": ...}``)."""
        ...


#: Backend name -> module holding its ``BACKEND`` (imported on first use).
BACKENDS = {
    "pypsa": "gridtwin.optimize.pypsa_backend",
    "cvxpy": "gridtwin.optimize.cvxpy_backend",
}


def backend(name: str) -> Backend:
    """The registered backend called ``name``.

    Raises
    ------
    ConfigError
        If no backend has that name.
    """
    if name not in BACKENDS:
        raise ConfigError(f"solver.backend: {name!r} is not one of {list(BACKENDS)}")
    found: Backend = importlib.import_module(BACKENDS[name]).BACKEND
    return found


def solver_name(chosen: Backend, solver: str | None) -> str:
    """The solver name, upper case (the backend's default for ``None``).

    Raises
    ------
    ConfigError
        If the backend does not take that solver.
    """
    name = (solver or chosen.solvers[0]).upper()
    if name not in chosen.solvers:
        raise ConfigError(
            f"{chosen.name} backend: solver {solver!r} is not one of {list(chosen.solvers)}"
        )
    return name


def solver_options(solver: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The options to pass to ``solver`` (``"HIGHS"`` or ``"CLARABEL"``), checked and copied:
    HiGHS's with the log off unless DEBUG logging (:func:`gridtwin.highs.highs_options`),
    Clarabel's settings (:func:`gridtwin.optimize.clarabel_lp.clarabel_settings`).

    Raises
    ------
    ConfigError
        An option the solver does not know or a value it refuses.
    """
    if solver == "HIGHS":
        return highs_options(options)
    return clarabel_settings(options)


def max_reachable_cfe(
    problem: SystemProblem,
    backend_name: str = "pypsa",
    solver: str | None = None,
    options: dict[str, Any] | None = None,
) -> float:
    """Highest hourly CFE score the candidate assets can reach, ignoring cost.

    The score is clean supply over load served, and curtailing load (where the flexibility
    allows it) lowers the denominator, so the highest score is a ratio to maximise. Dinkelbach's
    method solves it with a few LPs: starting from ``s = 0``, maximise ``clean + s x curtailed``
    over the relaxed problem (:meth:`SystemProblem.relaxed_for_max_cfe`: the same assets and
    limits, no CFE row, no tie-break cost), set ``s`` to the score that dispatch reaches, and
    repeat until it stops rising (one LP without curtailment, usually two or three with it).
    Every score returned is reached by a feasible dispatch, so a target at or below it is
    feasible (for a horizon of one CFE period; with stacked years the score is over the whole
    horizon, and each year must meet the target on its own).

    Returns
    -------
    float
        CFE score [-], or ``nan`` if the load cannot be served at all (or the solver stopped
        without an optimum).

    References
    ----------
    Dinkelbach, W. (1967), On nonlinear fractional programming, Management Science 13(7),
    492-498, doi:10.1287/mnsc.13.7.492.
    """
    chosen = backend(backend_name)
    name = solver_name(chosen, solver)
    return _reach(chosen, problem, name, chosen.options(name, options))


#: Largest number of Dinkelbach steps of :func:`max_reachable_cfe`.
REACH_STEPS = 6


def _reach(chosen: Backend, problem: SystemProblem, solver: str, opts: dict[str, Any]) -> float:
    score = 0.0
    for _ in range(REACH_STEPS):
        relaxed = problem.relaxed_for_max_cfe(score)
        try:
            run = chosen.attempt(relaxed, solver, opts, maximise_cfe=True)
        except SolverError:
            return math.nan
        if run.status is not Status.OPTIMAL:
            return math.nan
        reached, _ = cfe_balance(relaxed, chosen.extract(run, relaxed))
        if reached <= score + 1e-9 or reached >= 1.0:
            return max(reached, score)
        score = reached
    return score


#: HiGHS options of the vertex solve that follows Clarabel when it is needed.
VERTEX = {"solver": "ipm", "run_crossover": "on"}
VERTEX_WORDS = "interior point with crossover, a vertex solution"


def vertex_needed(
    run: Attempt,
    problem: SystemProblem,
    solution: Solution | None,
    reach: Callable[[], float],
    opts: Mapping[str, Any],
) -> str | None:
    """Why a Clarabel attempt must be followed by a HiGHS vertex solve, or ``None``.

    * It stopped with a verdict Clarabel's certificates can give falsely at loose
      tolerances ("unbounded", or "infeasible" on a target HiGHS's relaxed solve reaches), or
      with no verdict (numerical trouble, insufficient progress). At Clarabel's default
      infeasibility tolerance of 1e-8 it called the default study unbounded.
    * Its optimum curtails load: an interior point stops in the middle of the optimal face, so
      it spreads curtailment thinly over every hour where it costs the same (measured: 5,081
      curtailed hours against 236 at HiGHS's vertex for the same energy, at cfe_target
      0.9212 of the default study), and the study's hour limits
      (:func:`gridtwin.campus.flexibility.curtailment_events`) count hours, which the LP
      cannot state.

    * It ran into Clarabel's own iteration limit (200, not one in ``opts``): it converges in
      50-120 iterations when it can, so running out of them is trouble it cannot name (the
      Lyon study at 100 % hourly CFE).

    Time and iteration limits the user set are theirs and are reported as such.
    """
    if run.status is Status.OPTIMAL and solution is not None:
        hours = int(np.count_nonzero(solution.load_curtailment > POWER_TOL))
        if hours:
            return (
                f"curtails load in {hours} h (an interior point spreads it over equally cheap "
                "hours; the hour limits are counted on a vertex)"
            )
        return None
    if run.status in (Status.UNBOUNDED, Status.NO_VERDICT, Status.ERROR):
        return f"stopped with {run.said}"
    if run.status is Status.INFEASIBLE and not target_out_of_reach(problem, reach()):
        return f"stopped with {run.said} on a target HiGHS finds reachable"
    if run.status is Status.ITERATION_LIMIT and "max_iter" not in opts:
        return f"stopped at its default iteration limit ({run.said})"
    return None


def solve(
    problem: SystemProblem,
    backend_name: str = "pypsa",
    solver: str | None = None,
    options: dict[str, Any] | None = None,
) -> Solution:
    """Solve the sizing problem with a registered backend.

    Parameters
    ----------
    problem : SystemProblem
    backend_name : {"pypsa", "cvxpy"}
    solver : str, optional
        Solver name (case-insensitive): ``"highs"`` (both backends, the default) or
        ``"clarabel"`` (cvxpy).
    options : dict, optional
        Solver options, HiGHS or Clarabel names (e.g. ``{"solver": "ipm",
        "run_crossover": "off"}``, ``{"time_limit": 600}``).

    Returns
    -------
    Solution
        ``solver`` holds the :class:`~gridtwin.optimize.outcome.SolverReport` as a dict.

    Raises
    ------
    ConfigError
        Unknown backend, solver or option, or a problem its checks refuse
        (:func:`~gridtwin.optimize.problem_checks.check_problem`: the same for both backends).
    InfeasibleError
        The problem has no solution (e.g. a CFE target out of reach); the message gives the
        highest reachable score.
    UnboundedError
        The cost falls without limit.
    SolverError
        A time or iteration limit, a solver failure, or no optimum on a reachable target.
    """
    check_problem(problem)  # again: a problem's arrays may have changed since it was built
    chosen = backend(backend_name)
    name = solver_name(chosen, solver)
    if options is not None and not isinstance(options, Mapping):
        raise ConfigError(
            f"solver.options: give a mapping of option names to values, not {options!r}"
        )
    opts = chosen.options(name, dict(options or {}))
    t0 = time.perf_counter()
    run = chosen.attempt(problem, name, opts)
    retried = None
    solution = None
    # the reachable score from a simplex vertex (HiGHS), also when an interior point solver
    # (Clarabel) was chosen: its tolerance would understate the score
    exact, exact_opts = ("HIGHS", chosen.options("HIGHS", None)) if name != "HIGHS" else (
        name, opts
    )  # fmt: skip
    reach = functools.cache(lambda: _reach(chosen, problem, exact, exact_opts))
    if name == "CLARABEL":
        if run.status is Status.OPTIMAL:
            solution = chosen.extract(run, problem)
        why = vertex_needed(run, problem, solution, reach, opts)
        if why is not None:
            logger.warning("Clarabel %s: solving again with HiGHS (%s)", why, VERTEX_WORDS)
            name, opts = "HIGHS", chosen.options("HIGHS", VERTEX)
            run, retried, solution = chosen.attempt(problem, name, opts), f"Clarabel {why}", None
    if run.status is not Status.OPTIMAL:
        label = {"HIGHS": "HiGHS", "CLARABEL": "Clarabel"}.get(name, name)
        opts = diagnose(run, problem, label, opts, reach, can_cross_over=name == "HIGHS")
        logger.warning(
            "%s stopped with %s on a reachable target: solving again with crossover "
            "(solver.options run_crossover: on)",
            label,
            run.said,
        )
        run, retried = chosen.attempt(problem, name, opts), RETRIED
        if run.status is not Status.OPTIMAL:
            diagnose(run, problem, label, opts, reach, can_cross_over=False)
    if solution is None:
        solution = chosen.extract(run, problem)
    solution.solver = report(chosen, name, run, opts, time.perf_counter() - t0, retried)
    return solution


def report(
    chosen: Backend,
    name: str,
    run: Attempt,
    opts: dict[str, Any],
    seconds: float,
    retried: str | None = None,
) -> dict[str, Any]:
    """The solver report a result records (:class:`SolverReport` as a dict): backend, solver,
    status, options, ``seconds`` of build and solve [s], the solver's own run time [s],
    iterations, versions and why it was retried."""
    return SolverReport(
        backend=chosen.name,
        name=name.lower(),
        status=run.status,
        said=run.said,
        options=opts,
        solve_time_s=seconds,
        solver_run_time_s=run.solver_run_time_s,
        iterations=run.iterations,
        versions=chosen.versions(),
        retried=retried,
    ).as_dict()


__all__ = [
    "BACKENDS",
    "Backend",
    "backend",
    "max_reachable_cfe",
    "report",
    "solve",
    "solver_name",
    "solver_options",
]
