"""Rolling-horizon dispatch of fixed capacities, and the CFE shadow price of both backends.

The sizing's CFE price is checked across backends and against a finite difference of the
objective; the rolling dispatch against perfect foresight (one window over the whole horizon
with the sizing's price must reproduce the sizing: Lagrangian relaxation of an LP at its dual
price), against the constraints of the problem hour by hour (with a non-cyclic state of charge
started from the sized state), and against dispatches worked out by hand. The Greensboro cases
are one- and two-week slices of the TMY3 set with the default catalogue costs, built here as in
tests/greensboro_cases.py.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import cache

import numpy as np
import pandas as pd
import pytest
from greensboro_cases import greensboro

from gridtwin.exceptions import ConfigError
from gridtwin.optimize import cvxpy_backend, pypsa_backend
from gridtwin.optimize.dispatch import rolling_dispatch
from gridtwin.optimize.evaluate import cfe_balance, objective_terms
from gridtwin.optimize.problem import (
    GeneratorSpec,
    PoiSpec,
    Solution,
    StorageSpec,
    SystemProblem,
)

TOL_MW = 1e-6  # energy balance and storage dynamics [MW], [MWh]

# ---------------------------------------------------------------------------------------------
# Greensboro slices (solar, onshore wind, battery; optionally flexibility, UPS and diesel)


@cache
def _greensboro(
    hours: int = 336, target: float = 0.9, *, flex: bool = False, existing: bool = False
) -> SystemProblem:
    """Solar, wind and battery behind a 1.5 GW POI with an evening price and CFE dip; with
    ``existing`` a 1.2 GW diesel backup (run-hour limit) and the UPS; a tie-break cost of
    0.01 USD/MWh keeps the dispatch unique."""
    return greensboro(
        hours, target, flex=flex, existing=existing, tie_break=0.01, diurnal_grid=True
    )


@cache
def _sized(hours: int, flex: bool, existing: bool) -> Solution:
    return cvxpy_backend.solve(_greensboro(hours, flex=flex, existing=existing))


# ---------------------------------------------------------------------------------------------
# checks of a dispatch against its problem (non-cyclic storage from a given start)


def check_dispatch(problem: SystemProblem, sol: Solution, soc0: dict[str, float]) -> None:
    """Assert energy balance, storage dynamics from ``soc0`` [MWh], bounds and budgets."""
    tol = TOL_MW
    served = problem.load + sol.load_shift - sol.load_curtailment
    supply = sol.grid_import - sol.grid_export + sum(sol.p[g.name] for g in problem.generators)
    for s in problem.storage:
        supply = supply + sol.discharge[s.name] - sol.charge[s.name]
    np.testing.assert_allclose(supply, served, rtol=0, atol=tol, err_msg="energy balance")
    for g in problem.generators:
        p = sol.p[g.name]
        assert np.all(p >= -tol) and np.all(p <= g.capacity_factor * sol.p_nom[g.name] + tol)
        assert p.sum() <= g.e_sum_max + 1e-5
    for s in problem.storage:
        soc, ch, dis = sol.state_of_charge[s.name], sol.charge[s.name], sol.discharge[s.name]
        gain = s.efficiency_charge * ch - dis / s.efficiency_discharge
        before = np.concatenate([[soc0[s.name]], soc[:-1]])  # not cyclic: from the start state
        np.testing.assert_allclose(soc - before, gain, rtol=0, atol=tol, err_msg=s.name)
        assert soc[-1] >= soc0[s.name] - tol  # the storage is handed back as found
        for x, bound in (
            (soc, sol.e_nom[s.name]),
            (ch, sol.p_nom[s.name]),
            (dis, sol.p_nom_discharge[s.name]),
        ):
            assert np.all(x >= -tol) and np.all(x <= bound + tol)
    for x in (sol.grid_import, sol.grid_export):
        assert np.all(x >= -tol) and np.all(x <= problem.poi.p_nom + tol)
    flex = problem.flex
    if flex is None:
        assert not np.any(sol.load_shift) and not np.any(sol.load_curtailment)
        return
    window = problem.window_index(flex.window_hours)
    shift, curtail = sol.load_shift, sol.load_curtailment
    assert np.all(np.abs(shift) <= flex.shift_max + tol)
    assert np.all(shift <= flex.shift_in_bound + tol)
    np.testing.assert_allclose(np.bincount(window, shift), 0.0, atol=1e-5)
    # the ramp limit holds across window boundaries too
    assert np.all(np.abs(np.diff(shift, prepend=0.0)) <= flex.ramp_max + tol)
    assert np.all(curtail >= -tol) and np.all(curtail <= flex.curtail_max + tol)
    assert curtail.sum() <= flex.curtail_energy_max + 1e-5
    assert np.all(np.bincount(window, curtail) <= flex.curtail_window_energy_max + 1e-5)


def _cyclic_state(sized: Solution) -> dict[str, float]:
    return {k: float(v[-1]) for k, v in sized.state_of_charge.items()}


# ---------------------------------------------------------------------------------------------
# the CFE shadow price


def test_both_backends_report_the_same_cfe_price() -> None:
    """A binding 90 % target on a week: the same non-negative price from cvxpy's dual_value and
    linopy's dual, the marginal cost of the target [USD per MWh of clean supply]."""
    problem = _greensboro(168)
    a, b = cvxpy_backend.solve(problem), pypsa_backend.solve(problem)
    assert a.cfe_price > 0 and b.cfe_price > 0
    assert a.cfe_price == pytest.approx(b.cfe_price, rel=1e-4)
    # the cost of the target is piecewise linear: the price lies between its slopes
    step = 1e-4
    slope = [
        (cvxpy_backend.solve(replace(problem, cfe_target=0.9 + d)).objective - a.objective)
        / (d * problem.load.sum())
        for d in (-step, step)
    ]
    assert slope[0] * (1 - 1e-6) <= a.cfe_price <= slope[1] * (1 + 1e-6)
    assert slope[1] == pytest.approx(slope[0], rel=0.02)  # and both are close


def test_cfe_price_is_nan_without_a_target() -> None:
    problem = replace(_greensboro(168), cfe_target=0.0)
    for backend in (cvxpy_backend, pypsa_backend):
        assert math.isnan(backend.solve(problem).cfe_price)


# ---------------------------------------------------------------------------------------------
# (a) one window over the whole horizon reproduces perfect foresight


@pytest.mark.parametrize(("flex", "existing"), [(False, False), (True, True)])
def test_whole_horizon_window_reproduces_the_sizing(flex: bool, existing: bool) -> None:
    problem = _greensboro(336, flex=flex, existing=existing)
    sized = _sized(336, flex, existing)
    sol = rolling_dispatch(problem, sized, window_hours=336, step_hours=336)
    check_dispatch(problem, sol, _cyclic_state(sized))
    assert sol.solver["n_windows"] == 1
    assert sol.objective == pytest.approx(sized.objective, rel=1e-6)
    sized_terms = objective_terms(problem, sized)
    assert sized_terms["capital"] + sized_terms["operating"] == pytest.approx(sized.objective)
    assert sol.solver["capital_cost"] == pytest.approx(sized_terms["capital"], rel=1e-12)
    assert sol.solver["operating_cost"] == pytest.approx(sized_terms["operating"], rel=1e-6)
    assert sol.solver["cfe_score"] == pytest.approx(cfe_balance(problem, sized)[0], rel=1e-6)
    assert sol.solver["cfe_shortfall_mwh"] == pytest.approx(0.0, abs=1e-3)
    assert sol.cfe_price == sized.cfe_price


def test_whole_horizon_window_with_a_demand_charge() -> None:
    """Monthly import peaks across a month boundary, no CFE target: one window reproduces the
    sizing; daily windows carry the committed peaks and never do better."""
    hours = 96
    load = 100.0 + 60.0 * (np.arange(hours) % 24 >= 18)
    poi = PoiSpec(1000.0, np.full(hours, 50.0), np.zeros(hours), np.zeros(hours))
    problem = SystemProblem(
        snapshots=pd.date_range("2019-01-30", periods=hours, freq="h"),
        load=load,
        generators=(),
        storage=(StorageSpec("battery", 2.0, 1.0, 0.95, 0.95),),
        poi=replace(poi, demand_charge=10000.0),
        cfe_target=0.0,
        tie_break_cost=0.01,
    )
    sized = cvxpy_backend.solve(problem)
    whole = rolling_dispatch(problem, sized, window_hours=hours, step_hours=hours)
    assert whole.objective == pytest.approx(sized.objective, rel=1e-6)
    assert math.isnan(whole.cfe_price)
    daily = rolling_dispatch(problem, sized, window_hours=24, step_hours=24)
    check_dispatch(problem, daily, _cyclic_state(sized))
    assert daily.objective >= sized.objective - 1e-6 * abs(sized.objective)


# ---------------------------------------------------------------------------------------------
# (b) 48 h windows stepped daily over two weeks


@pytest.mark.parametrize(("flex", "existing"), [(False, False), (True, True)])
def test_rolling_dispatch_48_24(flex: bool, existing: bool) -> None:
    problem = _greensboro(336, flex=flex, existing=existing)
    sized = _sized(336, flex, existing)
    calls: list[tuple[int, int]] = []
    sol = rolling_dispatch(problem, sized, progress=lambda k, n, s: calls.append((k, n)))
    check_dispatch(problem, sol, _cyclic_state(sized))
    info = sol.solver
    assert info["mode"] == "rolling_dispatch" and info["backend"] == "cvxpy"
    assert (info["window_hours"], info["step_hours"], info["n_windows"]) == (48, 24, 14)
    assert calls == [(k, 14) for k in range(1, 15)]
    assert info["cfe_price"] == sized.cfe_price > 0
    # capacities fixed at the sized ones; the objective is their capital cost plus operation
    assert sol.p_nom == sized.p_nom and sol.e_nom == sized.e_nom
    sized_terms = objective_terms(problem, sized)
    assert info["capital_cost"] == pytest.approx(sized_terms["capital"], rel=1e-12)
    assert sol.objective == pytest.approx(info["capital_cost"] + info["operating_cost"])
    assert info["operating_cost"] == pytest.approx(objective_terms(problem, sol)["operating"])
    # no operator beats perfect foresight on the priced objective (operation + shortfall)
    priced = info["operating_cost"] + info["cfe_penalty"]
    assert priced >= sized_terms["operating"] * (1 - 1e-9)
    score, shortfall = cfe_balance(problem, sol)
    assert info["cfe_score"] == pytest.approx(score) and shortfall == info["cfe_shortfall_mwh"]
    assert info["cfe_penalty"] == pytest.approx(sized.cfe_price * shortfall)
    assert abs(score - problem.cfe_target) <= 0.02  # close to the target (a few %)
    if flex:  # each committed day curtails at most its share of the horizon budget
        budget = problem.flex.curtail_energy_max * 24 / 336
        assert np.all(sol.load_curtailment.reshape(14, 24).sum(axis=1) <= budget + 1e-6)


# ---------------------------------------------------------------------------------------------
# (c) inputs a rolling dispatch cannot take


def test_bad_inputs_are_config_errors() -> None:
    problem = _greensboro(168, flex=True)
    sized = cvxpy_backend.solve(problem)
    with pytest.raises(ConfigError, match=r"step_hours=72 must be > 0 and at most window_hours"):
        rolling_dispatch(problem, sized, window_hours=48, step_hours=72)
    with pytest.raises(ConfigError, match=r"step_hours=36 is not a multiple of .*window_hours=24"):
        rolling_dispatch(problem, sized, window_hours=48, step_hours=36)
    with pytest.raises(ConfigError, match=r"sized\.cfe_price is nan.*pass cfe_price="):
        rolling_dispatch(problem, replace(sized, cfe_price=float("nan")))
    with pytest.raises(ConfigError, match=r"cfe_price is -1\.0"):
        rolling_dispatch(problem, sized, cfe_price=-1.0)
    with pytest.raises(ConfigError, match=r"weighted \(aggregated\) snapshots"):
        rolling_dispatch(replace(problem, weights=np.full(168, 1.0)), sized)
    with pytest.raises(ConfigError, match=r"does not belong to this problem"):
        rolling_dispatch(_greensboro(168, existing=True), sized)
    with pytest.raises(ConfigError, match=r"not one of"):
        rolling_dispatch(problem, sized, solver="GLPK")


# ---------------------------------------------------------------------------------------------
# (d) dispatches worked out by hand


def _battery_arbitrage() -> SystemProblem:
    """4 h of 10 MW load at 10, 50, 100, 90 USD/MWh; a fixed lossless 10 MW / 10 MWh battery.
    Perfect foresight charges in hour 0 and discharges in hour 2 (cyclic state: empty)."""
    return SystemProblem(
        snapshots=pd.date_range("2019-01-01", periods=4, freq="h"),
        load=np.full(4, 10.0),
        generators=(),
        storage=(StorageSpec("battery", 0.0, 0.0, 1.0, 1.0, 10.0, 10.0, extendable=False),),
        poi=PoiSpec(1000.0, np.array([10.0, 50.0, 100.0, 90.0]), np.zeros(4), np.zeros(4)),
        cfe_target=0.0,
        tie_break_cost=0.01,  # no simultaneous charge and discharge
    )


@pytest.mark.parametrize(
    ("window", "step", "discharge", "cost"),
    [
        # one window: perfect foresight, 20 x 10 + 10 x 50 + 0 + 10 x 90
        (4, 4, [0, 0, 10, 0], 1600.0),
        # 2 h windows, 1 h steps: hour 0 charges (the window sees 50 ahead), hour 1 holds
        # (it sees 100 ahead), hour 2 discharges: as perfect foresight
        (2, 1, [0, 0, 10, 0], 1600.0),
        # 2 h windows committed whole: the first window empties the battery at 50 in hour 1,
        # the second has nothing left for 100: 20 x 10 + 0 + 10 x 100 + 10 x 90
        (2, 2, [0, 10, 0, 0], 2100.0),
    ],
)
def test_battery_arbitrage_by_hand(
    window: int, step: int, discharge: list[float], cost: float
) -> None:
    problem = _battery_arbitrage()
    sized = cvxpy_backend.solve(problem)
    np.testing.assert_allclose(sized.state_of_charge["battery"], [10, 10, 0, 0], atol=1e-9)
    sol = rolling_dispatch(problem, sized, window_hours=window, step_hours=step)
    check_dispatch(problem, sol, {"battery": 0.0})
    np.testing.assert_allclose(sol.discharge["battery"], discharge, atol=1e-9)
    np.testing.assert_allclose(sol.charge["battery"], [10, 0, 0, 0], atol=1e-9)
    assert sol.solver["operating_cost"] == pytest.approx(cost + 0.01 * 10.0, rel=1e-12)


def test_shortfall_price_by_hand() -> None:
    """2 h of 10 MW load, grid at 50 USD/MWh with CFE share 1 then 0, a fixed 10 MW clean
    geothermal unit at 60 USD/MWh, target 50 %, shortfall priced at 30 USD/MWh.

    Over both hours the clean grid of hour 0 meets the target (10 of 20 MWh): all import,
    cost 1000. One-hour windows cannot bank hour 0's surplus (it earns nothing): hour 1 alone
    needs 5 MWh clean, and geothermal (10 USD/MWh dearer) beats the 30 USD/MWh penalty, so
    5 MW geothermal + 5 MW import: cost 500 + 300 + 250 = 1050, score 15 / 20. At 5 USD/MWh
    (below the 10 USD/MWh premium of geothermal) the window pays the shortfall instead."""
    problem = SystemProblem(
        snapshots=pd.date_range("2019-01-01", periods=2, freq="h"),
        load=np.full(2, 10.0),
        generators=(
            GeneratorSpec("geothermal", np.ones(2), 0.0, 60.0, p_nom=10.0, extendable=False),
        ),
        storage=(),
        poi=PoiSpec(100.0, np.full(2, 50.0), np.zeros(2), np.array([1.0, 0.0])),
        cfe_target=0.5,
    )
    sized = cvxpy_backend.solve(problem)
    whole = rolling_dispatch(problem, sized, window_hours=2, step_hours=2, cfe_price=30.0)
    np.testing.assert_allclose(whole.p["geothermal"], [0, 0], atol=1e-9)
    assert whole.objective == pytest.approx(1000.0)
    hourly = rolling_dispatch(problem, sized, window_hours=1, step_hours=1, cfe_price=30.0)
    np.testing.assert_allclose(hourly.p["geothermal"], [0, 5], atol=1e-9)
    np.testing.assert_allclose(hourly.grid_import, [10, 5], atol=1e-9)
    assert hourly.objective == pytest.approx(1050.0)
    assert hourly.solver["cfe_score"] == pytest.approx(0.75)
    assert hourly.solver["cfe_shortfall_mwh"] == pytest.approx(0.0, abs=1e-9)
    cheap = rolling_dispatch(problem, sized, window_hours=1, step_hours=1, cfe_price=5.0)
    np.testing.assert_allclose(cheap.p["geothermal"], [0, 0], atol=1e-9)
    assert cheap.objective == pytest.approx(1000.0)
    assert cheap.cfe_price == 5.0
