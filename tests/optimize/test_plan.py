"""Investment periods: hand cases, PyPSA's own multi-investment mode, both backends."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pypsa
import pytest

from gridtwin.exceptions import ConfigError, InfeasibleError
from gridtwin.optimize.plan import PlanProblem, capacity_in_service
from gridtwin.optimize.plan_build import plan_problem
from gridtwin.optimize.plan_periods import period_results
from gridtwin.optimize.plan_solve import solve_plan
from gridtwin.optimize.problem import GeneratorSpec, PoiSpec, StorageSpec, SystemProblem
from gridtwin.optimize.verify import verify

HOURS = pd.date_range("2019-01-01", periods=4, freq="2190h")
#: each of the 4 snapshots stands for a quarter of a year (segments 2,190 h long)
WEIGHT = 8760.0 / 4
BACKENDS = ("cvxpy", "pypsa")


def firm_block(
    load: float,
    cost: float,
    *,
    existing: float = 0.0,
    poi: float = 0.0,
    price: float = 50.0,
    target: float = 1.0,
) -> SystemProblem:
    """A flat load served by one clean firm generator (capacity factor 1) and the grid."""
    n = len(HOURS)
    return SystemProblem(
        snapshots=HOURS,
        load=np.full(n, float(load)),
        generators=(GeneratorSpec("firm", np.ones(n), capital_cost=cost, p_nom=existing),),
        storage=(),
        poi=PoiSpec(poi, np.full(n, price), np.zeros(n), np.zeros(n)),
        cfe_target=target,
        weights=np.full(n, WEIGHT),
    )


def solve(plan: PlanProblem, backend: str):
    return solve_plan(plan, backend)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_building_in_the_second_period_is_cheaper_when_costs_fall(backend):
    # Two 2-year periods, no discounting: weights 2 and 2. The campus grows from 100 to 200 MW
    # and every hour must be clean, so the firm plant is 100 MW in 2027 and 200 MW in 2029.
    # Costs fall from 10 to 6 per MW-year: build 100 now and 100 later,
    # 10 x 100 x (2 + 2) + 6 x 100 x 2 = 5,200 (building 200 now: 10 x 200 x 4 = 8,000).
    plan = plan_problem((2027, 2029), (firm_block(100, 10), firm_block(200, 6)), {"firm": 30})
    sol = solve(plan, backend)
    np.testing.assert_allclose(sol.built["firm"], [100, 100], atol=1e-6)
    assert sol.objective == pytest.approx(5200, rel=1e-9)
    assert [b.p_nom["firm"] for b in sol.blocks] == pytest.approx([100, 200], abs=1e-6)
    # costs rising to 25 (above 10 x 4 / 2 = 20): build everything in the first period,
    # 10 x 200 x 4 = 8,000 against 10 x 100 x 4 + 25 x 100 x 2 = 9,000
    plan = plan_problem((2027, 2029), (firm_block(100, 10), firm_block(200, 25)), {"firm": 30})
    sol = solve(plan, backend)
    np.testing.assert_allclose(sol.built["firm"], [200, 0], atol=1e-6)
    assert sol.objective == pytest.approx(8000, rel=1e-9)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_capacity_stays_until_its_lifetime_ends(backend):
    # Periods 2027, 2029, 2031 (the last 2 years, like the one before). A 4-year life built in
    # 2027 serves 2027 and 2029 and is gone in 2031 (2027 + 4 is not after 2031): rebuilt.
    blocks = tuple(firm_block(100, 10) for _ in range(3))
    plan = plan_problem((2027, 2029, 2031), blocks, {"firm": 4})
    sol = solve(plan, backend)
    np.testing.assert_allclose(sol.built["firm"], [100, 0, 100], atol=1e-6)
    inv = plan.investments[0]
    np.testing.assert_allclose(capacity_in_service(plan, sol, inv), [100, 100, 100], atol=1e-6)
    # each vintage pays only while in service: 10 x 100 x (2 + 2) + 10 x 100 x 2
    assert sol.objective == pytest.approx(6000, rel=1e-9)
    # a 30-year life: built once, still there in 2031
    sol = solve(plan_problem((2027, 2029, 2031), blocks, {"firm": 30}), backend)
    np.testing.assert_allclose(sol.built["firm"], [100, 0, 0], atol=1e-6)
    assert [b.p_nom["firm"] for b in sol.blocks] == pytest.approx([100] * 3, abs=1e-6)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_existing_capacity_counts_before_any_vintage(backend):
    # 60 MW exist in 2027 only (a plant retiring): 40 built in 2027, 60 more in 2029
    blocks = (firm_block(100, 10, existing=60), firm_block(100, 10))
    sol = solve(plan_problem((2027, 2029), blocks, {"firm": 30}), backend)
    np.testing.assert_allclose(sol.built["firm"], [40, 60], atol=1e-6)
    # existing capacity is sunk: 10 x 40 x 4 + 10 x 60 x 2
    assert sol.objective == pytest.approx(2800, rel=1e-9)


def test_discounted_weights_by_hand():
    # r = 5 %, periods 2027 (2 years), 2030 (3 years), 2033 (last: 3 years like the one before)
    plan = plan_problem(
        (2027, 2030, 2033), tuple(firm_block(100, 10) for _ in range(3)), {"firm": 30}, 0.05
    )
    d = 1.05
    expected = [
        1 + 1 / d + 1 / d**2,
        1 / d**3 + 1 / d**4 + 1 / d**5,
        1 / d**6 + 1 / d**7 + 1 / d**8,
    ]
    np.testing.assert_allclose(plan.years, [3, 3, 3])
    np.testing.assert_allclose(plan.weights, expected, rtol=1e-12)
    with_last = plan_problem(
        (2027, 2030), tuple(firm_block(100, 10) for _ in range(2)), {"firm": 30}, 0.05, 1.5
    )
    # a last period of 1.5 years: 2030 counts whole, 2031 by half
    np.testing.assert_allclose(with_last.weights[1], 1 / d**3 + 0.5 / d**4, rtol=1e-12)


def _pypsa_multi_investment(loads, costs, lifetime, rate, import_price, poi):
    """The hand case in PyPSA's own multi-investment mode: one generator per vintage with
    ``build_year`` and ``lifetime``, objective weights as in PyPSA's multi-investment example
    (discount factors of the years since the first period)."""
    periods = [2027, 2029, 2031]
    n = pypsa.Network()
    n.set_snapshots(pd.MultiIndex.from_product([periods, HOURS]))
    n.set_investment_periods(periods)
    n.snapshot_weightings.loc[:, :] = WEIGHT
    n.investment_period_weightings["years"] = [2, 2, 2]
    start = 0
    for period, years in n.investment_period_weightings.years.items():
        factors = [1 / (1 + rate) ** t for t in range(start, start + int(years))]
        n.investment_period_weightings.at[period, "objective"] = sum(factors)
        start += int(years)
    n.add("Bus", "campus")
    load = np.repeat(np.asarray(loads, dtype=float), len(HOURS))
    n.add("Load", "campus", bus="campus", p_set=pd.Series(load, index=n.snapshots))
    for year, cost in zip(periods, costs, strict=True):
        n.add(
            "Generator",
            f"firm-{year}",
            bus="campus",
            p_nom_extendable=True,
            capital_cost=cost,
            build_year=year,
            lifetime=lifetime,
        )
    n.add("Generator", "grid", bus="campus", p_nom=poi, marginal_cost=import_price)
    n.optimize(
        multi_investment_periods=True,
        solver_name="highs",
        log_to_console=False,
        include_objective_constant=False,
    )
    return n


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_agrees_with_pypsa_multi_investment_mode(backend):
    # no CFE target: the grid (40 MW at 60 per MWh) competes with the firm plant on cost;
    # growth, falling costs, a 4-year life and 7 % discounting at once
    loads, costs, life, rate = (80, 150, 120), (90_000.0, 70_000.0, 80_000.0), 4, 0.07
    blocks = tuple(
        firm_block(load, cost, poi=40, price=60, target=0.0)
        for load, cost in zip(loads, costs, strict=True)
    )
    plan = plan_problem((2027, 2029, 2031), blocks, {"firm": life}, rate)
    sol = solve(plan, backend)
    n = _pypsa_multi_investment(loads, costs, life, rate, 60.0, 40.0)
    assert sol.objective == pytest.approx(float(n.objective), rel=1e-9)
    reference = [float(n.generators.at[f"firm-{y}", "p_nom_opt"]) for y in (2027, 2029, 2031)]
    np.testing.assert_allclose(sol.built["firm"], reference, atol=1e-6)


def _solar_battery_block(scale: float, solar_cost: float, battery_cost: float) -> SystemProblem:
    """Two days of a sunny site: solar, a battery and the grid at a price."""
    t = pd.date_range("2019-06-01", periods=48, freq="h")
    hour = np.arange(48) % 24
    cf = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    price = 40 + 30 * (hour >= 17) + 10 * np.cos(hour / 24 * 2 * np.pi)
    n = len(t)
    return SystemProblem(
        snapshots=t,
        load=scale * (100 + 10 * np.sin(hour / 24 * 2 * np.pi)),
        generators=(GeneratorSpec("solar", cf, capital_cost=solar_cost * n / 8760),),
        storage=(
            StorageSpec(
                "battery",
                capital_cost_power=battery_cost * n / 8760,
                capital_cost_energy=battery_cost / 4 * n / 8760,
                efficiency_charge=0.95,
                efficiency_discharge=0.95,
            ),
        ),
        poi=PoiSpec(300.0, price, price - 5, np.full(n, 0.2)),
        cfe_target=0.8,
        horizon_years=n / 8760,
    )


def test_storage_is_cyclic_within_each_period_and_both_backends_agree():
    blocks = (
        _solar_battery_block(1.0, 60_000, 40_000),
        _solar_battery_block(1.5, 50_000, 30_000),
        _solar_battery_block(2.0, 45_000, 25_000),
    )
    plan = plan_problem((2027, 2029, 2031), blocks, {"solar": 30, "battery": 15}, 0.05)
    solutions = {name: solve(plan, name) for name in BACKENDS}
    a, b = solutions["cvxpy"], solutions["pypsa"]
    assert a.objective == pytest.approx(b.objective, rel=1e-6)
    for key in a.built:
        np.testing.assert_allclose(a.built[key], b.built[key], atol=1e-6 * 300)
    for sol in solutions.values():
        for block, part in zip(plan.blocks, sol.blocks, strict=True):
            s = block.storage[0]
            soc = part.state_of_charge["battery"]
            charge, discharge = part.charge["battery"], part.discharge["battery"]
            # stored energy before the first hour = at the end of the last: cyclic per period
            step = s.efficiency_charge * charge[0] - discharge[0] / s.efficiency_discharge
            before = soc[0] - step
            assert before == pytest.approx(soc[-1], abs=1e-5)
            assert part.e_nom["battery"] > 1.0  # the battery is used in every period
        # the battery bought in 2027 is still there later (15-year life)
        assert sol.blocks[1].e_nom["battery"] >= sol.blocks[0].e_nom["battery"] - 1e-6


def test_a_plan_refuses_what_it_cannot_carry_across_periods():
    block = firm_block(100, 10)
    with pytest.raises(ConfigError, match="must increase"):
        plan_problem((2029, 2027), (block, block), {"firm": 30})
    with pytest.raises(ConfigError, match="no lifetime for 'firm'"):
        plan_problem((2027, 2029), (block, block), {})
    with pytest.raises(ConfigError, match="discount_rate"):
        plan_problem((2027, 2029), (block, block), {"firm": 30}, discount_rate=1.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_period_out_of_reach_is_named(backend):
    # 2029 may build at most 150 MW of the firm plant (its land, say) for a 200 MW campus
    # at 100 % CFE with no clean grid: that period reaches 0.75 at best
    late = firm_block(200, 6, poi=300)
    late = replace(late, generators=(replace(late.generators[0], p_nom_max=150.0),))
    plan = plan_problem((2027, 2029), (firm_block(100, 10, poi=300), late), {"firm": 30})
    with pytest.raises(InfeasibleError, match=r"period 2029: .*0\.75"):
        solve_plan(plan, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_period_is_a_verified_study_and_they_add_up_to_the_plan(backend):
    # each period reported as a single study paying its vintages' annual costs: the verifier
    # recomputes every row and the objective of each, and the weighted periods give the
    # plan's objective (sum_p weight_p x annual cost_p = vintage costs + weighted operation)
    blocks = (
        _solar_battery_block(1.0, 60_000, 40_000),
        _solar_battery_block(1.5, 50_000, 30_000),
        _solar_battery_block(2.0, 45_000, 25_000),
    )
    plan = plan_problem((2027, 2029, 2031), blocks, {"solar": 6, "battery": 3}, 0.05)
    sol = solve_plan(plan, backend)
    parts = period_results(plan, sol)
    annual = [s.objective / p.horizon_years for p, s in parts]
    assert float(plan.weights @ annual) == pytest.approx(sol.objective, rel=1e-9)
    for problem, part in parts:
        found = verify(problem, part)
        assert found.ok, found.message()
    # a 3-year battery bought in 2027 serves 2027 and 2029 and has retired by 2031
    built = sol.built["battery:e_nom"]
    assert built[0] > 1.0
    in_service = [part.e_nom["battery"] for _, part in parts]
    np.testing.assert_allclose(in_service, [built[0], built[0] + built[1], built[1] + built[2]])


def test_clarabel_on_the_joined_lp_reaches_the_highs_optimum():
    blocks = (
        _solar_battery_block(1.0, 60_000, 40_000),
        _solar_battery_block(1.5, 50_000, 30_000),
    )
    plan = plan_problem((2027, 2029), blocks, {"solar": 30, "battery": 15}, 0.05)
    highs = solve_plan(plan, "pypsa", "highs")
    clarabel = solve_plan(plan, "pypsa", "clarabel")
    assert clarabel.objective == pytest.approx(highs.objective, rel=1e-6)
    assert clarabel.solver["name"] == "clarabel"
