"""Cross-backend tests: the PyPSA and cvxpy backends state the same LP and reach the same optimum.

Every case runs on both backends and must give the same objective within a relative 1e-6
(DESIGN.md section 6), and the same capacities where the optimum is unique. The cases are the
hand problems of ``test_optimize.py`` and one- and four-week slices of the Greensboro TMY3 set
with the default catalogue costs (capital costs scaled to the horizon), with and without the
campus flexibility, with the UPS and a diesel backup, with a tie-break cost, export revenue and
several CFE targets. The cvxpy solution is then checked against the problem directly: energy
balance every hour, storage dynamics, bounds, budgets, CFE score and the objective recomputed
from capacities and dispatch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import cache

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from greensboro_cases import greensboro
from hand_cases import (
    HAND_CASES,
    INFEASIBLE_CASES,
    Solve,
    battery_two_hours,
    hydrogen_two_hours,
    month_boundary,
    negative_prices,
)
from hand_cases import flex as _flex
from hand_cases import poi as _poi

from gridtwin.exceptions import ConfigError, InfeasibleError, SolverError
from gridtwin.optimize import backends, cvxpy_backend, pypsa_backend
from gridtwin.optimize.outcome import infeasibility_message
from gridtwin.optimize.problem import (
    GeneratorSpec,
    Solution,
    StorageSpec,
    SystemProblem,
)
from gridtwin.results import build_results

REL_OBJECTIVE = 1e-6
TOL_MW = 1e-6  # energy balance and storage dynamics [MW], [MWh]

# ---------------------------------------------------------------------------------------------
# hand cases (the constructions of tests/optimize/test_hand_cases.py)


# ---------------------------------------------------------------------------------------------
# Greensboro cases: slices of the year (tests/greensboro_cases.py)


#: name -> (problem builder, optimum unique so capacities must agree)
CASES: dict[str, tuple[Callable[[], SystemProblem], bool]] = {
    **{name: (build, True) for name, build in HAND_CASES.items()},
    "week_cfe50": (lambda: greensboro(target=0.5), True),
    "week_cfe90": (lambda: greensboro(target=0.9), True),
    "week_cfe100": (lambda: greensboro(target=1.0), True),
    "week_cfe90_flex": (lambda: greensboro(flex=True), True),
    "week_cfe90_ups_backup": (lambda: greensboro(existing=True), True),
    "week_cfe90_all_tie": (
        lambda: greensboro(flex=True, existing=True, tie_break=0.01),
        True,
    ),
    "week_cfe90_export_tie": (
        lambda: greensboro(export_share=0.5, tie_break=0.01, diurnal_grid=True),
        True,
    ),
    "month_cfe90": (lambda: greensboro(672), True),
    "month_cfe90_all_tie": (
        lambda: greensboro(672, flex=True, existing=True, tie_break=0.01, diurnal_grid=True),
        True,
    ),
    "month_cfe100_flex_export": (
        lambda: greensboro(672, 1.0, flex=True, existing=True, export_share=0.5),
        True,
    ),
    # annual (volumetric) matching: capacities may be degenerate, objectives must agree
    "week_annual90_all_tie": (
        lambda: replace(greensboro(flex=True, existing=True, tie_break=0.01), matching="annual"),
        False,
    ),
}


@cache
def _problem(case: str) -> SystemProblem:
    return CASES[case][0]()


@cache
def _solve(case: str, backend: str) -> tuple[Solution, float]:
    solve = {"pypsa": pypsa_backend.solve, "cvxpy": cvxpy_backend.solve}[backend]
    t0 = time.perf_counter()
    solution = solve(_problem(case))
    return solution, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------
# checks of a solution against its problem, independent of either backend


def recomputed_objective(problem: SystemProblem, sol: Solution) -> float:
    """The objective of both backends recomputed from capacities and dispatch [currency]."""
    w = problem.snapshot_weights
    total = 0.0
    for g in problem.generators:
        total += g.capital_cost * sol.p_nom[g.name] * g.extendable
        total += g.marginal_cost * float(w @ sol.p[g.name])
    for s in problem.storage:
        if s.extendable:
            total += s.capital_cost_power * sol.p_nom[s.name]
            total += s.capital_cost_energy * sol.e_nom[s.name]
            total += (s.capital_cost_discharge or 0.0) * sol.p_nom_discharge[s.name]
        total += problem.tie_break_cost * float(w @ sol.discharge[s.name])
    poi = problem.poi
    price = poi.import_price
    served = problem.load + sol.load_shift - sol.load_curtailment
    total += float((w * np.maximum(price, 0.0)) @ sol.grid_import)
    # negative prices are earned on the load served only
    total += float((w * np.minimum(price, 0.0)) @ np.minimum(sol.grid_import, served))
    total -= float((w * (poi.export_price - problem.tie_break_cost)) @ sol.grid_export)
    if poi.demand_charge:
        month, share = problem.billing_months()
        peaks = np.zeros(len(share))
        np.maximum.at(peaks, month, sol.grid_import)
        total += poi.demand_charge * float(share @ peaks)
    if problem.flex is not None:
        total += problem.flex.shift_cost * float(w @ np.clip(sol.load_shift, 0.0, None))
        total += problem.flex.curtail_cost * float(w @ sol.load_curtailment)
    return total


def check_solution(problem: SystemProblem, sol: Solution) -> None:
    """Assert that a solution satisfies every constraint of the problem."""
    tol = TOL_MW
    w = problem.snapshot_weights
    served = problem.load + sol.load_shift - sol.load_curtailment
    supply = sol.grid_import - sol.grid_export + sum(sol.p[g.name] for g in problem.generators)
    for s in problem.storage:
        supply = supply + sol.discharge[s.name] - sol.charge[s.name]
    np.testing.assert_allclose(supply, served, rtol=0, atol=tol, err_msg="energy balance")
    for g in problem.generators:
        p, p_nom = sol.p[g.name], sol.p_nom[g.name]
        assert p_nom >= g.p_nom - tol and p_nom <= g.p_nom_max + tol
        if not g.extendable:
            assert p_nom == pytest.approx(g.p_nom)
        assert np.all(p >= -tol) and np.all(p <= g.capacity_factor * p_nom + tol)
        assert w @ p <= g.e_sum_max + tol
    for s in problem.storage:
        soc, ch, dis = sol.state_of_charge[s.name], sol.charge[s.name], sol.discharge[s.name]
        gain = w * (s.efficiency_charge * ch - dis / s.efficiency_discharge)
        np.testing.assert_allclose(
            soc - np.roll(soc, 1), gain, rtol=0, atol=tol, err_msg=f"{s.name} SOC (cyclic)"
        )
        p_nom, e_nom = sol.p_nom[s.name], sol.e_nom[s.name]
        p_out = sol.p_nom_discharge[s.name]
        if not s.separate_discharge:
            assert p_out == pytest.approx(p_nom, abs=1e-6)
        if s.max_hours is not None:
            # hours at rated AC power: the full store lasts max_hours at p_out
            assert e_nom * s.efficiency_discharge == pytest.approx(
                s.max_hours * p_out, rel=1e-6, abs=1e-6
            )
        assert p_nom >= s.p_nom - tol and e_nom >= s.e_nom - tol
        assert p_nom <= s.p_nom_max + tol and e_nom <= s.e_nom_max + tol
        for x, bound in ((soc, e_nom), (ch, p_nom), (dis, p_out)):
            assert np.all(x >= -tol) and np.all(x <= bound + tol)
    for x in (sol.grid_import, sol.grid_export):
        assert np.all(x >= -tol) and np.all(x <= problem.poi.p_nom + tol)
    flex = problem.flex
    if flex is None:
        assert not np.any(sol.load_shift) and not np.any(sol.load_curtailment)
        curtailed = 0.0
    else:
        window = problem.window_index(flex.window_hours)
        shift, curtail = sol.load_shift, sol.load_curtailment
        assert np.all(np.abs(shift) <= flex.shift_max + tol)
        assert np.all(shift <= flex.shift_in_bound + tol)
        np.testing.assert_allclose(np.bincount(window, w * shift), 0.0, atol=1e-5)
        assert np.all(np.abs(np.diff(shift, prepend=0.0)) <= flex.ramp_max + tol)
        assert np.all(curtail >= -tol) and np.all(curtail <= flex.curtail_max + tol)
        assert w @ curtail <= flex.curtail_energy_max + 1e-5
        assert np.all(np.bincount(window, w * curtail) <= flex.curtail_window_energy_max + 1e-5)
        curtailed = float(w @ curtail)
    clean = sum(float(w @ sol.p[g.name]) for g in problem.generators if g.clean)
    clean += sum(float(w @ (sol.discharge[s] - sol.charge[s])) for s in sol.charge)
    clean += float((w * problem.poi.grid_cfe_share) @ sol.grid_import)
    if problem.matching == "hourly":  # annual matching counts exported clean energy
        clean -= float(w @ sol.grid_export)
    # CFE score on the load served (curtailed load needs no clean supply); no target, no row
    if problem.cfe_target > 0:
        assert clean >= problem.cfe_target * (float(w @ problem.load) - curtailed) - 1e-5
    assert recomputed_objective(problem, sol) == pytest.approx(sol.objective, rel=1e-8, abs=1e-6)


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_backends_reach_the_same_optimum(case: str) -> None:
    reference, _ = _solve(case, "pypsa")
    candidate, _ = _solve(case, "cvxpy")
    assert candidate.objective == pytest.approx(reference.objective, rel=REL_OBJECTIVE)
    if CASES[case][1]:
        for name, value in reference.p_nom.items():
            assert candidate.p_nom[name] == pytest.approx(value, rel=1e-5, abs=1e-3), name
        for name, value in reference.e_nom.items():
            assert candidate.e_nom[name] == pytest.approx(value, rel=1e-5, abs=1e-3), name
    assert candidate.solver["backend"] == "cvxpy" and candidate.solver["status"] == "ok"


@pytest.mark.parametrize("case", list(CASES))
def test_cvxpy_solution_satisfies_the_problem(case: str) -> None:
    problem = _problem(case)
    check_solution(problem, _solve(case, "cvxpy")[0])


@pytest.mark.parametrize("case", ["week_cfe90_all_tie", "month_cfe90_all_tie"])
def test_pypsa_solution_satisfies_the_problem(case: str) -> None:
    check_solution(_problem(case), _solve(case, "pypsa")[0])


@pytest.mark.parametrize("case", list(INFEASIBLE_CASES))
def test_infeasible_on_both_backends_with_the_same_message(case: str) -> None:
    problem = INFEASIBLE_CASES[case]()
    with pytest.raises(InfeasibleError, match=r"infeasible at cfe_target=") as reference:
        pypsa_backend.solve(problem)
    with pytest.raises(InfeasibleError) as candidate:
        cvxpy_backend.solve(problem)
    # same text, including the highest reachable CFE score both compute
    assert str(candidate.value) == str(reference.value)


def test_infeasible_greensboro_week() -> None:
    """Islanded with only solar and wind and no storage: the night load cannot be served."""
    problem = greensboro(target=0.9)
    problem = replace(problem, storage=(), poi=replace(problem.poi, p_nom=0.0))
    for backend in (pypsa_backend, cvxpy_backend):
        with pytest.raises(InfeasibleError):
            backend.solve(problem)


def test_clarabel_agrees_with_highs() -> None:
    problem = _problem("week_cfe90_ups_backup")
    highs, _ = _solve("week_cfe90_ups_backup", "cvxpy")
    clarabel = cvxpy_backend.solve(problem, solver="CLARABEL")
    assert clarabel.objective == pytest.approx(highs.objective, rel=1e-5)
    assert clarabel.solver["name"] == "clarabel"
    check_solution_loose(problem, clarabel)


def check_solution_loose(problem: SystemProblem, sol: Solution) -> None:
    """Energy balance of an interior-point solution (tolerance of the solver)."""
    served = problem.load + sol.load_shift - sol.load_curtailment
    supply = sol.grid_import - sol.grid_export + sum(sol.p[g.name] for g in problem.generators)
    for s in problem.storage:
        supply = supply + sol.discharge[s.name] - sol.charge[s.name]
    np.testing.assert_allclose(supply, served, rtol=1e-6, atol=1e-4)


def test_highs_options_pass_through() -> None:
    """HiGHS option names reach the solver (interior point without crossover)."""
    problem = _problem("week_cfe90")
    sol = cvxpy_backend.solve(problem, {"solver": "ipm", "run_crossover": "off"})
    assert sol.solver["iterations"]["ipm"] > 0 and sol.solver["iterations"]["simplex"] == 0
    assert sol.objective == pytest.approx(_solve("week_cfe90", "pypsa")[0].objective, rel=1e-6)


def test_unknown_solver_options_are_config_errors() -> None:
    problem = _problem("hand_battery")
    with pytest.raises(ConfigError, match=r"solver\.options"):
        cvxpy_backend.solve(problem, {"no_such_option": 1})
    with pytest.raises(ConfigError, match=r"solver\.options"):  # HiGHS options given to Clarabel
        cvxpy_backend.solve(problem, {"solver": "ipm"}, solver="CLARABEL")
    with pytest.raises(ConfigError, match="not one of"):
        cvxpy_backend.solve(problem, solver="GLPK")


# ---------------------------------------------------------------------------------------------
# technologies and tariffs by hand, on both backends


def test_hydrogen_sizes_electrolyser_tank_and_fuel_cell_apart(solve: Solve) -> None:
    """Night load 100 MW from a fuel cell (eta 0.5): 200 MWh of hydrogen, made by an
    electrolyser (eta 0.7) from 285.7 MW of solar-hour power; solar 385.7 MW."""
    sol = solve(hydrogen_two_hours())
    charge = 100.0 / 0.5 / 0.7
    assert sol.p_nom_discharge["hydrogen"] == pytest.approx(100.0, rel=1e-6)
    assert sol.p_nom["hydrogen"] == pytest.approx(charge, rel=1e-6)
    assert sol.e_nom["hydrogen"] == pytest.approx(200.0, rel=1e-6)
    assert sol.p_nom["solar"] == pytest.approx(100.0 + charge, rel=1e-6)
    expected = 10.0 * (100.0 + charge) + 1.0 * charge + 0.1 * 200.0 + 2.0 * 100.0
    assert sol.objective == pytest.approx(expected, rel=1e-6)


def test_max_hours_fixes_the_energy_to_power_ratio(solve: Solve) -> None:
    sol = solve(CASES["hand_max_hours"][0]())
    # 100 MW at night is charged at 100 / 0.81 MW in the solar hour (one rating both ways),
    # so p_nom = 123.5 MW; 4 h at rated power through a 0.9 discharge efficiency stores
    # e_nom = 4 h x 123.5 MW / 0.9 (far more than the 111 MWh needed)
    p_nom = 100.0 / 0.81
    assert sol.p_nom["battery"] == pytest.approx(p_nom, rel=1e-6)
    assert sol.e_nom["battery"] == pytest.approx(4.0 * p_nom / 0.9, rel=1e-6)


def test_a_four_hour_battery_runs_four_hours_at_rated_power(solve: Solve) -> None:
    """``max_hours`` is hours at rated power whatever the discharge efficiency: five solar
    hours charge a 4-h battery (discharge efficiency 0.8) that carries a 100 MW load through
    four dark hours at its rating of 100 MW. Counted in stored energy (e_nom = 4 h x p_nom)
    it would need a 125 MW rating for the 500 MWh the night takes."""
    n = 9
    problem = SystemProblem(
        snapshots=pd.date_range("2019-06-01", periods=n, freq="h"),
        load=np.full(n, 100.0),
        generators=(GeneratorSpec("solar", np.r_[np.ones(5), np.zeros(4)], 10.0),),
        storage=(StorageSpec("battery", 3.0, 1.0, 1.0, 0.8, max_hours=4.0),),
        poi=_poi(n, 0.0, 50.0, 0.0),
        cfe_target=1.0,
    )
    sol = solve(problem)
    assert sol.p_nom["battery"] == pytest.approx(100.0, rel=1e-6)
    assert sol.e_nom["battery"] == pytest.approx(500.0, rel=1e-6)
    np.testing.assert_allclose(sol.discharge["battery"][5:], 100.0, rtol=1e-6)
    campus = xr.Dataset(
        {k: ("time", np.ones(n)) for k in ("it_load", "pue", "temp_wetbulb")},
        coords={"time": problem.snapshots},
    )
    ds = build_results(problem, sol, campus)
    assert float(ds["discharge_duration"].sel(storage="battery")) == pytest.approx(4.0, rel=1e-6)
    assert ds["discharge_duration"].attrs["units"] == "h"


def test_weighted_snapshots_equal_repeated_hours(solve: Solve) -> None:
    """A day of 24 h whose hours come in identical pairs equals 12 snapshots of weight 2."""
    full = greensboro(24, 0.8, flex=True)
    pairs = np.arange(24) // 2

    def pair(x: np.ndarray) -> np.ndarray:
        return np.repeat(np.bincount(pairs, x)[:12] / 2.0, 2)

    full = replace(
        full,
        load=pair(full.load),
        generators=tuple(
            replace(g, capacity_factor=pair(g.capacity_factor)) for g in full.generators
        ),
        flex=replace(
            full.flex,
            shift_max=pair(full.flex.shift_max),
            shift_in_max=pair(full.flex.shift_in_bound),
            ramp_max=np.full(24, 1e6),
            curtail_max=pair(full.flex.curtail_max),
        ),
    )
    take = slice(0, 24, 2)
    weighted = replace(
        full,
        snapshots=full.snapshots[take],
        load=full.load[take],
        generators=tuple(
            replace(g, capacity_factor=g.capacity_factor[take]) for g in full.generators
        ),
        poi=replace(
            full.poi,
            import_price=full.poi.import_price[take],
            export_price=full.poi.export_price[take],
            grid_cfe_share=full.poi.grid_cfe_share[take],
        ),
        flex=replace(
            full.flex,
            shift_max=full.flex.shift_max[take],
            shift_in_max=full.flex.shift_in_bound[take],
            ramp_max=full.flex.ramp_max[take],
            curtail_max=full.flex.curtail_max[take],
        ),
        weights=np.full(12, 2.0),
    )
    a, b = solve(full), solve(weighted)
    check_solution(weighted, b)
    assert b.objective == pytest.approx(a.objective, rel=1e-6)
    for tech in a.p_nom:
        assert b.p_nom[tech] == pytest.approx(a.p_nom[tech], rel=1e-4, abs=1e-3)


def _no_simultaneous_milp(problem: SystemProblem) -> float:
    """Objective of the negative-price case with binaries forbidding simultaneous charge and
    discharge and simultaneous import and export, written independently of both backends."""
    import cvxpy as cp

    n = len(problem.snapshots)
    s = problem.storage[0]
    price = problem.poi.import_price
    big = 10 * problem.poi.p_nom
    p_nom, e_nom = cp.Variable(nonneg=True), cp.Variable(nonneg=True)
    ch, dis, soc = (cp.Variable(n, nonneg=True) for _ in range(3))
    imp, exp = cp.Variable(n, nonneg=True), cp.Variable(n, nonneg=True)
    charging, importing = cp.Variable(n, boolean=True), cp.Variable(n, boolean=True)
    cons = [
        ch <= p_nom,
        dis <= p_nom,
        soc <= e_nom,
        ch <= big * charging,
        dis <= big * (1 - charging),
        imp <= big * importing,
        exp <= big * (1 - importing),
        imp <= problem.poi.p_nom,
        exp <= problem.poi.p_nom,
        soc
        == cp.hstack([soc[n - 1], soc[: n - 1]])
        + s.efficiency_charge * ch
        - dis / s.efficiency_discharge,
        imp - exp + dis - ch == problem.load,
    ]
    # the same economics as the LP: a negative price is earned on the load served only
    credit = cp.Variable(n, nonneg=True)
    cons += [credit <= imp, credit <= problem.load]
    cost = s.capital_cost_power * p_nom + s.capital_cost_energy * e_nom
    cost += np.maximum(price, 0.0) @ imp + np.minimum(price, 0.0) @ credit
    cost -= problem.poi.export_price @ exp
    milp = cp.Problem(cp.Minimize(cost), cons)
    milp.solve(solver="HIGHS")
    return float(milp.value)


def test_no_gain_from_simultaneous_charge_and_discharge_at_negative_prices(solve: Solve) -> None:
    """At -20 USD/MWh the LP could earn by importing more than the campus uses and burning the
    surplus in battery losses (charging and discharging in the same hour) or by exporting it.
    Imports earn a negative price only on the load served and export pays it, so the LP reaches
    exactly the optimum of the MILP that forbids both, and its dispatch does neither."""
    problem = negative_prices()
    sol = solve(problem)
    ch, dis = sol.charge["battery"], sol.discharge["battery"]
    assert not np.any((ch > 1e-6) & (dis > 1e-6))
    assert not np.any((sol.grid_import > 1e-6) & (sol.grid_export > 1e-6))
    assert sol.objective == pytest.approx(_no_simultaneous_milp(problem), rel=1e-6)
    # and the battery is used: charged in the cheap hours, discharged in the dear ones
    assert ch[:3].sum() > 1.0 and dis[3:].sum() > 1.0


def test_demand_charge_pays_each_month_peak(solve: Solve) -> None:
    """With a demand charge the battery shaves the evening peak; without it, it is not built."""
    problem = month_boundary()
    month, share = problem.billing_months()
    np.testing.assert_allclose(share, [24 / 744, 24 / 672])
    sol = solve(problem)
    peaks = [sol.grid_import[month == m].max() for m in (0, 1)]
    assert max(peaks) < 160.0 - 1.0  # peak shaved below the 160 MW evening load
    free = solve(replace(problem, poi=replace(problem.poi, demand_charge=0.0)))
    assert free.p_nom["battery"] == pytest.approx(0.0, abs=1e-6)
    assert sol.objective > free.objective


def _two_years(solar_year_two: float = 0.7, years: float = 2.0) -> SystemProblem:
    """Two stacked "years" of a 100 MW load, shortened to the last week of 2018 and the first
    of 2019 (``horizon_years`` says two years, so each calendar year is a CFE period), solar
    with a weaker second year, a battery and a cheap grid at 0.3 CFE share; target 80 %."""
    snapshots = pd.date_range("2018-12-25", "2019-01-07 23:00", freq="h")
    n = len(snapshots)
    hour = snapshots.hour.to_numpy()
    cf = np.clip(np.sin(np.pi * (hour - 6) / 12), 0.0, None)
    cf = cf * np.where(snapshots.year == 2019, solar_year_two, 1.0)
    return SystemProblem(
        snapshots=snapshots,
        load=np.full(n, 100.0),
        generators=(GeneratorSpec("solar", cf, 3000.0),),
        storage=(StorageSpec("battery", 1000.0, 300.0, 0.95, 0.95),),
        poi=_poi(n, 1000.0, 20.0, 0.3),
        cfe_target=0.8,
        horizon_years=years,
    )


def _scores(problem: SystemProblem, sol: Solution) -> list[float]:
    clean = sol.p["solar"] + sol.discharge["battery"] - sol.charge["battery"]
    clean = clean + 0.3 * sol.grid_import - sol.grid_export
    year = problem.snapshots.year
    return [float(clean[year == y].sum() / problem.load[year == y].sum()) for y in (2018, 2019)]


def test_stacked_years_each_meet_the_target(solve: Solve) -> None:
    """Capacities serve every year: the weak second year meets 80 % on its own. Pooled over
    the horizon (as one period) the good year would make up for it and the design is cheaper."""
    problem = _two_years()
    np.testing.assert_array_equal(np.unique(problem.cfe_groups()), [0, 1])
    sol = solve(problem)
    check_solution(problem, sol)
    good, weak = _scores(problem, sol)
    assert weak == pytest.approx(0.8, abs=1e-6)  # the weak year binds
    # the result file reports each year's score as computed here
    n = len(problem.snapshots)
    campus = xr.Dataset(
        {k: ("time", np.ones(n)) for k in ("it_load", "pue", "temp_wetbulb")},
        coords={"time": problem.snapshots},
    )
    ds = build_results(problem, sol, campus)
    np.testing.assert_allclose(ds["cfe_score_by_year"], [good, weak], atol=1e-9)
    np.testing.assert_array_equal(ds["year"], [2018, 2019])
    assert good >= 0.8 - 1e-6
    pooled_problem = _two_years(years=1.0)
    assert np.unique(pooled_problem.cfe_groups()).size == 1
    pooled = solve(pooled_problem)
    assert _scores(pooled_problem, pooled)[1] < 0.8 - 1e-3
    assert pooled.objective < sol.objective


@pytest.mark.parametrize(
    ("start", "offset", "lengths"),
    [
        ("2019-01-01 07:00", -7.0, [8760, 8760]),  # two local-time years (UTC-7) in UTC
        ("2019-01-01 00:00", 1.0, [8760, 8784]),  # two UTC years (ERA5) at a UTC+1 site
        ("2019-01-01 00:00", -12.0, [8760, 8784]),  # 2020 is a leap year
        ("2019-12-31 19:00", 5.0, [8784, 8760]),
        ("2019-01-01 05:00", -5.0, [8760, 8784, 8760]),  # three local years
    ],
)
def test_stacked_years_follow_the_weather_years(start: str, offset: float, lengths: list[int]):
    """CFE periods are weather years: two years in local time stored in UTC give two periods
    of a year each, not UTC years with a stub of a few hours (8753 h, 8760 h and 7 h)."""
    snapshots = pd.date_range(start, periods=sum(lengths), freq="h")
    n = len(snapshots)
    problem = SystemProblem(
        snapshots=snapshots,
        load=np.full(n, 100.0),
        generators=(GeneratorSpec("solar", np.full(n, 0.3), 3000.0),),
        storage=(),
        poi=replace(_poi(n, 1000.0, 20.0, 0.3), utc_offset_h=offset),
        cfe_target=0.8,
        horizon_years=n / 8760,
    )
    groups, shares = problem.budget_shares()
    np.testing.assert_array_equal(np.bincount(groups), lengths)
    assert np.all(np.diff(groups) >= 0)  # consecutive blocks
    np.testing.assert_allclose(shares, np.array(lengths) / n)
    first = 2020 if start.startswith("2019-12") else 2019  # the weather file's first year
    assert problem.period_labels() == list(range(first, first + len(lengths)))


def _two_years_with_backup(cap: str) -> SystemProblem:
    """:func:`_two_years` with a costly grid and a cheap diesel backup generator whose
    annual budget (run energy, or the site's CO2) binds; the weak second year wants more
    backup than the first."""
    problem = _two_years()
    n = len(problem.snapshots)
    backup = GeneratorSpec(
        "backup", np.ones(n), 100.0, marginal_cost=50.0, clean=False, co2_intensity=0.7,
        e_sum_max=8000.0 if cap == "e_sum_max" else np.inf,
    )  # fmt: skip
    return replace(
        problem,
        generators=(*problem.generators, backup),
        poi=_poi(n, 1000.0, 400.0, 0.3),
        emissions_cap=0.7 * 8000.0 if cap == "emissions_cap" else None,
        cfe_target=0.5,
    )


@pytest.mark.parametrize("cap", ["e_sum_max", "emissions_cap"])
def test_annual_budgets_apply_to_each_stacked_year(solve: Solve, cap: str) -> None:
    """A budget for the horizon of two weather years is half per year: the weak second year
    cannot borrow the first year's backup hours or CO2 (pooled, it would run more backup)."""
    problem = _two_years_with_backup(cap)
    sol = solve(problem)
    year = problem.snapshots.year
    used = [float(sol.p["backup"][year == y].sum()) for y in (2018, 2019)]
    assert max(used) <= 4000.0 + 1e-4  # half the budget (both years have 168 h)
    assert max(used) == pytest.approx(4000.0, rel=1e-6)  # it binds
    pooled = solve(replace(problem, horizon_years=1.0))  # one period: the budget is pooled
    pooled_used = [float(pooled.p["backup"][year == y].sum()) for y in (2018, 2019)]
    assert sum(pooled_used) == pytest.approx(8000.0, rel=1e-6)
    assert max(pooled_used) > 4000.0 + 1.0


IPM = {"solver": "ipm", "run_crossover": "off"}


@pytest.mark.parametrize("case", ["no_storage_at_night", "backup_not_clean"])
def test_out_of_reach_target_is_reported_with_interior_point(solve: Solve, case: str) -> None:
    """Interior point without crossover (the default study's setting) stops on an infeasible
    LP without a verdict; the run must still say the target is out of reach and by how much."""
    problem = INFEASIBLE_CASES[case]()
    with pytest.raises(InfeasibleError) as err:
        solve(problem, IPM)
    expected = infeasibility_message(problem, backends.max_reachable_cfe(problem))
    assert str(err.value) == expected


def test_aggregated_window_without_a_segment_start() -> None:
    """Two segments of 20 h and 28 h over two 24-h flexibility windows: no segment starts in
    the second window; both backends must still state the problem, with the same optimum."""
    problem = SystemProblem(
        snapshots=pd.DatetimeIndex(["2019-01-01 00:00", "2019-01-01 20:00"]),
        load=np.array([100.0, 120.0]),
        generators=(GeneratorSpec("solar", np.array([0.6, 0.1]), 5.0),),
        storage=(),
        poi=_poi(2, 1000.0, 50.0, 0.3),
        cfe_target=0.5,
        flex=replace(
            _flex(2, shift=20.0, curtail=10.0, curtail_energy=100.0, window=24, curtail_cost=1.0),
            curtail_window_energy_max=np.array([30.0, 30.0]),
        ),
        weights=np.array([20.0, 28.0]),
    )
    np.testing.assert_array_equal(problem.window_index(24), [0, 0])
    a, b = pypsa_backend.solve(problem), cvxpy_backend.solve(problem)
    check_solution(problem, b)
    assert a.objective == pytest.approx(b.objective, rel=REL_OBJECTIVE)


def test_clarabel_agrees_with_highs_on_a_full_year() -> None:
    """The full Greensboro year (aggregated to 730 segments for speed): unscaled, Clarabel
    calls this LP unbounded; with the objective scaled it must reach HiGHS's optimum."""
    from gridtwin.optimize.aggregate import aggregate

    problem = aggregate(greensboro(8760, flex=True, existing=True, tie_break=0.01), 730)
    highs = cvxpy_backend.solve(problem)
    clarabel = cvxpy_backend.solve(problem, solver="CLARABEL")
    assert clarabel.objective == pytest.approx(highs.objective, rel=1e-6)
    assert clarabel.cfe_price == pytest.approx(highs.cfe_price, rel=1e-3)


def test_no_verdict_on_a_reachable_target_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """Interior point that stops without an optimum on a feasible problem is not reported as
    infeasible: the message gives the reachable score and suggests dual simplex."""
    problem = battery_two_hours(0.5)
    real = pypsa_backend._optimize
    calls = []

    def first_unknown(*args, **kwargs):  # type: ignore[no-untyped-def]
        n, status, condition, run = real(*args, **kwargs)
        calls.append(condition)
        return (n, "ok", "unknown", run) if len(calls) == 1 else (n, status, condition, run)

    monkeypatch.setattr(pypsa_backend, "_optimize", first_unknown)
    with pytest.raises(SolverError, match=r"reachable \(highest reachable CFE score 1\.0000\).*"
                       r"solver: simplex"):  # fmt: skip
        pypsa_backend.solve(problem)


def test_interior_point_without_crossover_is_retried_with_crossover(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """IPX without crossover that stops with "unknown" on a reachable target is solved again
    with crossover: the optimum is found, and the retry is recorded."""
    problem = battery_two_hours(0.5)
    real = pypsa_backend._optimize
    options_seen: list[dict] = []

    def first_unknown(problem, solver, opts, maximise_cfe=False):  # type: ignore[no-untyped-def]
        n, status, condition, run = real(problem, solver, opts, maximise_cfe)
        options_seen.append(dict(opts))
        return (n, "ok", "unknown", run) if len(options_seen) == 1 else (n, status, condition, run)

    monkeypatch.setattr(pypsa_backend, "_optimize", first_unknown)
    sol = pypsa_backend.solve(problem, {"solver": "ipm", "run_crossover": "off"})
    reference = cvxpy_backend.solve(problem)
    assert sol.objective == pytest.approx(reference.objective, rel=1e-6)
    assert options_seen[-1]["run_crossover"] == "on"
    assert "retried" in sol.solver and sol.solver["options"]["run_crossover"] == "on"
