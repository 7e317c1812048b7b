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
* the site balance every hour; the hourly CFE constraint with ``+ cfe_target * sum_t (c_t -
  s_t)`` (the target is on the load served), one row per CFE period (year of stacked years);
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
import warnings
from dataclasses import dataclass, field
from typing import Any

import cvxpy as cp
import cvxpy.settings as cvxpy_settings
import numpy as np
import scipy.sparse as sp

from gridtwin.exceptions import ConfigError
from gridtwin.optimize import backends
from gridtwin.optimize.cvxpy_assets import (
    flexibility,
    matching_matrix,
    periods_matrix,
    storage,
    within_budget,
)
from gridtwin.optimize.cvxpy_heat import heat_results, heat_side, water_rows
from gridtwin.optimize.cvxpy_network import (
    Capacity,
    capacity,
    land_constraint,
    network_values,
    offsite,
    site_network,
    total,
)
from gridtwin.optimize.cvxpy_outage import outage_rows, outage_values
from gridtwin.optimize.cvxpy_policy import certificates, renewable_share
from gridtwin.optimize.heat import water_values
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
    heat, outage : dict[str, Any]
        Heat-side and water variables (:mod:`gridtwin.optimize.cvxpy_heat`), outage-scenario
        variables (:mod:`gridtwin.optimize.cvxpy_outage`); empty without them.
    """

    problem: cp.Problem
    heat: dict[str, Any] = field(default_factory=dict)
    outage: dict[str, Any] = field(default_factory=dict)
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
    certificates: cp.Variable | None = None
    clean: cp.Expression | None = None
    cfe_required: np.ndarray | None = None


def build_model(
    problem: SystemProblem,
    maximise_cfe: bool = False,
    *,
    initial_soc: dict[str, float] | None = None,
    final_soc_min: dict[str, float] | None = None,
    initial_shift: float = 0.0,
    cfe_price: float | None = None,
    exchange: cp.Expression | None = None,
    cfe_row: bool = True,
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
    exchange : cvxpy.Expression, optional
        Site-bus load moved to other campuses of a fleet [MW], shape (n_time,) (negative:
        moved in; :mod:`gridtwin.optimize.fleet`): the load served falls by it, in the balance
        and in the CFE rows.
    cfe_row : bool
        ``False``: no CFE constraint; ``model.clean`` and ``model.cfe_required`` hold its two
        sides for a fleet's own rows.

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
    rows = _Rows.start(problem)
    rows.cfe_row = cfe_row
    _define_generators(rows)
    storage_supply, storage_clean = storage(
        problem, rows.model, rows.constraints, rows.cost, rows.matching, initial_soc, final_soc_min
    )
    rows.supply += storage_supply
    rows.clean += storage_clean
    _define_poi(rows)
    if problem.land_area is not None:
        land_constraint(problem, rows.model, rows.constraints)
    served = _define_demand(rows, initial_shift)
    if exchange is not None:  # load moved away is not served here
        served = served - exchange
        rows.clean.append(problem.cfe_target * (rows.matching @ exchange))
    model = rows.model
    extra = heat_side(
        problem, model.heat, rows.constraints, rows.cost, rows.clean, rows.matching, served
    )
    water_rows(problem, model.heat, rows.constraints, rows.cost, rows.periods, served)
    outage_rows(problem, model, rows.constraints, rows.cost)
    demand = served if extra is None else served + extra
    if problem.network is None:
        rows.constraints.append(total(rows.supply) == demand)
    else:
        rows.cost += site_network(problem, problem.network, rows.model, rows.constraints, demand)
    _define_negative_price_credit(rows, demand)
    _define_budgets(rows)
    return _define_objective(rows, maximise_cfe, cfe_price)


@dataclass
class _Rows:
    """The LP under construction, which the ``_define_*`` steps of :func:`build_model` extend
    (as PyPSA's ``define_*`` functions extend a linopy model)."""

    problem: SystemProblem
    model: Model
    w: np.ndarray
    periods: sp.csr_array
    """(n_periods, n_time): sums energy (power x weight) over each CFE period (year)."""
    matching: sp.csr_array
    """(n_matching_periods, n_time): the same over each matching period of the CFE rows
    (a year, or a month under monthly matching)."""
    constraints: list[cp.Constraint] = field(default_factory=list)
    cost: list[cp.Expression | float] = field(default_factory=list)
    supply: list[cp.Expression] = field(default_factory=list)
    """Injections at the site bus [MW]."""
    clean: list[cp.Expression] = field(default_factory=list)
    """Hourly-matched clean energy per CFE period [MWh]."""
    cfe_row: bool = True
    """Whether the CFE constraint is added (else its sides are left on the model)."""

    @classmethod
    def start(cls, problem: SystemProblem) -> _Rows:
        """An empty LP for ``problem``."""
        w, periods = problem.snapshot_weights, periods_matrix(problem)
        model = Model(problem=cp.Problem(cp.Minimize(0)))
        return cls(problem, model, w, periods, matching_matrix(problem))


def _define_generators(rows: _Rows) -> None:
    """Generator capacities and output within availability, energy budgets, their costs and
    clean output; offsite contracts reach the site through the POI."""
    problem, w, model = rows.problem, rows.w, rows.model
    n_time = len(problem.snapshots)
    zeros = np.zeros(n_time)
    for g in problem.generators:
        p_nom = capacity(f"{g.name}_p_nom", g.p_nom, g.extendable, g.p_nom_max)
        if isinstance(p_nom, cp.Variable):
            p = cp.Variable(n_time, name=f"{g.name}_p", bounds=[zeros, None])
            rows.constraints.append(p <= p_nom * g.capacity_factor)
            rows.cost.append(g.capital_cost * p_nom)
        else:
            p = cp.Variable(n_time, name=f"{g.name}_p", bounds=[zeros, g.capacity_factor * p_nom])
        if np.isfinite(g.e_sum_max):
            rows.constraints.append(within_budget(rows.periods, p, g.e_sum_max))
        if g.marginal_cost:
            rows.cost.append(g.marginal_cost * (w @ p))
        if g.clean and not g.offsite:
            rows.clean.append(rows.matching @ p)
        model.p_nom[g.name], model.p[g.name] = p_nom, p
        if not g.offsite:
            rows.supply.append(p)


def _define_poi(rows: _Rows) -> None:
    """POI import (the market part) and export within the limit, priced; offsite deliveries
    in the physical import; monthly peaks of the demand charge; the grid's clean share."""
    problem, w, model, periods = rows.problem, rows.w, rows.model, rows.matching
    poi, n_time = problem.poi, len(problem.snapshots)
    limit = np.full(n_time, float(poi.p_nom))
    zeros = np.zeros(n_time)
    grid_import = cp.Variable(n_time, name="poi_import", bounds=[zeros, limit])  # market part
    grid_export = cp.Variable(n_time, name="poi_export", bounds=[zeros, limit])
    model.grid_import, model.grid_export = grid_import, grid_export
    rows.cost += [
        (w * np.maximum(poi.import_price, 0.0)) @ grid_import,
        -(w * (poi.export_price - problem.tie_break_cost)) @ grid_export,
    ]
    physical: cp.Expression = grid_import
    if problem.offsite:
        delivered = offsite(problem, model, rows.constraints, rows.cost, rows.clean, periods)
        physical = grid_import + delivered
        rows.constraints.append(physical <= limit)
    if poi.demand_charge:
        month, share = problem.billing_months()
        peak = cp.Variable(len(share), name="poi_peak", bounds=[np.zeros(len(share)), None])
        rows.constraints.append(physical <= peak[month])
        rows.cost.append(poi.demand_charge * (share @ peak))
    rows.clean.append(periods @ cp.multiply(problem.matched_grid_share(), grid_import))
    if problem.hourly_accounting:  # exported clean energy does not count hour by hour
        rows.clean.append(-(periods @ grid_export))
    rows.supply += [physical, -grid_export]


def _define_demand(rows: _Rows, initial_shift: float) -> cp.Expression | np.ndarray:
    """The load served [MW]: the campus load, shifted and curtailed with flexibility."""
    problem = rows.problem
    if problem.flex is None:
        return problem.load
    shift, flex_cost = flexibility(problem, rows.model, rows.constraints, initial_shift)
    rows.cost.append(flex_cost)
    # the target applies to the load served in each CFE period: load moved from one period
    # into another (a shifting window across a year's end) changes both periods' demand
    rows.clean.append(problem.cfe_target * (rows.matching @ (rows.model.curtail - shift)))
    demand: cp.Expression = problem.load + shift - rows.model.curtail
    return demand


def _define_negative_price_credit(rows: _Rows, demand: cp.Expression | np.ndarray) -> None:
    """Imports earn a negative price only on the load they serve."""
    problem, model = rows.problem, rows.model
    negative = np.minimum(problem.poi.import_price, 0.0)
    if not negative.any():
        return
    zeros = np.zeros(len(problem.snapshots))
    credit = cp.Variable(len(zeros), name="poi_credit", bounds=[zeros, None])
    rows.constraints += [credit <= model.grid_import, credit <= demand]
    rows.cost.append((rows.w * negative) @ credit)


def _define_budgets(rows: _Rows) -> None:
    """Horizon budgets, each weather year on its own share: the export limit [MWh], the
    emissions cap [t CO2] and the renewable share (:mod:`gridtwin.optimize.cvxpy_policy`)."""
    problem, model = rows.problem, rows.model
    renewable_share(problem, model, rows.periods, rows.constraints, rows.cost)
    assert model.grid_export is not None and model.grid_import is not None
    if problem.export_limit is not None:
        rows.constraints.append(
            within_budget(rows.periods, model.grid_export, problem.export_limit)
        )
    if problem.emissions_cap is not None:
        co2 = [cp.multiply(problem.poi.co2_intensity(len(rows.w)), model.grid_import)]
        co2 += [g.co2_intensity * model.p[g.name] for g in problem.generators
                if g.co2_intensity > 0]  # fmt: skip
        rows.constraints.append(within_budget(rows.periods, total(co2), problem.emissions_cap))


def _define_objective(rows: _Rows, maximise_cfe: bool, cfe_price: float | None) -> Model:
    """The CFE rows (or their priced shortfall) and the objective: cost, or clean supply."""
    problem, model, constraints = rows.problem, rows.model, rows.constraints
    if maximise_cfe:
        model.problem = cp.Problem(cp.Maximize(cp.sum(total(rows.clean))), constraints)
        return model
    if problem.cfe_target > 0:  # no target: storage losses must not make "clean" negative
        required = problem.cfe_target * (rows.matching @ problem.load)
        model.clean, model.cfe_required = total(rows.clean), required
        if not rows.cfe_row:
            pass
        elif cfe_price is None:
            model.cfe = total(rows.clean) >= required
            constraints.append(model.cfe)
        else:  # operational: the shortfall is paid for, a surplus earns nothing
            shortfall = cp.Variable(len(required), name="cfe_shortfall", bounds=[0.0, None])
            constraints.append(shortfall >= required - total(rows.clean))
            rows.cost.append(cfe_price * cp.sum(shortfall))
            model.cfe_shortfall = shortfall
    model.problem = cp.Problem(cp.Minimize(total(rows.cost)), constraints)
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
    except (TypeError, ValueError, OverflowError) as err:
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
        """The solver's options, checked (:func:`gridtwin.optimize.backends.solver_options`)."""
        return backends.solver_options(solver, options)

    def attempt(
        self, problem: SystemProblem, solver: str, opts: dict[str, Any], maximise_cfe: bool = False
    ) -> Attempt:
        """Build the model and run the solver once (see ``Backend.attempt``)."""
        return run_model(build_model(problem, maximise_cfe=maximise_cfe), solver, opts)

    def extract(self, attempt: Attempt, problem: SystemProblem) -> Solution:
        """The :class:`Solution` of an optimal run."""
        return extract_solution(attempt.model, problem)

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
            "pdlp": int(getattr(extra, "pdlp_iteration_count", 0)),
        }
    return {"total": int(stats.num_iters)} if stats.num_iters is not None else {}


def _cfe_price(model: Model, problem: SystemProblem) -> float:
    """Shadow price of the CFE constraint [currency MWh-1], mean over its periods weighted by
    their load (:meth:`SystemProblem.matching_mean`).

    cvxpy's ``dual_value`` of a ``>=`` constraint of a minimisation is >= 0. ``nan`` without
    the constraint or without duals.
    """
    dual = None if model.cfe is None else model.cfe.dual_value
    if dual is None:
        return float("nan")
    values = np.asarray(dual, dtype=float)
    values = values / model.scale
    return problem.matching_mean(values) if np.all(np.isfinite(values)) else float("nan")


def extract_solution(
    model: Model, problem: SystemProblem, objective: float | None = None
) -> Solution:
    """Capacities and dispatch of a solved model (``objective`` [currency a-1]: the model's
    optimum unless given, e.g. for a block of a larger LP)."""
    n_time = len(problem.snapshots)
    shift = _array(model.recover, n_time) - _array(model.defer, n_time)
    ratings, flows = network_values(model, problem)
    curtail = _array(model.curtail, n_time)
    heat, capacity = heat_results(model, problem)
    outage, outage_capacity = outage_values(model)
    water = np.zeros(0)
    if problem.water is not None:
        water = water_values(problem.water, problem.load + shift - curtail, heat)
    return Solution(
        heat=heat,
        heat_capacity=capacity,
        water=water,
        outage=outage,
        outage_capacity=outage_capacity,
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
        objective=model.objective if objective is None else objective,
        cfe_price=_cfe_price(model, problem),
        load_shift=shift,
        load_curtailment=curtail,
        certificates=certificates(model, problem),
    )


__all__ = [
    "BACKEND",
    "SOLVERS",
    "Model",
    "build_model",
    "extract_solution",
    "run_model",
    "solve",
]
