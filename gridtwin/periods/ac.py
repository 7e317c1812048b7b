"""The AC feasibility loop of a plan: every period's result is checked with the hourly AC
power flow and N-1; the periods that violate a limit are tightened (the rules of
:mod:`gridtwin.ac_loop`) and the whole plan is solved again, for at most
``network.ac_loop.rounds`` solves.

The plan is solved again as a whole because a tighter limit in one period can change what is
best built in an earlier one (capacity persists).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import xarray as xr

from gridtwin.ac_loop import AcRound, record, tighten
from gridtwin.exceptions import InfeasibleError, PowerFlowNotConverged
from gridtwin.grid.check import GridCheck, check_result, placed_network
from gridtwin.optimize.plan import PlanProblem, PlanSolution
from gridtwin.optimize.plan_periods import period_results
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.solution import Solution

logger = logging.getLogger(__name__)

#: What each period's AC check gives: ``(check or None, rounds)``, as a single study's loop.
PeriodChecks = list[tuple[GridCheck | None, list[AcRound]]]


def plan_ac_loop(
    plan: PlanProblem,
    solution: PlanSolution,
    *,
    solve: Callable[[PlanProblem], PlanSolution],
    results: Callable[[int, SystemProblem, Solution], xr.Dataset],
    net: Any,
    network_name: str,
    rounds: int,
    margin: float,
) -> tuple[PlanProblem, PlanSolution, PeriodChecks]:
    """Check every period; tighten the violating ones and solve the plan again while a limit
    is violated, for at most ``rounds`` solves in all.

    Parameters
    ----------
    plan, solution : PlanProblem, PlanSolution
        The first solve.
    solve : callable
        Solves a plan (the study's backend and options).
    results : callable
        ``results(index, problem, solution)``: the result dataset of period ``index``.
    net, network_name, rounds, margin
        As :func:`gridtwin.ac_loop.run_ac_loop`.

    Returns
    -------
    tuple
        ``(plan, solution, checks)`` of the last round: the plan with the derated limits, its
        solution and, per period, its last AC check (``None`` where the AC power flow did not
        converge) and its rounds.
    """
    history: list[list[AcRound]] = [[] for _ in plan.periods]
    for k in range(rounds):
        checks: list[GridCheck | None] = []
        blocks = list(plan.blocks)
        derated_any, violated = False, False
        for p, (priced, part) in enumerate(period_results(plan, solution)):
            try:
                checked = check_result(results(p, priced, part), net, network_name=network_name)
            except PowerFlowNotConverged as err:  # kept and flagged, as a single study
                history[p].append(
                    AcRound(k, float(part.objective), -1, -1, float("nan"), float("nan"),
                            float("nan"), stopped=f"the AC power flow failed: {err}")
                )  # fmt: skip
                checks.append(None)
                continue
            laid_out = placed_network(checked.dataset, net)
            n1 = priced.network is not None and priced.network.n1
            history[p].append(record(k, part, checked, laid_out, n1))
            checks.append(checked)
            if history[p][-1].feasible or k == rounds - 1:
                continue
            violated = True
            blocks[p], history[p][-1].derated = tighten(
                plan.blocks[p], solution.blocks[p], checked, laid_out, margin
            )
            derated_any = derated_any or bool(history[p][-1].derated)
        if not violated or not derated_any:
            if violated:
                for rounds_p in history:
                    if not rounds_p[-1].feasible:
                        rounds_p[
                            -1
                        ].stopped = "the violations left are not on branches the LP can limit"
            break
        tightened = replace(plan, blocks=tuple(blocks))
        try:
            solution = solve(tightened)
        except InfeasibleError as err:
            for rounds_p in history:
                rounds_p[-1].stopped = f"the tightened plan has no solution: {err}"
            logger.warning("AC loop stopped: %s", err)
            break
        plan = tightened
    return plan, solution, list(zip(checks, history, strict=True))


__all__ = ["PeriodChecks", "plan_ac_loop"]
