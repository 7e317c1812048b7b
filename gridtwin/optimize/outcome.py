"""What the backends say when a solve ends without an optimum: the same messages for every
backend (infeasible targets, interior point stopped without a verdict)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gridtwin.optimize.problem import SystemProblem


def target_out_of_reach(problem: SystemProblem, best: float) -> bool:
    """Whether the highest reachable CFE score ``best`` (``nan``: the load cannot be served)
    misses the problem's target: what a solver that stopped without a verdict (interior point
    without crossover reports an infeasible LP as "unknown") is asked afterwards."""
    return not np.isfinite(best) or best < problem.cfe_target - 1e-6


def no_verdict_message(solver: str, status: str, problem: SystemProblem, best: float) -> str:
    """The message of a solver that stopped without an optimum on a problem whose target is
    within reach (``best`` >= target): the same for every backend."""
    return (
        f"{solver} stopped with status '{status}' although cfe_target={problem.cfe_target} is "
        f"reachable (highest reachable CFE score {best:.4f}): the interior point method did not "
        "converge; set solver.options: {solver: simplex} (HiGHS dual simplex, slower but "
        "robust) or lower the target; no result written"
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
    if not np.isfinite(best):
        return (
            f"the sizing problem is infeasible at {where}: the campus load cannot be served "
            f"every hour even without a CFE target (the candidate technologies, "
            f"{', '.join(limits)}); {', '.join(fixes)}, or allow storage or firm capacity"
        )
    return (
        f"the sizing problem is infeasible at {where}: the highest hourly CFE score reachable "
        f"with these technologies, {', '.join(limits)} is {best:.4f}; lower "
        "policy.cfe_target to at most that, or allow storage, firm clean options, offsite "
        "contracts or more land"
    )


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


__all__ = [
    "crossover_retry",
    "infeasibility_message",
    "no_verdict_message",
    "target_out_of_reach",
]
