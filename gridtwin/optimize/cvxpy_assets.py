"""The cvxpy backend's storage and load flexibility: variables, rows and costs as vectorised
cvxpy expressions (equations in :mod:`gridtwin.optimize.problem`); used by
:func:`gridtwin.optimize.cvxpy_backend.build_model`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from gridtwin.exceptions import ConfigError
from gridtwin.optimize.cvxpy_network import capacity
from gridtwin.optimize.problem import SystemProblem

if TYPE_CHECKING:
    from gridtwin.optimize.cvxpy_backend import Model


def periods_matrix(problem: SystemProblem) -> sp.csr_array:
    """Sums energy over each CFE period (weather year), shape (n_periods, n_time) [h]: the
    snapshot weights placed in the row of each snapshot's period (``problem.cfe_groups``)."""
    group = problem.cfe_groups()
    n_time = len(problem.snapshots)
    shape = (int(group.max()) + 1, n_time)
    return sp.csr_array((problem.snapshot_weights, (group, np.arange(n_time))), shape=shape)


def matching_matrix(problem: SystemProblem) -> sp.csr_array:
    """Sums energy over each matching period of the CFE rows (a weather year, or a month
    under monthly matching: ``problem.matching_groups``), shape (n_periods, n_time) [h]."""
    group = problem.matching_groups()
    n_time = len(problem.snapshots)
    shape = (int(group.max()) + 1, n_time)
    return sp.csr_array((problem.snapshot_weights, (group, np.arange(n_time))), shape=shape)


def within_budget(periods: sp.csr_array, energy: cp.Expression, budget: float) -> cp.Constraint:
    """A horizon budget applied to each weather year on its own: ``sum_(t in k) w_t x_t <=
    budget x share_k`` for every period ``k``, ``share_k`` its hours over the horizon's
    (as :meth:`SystemProblem.budget_shares`).

    ``periods`` is :func:`periods_matrix`; ``energy`` the hourly quantity (power [MW] or a
    per-hour rate), shape (n_time,).
    """
    hours = np.asarray(periods.sum(axis=1)).ravel()
    return periods @ energy <= budget * hours / hours.sum()


def difference(n_time: int, cyclic: bool) -> sp.csr_array:
    """Sparse (n_time, n_time) matrix D with ``(D x)_t = x_t - x_(t-1)`` and ``x_(-1) =
    x_(T-1)`` (cyclic) or ``x_(-1) = 0``."""
    d = sp.eye_array(n_time, format="csr") - sp.eye_array(n_time, k=-1, format="csr")
    return d - sp.eye_array(n_time, k=n_time - 1, format="csr") if cyclic else d


def flexibility(
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
    step = difference(n_time, cyclic=False)  # the first hour ramps from s_(-1)
    before = np.zeros(n_time)
    before[0] = initial_shift
    ramp = problem.ramp_limit()
    constraints += [
        window @ shift == 0,
        step @ shift - before <= ramp,
        step @ shift - before >= -ramp,
        window @ curtail <= flex.curtail_window_energy_max,
    ]
    if np.isfinite(flex.curtail_energy_max):
        periods = periods_matrix(problem)
        constraints.append(within_budget(periods, curtail, flex.curtail_energy_max))
    cost = flex.shift_cost * (w @ recover) + flex.curtail_cost * (w @ curtail)
    return shift, cost


def storage(
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
    shift_soc = difference(n_time, cyclic=initial_soc is None)
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
            constraints.append(e_nom - s.max_hours_energy_ratio * p_out == 0)
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


__all__ = ["difference", "flexibility", "storage"]
