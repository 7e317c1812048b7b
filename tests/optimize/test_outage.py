"""Outage scenarios in the LP (gridtwin.optimize.outage): hand cases on both backends.

Hand case (6 hours, 100 MW of campus load at a grid price of 50, no CFE target): 60 MW of
existing generator sets; a battery at 1 per MW and 10 per MWh (no losses). One outage of 2 h
from hour 2 with 80 MW of critical load, the generator sets counted at their full rating.

* Battery only: 20 MW short for 2 h -> 20 MW / 40 MWh, kept full all year (cyclic, nothing to
  buy): 20 + 400 = 420; objective 6 x 100 x 50 + 420 = 30 420.
* New generator sets at 15 per MW: 20 MW of them (300) beat the battery (420): 30 300.
* Fuel for 1 h at rating and more at 2 per MWh: the net load 80 + 80 = 160 MWh must be
  covered by the fleet's own fuel (1 h x fleet) and the new fuel F. x MW of battery power
  (and 2x MWh) and 20 - x MW of new sets cost 21 x + 15 (20 - x) + 2 (160 - 80 + x) = 460 + 8 x:
  x = 0, 20 MW of sets and 80 MWh of fuel, 30 460.
* Counting only half the sets' rating (derate 0.5): 30 MW of 60 work, 50 MW short: 100 MW of
  new sets (x 0.5 = 50) at 1500 cost more than 50 MW / 100 MWh of battery at 1050: 31 050.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from gridtwin.optimize.outage import OutageSpec
from gridtwin.optimize.problem import GeneratorSpec, StorageSpec, SystemProblem
from tests.hand_cases import index, poi

N = 6


def _problem(**outage: Any) -> SystemProblem:
    spec = OutageSpec(
        starts=np.array([2]),
        hours=2,
        critical_load=np.full(N, 80.0),
        generators=(),
        storage=("battery",),
        backup_p_nom=60.0,
        derate=1.0,
        fuel_hours=100.0,
        refuel_delay_h=0.0,
        refuel_share=0.0,
        reserve=0.0,
        efficiency_charge=1.0,
        efficiency_discharge=1.0,
    )
    diesel = GeneratorSpec(
        "diesel", np.ones(N), 0.0, marginal_cost=300.0, clean=False, p_nom=60.0, extendable=False
    )
    return SystemProblem(
        snapshots=index(N),
        load=np.full(N, 100.0),
        generators=(diesel,),
        storage=(StorageSpec("battery", 1.0, 10.0, 1.0, 1.0),),
        poi=poi(N, 200.0, 50.0, 0.0),
        cfe_target=0.0,
        outage=replace(spec, **outage),
    )


def test_battery_rides_through(solve: Any) -> None:
    sol = solve(_problem())
    assert sol.objective == pytest.approx(30420.0, rel=1e-6)
    assert sol.p_nom["battery"] == pytest.approx(20.0, rel=1e-5)
    assert sol.e_nom["battery"] == pytest.approx(40.0, rel=1e-5)
    assert sol.state_of_charge["battery"][1] == pytest.approx(40.0, rel=1e-5)
    np.testing.assert_allclose(sol.outage["discharge"], [[20.0, 20.0]], rtol=1e-5)
    np.testing.assert_allclose(sol.outage["genset"], [[60.0, 60.0]], rtol=1e-5)


def test_new_generator_sets_and_fuel(solve: Any) -> None:
    sol = solve(_problem(genset_capital_cost=15.0))
    assert sol.objective == pytest.approx(30300.0, rel=1e-6)
    assert sol.outage_capacity["genset"] == pytest.approx(20.0, rel=1e-5)
    assert sol.e_nom["battery"] == pytest.approx(0.0, abs=1e-4)
    sol = solve(_problem(genset_capital_cost=15.0, fuel_hours=1.0, fuel_capital_cost=2.0))
    assert sol.objective == pytest.approx(30460.0, rel=1e-6)
    assert sol.outage_capacity["genset"] == pytest.approx(20.0, rel=1e-5)
    assert sol.outage_capacity["fuel"] == pytest.approx(80.0, rel=1e-5)
    np.testing.assert_allclose(np.cumsum(sol.outage["net_load"]), [80.0, 160.0], rtol=1e-5)


def test_derated_generator_sets(solve: Any) -> None:
    sol = solve(_problem(genset_capital_cost=15.0, derate=0.5))
    assert sol.objective == pytest.approx(31050.0, rel=1e-6)
    assert sol.p_nom["battery"] == pytest.approx(50.0, rel=1e-5)
    assert sol.outage_capacity["genset"] == pytest.approx(0.0, abs=1e-4)


def test_refuelling_or_solar_saves_fuel(solve: Any) -> None:
    """40 MW critical for 2 h (the 60 MW of sets carry it), fuel for 1 h at rating (60 MWh):
    the net load 40 + 40 = 80 MWh needs 20 MWh more. Solar at 60 per MW (cf 1 in hour 3, the
    outage's second hour) saves 50 per MWh of grid there, so 20 MW of it cost 20 x 10: 30 200.
    Deliveries of 0.5 MWh per MW of sets an hour from hour 1 (30 MWh) make it unneeded:
    30 000."""
    solar = GeneratorSpec("solar", np.array([0, 0, 0, 1.0, 0, 0]), 60.0, p_nom_max=100.0)
    p = _problem(critical_load=np.full(N, 40.0), fuel_hours=1.0)
    assert p.outage is not None
    p = replace(
        p, generators=(*p.generators, solar), outage=replace(p.outage, generators=("solar",))
    )
    sol = solve(p)
    assert sol.objective == pytest.approx(30200.0, rel=1e-6)
    assert sol.p_nom["solar"] == pytest.approx(20.0, rel=1e-5)
    np.testing.assert_allclose(sol.outage["net_load"], [[40.0, 20.0]], rtol=1e-5, atol=1e-5)
    assert p.outage is not None
    refuelled = replace(p, outage=replace(p.outage, refuel_delay_h=1.0, refuel_share=0.5))
    sol = solve(refuelled)
    assert sol.objective == pytest.approx(30000.0, rel=1e-6)
    assert sol.p_nom["solar"] == pytest.approx(0.0, abs=1e-4)


def test_backends_agree() -> None:
    """Everything at once on 24 hours: two outages, solar, losses, a UPS with a reserve,
    refuelling, new sets and fuel, a CFE target."""
    from gridtwin.optimize import backends

    n = 24
    cf = np.clip(np.sin((np.arange(n) - 6) / 12 * np.pi), 0, None)
    solar = GeneratorSpec("solar", cf, 40.0, p_nom_max=500.0)
    diesel = GeneratorSpec(
        "diesel", np.ones(n), 0.0, marginal_cost=300.0, clean=False, p_nom=50.0, extendable=False
    )
    spec = OutageSpec(
        starts=np.array([5, 20]),
        hours=6,
        critical_load=np.full(n, 90.0),
        generators=("solar",),
        storage=("battery", "ups"),
        backup_p_nom=50.0,
        derate=0.9,
        fuel_hours=2.0,
        refuel_delay_h=3.0,
        refuel_share=0.3,
        reserve=5.0,
        efficiency_charge=0.92,
        efficiency_discharge=0.9,
        genset_capital_cost=30.0,
        fuel_capital_cost=3.0,
    )
    p = SystemProblem(
        snapshots=index(n),
        load=np.full(n, 100.0),
        generators=(solar, diesel),
        storage=(
            StorageSpec("battery", 5.0, 12.0, 0.95, 0.95),
            StorageSpec("ups", 0.0, 0.0, 0.92, 0.92, p_nom=100.0, e_nom=10.0, extendable=False),
        ),
        poi=poi(n, 300.0, 60.0, 0.3),
        cfe_target=0.5,
        outage=spec,
    )
    a = backends.solve(p, "pypsa", None, None)
    b = backends.solve(p, "cvxpy", None, None)
    assert a.objective == pytest.approx(b.objective, rel=1e-6)
    for key in ("genset", "fuel"):
        assert a.outage_capacity[key] == pytest.approx(b.outage_capacity[key], rel=1e-4, abs=1e-3)
    for name in ("solar", "battery"):
        assert a.p_nom[name] == pytest.approx(b.p_nom[name], rel=1e-4, abs=1e-3)
    assert a.outage_capacity["genset"] + a.outage_capacity["fuel"] > 0  # the outages bind
