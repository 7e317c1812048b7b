"""Solve a :class:`~gridtwin.optimize.plan.PlanProblem` or a
:class:`~gridtwin.optimize.fleet.FleetProblem` with a backend and say why it failed."""

from __future__ import annotations

import logging
import time
from types import ModuleType
from typing import Any

from gridtwin.exceptions import InfeasibleError
from gridtwin.optimize import (
    backends,
    cvxpy_fleet,
    cvxpy_plan,
    pypsa_fleet,
    pypsa_plan,
)
from gridtwin.optimize.backends import VERTEX, VERTEX_WORDS
from gridtwin.optimize.fleet import FleetProblem, FleetSolution
from gridtwin.optimize.outcome import (
    Attempt,
    Status,
    diagnose,
    infeasibility_message,
    target_out_of_reach,
)
from gridtwin.optimize.plan import PlanProblem, PlanSolution

logger = logging.getLogger(__name__)

#: Backend name -> module with ``attempt(plan, solver, opts)`` and ``extract(run, plan)``.
PLAN_BACKENDS: dict[str, ModuleType] = {"cvxpy": cvxpy_plan, "pypsa": pypsa_plan}
#: Clarabel's iteration limit for a joined LP unless the study sets ``max_iter``: it converges
#: in 50-120 iterations on a single study; the 2-campus fleet of ``studies/fleet.yaml`` at a
#: 95 % fleet target ran out of the default 200 (measured December 2026).
JOINED_MAX_ITER = 400
#: The same for fleets.
FLEET_BACKENDS: dict[str, ModuleType] = {"cvxpy": cvxpy_fleet, "pypsa": pypsa_fleet}


def solve_plan(
    plan: PlanProblem,
    backend_name: str = "pypsa",
    solver: str | None = None,
    options: dict[str, Any] | None = None,
) -> PlanSolution:
    """Solve the plan's LP with a backend.

    Parameters
    ----------
    plan : PlanProblem
    backend_name : {"pypsa", "cvxpy"}
    solver : str, optional
        ``"highs"`` (both backends, the default) or ``"clarabel"`` (cvxpy only).
    options : dict, optional
        Solver options, as for :func:`gridtwin.optimize.backends.solve`.

    Returns
    -------
    PlanSolution
        ``solver`` (and each block's ``solver``) holds the solver report as a dict.

    Raises
    ------
    ConfigError
        Unknown backend, solver or option.
    InfeasibleError
        A period's CFE target is out of reach of its candidate assets (the message names the
        period and its highest reachable score), or the periods cannot all be met at once.
    UnboundedError, SolverError
        As :func:`gridtwin.optimize.backends.solve`.
    """
    run, report = _run(PLAN_BACKENDS, plan, backend_name, solver, options, _explain)
    solution: PlanSolution = PLAN_BACKENDS[report["backend"]].extract(run, plan)
    solution.solver = report
    for block in solution.blocks:
        block.solver = report
    return solution


def solve_fleet(
    fleet: FleetProblem,
    backend_name: str = "pypsa",
    solver: str | None = None,
    options: dict[str, Any] | None = None,
) -> FleetSolution:
    """Solve the fleet's LP with a backend (parameters as :func:`solve_plan`).

    Raises
    ------
    InfeasibleError
        The targets cannot be met (the message gives each campus's highest reachable score
        alone; moving work can raise it).
    ConfigError, UnboundedError, SolverError
        As :func:`solve_plan`.
    """
    run, report = _run(FLEET_BACKENDS, fleet, backend_name, solver, options, _explain_fleet)
    solution: FleetSolution = FLEET_BACKENDS[report["backend"]].extract(run, fleet)
    solution.solver = report
    for block in solution.blocks:
        block.solver = report
    return solution


def _run(
    modules: dict[str, ModuleType],
    problem: Any,
    backend_name: str,
    solver: str | None,
    options: dict[str, Any] | None,
    explain: Any,
) -> tuple[Attempt, dict[str, Any]]:
    """One attempt with the chosen backend and solver, its failure explained, and the report.

    Clarabel gets :data:`JOINED_MAX_ITER` iterations unless the study sets ``max_iter`` (a
    joined LP takes more than a single study's 50-120). If it stops without an optimum for a
    reason that is not the user's limit, the LP is solved again with HiGHS's interior point
    and crossover, as a single study is (:func:`gridtwin.optimize.backends.vertex_needed`).
    """
    chosen = backends.backend(backend_name)
    name = backends.solver_name(chosen, solver)
    given = dict(options or {})
    if name == "CLARABEL":
        given.setdefault("max_iter", JOINED_MAX_ITER)
    opts = chosen.options(name, given)
    t0 = time.perf_counter()
    module = modules[chosen.name]
    run = module.attempt(problem, name, opts)
    retried = None
    user_limit = run.status in (Status.TIME_LIMIT, Status.ITERATION_LIMIT) and (
        "max_iter" in (options or {}) or "time_limit" in (options or {})
    )
    if name == "CLARABEL" and run.status is not Status.OPTIMAL and not user_limit:
        logger.warning(
            "Clarabel stopped with %s: solving again with HiGHS (%s)", run.said, VERTEX_WORDS
        )
        retried = f"Clarabel stopped with {run.said}"
        name, opts = "HIGHS", chosen.options("HIGHS", dict(VERTEX))
        run = module.attempt(problem, name, opts)
    if run.status is not Status.OPTIMAL:
        explain(run, problem, chosen.name, name, opts)
    report = backends.report(chosen, name, run, opts, time.perf_counter() - t0, retried)
    return run, report


def _explain_fleet(run: Attempt, fleet: FleetProblem, backend: str, solver: str, opts: Any) -> None:
    """Raise the error a non-optimal fleet run means; an infeasible one names each campus's
    highest reachable score alone."""
    label = {"HIGHS": "HiGHS", "CLARABEL": "Clarabel"}.get(solver, solver)
    if run.status in (Status.INFEASIBLE, Status.INFEASIBLE_OR_UNBOUNDED, Status.NO_VERDICT):
        best = {
            site: backends.max_reachable_cfe(block, backend, "HIGHS")
            for site, block in zip(fleet.sites, fleet.blocks, strict=True)
        }
        scores = ", ".join(f"{site} {score:.4f}" for site, score in best.items())
        target = (
            f"the fleet target {fleet.fleet_target}"
            if fleet.fleet_target is not None
            else "the campuses' targets"
        )
        raise InfeasibleError(
            f"fleet: {target} cannot be met; highest hourly CFE score of each campus alone: "
            f"{scores} (moving work can raise a campus's score, not the fleet's supply); lower "
            "the target, allow more technologies or more transfers"
        )
    diagnose(run, fleet.blocks[0], label, opts, lambda: 1.0, can_cross_over=False)


def _explain(run: Attempt, plan: PlanProblem, backend: str, solver: str, opts: Any) -> None:
    """Raise the error a non-optimal plan run means, naming the period that cannot be met."""
    label = {"HIGHS": "HiGHS", "CLARABEL": "Clarabel"}.get(solver, solver)
    if run.status in (Status.INFEASIBLE, Status.INFEASIBLE_OR_UNBOUNDED, Status.NO_VERDICT):
        # each period alone is as reachable as in the plan: a vintage may be built in any
        # period, and capacity kept from earlier ones never makes a target harder to reach
        for year, block in zip(plan.periods, plan.blocks, strict=True):
            best = backends.max_reachable_cfe(block, backend, "HIGHS")
            if target_out_of_reach(block, best):
                raise InfeasibleError(f"period {year}: {infeasibility_message(block, best)}")
        if run.status is Status.INFEASIBLE:
            raise InfeasibleError(
                "investment periods: every period can meet its CFE target alone but not all "
                "together; a build limit (p_nom_max, land) of a later period is smaller than "
                "the capacity an earlier period keeps: raise it or shorten the lifetimes"
            )
    diagnose(run, plan.blocks[0], label, opts, lambda: 1.0, can_cross_over=False)


__all__ = ["FLEET_BACKENDS", "PLAN_BACKENDS", "solve_fleet", "solve_plan"]
