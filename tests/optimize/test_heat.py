"""Heat reuse and water in the LP: hand cases on both backends, the backends against each other
on a richer case, and the heat and electricity balances every hour.

Hand case (4 hours, 100 MW of campus load at a grid price of 50, no CFE target): the warm loop
gives k = 0.5 MW_th per MW (50 MW_th); a MWh_th delivered takes a = 0.2 MWh of heat-pump
electricity (COP 5, no direct share) and b = 0.8 MWh_th of warm-loop heat, and saves
r b = 0.05 x 0.8 = 0.04 MWh of rejection power, so the site consumes e = 0.16 MWh more. The
network takes 30 MW_th in hours 0 and 1 and nothing after, at 40 per MWh_th. Heat pumps cost
10 per MW_th, the tank 1 per MWh_th (no loss, 1 h energy to power ratio).

A MWh_th sold earns 40 - 0.16 x 50 = 32, so all 60 MWh_th are sold. Heat pumps at 30 MW_th
in hours 0-1 cost 300; at 15 MW_th all four hours (60 MWh_th) with the tank storing 30 MWh_th
from hours 2-3 they cost 150 + 30 = 180, and 15 MW_th is the least that makes 60 MWh_th. So
hp 15, tank 30, objective 100 x 4 x 50 + 0.16 x 60 x 50 - 40 x 60 + 180 = 18 260.

In a result file: 60 MWh_th sold; the data centre takes its 400 MWh less the 0.05 x 12 x 4 =
2.4 MWh of rejection power recovery saves, 397.6 MWh, so ERF = 60 / 397.6 = 0.150905 and
PUE = 397.6 / (400 / 1.1) = 1.0934 (heat-pump electricity apart).

With a water price of 2 per m3 (omega = 1.5 m3 per MWh of load, psi = 1.4 m3 per MWh_th
recovered), the decided part of the water cost is -1.4 x 0.8 x 60 x 2 = -134.4: 18 125.6.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridtwin.kpis.eu import eu_kpis
from gridtwin.optimize import backends
from gridtwin.optimize.evaluate import campus_served, load_served
from gridtwin.optimize.heat import HeatSpec, WaterSpec
from gridtwin.optimize.problem import GeneratorSpec, PoiSpec, StorageSpec, SystemProblem
from gridtwin.results.build import build_results
from gridtwin.results.heat import heat_balance_residual
from gridtwin.results.recompute import energy_balance_residual

N = 4


def _heat(**changes: Any) -> HeatSpec:
    ones = np.ones(N)
    spec = HeatSpec(
        heat_per_load=0.5 * ones,
        power_per_heat=0.2 * ones,
        source_per_heat=0.8 * ones,
        heat_pump_share=ones,
        saving_per_source=0.05 * ones,
        demand=np.array([30.0, 30.0, 0.0, 0.0]),
        price=40.0,
        heat_pump_capital_cost=10.0,
        storage_capital_cost=1.0,
        storage_hours=1.0,
    )
    return replace(spec, **changes)


def hand_case(**changes: Any) -> SystemProblem:
    changes.setdefault("heat", _heat())
    return SystemProblem(
        snapshots=pd.date_range("2019-01-01", periods=N, freq="h"),
        load=np.full(N, 100.0),
        generators=(),
        storage=(),
        poi=PoiSpec(1000.0, np.full(N, 50.0), np.zeros(N), np.zeros(N)),
        cfe_target=0.0,
        **changes,
    )


def test_heat_pump_and_tank_by_hand(solve: Any) -> None:
    solution = solve(hand_case())
    assert solution.objective == pytest.approx(18260.0, rel=1e-6)
    assert solution.heat_capacity["heat_pump"] == pytest.approx(15.0, abs=1e-4)
    assert solution.heat_capacity["heat_storage"] == pytest.approx(30.0, abs=1e-4)
    assert solution.heat["sold"] == pytest.approx([30.0, 30.0, 0.0, 0.0], abs=1e-4)
    assert solution.heat["heat_pump_power"] == pytest.approx(np.full(N, 3.0), abs=1e-4)


def test_water_price_by_hand(solve: Any) -> None:
    water = WaterSpec(per_load=np.full(N, 1.5), per_source=np.full(N, 1.4), price=2.0)
    solution = solve(hand_case(water=water))
    assert solution.objective == pytest.approx(18125.6, rel=1e-6)
    assert solution.water == pytest.approx(np.full(N, 150.0 - 1.4 * 0.8 * 15.0), abs=1e-4)


def test_water_limit_binds_and_changes_the_design(solve: Any) -> None:
    """At a heat price of 0 nothing is recovered (it costs electricity and heat pumps); an
    annual water limit of 600 - 67.2 m3 needs 67.2 m3 saved: 1.12 m3 per MWh_th delivered,
    60 MWh_th, met at the least heat-pump rating by 15 MW_th every hour (demand 40/40/20/20
    takes it without a tank): objective 20 000 + 0.16 x 60 x 50 + 150 = 20 630."""
    heat = _heat(price=0.0, demand=np.array([40.0, 40.0, 20.0, 20.0]))
    water = WaterSpec(per_load=np.full(N, 1.5), per_source=np.full(N, 1.4))
    free = solve(hand_case(water=water, heat=heat))
    assert free.heat_capacity["heat_pump"] == pytest.approx(0.0, abs=1e-6)
    assert free.objective == pytest.approx(20000.0, rel=1e-6)
    limited = replace(water, annual_max=600.0 - 67.2)
    bound = solve(hand_case(water=limited, heat=heat))
    assert bound.heat_capacity["heat_pump"] == pytest.approx(15.0, abs=1e-4)
    assert bound.objective == pytest.approx(20630.0, rel=1e-6)
    assert float(bound.water.sum()) == pytest.approx(600.0 - 67.2, rel=1e-6)


def richer_case() -> SystemProblem:
    """A day with solar, a battery, flexibility, a CFE target, heat reuse, water priced and
    limited: every term of the heat side at once."""
    from gridtwin.optimize.problem import FlexSpec

    n = 48
    hours = np.arange(n)
    sun = np.clip(np.sin((hours % 24 - 6) / 12 * np.pi), 0.0, None)
    load = 100.0 + 10.0 * np.cos(hours / 24 * 2 * np.pi)
    cold = 20.0 + 15.0 * np.cos((hours % 24) / 24 * 2 * np.pi)
    heat = HeatSpec(
        heat_per_load=np.full(n, 0.77),
        power_per_heat=np.full(n, 0.167),
        source_per_heat=np.full(n, 0.833),
        heat_pump_share=np.full(n, 1.0),
        saving_per_source=0.02 + 0.01 * sun,
        demand=cold,
        price=25.0,
        heat_pump_capital_cost=40.0,
        heat_pump_marginal_cost=1.5,
        storage_capital_cost=0.5,
        storage_standing_loss=0.001,
        storage_hours=10.0,
    )
    water = WaterSpec(
        per_load=1.3 + 0.3 * sun,
        per_source=1.2 + 0.3 * sun,
        price=1.5,
        annual_max=0.98 * float(((1.3 + 0.3 * sun) * load).sum()),
        peak_max=float(((1.3 + 0.3 * sun) * load).max()) - 2.0,
    )
    flex = FlexSpec(
        shift_max=np.full(n, 10.0),
        ramp_max=np.full(n, 5.0),
        window_hours=24,
        shift_cost=2.0,
        curtail_max=np.full(n, 5.0),
        curtail_energy_max=10.0,
        curtail_window_energy_max=np.full(2, 10.0),
        curtail_cost=200.0,
    )
    return SystemProblem(
        snapshots=pd.date_range("2019-01-01", periods=n, freq="h"),
        load=load,
        generators=(GeneratorSpec("solar", sun, 60.0),),
        storage=(StorageSpec("battery", 10.0, 5.0, 0.95, 0.95),),
        poi=PoiSpec(
            500.0,
            40.0 + 20.0 * sun[::-1],
            np.zeros(n),
            np.full(n, 0.4),
        ),
        cfe_target=0.7,
        flex=flex,
        heat=heat,
        water=water,
    )


def test_backends_agree_on_heat_and_water() -> None:
    problem = richer_case()
    a = backends.solve(problem, "pypsa", None, None)
    b = backends.solve(problem, "cvxpy", None, None)
    assert a.objective == pytest.approx(b.objective, rel=1e-6)
    for key in ("heat_pump", "heat_storage"):
        assert a.heat_capacity[key] == pytest.approx(b.heat_capacity[key], rel=1e-5, abs=1e-4)
    assert a.p_nom["solar"] == pytest.approx(b.p_nom["solar"], rel=1e-5, abs=1e-4)
    assert a.heat_capacity["heat_pump"] > 1.0  # the case uses the heat side


def test_balances_close_every_hour(solve: Any) -> None:
    """Electricity: supply at the site bus = load served + the heat side's consumption; heat:
    the warm loop's heat = recovered + rejected (>= 0), and at the network delivered + tank =
    sold, every hour."""
    problem = richer_case()
    s = solve(problem)
    supply = s.p["solar"] + s.discharge["battery"] - s.charge["battery"]
    supply = supply + s.grid_import - s.grid_export
    site = campus_served(problem, s) + s.heat["heat_pump_power"] - s.heat["rejection_saving"]
    assert np.abs(supply - site).max() < 1e-6 * problem.load.max()
    assert np.allclose(load_served(problem, s), site)
    produced = problem.heat.heat_per_load * campus_served(problem, s)  # type: ignore[union-attr]
    rejected = produced - s.heat["source"]
    assert rejected.min() > -1e-6
    network = s.heat["delivered"] + s.heat["storage_p"] - s.heat["sold"]
    assert np.abs(network).max() < 1e-6


def _campus(problem: SystemProblem) -> xr.Dataset:
    time = {"time": problem.snapshots}
    load = xr.DataArray(problem.load, coords=time, dims="time")
    return xr.Dataset(
        {"load": load, "it_load": load / 1.1, "pue": load * 0 + 1.1, "temp_wetbulb": load * 0}
    )


def test_heat_sold_and_erf_from_the_result_file(solve: Any) -> None:
    problem = hand_case()
    ds = build_results(problem, solve(problem), _campus(problem))
    w = ds["snapshot_weight"]
    assert float((w * ds["heat_reused"]).sum()) == pytest.approx(60.0, abs=1e-4)
    assert float(ds["kpi_erf"]) == pytest.approx(60.0 / 397.6, rel=1e-6)
    assert eu_kpis(ds)["ERF"] == pytest.approx(60.0 / 397.6, rel=1e-6)
    # PUE is the campus's, net of the cooling power recovery saves; heat pumps are apart
    assert float(ds["kpi_pue"]) == pytest.approx(397.6 / (400.0 / 1.1), rel=1e-6)
    assert float(ds["heat_pump_p_nom"]) == pytest.approx(15.0, abs=1e-4)
    # the balances, recomputed from the file's arrays, close every hour
    assert float(np.abs(energy_balance_residual(ds)).max()) < 1e-6
    assert float(heat_balance_residual(ds).max()) < 1e-6
    site = ds["campus_load_served"] + ds["heat_pump_power"] - ds["heat_rejection_saving"]
    assert np.allclose(site, ds["load_served"])
    # the cost breakdown has the heat side: 0.16 x 60 x 50 in grid energy; -40 x 60 + 0 VOM in
    # "heat"; heat pumps 150 and tank 30 in capital (a 4-hour horizon's annual figures)
    heat_part = float(ds["cost_breakdown"].sel(cost_component="heat"))
    assert heat_part * float(ds["horizon_years"]) == pytest.approx(-2400.0, rel=1e-6)


def test_an_impossible_water_limit_is_named_in_the_infeasibility(solve: Any) -> None:
    """Heat reuse can save at most 1.12 m3 per MWh_th of the 60 MWh_th the network takes: an
    annual limit of 100 m3 against 600 m3 of use is infeasible, and the message says water."""
    from gridtwin.exceptions import InfeasibleError

    water = WaterSpec(per_load=np.full(N, 1.5), per_source=np.full(N, 1.4), annual_max=100.0)
    with pytest.raises(InfeasibleError, match=r"campus\.water"):
        solve(hand_case(water=water, heat=_heat(storage=False)))
