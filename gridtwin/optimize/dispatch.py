"""Operational rolling-horizon dispatch of fixed capacities, in cvxpy.

Sizing (:func:`gridtwin.optimize.cvxpy_backend.solve`) sees the whole horizon at once: perfect
foresight. An operator does not. :func:`rolling_dispatch` takes the capacities of a sized
solution as given and dispatches them the way a control room would: it solves a window of
``window_hours`` (e.g. 48 h), keeps (commits) only its first ``step_hours`` (e.g. 24 h), and
starts the next window at the end of the committed part from the state it left (stored energy,
load shift). Each window is the LP of :func:`gridtwin.optimize.cvxpy_backend.build_model` on
the window's hours with every asset fixed (no capital cost), started from a given state of
charge instead of the cyclic condition, with three operational changes:

* **CFE as a price.** The operator cannot enforce a horizon-wide hourly CFE target from inside
  one window; the target becomes a price on the clean shortfall of the window,
  ``cfe_price * max(0, cfe_target * sum_t load_t - clean)``, with ``clean`` the left-hand
  side of the CFE constraint (curtailment term included). By default the price is the sizing's
  shadow price of the CFE constraint (``Solution.cfe_price``): with perfect foresight the priced
  problem then has the same optimum as the constrained one (LP duality, Lagrangian relaxation).
  A surplus earns nothing.
* **Horizon budgets pro-rated.** Energy budgets of the whole horizon (the curtailment budget
  ``flex.curtail_energy_max``, generator ``e_sum_max``, ``export_limit``, ``emissions_cap``)
  are shared out by hours: a window of ``h`` hours out of ``T`` may use ``h / T`` of each,
  and its committed ``k`` hours at most ``k / T``, so the committed parts never exceed the
  horizon budget; unused budget is not carried over. The per-window curtailment budgets of the
  flexibility envelope apply as they are.
* **State carried over.** Stored energy at the end of the committed part starts the next
  window; so does the load shift of the last committed hour (flexibility ramp limit) and the
  highest import of each month so far (demand charge: the window pays for raising a month's
  peak above what is already committed). A window that reaches the end of the horizon must
  leave at least the stored energy the horizon started with (the cyclic state of the sized
  solution); other windows end free.

The first window starts from the sized solution's stored energy at its last hour (its cyclic
state), so one window over the whole horizon (with the sizing's CFE price) reproduces the
perfect-foresight dispatch.

References
----------
Xu, Q. et al. (2021), "System-level impacts of 24/7 carbon-free electricity procurement",
Zenodo, doi:10.5281/zenodo.5874413 (hourly CFE constraint).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from numbers import Integral
from typing import Any, NoReturn

import cvxpy as cp
import numpy as np

from gridtwin.exceptions import ConfigError, InfeasibleError, SolverError
from gridtwin.optimize import backends, cvxpy_backend
from gridtwin.optimize.evaluate import cfe_balance, objective_terms
from gridtwin.optimize.outcome import Attempt, Status, limit_message
from gridtwin.optimize.problem import Solution, SystemProblem

logger = logging.getLogger(__name__)

#: ``progress(windows_done, n_windows, window_time_s)`` after each committed window.
DispatchProgress = Callable[[int, int, float], None]


def _check(problem: SystemProblem, sized: Solution, window_hours: int, step_hours: int) -> None:
    """Raise ConfigError for inputs a rolling dispatch cannot take."""
    hours = (window_hours, step_hours)
    if problem.heat is not None or problem.water is not None:
        raise ConfigError(
            "rolling_dispatch: the operational dispatch does not model heat reuse or water "
            "limits (campus.heat_reuse, campus.water); turn dispatch off for such a study "
            "(dispatch.mode: sizing): the sizing LP's dispatch is hourly and complete"
        )
    if problem.weights is not None:
        raise ConfigError(
            "rolling_dispatch: the problem has weighted (aggregated) snapshots; dispatch is "
            "hourly: pass the full hourly problem (the one given to aggregate())"
        )
    if not all(isinstance(h, Integral) and not isinstance(h, bool) for h in hours):
        raise ConfigError(
            f"rolling_dispatch: window_hours ({window_hours!r}) and step_hours "
            f"({step_hours!r}) must be whole hours"
        )
    if not 0 < step_hours <= window_hours:
        raise ConfigError(
            f"rolling_dispatch: step_hours={step_hours} must be > 0 and at most "
            f"window_hours={window_hours} (each window commits its first step_hours)"
        )
    flex = problem.flex
    if flex is not None and step_hours % flex.window_hours:
        raise ConfigError(
            f"rolling_dispatch: step_hours={step_hours} is not a multiple of the load-shift "
            f"window flex.window_hours={flex.window_hours}: a committed step would cut a shift "
            f"window; use a step of k x {flex.window_hours} h"
        )
    n_time = len(problem.snapshots)
    missing = [t for t in problem.technologies if t not in sized.p_nom]
    missing += [s.name for s in problem.storage if s.name not in sized.state_of_charge]
    if missing or len(sized.grid_import) != n_time:
        raise ConfigError(
            f"rolling_dispatch: the sized solution does not belong to this problem (missing "
            f"{sorted(set(missing))}, {len(sized.grid_import)} hours instead of {n_time})"
        )


def _price(problem: SystemProblem, sized: Solution, cfe_price: float | None) -> float | None:
    """The price of the clean shortfall [currency MWh-1]; ``None`` without a CFE target."""
    if problem.cfe_target == 0:
        return None
    price = sized.cfe_price if cfe_price is None else float(cfe_price)
    if not math.isfinite(price) or price < 0:
        given = "cfe_price" if cfe_price is not None else "sized.cfe_price"
        raise ConfigError(
            f"rolling_dispatch: {given} is {price}; the CFE target "
            f"{problem.cfe_target} needs a finite price >= 0 [{problem.currency}/MWh] of the "
            "clean shortfall: pass cfe_price=..., or size with a backend that reports the "
            "CFE shadow price (simplex or interior point with duals)"
        )
    return price


def _fixed(problem: SystemProblem, sized: Solution) -> SystemProblem:
    """The problem with every asset fixed at the sized capacities (no capital cost).

    A storage sized with separate charge and discharge power gets the larger of both as its one
    rating; :func:`_window_constraints` bounds each direction by its own.
    """
    generators = tuple(
        replace(g, p_nom=max(sized.p_nom[g.name], 0.0), extendable=False)
        for g in problem.generators
    )
    storage = tuple(
        replace(
            s,
            p_nom=max(sized.p_nom[s.name], sized.p_nom_discharge.get(s.name, 0.0), 0.0),
            e_nom=max(sized.e_nom[s.name], 0.0),
            extendable=False,
        )
        for s in problem.storage
    )
    network = None if problem.network is None else problem.network.fixed(sized.s_nom)
    return replace(problem, generators=generators, storage=storage, network=network)


def _window(problem: SystemProblem, start: int, stop: int) -> SystemProblem:
    """The hours ``start:stop`` of the problem, horizon budgets pro-rated to them.

    ``start`` is a multiple of ``flex.window_hours`` (checked by the caller), so the shift
    windows of the slice are those of the horizon.
    """
    t = slice(start, stop)
    share = (stop - start) / len(problem.snapshots)
    poi = problem.poi
    flex = problem.flex
    if flex is not None:
        first = start // flex.window_hours
        n_windows = -(-(stop - start) // flex.window_hours)
        flex = replace(
            flex,
            shift_max=flex.shift_max[t],
            ramp_max=flex.ramp_max[t],
            curtail_max=flex.curtail_max[t],
            shift_in_max=None if flex.shift_in_max is None else flex.shift_in_max[t],
            curtail_energy_max=flex.curtail_energy_max * share,
            curtail_window_energy_max=flex.curtail_window_energy_max[first : first + n_windows],
        )
    return replace(
        problem,
        snapshots=problem.snapshots[t],
        load=problem.load[t],
        generators=tuple(
            replace(g, capacity_factor=g.capacity_factor[t], e_sum_max=g.e_sum_max * share)
            for g in problem.generators
        ),
        poi=replace(
            poi,
            import_price=poi.import_price[t],
            export_price=poi.export_price[t],
            grid_cfe_share=poi.grid_cfe_share[t],
            grid_co2_intensity=None
            if poi.grid_co2_intensity is None
            else poi.grid_co2_intensity[t],
            demand_charge=0.0,  # charged on the running monthly peaks, _window_constraints
        ),
        flex=flex,
        horizon_years=problem.horizon_years * share,
        export_limit=None if problem.export_limit is None else problem.export_limit * share,
        emissions_cap=None if problem.emissions_cap is None else problem.emissions_cap * share,
        # a balance-sheet share of the year is settled over the year (certificates), not in
        # each window of an operation
        renewable_share_min=None,
        certificate_price=None,
    )


def _window_constraints(
    problem: SystemProblem,
    sized: Solution,
    model: cvxpy_backend.Model,
    start: int,
    commit: int,
    peaks: np.ndarray,
) -> tuple[list[cp.Constraint], cp.Expression | float]:
    """Constraints and cost a window adds to :func:`cvxpy_backend.build_model`'s LP.

    Separate charge/discharge ratings, the pro-rated horizon budgets on the committed hours
    ``start:commit`` and the demand charge on raising the monthly import peaks above
    ``peaks`` [MW] (shape (n_months,), the committed peaks so far). Returns (constraints,
    cost [currency]).
    """
    n_time = len(problem.snapshots)
    k = commit - start
    grid_import, grid_export = model.grid_import, model.grid_export
    assert grid_import is not None and grid_export is not None  # build_model always sets them
    n_window = grid_import.shape[0]
    share = k / n_time
    cons: list[cp.Constraint] = []
    for s in problem.storage:
        if sized.p_nom_discharge.get(s.name, sized.p_nom[s.name]) != sized.p_nom[s.name]:
            cons += [
                model.charge[s.name] <= max(sized.p_nom[s.name], 0.0),
                model.discharge[s.name] <= max(sized.p_nom_discharge[s.name], 0.0),
            ]
    if k < n_window:  # the committed hours get their own share of each horizon budget
        flex = problem.flex
        if flex is not None and model.curtail is not None and np.isfinite(flex.curtail_energy_max):
            cons.append(cp.sum(model.curtail[:k]) <= flex.curtail_energy_max * share)
        for g in problem.generators:
            if np.isfinite(g.e_sum_max):
                cons.append(cp.sum(model.p[g.name][:k]) <= g.e_sum_max * share)
        if problem.export_limit is not None:
            cons.append(cp.sum(grid_export[:k]) <= problem.export_limit * share)
        if problem.emissions_cap is not None:
            grid_co2 = problem.poi.co2_intensity(n_time)[start:commit]
            co2 = grid_co2 @ grid_import[:k]
            for g in problem.generators:
                if g.co2_intensity > 0:
                    co2 = co2 + g.co2_intensity * cp.sum(model.p[g.name][:k])
            cons.append(co2 <= problem.emissions_cap * share)
    cost: cp.Expression | float = 0.0
    if problem.poi.demand_charge:
        month, month_share = problem.billing_months()
        here = month[start : start + n_window]
        used = np.unique(here)
        peak = cp.Variable(len(used), name="poi_peak", bounds=[peaks[used], None])
        cons.append(grid_import <= peak[np.searchsorted(used, here)])
        cost = problem.poi.demand_charge * (month_share[used] @ peak)
    return cons, cost


def rolling_dispatch(
    problem: SystemProblem,
    sized: Solution,
    *,
    window_hours: int = 48,
    step_hours: int = 24,
    cfe_price: float | None = None,
    solver: str = "HIGHS",
    options: dict[str, Any] | None = None,
    progress: DispatchProgress | None = None,
) -> Solution:
    """Dispatch the sized capacities hour by hour with a rolling horizon (see module notes).

    Windows of ``window_hours`` start every ``step_hours`` from the first hour; each keeps its
    first ``step_hours`` (the last window its remaining hours). Loops over windows; every
    window is one vectorised LP.

    Parameters
    ----------
    problem : SystemProblem
        The hourly sizing problem (not aggregated), n_time hours.
    sized : Solution
        Its solution: capacities ``p_nom``, ``p_nom_discharge`` [MW], ``e_nom`` [MWh] are
        fixed; the stored energy at its last hour, shape (n_time,)[-1] [MWh], starts the first
        window; its ``cfe_price`` is the default price.
    window_hours : int
        Hours each window optimises [h].
    step_hours : int
        Hours each window commits, ``0 < step_hours <= window_hours``, a multiple of
        ``flex.window_hours`` when the load is flexible [h].
    cfe_price : float, optional
        Price of the clean shortfall [currency MWh-1 of clean supply]; default
        ``sized.cfe_price``. Unused without a CFE target.
    solver : {"HIGHS", "CLARABEL"}
        cvxpy solver name.
    options : dict, optional
        Solver options as for :func:`gridtwin.optimize.cvxpy_backend.solve`.
    progress : callable, optional
        ``progress(windows_done, n_windows, window_time_s)`` after each window.

    Returns
    -------
    Solution
        The committed dispatch over the whole horizon, every series shape (n_time,), with the
        fixed capacities. ``objective`` [currency] is the sizing objective recomputed for this
        dispatch (:func:`objective_terms`): capital cost of the problem's extendable assets at
        the sized capacities (the same number as in ``sized.objective``) plus operating cost
        (marginal, grid, export, tie-break, demand-charge, shift and curtailment costs); the
        shortfall penalty is *not* in it but in ``solver["cfe_penalty"]``. ``cfe_price`` is the
        price used (``nan`` without a target). ``solver`` holds ``name``, ``backend``
        ("cvxpy"), ``mode`` ("rolling_dispatch"), ``window_hours``, ``step_hours``,
        ``cfe_price``, ``n_windows``, ``solve_time_s`` (all windows, build and solve [s]),
        ``window_time_mean_s`` and ``window_time_max_s`` [s], ``solver_run_time_s`` (solver
        alone, summed [s]), ``capital_cost``, ``operating_cost``, ``cfe_penalty`` [currency],
        ``cfe_score`` [-], ``cfe_shortfall_mwh`` [MWh], ``options`` and ``status``.

    Raises
    ------
    ConfigError
        Weighted (aggregated) snapshots; ``step_hours`` not in ``(0, window_hours]`` or not a
        multiple of ``flex.window_hours``; no finite CFE price; a solution of another problem;
        unknown solver or options.
    InfeasibleError
        If a window cannot be dispatched (e.g. the pro-rated emissions cap or backup energy
        limit, or storage left empty by an earlier window, cannot serve its load).
    SolverError
        For any other non-optimal termination.
    """
    _check(problem, sized, window_hours, step_hours)
    price = _price(problem, sized, cfe_price)
    chosen = backends.backend("cvxpy")
    name = backends.solver_name(chosen, solver)
    opts = chosen.options(name, options)
    carry = _Carry.start(problem, sized)
    fixed = _fixed(problem, sized)
    n_time = len(problem.snapshots)
    starts = range(0, n_time, step_hours)
    parts: list[dict[str, np.ndarray]] = []
    times: list[float] = []
    solver_time = 0.0
    for number, start in enumerate(starts, 1):
        t0 = time.perf_counter()
        stop, commit = min(start + window_hours, n_time), min(start + step_hours, n_time)
        model = cvxpy_backend.build_model(
            _window(fixed, start, stop),
            initial_soc=carry.soc,
            final_soc_min=carry.cyclic if stop == n_time else None,
            initial_shift=carry.shift_before,
            cfe_price=price,
        )
        extra, cost = _window_constraints(problem, sized, model, start, commit, carry.peaks)
        model.problem = cp.Problem(
            cp.Minimize(model.problem.objective.expr + cost), model.problem.constraints + extra
        )
        run = cvxpy_backend.run_model(model, name, opts)
        if run.status is not Status.OPTIMAL:
            _window_failed(problem, run, number, start, stop, name, opts)
        parts.append(_commit(model, commit - start))
        carry.advance(problem, parts[-1], start, commit)
        solver_time += 0.0 if math.isnan(run.solver_run_time_s) else run.solver_run_time_s
        times.append(time.perf_counter() - t0)
        if progress is not None:
            progress(number, len(starts), times[-1])
    info = {
        "name": name.lower(),
        "backend": "cvxpy",
        "mode": "rolling_dispatch",
        "window_hours": window_hours,
        "step_hours": step_hours,
        "cfe_price": float("nan") if price is None else price,
        "n_windows": len(starts),
        "solve_time_s": float(sum(times)),
        "window_time_mean_s": float(np.mean(times)),
        "window_time_max_s": float(np.max(times)),
        "solver_run_time_s": solver_time,
        "options": opts,
        "status": "ok",
        "termination_condition": "optimal",
        **chosen.versions(),
    }
    committed = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    return _solution(problem, sized, committed, price, info)


@dataclass
class _Carry:
    """What a window leaves the next: stored energy [MWh], the load shift of its last
    committed hour [MW] and the committed import peak of each month [MW]."""

    cyclic: dict[str, float]
    """The sized solution's stored energy at its last hour (its cyclic state) [MWh]."""
    soc: dict[str, float]
    shift_before: float
    month: np.ndarray
    peaks: np.ndarray

    @classmethod
    def start(cls, problem: SystemProblem, sized: Solution) -> _Carry:
        """The state before the first window: the sizing's cyclic stored energy."""
        cyclic = {
            s.name: float(np.clip(sized.state_of_charge[s.name][-1], 0.0, sized.e_nom[s.name]))
            for s in problem.storage
        }
        month, share = problem.billing_months()
        return cls(cyclic, dict(cyclic), 0.0, month, np.zeros(len(share)))

    def advance(
        self, problem: SystemProblem, part: dict[str, np.ndarray], start: int, commit: int
    ) -> None:
        """Carry the committed hours ``start .. commit - 1`` over to the next window."""
        self.soc = {s.name: max(float(part[f"soc/{s.name}"][-1]), 0.0) for s in problem.storage}
        self.shift_before = float(part["shift"][-1])
        np.maximum.at(self.peaks, self.month[start:commit], part["import"])


def _window_failed(
    problem: SystemProblem,
    run: Attempt,
    number: int,
    start: int,
    stop: int,
    name: str,
    opts: dict[str, Any],
) -> NoReturn:
    """Raise the error of a dispatch window solved without an optimum."""
    hours = f"{problem.snapshots[start]} .. {problem.snapshots[stop - 1]} (UTC)"
    if run.status in (Status.TIME_LIMIT, Status.ITERATION_LIMIT):
        raise SolverError(
            f"rolling_dispatch: window {number} ({hours}): " + limit_message(name, run, opts)
        )
    if run.status in (Status.INFEASIBLE, Status.INFEASIBLE_OR_UNBOUNDED):
        raise InfeasibleError(
            f"rolling_dispatch: window {number} ({hours}) cannot be dispatched with the "
            "sized capacities: the stored energy left by the earlier windows or the "
            "pro-rated horizon budgets (emissions cap, export limit, generator energy "
            "limits, curtailment) cannot serve its load; use a longer window_hours"
        )
    raise SolverError(f"rolling_dispatch: {name} stopped with status '{run.said}' {hours}")


def _commit(model: cvxpy_backend.Model, k: int) -> dict[str, np.ndarray]:
    """The first ``k`` hours of a solved window, shape (k,) per series, keyed ``p/<name>``,
    ``charge/``, ``discharge/``, ``soc/<storage>``, ``import``, ``export``, ``shift``,
    ``curtail`` [MW] ([MWh] for ``soc``)."""

    def first(x: cp.Variable | None) -> np.ndarray:
        if x is None:
            return np.zeros(k)
        return np.asarray(x.value, dtype=float).reshape(-1)[:k]

    part = {f"p/{g}": first(p) for g, p in model.p.items()}
    for s in model.soc:
        part[f"charge/{s}"] = first(model.charge[s])
        part[f"discharge/{s}"] = first(model.discharge[s])
        part[f"soc/{s}"] = first(model.soc[s])
    part["delivered"] = first(model.offsite_delivered)
    part["sold"] = first(model.offsite_sold)
    part["import"] = first(model.grid_import) + part["delivered"]  # physical
    part["export"] = first(model.grid_export)
    if model.flow is not None:
        values = np.asarray(model.flow.value, dtype=float)[:, :k]
        part.update({f"flow/{j}": row for j, row in enumerate(values)})
    part["shift"] = first(model.recover) - first(model.defer)
    part["curtail"] = first(model.curtail)
    return part


def _flows(problem: SystemProblem, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Branch flows of the committed dispatch [MW] (corridors split between members)."""
    if problem.network is None:
        return {}
    lin = problem.network.linear()
    corridor = {b.name: out[f"flow/{j}"] for j, b in enumerate(lin.spec.branches)}
    return lin.member_values(corridor, problem.network)


def _solution(
    problem: SystemProblem,
    sized: Solution,
    out: dict[str, np.ndarray],
    price: float | None,
    info: dict[str, Any],
) -> Solution:
    """The committed dispatch as one Solution with recomputed objective and CFE figures."""
    sol = Solution(
        p_nom=dict(sized.p_nom),
        p_nom_discharge=dict(sized.p_nom_discharge),
        e_nom=dict(sized.e_nom),
        p={g.name: out[f"p/{g.name}"] for g in problem.generators},
        charge={s.name: out[f"charge/{s.name}"] for s in problem.storage},
        discharge={s.name: out[f"discharge/{s.name}"] for s in problem.storage},
        state_of_charge={s.name: out[f"soc/{s.name}"] for s in problem.storage},
        grid_import=out["import"],
        grid_export=out["export"],
        offsite_delivered=out["delivered"],
        offsite_sold=out["sold"],
        s_nom=dict(sized.s_nom),
        branch_flow=_flows(problem, out),
        objective=float("nan"),
        load_shift=out["shift"],
        load_curtailment=out["curtail"],
        cfe_price=float("nan") if price is None else price,
    )
    terms = objective_terms(problem, sol)
    score, shortfall = cfe_balance(problem, sol)
    sol.objective = terms["capital"] + terms["operating"]
    sol.solver = {
        **info,
        "capital_cost": terms["capital"],
        "operating_cost": terms["operating"],
        "cfe_score": score,
        "cfe_shortfall_mwh": shortfall,
        "cfe_penalty": (price or 0.0) * shortfall,
    }
    return sol


__all__ = ["DispatchProgress", "rolling_dispatch"]
