"""cvxpy backend: the LP of :mod:`gridtwin.optimize.pypsa_backend` as vectorised cvxpy
expressions, solved with HiGHS (default) or Clarabel.

The same LP as the PyPSA backend, term for term (equations in :mod:`gridtwin.optimize.problem`):

* generators: ``p_nom`` [MW] a variable in ``[existing p_nom, p_nom_max]`` when extendable,
  ``0 <= p_t <= capacity_factor_t * p_nom``, ``sum_t p_t <= e_sum_max``;
* storage: one AC rating ``p_nom`` [MW] bounding AC charge and discharge (PyPSA rates its
  discharger link on the DC input ``p_nom / eta_d``: the same AC bound), energy ``e_nom``
  [MWh], stored energy after hour t ``e_t = e_(t-1) + eta_c charge_t - discharge_t / eta_d``,
  cyclic ``e_(-1) = e_(T-1)`` as PyPSA's cyclic ``Store``, ``0 <= e_t <= e_nom``;
* POI import and export ``<= poi.p_nom``;
* flexibility: ``0 <= defer_t <= shift_max_t``, ``0 <= recover_t <= shift_in_max_t`` (shift
  ``s_t = recover_t - defer_t``), zero net shift per window (sparse window-sum matrix),
  ``|s_t - s_(t-1)| <= ramp_max_t`` with ``s_(-1) = 0``, ``0 <= c_t <= curtail_max_t`` with
  horizon and window energy budgets;
* the site balance every hour; the hourly CFE constraint with ``+ cfe_target * sum_t c_t``,
  one row per CFE period (year of stacked years);
* every energy term weighted by the snapshot weight (aggregated problems), a separate
  discharge capacity where the storage has one, ``e_nom = max_hours * p_nom_discharge``,
  monthly import peaks for the demand charge, and the credit of negative prices on
  ``min(import, load served)``.

For an operational dispatch (:mod:`gridtwin.optimize.dispatch`) :func:`build_model` takes
keyword options: a given initial state of charge instead of the cyclic condition (and a floor
on the final one), the load shift of the hour before the horizon (ramp limit), and a price on
the clean shortfall instead of the CFE constraint.

The objective is PyPSA's with ``include_objective_constant=False``: capital cost times the
whole capacity of extendable assets (existing part included), nothing for fixed assets, plus
marginal, grid, export (negative), tie-break, shift (on recovered load) and curtailment costs.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import cvxpy as cp
import cvxpy.settings as cvxpy_settings
import numpy as np
import scipy.sparse as sp

from gridtwin.exceptions import ConfigError
from gridtwin.highs import highs_options
from gridtwin.optimize import backends
from gridtwin.optimize.cvxpy_network import (
    Capacity,
    capacity,
    land_constraint,
    network_values,
    offsite,
    site_network,
    total,
)
from gridtwin.optimize.outcome import Attempt, Status, limit_reached
from gridtwin.optimize.problem import (
    Solution,
    SystemProblem,
)

logger = logging.getLogger(__name__)

#: Factor the objective is multiplied by for a solver [-]. Clarabel (interior point, no
#: presolve) reports the full-year LP "unbounded" with objective coefficients of 1e5 USD/MW
#: next to 0.01 USD/MWh; scaled by 1e-4 it solves and agrees with HiGHS to 1e-8 (measured on
#: the default study at 730 segments). Objective and duals are scaled back.
OBJECTIVE_SCALE = {"CLARABEL": 1e-4}
#: Solvers this backend accepts (cvxpy names).
SOLVERS = ("HIGHS", "CLARABEL")


@dataclass
class Model:
    """A cvxpy model of a :class:`SystemProblem` and handles to its variables.

    Attributes
    ----------
    problem : cvxpy.Problem
        The LP; its objective is in [currency a-1].
    p_nom : dict[str, cvxpy.Variable or float]
        Power capacity per technology [MW] (a float when not extendable).
    e_nom : dict[str, cvxpy.Variable or float]
        Energy capacity per storage [MWh].
    p, charge, discharge, soc : dict[str, cvxpy.Variable]
        Generator output, AC charging and discharging [MW], stored energy [MWh], shape (n_time,).
    grid_import, grid_export : cvxpy.Variable
        POI exchange [MW], shape (n_time,).
    defer, recover, curtail : cvxpy.Variable or None
        Load moved away from / into each hour, load curtailed [MW]; ``None`` without flex.
    cfe : cvxpy.Constraint or None
        The hourly CFE constraint, one row per CFE period [MWh]; its ``dual_value`` is the CFE
        price [currency MWh-1]. ``None`` without a target or when the shortfall is priced.
    s_nom : dict[str, cvxpy.Variable or float]
        Rating of each site-network branch [MVA] (a float when not upgradable).
    flow : cvxpy.Variable or None
        Branch flows from ``bus0`` to ``bus1`` [MW], shape (n_branch, n_time); ``None``
        without a site network.
    cfe_shortfall : cvxpy.Variable or None
        Clean supply missing to the target per CFE period [MWh], shape (n_periods,), when the
        shortfall is priced (``build_model(..., cfe_price=...)``); else ``None``.
    """

    problem: cp.Problem
    p_nom: dict[str, Capacity] = field(default_factory=dict)
    p_nom_discharge: dict[str, Capacity] = field(default_factory=dict)
    e_nom: dict[str, Capacity] = field(default_factory=dict)
    p: dict[str, cp.Variable] = field(default_factory=dict)
    charge: dict[str, cp.Variable] = field(default_factory=dict)
    discharge: dict[str, cp.Variable] = field(default_factory=dict)
    soc: dict[str, cp.Variable] = field(default_factory=dict)
    grid_import: cp.Variable | None = None
    grid_export: cp.Variable | None = None
    defer: cp.Variable | None = None
    recover: cp.Variable | None = None
    curtail: cp.Variable | None = None
    cfe: cp.Constraint | None = None
    scale: float = 1.0

    @property
    def objective(self) -> float:
        """Optimal objective in the problem's units (undoing :data:`OBJECTIVE_SCALE`)."""
        return float(self.problem.value) / self.scale

    cfe_shortfall: cp.Variable | None = None
    s_nom: dict[str, Capacity] = field(default_factory=dict)
    flow: cp.Variable | None = None
    offsite_delivered: cp.Variable | None = None
    offsite_sold: cp.Variable | None = None


def _difference(n_time: int, cyclic: bool) -> sp.csr_array:
    """Sparse (n_time, n_time) matrix D with ``(D x)_t = x_t - x_(t-1)`` and ``x_(-1) =
    x_(T-1)`` (cyclic) or ``x_(-1) = 0``."""
    d = sp.eye_array(n_time, format="csr") - sp.eye_array(n_time, k=-1, format="csr")
    return d - sp.eye_array(n_time, k=n_time - 1, format="csr") if cyclic else d


def _flexibility(
    problem: SystemProblem,
    model: Model,
    constraints: list[cp.Constraint],
    initial_shift: float = 0.0,
) -> tuple[cp.Expression, cp.Expression]:
    """Shift and curtailment variables and constraints; returns (shift s_t [MW], cost).

    ``initial_shift`` is the shift of the hour before the first [MW], ``s_(-1)`` of the ramp
    limit.
    """
    flex = problem.flex
    assert flex is not None
    n_time = len(problem.snapshots)
    w = problem.snapshot_weights
    windows = problem.window_index(flex.window_hours)
    # counted in hours: an aggregated problem may have windows in which no segment starts
    n_windows = math.ceil(float(w.sum()) / flex.window_hours - 1e-9)
    if np.shape(flex.curtail_window_energy_max) != (n_windows,):
        n_windows_given = np.size(flex.curtail_window_energy_max)
        raise ConfigError(
            f"problem: flex.curtail_window_energy_max has {n_windows_given} values, expected "
            f"{n_windows} (windows of {flex.window_hours} h)"
        )
    zeros = np.zeros(n_time)
    defer = cp.Variable(n_time, name="flex_defer", bounds=[zeros, flex.shift_max])
    recover = cp.Variable(n_time, name="flex_recover", bounds=[zeros, flex.shift_in_bound])
    curtail = cp.Variable(n_time, name="flex_curtail", bounds=[zeros, flex.curtail_max])
    model.defer, model.recover, model.curtail = defer, recover, curtail
    shift = recover - defer
    # window sums of energy: (n_windows, n_time) matrix with the snapshot weights as entries
    window = sp.csr_array((w, (windows, np.arange(n_time))), shape=(n_windows, n_time))
    step = _difference(n_time, cyclic=False)  # the first hour ramps from s_(-1)
    before = np.zeros(n_time)
    before[0] = initial_shift
    constraints += [
        window @ shift == 0,
        step @ shift - before <= flex.ramp_max,
        step @ shift - before >= -flex.ramp_max,
        window @ curtail <= flex.curtail_window_energy_max,
    ]
    if np.isfinite(flex.curtail_energy_max):
        constraints.append(w @ curtail <= flex.curtail_energy_max)
    cost = flex.shift_cost * (w @ recover) + flex.curtail_cost * (w @ curtail)
    return shift, cost


def _storage(
    problem: SystemProblem,
    model: Model,
    constraints: list[cp.Constraint],
    cost: list[cp.Expression | float],
    periods: sp.csr_array,
    initial_soc: dict[str, float] | None = None,
    final_soc_min: dict[str, float] | None = None,
) -> tuple[list[cp.Expression], list[cp.Expression]]:
    """Storage variables and constraints; returns (site-bus injections [MW], clean energy per
    CFE period [MWh]).

    Cyclic state of charge, or ``e_(-1) = initial_soc[name]`` [MWh] when given; with
    ``final_soc_min`` also ``e_(T-1) >= final_soc_min[name]`` [MWh].
    """
    n_time = len(problem.snapshots)
    w = problem.snapshot_weights
    zeros = np.zeros(n_time)
    shift_soc = _difference(n_time, cyclic=initial_soc is None)
    supply: list[cp.Expression] = []
    clean: list[cp.Expression] = []
    for s in problem.storage:
        p_nom = capacity(f"{s.name}_p_nom", s.p_nom, s.extendable, s.p_nom_max)
        p_out = p_nom
        if s.separate_discharge:
            p_out = capacity(f"{s.name}_p_nom_discharge", s.p_nom, s.extendable, s.p_nom_max)
        e_nom = capacity(f"{s.name}_e_nom", s.e_nom, s.extendable, s.e_nom_max)
        charge = cp.Variable(n_time, name=f"{s.name}_charge", bounds=[zeros, None])
        discharge = cp.Variable(n_time, name=f"{s.name}_discharge", bounds=[zeros, None])
        soc = cp.Variable(n_time, name=f"{s.name}_soc", bounds=[zeros, None])
        start = np.zeros(n_time)  # e_(-1) on the first row unless cyclic
        if initial_soc is not None:
            start[0] = initial_soc[s.name]
        gain = cp.multiply(w, s.efficiency_charge * charge - discharge / s.efficiency_discharge)
        constraints += [charge <= p_nom, discharge <= p_out, soc <= e_nom]
        constraints.append(shift_soc @ soc == gain + start)
        if final_soc_min is not None and s.name in final_soc_min:
            constraints.append(soc[n_time - 1] >= final_soc_min[s.name])
        if s.max_hours is not None and isinstance(e_nom, cp.Variable):
            constraints.append(e_nom - s.max_hours * p_out == 0)
        if s.extendable:
            cost += [s.capital_cost_power * p_nom, s.capital_cost_energy * e_nom]
            if s.capital_cost_discharge is not None:
                cost.append(s.capital_cost_discharge * p_out)
        if problem.tie_break_cost:
            cost.append(problem.tie_break_cost * (w @ discharge))
        clean += [periods @ discharge, -(periods @ charge)]
        supply += [discharge, -charge]
        model.p_nom[s.name], model.e_nom[s.name] = p_nom, e_nom
        model.p_nom_discharge[s.name] = p_out
        model.charge[s.name], model.discharge[s.name], model.soc[s.name] = charge, discharge, soc
    return supply, clean


def build_model(
    problem: SystemProblem,
    maximise_cfe: bool = False,
    *,
    initial_soc: dict[str, float] | None = None,
    final_soc_min: dict[str, float] | None = None,
    initial_shift: float = 0.0,
    cfe_price: float | None = None,
) -> Model:
    """Translate a problem into a cvxpy LP (no solve).

    Parameters
    ----------
    problem : SystemProblem
    maximise_cfe : bool
        Maximise the clean supply over the horizon [MWh] (the left-hand side of the CFE
        constraint) instead of minimising cost, without the CFE constraint.
    initial_soc : dict[str, float], optional
        Stored energy before the first hour per storage [MWh], one for every storage: replaces
        the cyclic condition by ``e_(-1) = initial_soc[name]``. ``None``: cyclic (sizing).
    final_soc_min : dict[str, float], optional
        Least stored energy at the end of the last hour per storage [MWh] (storage not named:
        no bound). Meant with ``initial_soc``.
    initial_shift : float
        Load shift in the hour before the first [MW] (``s_(-1)`` of the flexibility ramp
        limit); 0 for a horizon that starts unshifted (sizing).
    cfe_price : float, optional
        Price of the clean shortfall [currency MWh-1], >= 0. Instead of the CFE constraint the
        objective pays ``cfe_price * sum_periods u`` with the shortfall
        ``u >= cfe_target * sum_t load_t - clean`` (the constraint's left-hand side, curtailment
        term included) and ``u >= 0``: a shortfall is paid for, a surplus earns nothing.
        ``None``: the CFE constraint. No effect when ``cfe_target`` is 0.

    Returns
    -------
    Model
        The :class:`cvxpy.Problem` (objective [currency a-1]) with its variables.

    Raises
    ------
    ConfigError
        If ``initial_soc`` misses a storage, or ``cfe_price`` is negative, not finite or
        given with ``maximise_cfe``.
    """
    if cfe_price is not None and (maximise_cfe or not np.isfinite(cfe_price) or cfe_price < 0):
        raise ConfigError(
            f"cvxpy backend: cfe_price {cfe_price} must be a finite price >= 0 [currency/MWh] "
            "and cannot be combined with maximise_cfe"
        )
    missing = [s.name for s in problem.storage if s.name not in (initial_soc or {})]
    if initial_soc is not None and missing:
        raise ConfigError(f"cvxpy backend: initial_soc has no stored energy for {missing}")
    n_time = len(problem.snapshots)
    w = problem.snapshot_weights
    zeros = np.zeros(n_time)
    constraints: list[cp.Constraint] = []
    cost: list[cp.Expression | float] = []
    supply: list[cp.Expression] = []  # injections at the site bus [MW]
    clean: list[cp.Expression] = []  # hourly-matched clean energy per CFE period [MWh]
    model = Model(problem=cp.Problem(cp.Minimize(0)))
    # (n_periods, n_time): sums energy (power x weight) over each CFE period (year)
    group = problem.cfe_groups()
    periods = sp.csr_array((w, (group, np.arange(n_time))), shape=(int(group.max()) + 1, n_time))

    for g in problem.generators:
        p_nom = capacity(f"{g.name}_p_nom", g.p_nom, g.extendable, g.p_nom_max)
        if isinstance(p_nom, cp.Variable):
            p = cp.Variable(n_time, name=f"{g.name}_p", bounds=[zeros, None])
            constraints.append(p <= p_nom * g.capacity_factor)
            cost.append(g.capital_cost * p_nom)
        else:
            p = cp.Variable(n_time, name=f"{g.name}_p", bounds=[zeros, g.capacity_factor * p_nom])
        if np.isfinite(g.e_sum_max):
            constraints.append(w @ p <= g.e_sum_max)
        if g.marginal_cost:
            cost.append(g.marginal_cost * (w @ p))
        if g.clean and not g.offsite:
            clean.append(periods @ p)
        model.p_nom[g.name], model.p[g.name] = p_nom, p
        if not g.offsite:  # offsite contracts reach the site through the POI
            supply.append(p)

    storage_supply, storage_clean = _storage(
        problem, model, constraints, cost, periods, initial_soc, final_soc_min
    )
    supply += storage_supply
    clean += storage_clean

    poi = problem.poi
    limit = np.full(n_time, float(poi.p_nom))
    grid_import = cp.Variable(n_time, name="poi_import", bounds=[zeros, limit])  # market part
    grid_export = cp.Variable(n_time, name="poi_export", bounds=[zeros, limit])
    model.grid_import, model.grid_export = grid_import, grid_export
    cost += [
        (w * np.maximum(poi.import_price, 0.0)) @ grid_import,
        -(w * (poi.export_price - problem.tie_break_cost)) @ grid_export,
    ]
    physical: cp.Expression = grid_import
    if problem.offsite:
        physical = grid_import + offsite(problem, model, constraints, cost, clean, periods)
        constraints.append(physical <= limit)
    if poi.demand_charge:
        month, share = problem.billing_months()
        peak = cp.Variable(len(share), name="poi_peak", bounds=[np.zeros(len(share)), None])
        constraints.append(physical <= peak[month])
        cost.append(poi.demand_charge * (share @ peak))
    clean.append(periods @ cp.multiply(poi.grid_cfe_share, grid_import))
    if problem.matching == "hourly":  # exported clean energy does not count hour by hour
        clean.append(-(periods @ grid_export))
    supply += [physical, -grid_export]
    if problem.land_area is not None:
        land_constraint(problem, model, constraints)

    demand: cp.Expression | np.ndarray = problem.load
    if problem.flex is not None:
        shift, flex_cost = _flexibility(problem, model, constraints, initial_shift)
        demand = problem.load + shift - model.curtail
        cost.append(flex_cost)
        clean.append(problem.cfe_target * (periods @ model.curtail))
    if problem.network is None:
        constraints.append(total(supply) == demand)
    else:
        cost += site_network(problem, problem.network, model, constraints, demand)
    negative = np.minimum(poi.import_price, 0.0)
    if negative.any():  # imports earn a negative price only for the load they serve
        credit = cp.Variable(n_time, name="poi_credit", bounds=[zeros, None])
        constraints += [credit <= grid_import, credit <= demand]
        cost.append((w * negative) @ credit)
    if problem.export_limit is not None:
        constraints.append(w @ grid_export <= problem.export_limit)
    if problem.emissions_cap is not None:
        co2 = [(w * problem.poi.co2_intensity(n_time)) @ grid_import]
        co2 += [g.co2_intensity * (w @ model.p[g.name]) for g in problem.generators
                if g.co2_intensity > 0]  # fmt: skip
        constraints.append(total(co2) <= problem.emissions_cap)
    if maximise_cfe:
        model.problem = cp.Problem(cp.Maximize(cp.sum(total(clean))), constraints)
        return model
    if problem.cfe_target > 0:  # no target: storage losses must not make "clean" negative
        required = problem.cfe_target * (periods @ problem.load)
        if cfe_price is None:
            model.cfe = total(clean) >= required
            constraints.append(model.cfe)
        else:  # operational: the shortfall is paid for, a surplus earns nothing
            shortfall = cp.Variable(len(required), name="cfe_shortfall", bounds=[0.0, None])
            constraints.append(shortfall >= required - total(clean))
            cost.append(cfe_price * cp.sum(shortfall))
            model.cfe_shortfall = shortfall
    model.problem = cp.Problem(cp.Minimize(total(cost)), constraints)
    return model


#: cvxpy statuses (``cvxpy.settings``) -> status; ``user_limit`` is told apart afterwards.
STATUSES = {
    cp.OPTIMAL: Status.OPTIMAL,
    cp.INFEASIBLE: Status.INFEASIBLE,
    cp.INFEASIBLE_INACCURATE: Status.INFEASIBLE,
    cp.UNBOUNDED: Status.UNBOUNDED,
    cp.UNBOUNDED_INACCURATE: Status.UNBOUNDED,
    cvxpy_settings.INFEASIBLE_OR_UNBOUNDED: Status.INFEASIBLE_OR_UNBOUNDED,
    cp.SOLVER_ERROR: Status.ERROR,
}


def run_model(model: Model, name: str, opts: dict[str, Any]) -> Attempt:
    """Solve the model in place once and translate cvxpy's status.

    HiGHS options go in ``highs_options`` (their names, e.g. ``solver``, clash with cvxpy's).
    An inaccurate optimum counts as no verdict; cvxpy's ``user_limit`` becomes a time or an
    iteration limit (:func:`~gridtwin.optimize.outcome.limit_reached`).

    Raises
    ------
    ConfigError
        An option the solver does not know.
    """
    clash = {"solver", "verbose"} & set(opts)
    if name != "HIGHS" and clash:
        raise ConfigError(f"solver.options: {sorted(clash)} are not {name} settings")
    kwargs = {"highs_options": opts} if name == "HIGHS" else opts
    if name in OBJECTIVE_SCALE and model.scale == 1.0:
        model.scale = OBJECTIVE_SCALE[name]
        scaled = model.scale * model.problem.objective.args[0]
        goal = cp.Maximize if isinstance(model.problem.objective, cp.Maximize) else cp.Minimize
        model.problem = cp.Problem(goal(scaled), model.problem.constraints)
    try:
        with warnings.catch_warnings():  # an inaccurate solution is no verdict
            warnings.filterwarnings("ignore", "Solution may be inaccurate", UserWarning)
            model.problem.solve(solver=name, verbose=logger.isEnabledFor(logging.DEBUG), **kwargs)
    except (TypeError, ValueError) as err:
        if "Cannot unpack invalid solution" in str(err):  # stopped without a verdict
            return Attempt(Status.NO_VERDICT, "unknown (no solution to unpack)", model)
        # unknown option name or value
        raise ConfigError(f"solver.options: {err}; use {name} option names") from err
    except cp.SolverError as err:
        return Attempt(Status.ERROR, f"cvxpy: {err}", model)
    said = str(model.problem.status)
    stats = model.problem.solver_stats
    run_time = float("nan" if stats.solve_time is None else stats.solve_time)
    iterations = _iterations(stats)
    kind = STATUSES.get(said, Status.NO_VERDICT)
    if said == cp.USER_LIMIT:
        kind = limit_reached(opts, run_time, iterations)
    value = model.objective if kind is Status.OPTIMAL else float("nan")
    return Attempt(kind, said, model, value, run_time, iterations)


class CvxpyBackend:
    """The cvxpy backend in the registry of :mod:`gridtwin.optimize.backends`."""

    name = "cvxpy"
    solvers = SOLVERS

    def options(self, solver: str, options: dict[str, Any] | None) -> dict[str, Any]:
        """HiGHS options (log off unless DEBUG logging) or Clarabel settings, copied."""
        return highs_options(options) if solver == "HIGHS" else dict(options or {})

    def attempt(
        self,
        problem: SystemProblem,
        solver: str,
        opts: dict[str, Any],
        maximise_cfe: bool = False,
    ) -> Attempt:
        """Build the model and run the solver once (see ``Backend.attempt``)."""
        return run_model(build_model(problem, maximise_cfe=maximise_cfe), solver, opts)

    def extract(self, attempt: Attempt, problem: SystemProblem) -> Solution:
        """The :class:`Solution` of an optimal run."""
        return _extract(attempt.model, problem)

    def versions(self) -> dict[str, str]:
        """The cvxpy version."""
        return {"cvxpy_version": cp.__version__}


#: This module's entry in :data:`gridtwin.optimize.backends.BACKENDS`.
BACKEND = CvxpyBackend()


def solve(
    problem: SystemProblem, options: dict[str, Any] | None = None, *, solver: str = "HIGHS"
) -> Solution:
    """Solve the sizing problem with cvxpy (:func:`gridtwin.optimize.backends.solve` with
    ``backend_name="cvxpy"``).

    Parameters
    ----------
    problem : SystemProblem
    options : dict, optional
        Solver options passed through to the solver: HiGHS option names for ``"HIGHS"``
        (e.g. ``{"solver": "ipm", "run_crossover": "off"}``), Clarabel settings for
        ``"CLARABEL"`` (e.g. ``{"tol_gap_rel": 1e-9}``).
    solver : {"HIGHS", "CLARABEL"}
        cvxpy solver name (case-insensitive).

    Returns
    -------
    Solution
        ``solver`` holds the report: ``solve_time_s`` (build, canonicalisation and solve [s]),
        ``solver_run_time_s`` [s] and iteration counts.

    Raises
    ------
    ConfigError
        Unknown solver name or option.
    InfeasibleError, UnboundedError, SolverError
        As :func:`gridtwin.optimize.backends.solve`.
    """
    return backends.solve(problem, "cvxpy", solver, options)


def _value(x: Capacity) -> float:
    """Optimal capacity [MW] or [MWh]."""
    return np.asarray(x.value, dtype=float).item() if isinstance(x, cp.Variable) else float(x)


def _array(x: cp.Variable | None, n_time: int) -> np.ndarray:
    """Optimal values of a time series variable, zeros for an absent one."""
    return np.zeros(n_time) if x is None else np.asarray(x.value, dtype=float).reshape(n_time)


def _iterations(stats: Any) -> dict[str, int]:
    """Iteration counts by method (HiGHS) or in total (Clarabel)."""
    extra = getattr(stats, "extra_stats", None)
    if extra is not None and hasattr(extra, "simplex_iteration_count"):
        return {
            "simplex": int(extra.simplex_iteration_count),
            "ipm": int(extra.ipm_iteration_count),
            "crossover": int(extra.crossover_iteration_count),
        }
    return {"total": int(stats.num_iters)} if stats.num_iters is not None else {}


def _cfe_price(model: Model) -> float:
    """Shadow price of the hourly CFE constraint [currency MWh-1], mean over CFE periods.

    cvxpy's ``dual_value`` of a ``>=`` constraint of a minimisation is >= 0. ``nan`` without
    the constraint or without duals.
    """
    dual = None if model.cfe is None else model.cfe.dual_value
    if dual is None:
        return float("nan")
    values = np.asarray(dual, dtype=float)
    values = values / model.scale
    return float(values.mean()) if np.all(np.isfinite(values)) else float("nan")


def _extract(model: Model, problem: SystemProblem) -> Solution:
    """Capacities and dispatch of a solved model."""
    n_time = len(problem.snapshots)
    shift = _array(model.recover, n_time) - _array(model.defer, n_time)
    ratings, flows = network_values(model, problem)
    return Solution(
        s_nom=ratings,
        branch_flow=flows,
        p_nom={k: _value(v) for k, v in model.p_nom.items()},
        p_nom_discharge={k: _value(v) for k, v in model.p_nom_discharge.items()},
        e_nom={k: _value(v) for k, v in model.e_nom.items()},
        p={k: _array(v, n_time) for k, v in model.p.items()},
        charge={k: _array(v, n_time) for k, v in model.charge.items()},
        discharge={k: _array(v, n_time) for k, v in model.discharge.items()},
        state_of_charge={k: _array(v, n_time) for k, v in model.soc.items()},
        grid_import=_array(model.grid_import, n_time) + _array(model.offsite_delivered, n_time),
        offsite_delivered=_array(model.offsite_delivered, n_time),
        offsite_sold=_array(model.offsite_sold, n_time),
        grid_export=_array(model.grid_export, n_time),
        objective=model.objective,
        cfe_price=_cfe_price(model),
        load_shift=shift,
        load_curtailment=_array(model.curtail, n_time),
    )


__all__ = ["BACKEND", "SOLVERS", "Model", "build_model", "run_model", "solve"]
