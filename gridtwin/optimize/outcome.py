"""How a solve ended, in one vocabulary for every backend, and what gridtwin says about it.

A backend translates its solver's own words (linopy's termination condition, cvxpy's status)
into a :class:`Status` once, in an :class:`Attempt`; everything after that — telling an
infeasible problem from an unbounded one, from a time or iteration limit and from an interior
point method that stopped without a verdict, the messages, the one retry with crossover, the
:class:`SolverReport` a result records — is written here once (:func:`diagnose`). The status
names follow linopy's ``TerminationCondition`` (``linopy/constants.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from gridtwin.exceptions import InfeasibleError, SolverError, UnboundedError
from gridtwin.optimize.problem import SystemProblem


class Status(StrEnum):
    """How one solver run ended (the value is what results record as
    ``termination_condition``)."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    NO_VERDICT = "unknown"
    """Stopped without an optimum and without a proof (e.g. interior point without crossover
    on an infeasible LP, or one that made no progress near the optimum)."""
    ERROR = "error"


@dataclass
class Attempt:
    """One solver run of a backend, its status already translated.

    Attributes
    ----------
    status : Status
    said : str
        The solver's (or its interface's) own words, e.g. ``"warning/infeasible"``.
    model : Any
        The backend's solved model (a ``pypsa.Network``, a cvxpy model), for extraction.
    objective : float
        Objective value in the problem's units [currency a-1]; with ``maximise_cfe`` the
        clean supply [MWh]; ``nan`` without an optimum.
    solver_run_time_s : float
        Time inside the solver [s] (``nan`` when the interface does not say).
    iterations : dict[str, int]
        Iteration counts by method (``simplex``, ``ipm``, ``crossover``) or ``total``.
    """

    status: Status
    said: str
    model: Any
    objective: float = math.nan
    solver_run_time_s: float = math.nan
    iterations: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SolverReport:
    """What a result records of the solve that made it (``Solution.solver``, as a dict).

    Attributes
    ----------
    backend : str
        ``"pypsa"`` or ``"cvxpy"``.
    name : str
        Solver, lower case (``"highs"``, ``"clarabel"``).
    status : Status
    said : str
        The solver's own words for how it ended.
    options : dict
        Solver options of the run that gave the solution (after a retry: the retry's).
    solve_time_s : float
        Model build, solver interface and solve [s].
    solver_run_time_s : float
        Time inside the solver [s].
    iterations : dict[str, int]
    versions : dict[str, str]
        Modelling library versions, e.g. ``{"pypsa_version": "1.2.1"}``.
    retried : str or None
        Why the solve was run a second time, if it was.
    """

    backend: str
    name: str
    status: Status
    said: str
    options: dict[str, Any]
    solve_time_s: float
    solver_run_time_s: float
    iterations: dict[str, int]
    versions: dict[str, str]
    retried: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report as the JSON-able dict results carry in their ``solver`` attribute."""
        out: dict[str, Any] = {
            "name": self.name,
            "backend": self.backend,
            "options": self.options,
            "status": "ok" if self.status is Status.OPTIMAL else "warning",
            "termination_condition": self.status.value,
            "said": self.said,
            "solve_time_s": self.solve_time_s,
            "solver_run_time_s": self.solver_run_time_s,
            "iterations": self.iterations,
            **self.versions,
        }
        if self.retried is not None:
            out["retried"] = self.retried
        return out


#: HiGHS and Clarabel option names of the iteration limits (``solver.options``).
ITERATION_LIMITS = (
    "simplex_iteration_limit",
    "ipm_iteration_limit",
    "pdlp_iteration_limit",
    "qp_iteration_limit",
    "max_iter",
)


def limit_reached(opts: dict[str, Any], run_time: float, iterations: dict[str, int]) -> Status:
    """Which user limit stopped a solver whose interface only says "a limit" (cvxpy's
    ``user_limit``): an iteration limit when an iteration count reached its option, a time
    limit when the run time reached ``time_limit``; the limit that was set when only one was.
    """
    counts = {
        "simplex_iteration_limit": iterations.get("simplex"),
        "ipm_iteration_limit": iterations.get("ipm"),
        "pdlp_iteration_limit": iterations.get("pdlp"),
        "max_iter": iterations.get("total"),
    }
    for key in ITERATION_LIMITS:
        done = counts.get(key)
        if key in opts and done is not None and done >= float(opts[key]):
            return Status.ITERATION_LIMIT
    if "time_limit" in opts and run_time >= float(opts["time_limit"]) * 0.99:
        return Status.TIME_LIMIT
    if any(key in opts for key in ITERATION_LIMITS) and "time_limit" not in opts:
        return Status.ITERATION_LIMIT
    return Status.TIME_LIMIT


def target_out_of_reach(problem: SystemProblem, best: float) -> bool:
    """Whether the highest reachable CFE score ``best`` (``nan``: the load cannot be served)
    misses the problem's target: what a solver that stopped without a verdict (interior point
    without crossover reports an infeasible LP as "unknown") is asked afterwards."""
    return not np.isfinite(best) or best < problem.cfe_target - 1e-6


def _floor4(score: float) -> str:
    """A reachable score to 4 decimals, rounded down: a target at the number shown must be
    reachable (0.92138 shows as 0.9213, not 0.9214)."""
    return f"{math.floor(score * 1e4 + 1e-6) / 1e4:.4f}"


def no_verdict_message(solver: str, status: str, problem: SystemProblem, best: float) -> str:
    """The message of a solver that stopped without an optimum on a problem whose target is
    within reach (``best`` >= target): the same for every backend."""
    return (
        f"{solver} stopped with status '{status}' although cfe_target={problem.cfe_target} is "
        f"reachable (highest reachable CFE score {_floor4(best)}): the interior point method "
        "did not converge; set solver.options: {solver: simplex} (HiGHS dual simplex, slower but "
        "robust) or lower the target; no result written"
    )


def limit_message(solver: str, attempt: Attempt, opts: dict[str, Any]) -> str:
    """The message of a solve stopped by ``solver.options``' time or iteration limit."""
    if attempt.status is Status.TIME_LIMIT:
        given = opts.get("time_limit", "its default")
        return (
            f"{solver} stopped at its time limit (solver.options.time_limit = {given} s) before "
            f"an optimum ({attempt.said}); raise or remove solver.options.time_limit, or "
            "shorten the solve with aggregation.segments; no result written"
        )
    limits = {k: opts[k] for k in ITERATION_LIMITS if k in opts}
    done = ", ".join(f"{k} {v}" for k, v in attempt.iterations.items() if v) or "none"
    return (
        f"{solver} stopped at an iteration limit (solver.options {limits or 'defaults'}; "
        f"iterations done: {done}) before an optimum ({attempt.said}); raise or remove "
        "the limit; no result written"
    )


def unbounded_message(solver: str, said: str) -> str:
    """The message of an unbounded sizing problem: the cost can fall without end."""
    return (
        f"the sizing problem is unbounded ({solver}: {said}): its cost falls without limit, "
        "which takes an extendable asset with a negative capital, fixed or marginal cost and "
        "no p_nom_max (or e_nom_max); check the costs of technologies.* and the catalogue, "
        "or give those assets a size limit; no result written"
    )


def infeasibility_message(problem: SystemProblem, best: float) -> str:
    """The message of an infeasible sizing problem, the same for every backend.

    Parameters
    ----------
    problem : SystemProblem
    best : float
        Highest reachable CFE score [-] from the relaxed problem, ``nan`` if even the load
        cannot be served.
    """
    where = f"cfe_target={problem.cfe_target}"
    limits = [f"a POI limit of {problem.poi.p_nom} MW"]
    fixes = ["raise poi.p_nom"]
    if problem.network is not None:
        n1 = " under N-1" if problem.network.n1 else ""
        upgrades = any(b.extendable for b in problem.network.branches)
        limits.append(f"the ratings of network {problem.network.name}{n1}")
        if not upgrades:
            fixes.append("allow network.upgrades")
    if problem.land_area is not None:
        limits.append(f"{problem.land_area:g} ha of site land")
        fixes.append("raise site.land_area_ha")
    water = problem.water
    if water is not None and (water.annual_max is not None or water.peak_max is not None):
        limits.insert(0, "the water limits of campus.water")
        fixes.insert(0, "raise campus.water.annual_limit / peak_limit or choose a drier "
                        "campus.cooling.design (liquid_dry draws none)")  # fmt: skip
    if not np.isfinite(best):
        allow = [o for o in _missing(problem, clean=False) if o in ("storage", "firm capacity")]
        also = f", or allow {' or '.join(allow)}" if allow else ""
        return (
            f"the sizing problem is infeasible at {where}: the campus load cannot be served "
            f"every hour even without a CFE target (the candidate technologies, "
            f"{', '.join(limits)}); {', '.join(fixes)}{also}"
        )
    options = _missing(problem, clean=True)
    more = f", or allow {', '.join(options)}" if options else ""
    return (
        f"the sizing problem is infeasible at {where}: the highest hourly CFE score reachable "
        f"with these technologies, {', '.join(limits)} is {_floor4(best)}; lower "
        f"policy.cfe_target to at most that{more}"
    )


def _missing(problem: SystemProblem, clean: bool) -> list[str]:
    """What the problem could be given and does not have, in this order: extendable storage,
    a firm generator (clean with ``clean``; available at half its rating or more every hour),
    offsite contracts and more land (where land is limited)."""
    firm = any(
        g.extendable and not g.offsite and (g.clean or not clean)
        and float(np.min(g.capacity_factor)) >= 0.5
        for g in problem.generators
    )  # fmt: skip
    wanted = [
        ("storage", not any(s.extendable for s in problem.storage)),
        ("firm clean options" if clean else "firm capacity", not firm),
        ("offsite contracts", not problem.offsite),
        ("more land", problem.land_area is not None),
    ]
    return [name for name, missing in wanted if missing]


def crossover_retry(options: dict[str, Any]) -> dict[str, Any] | None:
    """HiGHS options to solve again with crossover after the interior point method (IPX)
    stopped without an optimum on a reachable target, or ``None`` when crossover was on.

    IPX without crossover stops with status "unknown" when it makes no progress near the
    optimum (seen on the default study with its site network: primal and dual residuals of
    5e-4 after 40 iterations); crossover from IPX's point then finds the optimal basis. The
    backends retry once, log it and record it in the solver information (``retried``).
    """
    if str(options.get("run_crossover", "")).lower() != "off":
        return None
    return {**options, "run_crossover": "on"}


#: What a solution records when it came from the crossover retry.
RETRIED = "run_crossover on, after interior point stopped without optimum"


def diagnose(
    attempt: Attempt,
    problem: SystemProblem,
    solver: str,
    opts: dict[str, Any],
    reach: Any,
    can_cross_over: bool,
) -> dict[str, Any]:
    """Raise the error a non-optimal :class:`Attempt` means, or return the options of the one
    retry it deserves (interior point without crossover that stopped without a verdict on a
    reachable target: solve again with crossover).

    Parameters
    ----------
    attempt : Attempt
        A run whose status is not :attr:`Status.OPTIMAL`.
    problem : SystemProblem
    solver : str
        Solver name for the messages (``"HiGHS"``, ``"Clarabel"``).
    opts : dict
        The solver options of the run.
    reach : callable
        ``reach() -> float``: the highest reachable CFE score (``nan``: the load cannot be
        served), asked only when the status needs it.
    can_cross_over : bool
        Whether the solver takes HiGHS's ``run_crossover`` option.

    Raises
    ------
    InfeasibleError
        Infeasible, or stopped without a verdict with the target out of reach.
    UnboundedError
        Unbounded (or "infeasible or unbounded" with the target within reach).
    SolverError
        A time or iteration limit, a solver error, or no verdict on a reachable target (after
        the retry, or where no retry is possible).
    """
    status = attempt.status
    if status in (Status.TIME_LIMIT, Status.ITERATION_LIMIT):
        raise SolverError(limit_message(solver, attempt, opts))
    if status is Status.ERROR:
        raise SolverError(f"{solver} failed ({attempt.said}); no result written")
    if status is Status.UNBOUNDED:
        raise UnboundedError(unbounded_message(solver, attempt.said))
    best = reach()
    if status is Status.INFEASIBLE or target_out_of_reach(problem, best):
        raise InfeasibleError(infeasibility_message(problem, best))
    if status is Status.INFEASIBLE_OR_UNBOUNDED:
        raise UnboundedError(unbounded_message(solver, attempt.said))
    retry = crossover_retry(opts) if can_cross_over else None
    if retry is None:
        raise SolverError(no_verdict_message(solver, attempt.said, problem, best))
    return retry


__all__ = [
    "ITERATION_LIMITS",
    "RETRIED",
    "Attempt",
    "SolverReport",
    "Status",
    "crossover_retry",
    "diagnose",
    "infeasibility_message",
    "limit_message",
    "limit_reached",
    "no_verdict_message",
    "target_out_of_reach",
    "unbounded_message",
]
