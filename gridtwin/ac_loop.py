"""The AC feasibility loop: check a sized result with the hourly AC power flow and N-1, and
tighten the sizing problem where the linear power flow was too optimistic.

The sizing LP carries the site network as a lossless, active-power-only linear power flow
(:mod:`gridtwin.network.spec`). The AC power flow of every hour (:mod:`gridtwin.grid.check`,
pandapower / lightsim2grid) adds what the LP leaves out: reactive power, losses and voltage
magnitudes. Where it finds a limit violated, :func:`tighten` returns the same problem with
tighter branch limits, and the study solves again, for at most ``network.ac_loop.rounds``
solves. The rules (documented in ``docs/network.md``):

* **thermal, intact network**: a branch whose AC loading reached ``L`` % of its limit ``L_max``
  % in hour t, while the LP flow was ``|f_t|`` [MW], may carry at most
  ``min_t |f_t| L_max / L_t x (1 - margin)`` [MW]; this becomes its ``s_max_pu`` (a share of
  the rating after upgrades, so an upgrade can still buy the capacity back);
* **thermal, N-1** (when the LP is security-constrained): the same with the LP's
  post-contingency flow ``|f_l + BODF_lk f_k|`` of the branch the AC N-1 found overloaded
  (``BODF_lk`` 0 where the outage moves no active power onto it: its AC loading still rises
  with the lower voltages);
* **voltage** (the reactive-power / voltage proxy): a bus whose voltage left its band in hour t
  by a deviation ``|v_t - v_grid|`` beyond the allowed ``|v_limit - v_grid|`` caps the flow of
  every branch between it and the grid that drives the deviation (a rise: flows in the
  direction the bus's injection pushes, ``f_lt PTDF_lb > 0``; a drop: flows towards the bus)
  at ``|f_lt| x allowed / deviation x (1 - margin)`` [MW] (``flow_max``, which an upgrade does
  not lift: the voltage change follows the flow, ``dV ~ (R P + X Q) / V``).

Each round is recorded (violations, worst loading and voltages, objective, what was derated).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.exceptions import InfeasibleError, PowerFlowNotConverged
from gridtwin.grid.check import GridCheck, check_result, placed_network
from gridtwin.grid.elements import element_labels
from gridtwin.grid.powerflow import limits
from gridtwin.network.spec import NetworkSpec
from gridtwin.optimize.problem import Solution, SystemProblem

logger = logging.getLogger(__name__)

#: Flows below this are taken as not contributing to a voltage deviation [MW].
FLOW_EPS = 1e-3


@dataclass
class AcRound:
    """Outcome of one round of the AC loop.

    Attributes
    ----------
    round : int
        0 for the first solve.
    objective : float
        Solver objective of the round [currency] (horizon).
    violations : int
        Element-hours outside a voltage or thermal limit, intact network.
    n1_overloads : int
        (contingency, hour) pairs with a branch above its limit after the outage (reported;
        they count against the round only when ``n1_required``).
    max_loading_percent, min_vm_pu, max_vm_pu : float
        Worst AC loading [%] and voltages [p.u.] of the intact network.
    derated : dict
        Branch -> ``{"s_max_pu": ..., "flow_max": ...}`` set for the next round.
    stopped : str
        Why the loop stopped early after this round ("" if it did not): nothing left to
        tighten, the tightened problem has no solution (then this round is the answer), or the
        AC power flow of this round did not converge (then the counts are -1).
    n1_required : bool
        Whether the LP secures N-1 (``network.n1``).
    """

    round: int
    objective: float
    violations: int
    n1_overloads: int
    max_loading_percent: float
    min_vm_pu: float
    max_vm_pu: float
    derated: dict[str, dict[str, float]] = field(default_factory=dict)
    stopped: str = ""
    n1_required: bool = True

    @property
    def feasible(self) -> bool:
        """No violation in the intact network and, when the LP secures N-1
        (``network.n1``), none under N-1."""
        n1_ok = self.n1_overloads == 0 or not self.n1_required
        return self.violations == 0 and n1_ok


def n1_overloads(check: GridCheck, net: Any) -> pd.DataFrame:
    """(contingency, hour) rows of an N-1 table whose worst branch exceeds its limit [%]."""
    n1 = check.n1
    if n1.empty:
        return n1
    labels = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
    _, _, lmax = limits(net)
    limit = dict(zip(labels, lmax, strict=True))
    ok = n1[(n1["status"] == "ok") & n1["max_loading_percent"].notna()]
    over = ok["max_loading_percent"] > ok["max_loading_branch"].map(limit).astype(float)
    return ok[over.to_numpy()]


def record(
    round_: int, solution: Solution, check: GridCheck, net: Any, n1_required: bool = True
) -> AcRound:
    """Summarise one round's AC check."""
    ds = check.dataset
    n = int(ds.attrs["grid_hours"])
    part = ds.isel(time=slice(0, n))
    return AcRound(
        round=round_,
        objective=float(solution.objective),
        violations=len(check.violations),
        n1_overloads=len(n1_overloads(check, net)),
        max_loading_percent=float(part["loading_percent"].max()),
        min_vm_pu=float(part["vm_pu"].min()),
        max_vm_pu=float(part["vm_pu"].max()),
        n1_required=n1_required,
    )


def tighten(
    problem: SystemProblem,
    solution: Solution,
    check: GridCheck,
    net: Any,
    margin: float,
) -> tuple[SystemProblem, dict[str, dict[str, float]]]:
    """The problem with the branch limits the AC check asks for (module docstring).

    Parameters
    ----------
    problem : SystemProblem
        The problem that was solved (with a site network).
    solution : Solution
        Its solution (branch flows [MW], ratings [MVA]).
    check : GridCheck
        :func:`gridtwin.grid.check.check_result` of the solution's result.
    net : pandapowerNet
        The network the check ran on (as laid out by
        :func:`gridtwin.grid.check.placed_network`), for the limits.
    margin : float
        Share of a limit kept free [-].

    Returns
    -------
    tuple
        ``(problem, derated)``: the tightened problem and, per branch changed, its new
        ``s_max_pu`` [-] and ``flow_max`` [MW].
    """
    spec = problem.network
    assert spec is not None
    times = pd.DatetimeIndex(problem.snapshots)
    position = {t: i for i, t in enumerate(times)}
    flows = solution.branch_flow
    index = {b.name: j for j, b in enumerate(spec.branches)}
    caps: dict[str, float] = {}  # branch -> largest allowed |flow| [MW] (thermal)
    volts: dict[str, float] = {}  # branch -> flow_max [MW] (voltage proxy)
    keep = 1.0 - margin
    v_grid = float(net.ext_grid["vm_pu"].iloc[0]) if len(net.ext_grid) else 1.0

    def cap(store: dict[str, float], name: str, value: float) -> None:
        store[name] = min(store.get(name, np.inf), value)

    for row in check.violations.itertuples(index=False):
        t = position[pd.Timestamp(row.time)]
        element = str(row.element)
        if row.kind == "overload" and element in index:
            cap(caps, element, abs(flows[element][t]) * row.limit / row.value * keep)
        elif row.kind in ("voltage_low", "voltage_high"):
            caps_v = _voltage_caps(spec, flows, element[4:], t, row, keep, v_grid)
            for name, value in caps_v.items():
                cap(volts, name, value)
    if spec.n1:
        pairs = spec.contingencies()
        bodf = {
            (spec.branches[ell].name, spec.branches[k].name): float(f)
            for ell, k, f in zip(pairs.monitored, pairs.outage, pairs.bodf, strict=True)
        }
        for row in n1_overloads(check, net).itertuples(index=False):
            monitored, outage = str(row.max_loading_branch), str(row.contingency)
            if monitored not in index or outage not in index:
                continue
            # BODF 0: the outage moves no active power onto the branch, but its AC loading
            # still rises (lower voltages, more reactive flow): cap its own flow
            factor = bodf.get((monitored, outage), 0.0)
            t = int(row.hour)
            after = abs(flows[monitored][t] + factor * flows[outage][t])
            limit = _limit_of(net, monitored)
            cap(caps, monitored, after * limit / float(row.max_loading_percent) * keep)
    derated: dict[str, dict[str, float]] = {}
    branches = []
    for b in spec.branches:
        new = b
        if b.name in caps:
            rating = max(solution.s_nom.get(b.name, b.s_nom), 1e-9)
            share = float(np.clip(caps[b.name] / rating, 1e-3, 1.0))
            new = replace(new, s_max_pu=min(b.s_max_pu * keep, share))
        if b.name in volts:
            new = replace(new, flow_max=max(min(b.flow_max, volts[b.name]), FLOW_EPS))
        if new is not b:
            derated[b.name] = {"s_max_pu": new.s_max_pu, "flow_max": new.flow_max}
        branches.append(new)
    return replace(problem, network=spec.with_branches(tuple(branches))), derated


def _limit_of(net: Any, branch: str) -> float:
    labels = element_labels(net.line, "line") + element_labels(net.trafo, "trafo")
    _, _, lmax = limits(net)
    return float(dict(zip(labels, lmax, strict=True))[branch])


def _voltage_caps(
    spec: NetworkSpec,
    flows: dict[str, np.ndarray],
    bus: str,
    t: int,
    row: Any,
    keep: float,
    v_grid: float,
) -> dict[str, float]:
    """Flow caps [MW] of the branches between ``bus`` and the grid for one voltage violation
    (``v_grid``: the external grid's voltage set point [p.u.])."""
    if bus not in spec.buses:
        return {}
    deviation = abs(float(row.value) - v_grid)
    allowed = abs(float(row.limit) - v_grid)
    if deviation <= 0:
        return {}
    ratio = allowed / deviation * keep
    column = spec.ptdf()[:, spec.buses.index(bus)]
    # a rise comes from flows the bus's injection pushes (same sign as the PTDF), a drop from
    # flows towards the bus (opposite sign); flows the other way work against the deviation
    sign = 1.0 if row.kind == "voltage_high" else -1.0
    out = {}
    for j, b in enumerate(spec.branches):
        flow = float(flows[b.name][t])
        if abs(column[j]) > 1e-6 and abs(flow) > FLOW_EPS and sign * flow * column[j] > 0:
            out[b.name] = abs(flow) * ratio
    return out


def run_ac_loop(
    problem: SystemProblem,
    solution: Solution,
    *,
    solve: Callable[[SystemProblem], Solution],
    results: Callable[[SystemProblem, Solution], xr.Dataset],
    net: Any,
    network_name: str,
    rounds: int,
    margin: float,
) -> tuple[SystemProblem, Solution, GridCheck | None, list[AcRound]]:
    """Check a solution with the hourly AC power flow and N-1; tighten and solve again while
    a limit is violated, for at most ``rounds`` solves in all.

    Parameters
    ----------
    problem, solution : SystemProblem, Solution
        The first solve (hourly, with a site network).
    solve : callable
        Solves a problem (the study's backend and options).
    results : callable
        Builds the result dataset of a problem and its solution.
    net : pandapowerNet
        The study's site network (not modified).
    network_name : str
        Its source, recorded in the check.
    rounds : int
        Largest number of solves, the first included [-].
    margin : float
        Share of a limit kept free when derating [-].

    Returns
    -------
    tuple
        ``(problem, solution, check, history)`` of the last round: the problem with the
        derated limits, its solution, its AC check (the result with the grid variables;
        ``None`` when the AC power flow did not converge) and one :class:`AcRound` per solve.
    """
    history: list[AcRound] = []
    previous = problem
    n1 = problem.network is not None and problem.network.n1
    for k in range(rounds):
        try:
            checked = check_result(results(problem, solution), net, network_name=network_name)
        except PowerFlowNotConverged as err:  # the sized result is kept and flagged
            history.append(
                AcRound(k, float(solution.objective), -1, -1, float("nan"), float("nan"),
                        float("nan"), stopped=f"the AC power flow failed: {err}", n1_required=n1)
            )  # fmt: skip
            logger.warning("AC loop: %s", history[-1].stopped)
            return problem, solution, None, history
        laid_out = placed_network(checked.dataset, net)
        history.append(record(k, solution, checked, laid_out, n1))
        logger.info(
            "AC loop round %d: %d violations, %d N-1 overloads, max loading %.1f %%",
            k,
            history[-1].violations,
            history[-1].n1_overloads,
            history[-1].max_loading_percent,
        )
        if history[-1].feasible or k == rounds - 1:
            return problem, solution, checked, history
        previous = problem
        problem, history[-1].derated = tighten(problem, solution, checked, laid_out, margin)
        if not history[-1].derated:  # nothing the rules can tighten: another solve is the same
            history[-1].stopped = "the violations left are not on branches the LP can limit"
            logger.warning("AC loop: %s", history[-1].stopped)
            return problem, solution, checked, history
        try:
            tightened = solve(problem)
        except InfeasibleError as err:  # keep the last solved round and say why it stopped
            history[-1].stopped = f"the tightened problem has no solution: {err}"
            logger.warning("AC loop stopped: %s", history[-1].stopped)
            return previous, solution, checked, history
        previous, solution = problem, tightened
    raise AssertionError("unreachable: rounds >= 1")


def rounds_attrs(rounds: list[AcRound], converged: bool) -> dict[str, Any]:
    """Result attributes of the loop: every round as JSON (NaN as null), whether it passed."""

    def plain(value: Any) -> Any:
        return None if isinstance(value, float) and not np.isfinite(value) else value

    return {
        "ac_loop_rounds": json.dumps(
            [{k: plain(v) for k, v in r.__dict__.items()} for r in rounds], default=float
        ),
        "ac_loop_converged": int(converged),
        "ac_loop_n_rounds": len(rounds),
    }


__all__ = ["AcRound", "n1_overloads", "record", "rounds_attrs", "run_ac_loop", "tighten"]
