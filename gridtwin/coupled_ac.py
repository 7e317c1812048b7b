"""The AC feasibility loop of several problems sized as one LP: the periods of a plan, the
campuses of a fleet.

Every block's result is checked with the hourly AC power flow and N-1 (blocks without a site
network are not); the blocks that violate a limit are tightened by the rules of
:mod:`gridtwin.ac_loop` and the whole LP is solved again, for at most ``rounds`` solves. The
whole is solved again because a tighter limit in one block can change what is best elsewhere
(capacity persists across periods; work moves between campuses).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import xarray as xr

from gridtwin.ac_loop import AcRound, record, tighten
from gridtwin.exceptions import InfeasibleError, PowerFlowNotConverged
from gridtwin.grid.check import GridCheck, check_result, placed_network
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.solution import Solution

logger = logging.getLogger(__name__)

#: Per block: its last AC check (``None``: no network, or the AC power flow failed) and its
#: rounds (empty: no network), as a single study's loop records them.
BlockChecks = list[tuple[GridCheck | None, list[AcRound]]]


def coupled_ac_loop(
    blocks: Sequence[SystemProblem],
    solution: Any,
    *,
    reported: Callable[[Sequence[SystemProblem], Any], list[tuple[SystemProblem, Solution]]],
    solve: Callable[[Sequence[SystemProblem]], Any],
    results: Callable[[int, SystemProblem, Solution], xr.Dataset],
    nets: Sequence[Any],
    names: Sequence[str],
    rounds: int,
    margin: float,
) -> tuple[list[SystemProblem], Any, BlockChecks]:
    """Check every block; tighten the violating ones and solve the whole again while a limit
    is violated, for at most ``rounds`` solves in all.

    Parameters
    ----------
    blocks : sequence of SystemProblem
        The LP's blocks (as solved).
    solution : PlanSolution or FleetSolution
        The first solve; ``solution.blocks`` holds each block's Solution.
    reported : callable
        ``reported(blocks, solution)``: each block as a single study reports it (problem and
        Solution).
    solve : callable
        Solves the whole with the given blocks.
    results : callable
        ``results(index, problem, solution)``: the result dataset of block ``index``.
    nets, names : sequence
        Each block's site network (pandapowerNet, ``None``: not checked) and its source.
    rounds, margin
        As :func:`gridtwin.ac_loop.run_ac_loop`.

    Returns
    -------
    tuple
        ``(blocks, solution, checks)`` of the last round.
    """
    blocks = list(blocks)
    history: list[list[AcRound]] = [[] for _ in blocks]
    checks: list[GridCheck | None] = [None] * len(blocks)
    for k in range(rounds):
        tightened = list(blocks)
        violated = derated = False
        for p, (priced, part) in enumerate(reported(blocks, solution)):
            if nets[p] is None:
                continue
            try:
                checked = check_result(results(p, priced, part), nets[p], network_name=names[p])
            except PowerFlowNotConverged as err:  # kept and flagged, as a single study
                history[p].append(
                    AcRound(k, float(part.objective), -1, -1, float("nan"), float("nan"),
                            float("nan"), stopped=f"the AC power flow failed: {err}")
                )  # fmt: skip
                checks[p] = None
                continue
            laid_out = placed_network(checked.dataset, nets[p])
            n1 = priced.network is not None and priced.network.n1
            history[p].append(record(k, part, checked, laid_out, n1))
            checks[p] = checked
            if history[p][-1].feasible or k == rounds - 1:
                continue
            violated = True
            tightened[p], history[p][-1].derated = tighten(
                blocks[p], solution.blocks[p], checked, laid_out, margin
            )
            derated = derated or bool(history[p][-1].derated)
        if not violated:
            break
        if not derated:
            why = "the violations left are not on branches the LP can limit"
            for rounds_p in history:
                if rounds_p and not rounds_p[-1].feasible:
                    rounds_p[-1].stopped = why
            break
        try:
            solution = solve(tightened)
        except InfeasibleError as err:
            for rounds_p in history:
                if rounds_p:
                    rounds_p[-1].stopped = f"the tightened problem has no solution: {err}"
            logger.warning("AC loop stopped: %s", err)
            break
        blocks = tightened
    return blocks, solution, list(zip(checks, history, strict=True))


__all__ = ["BlockChecks", "coupled_ac_loop"]
