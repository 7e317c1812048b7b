"""The verifier: silent on optimal solutions of both backends, and it finds a violation
planted in each constraint family, naming the family and the row."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from hand_cases import flex, index, poi

from gridtwin.exceptions import DataError
from gridtwin.network import BranchSpec, NetworkSpec
from gridtwin.optimize import backends
from gridtwin.optimize.dispatch import rolling_dispatch
from gridtwin.optimize.evaluate import cfe_balance
from gridtwin.optimize.heat import HeatSpec, WaterSpec
from gridtwin.optimize.outage import OutageSpec
from gridtwin.optimize.problem import GeneratorSpec, Solution, StorageSpec, SystemProblem
from gridtwin.optimize.verify import FAMILIES, verify

N = 48


def _everything() -> SystemProblem:
    """Every constraint family at once: a meshed site network with a doubled line and N-1,
    solar with a build limit, a battery, a diesel with a run budget, an offsite contract,
    load flexibility, land, an export limit and an emissions cap."""
    hours = np.arange(N)
    sun = np.clip(np.sin((hours % 24 - 6) / 12 * np.pi), 0, None)
    net = NetworkSpec(
        ("G", "L", "R"),
        (
            BranchSpec("line:GL1", "G", "L", 0.02, 120.0, extendable=True, capital_cost=30.0),
            BranchSpec("line:GL2", "G", "L", 0.02, 120.0, extendable=True, capital_cost=30.0),
            BranchSpec("line:GR", "G", "R", 0.03, 80.0, extendable=True, capital_cost=20.0),
            BranchSpec("line:RL", "R", "L", 0.01, 60.0, extendable=True, capital_cost=10.0),
        ),
        load_bus="L",
        grid_bus="G",
        asset_bus={"solar": "R", "battery": "L", "diesel": "L"},
        n1=True,
    )
    eta = math.sqrt(0.88)
    return SystemProblem(
        index(N),
        100.0 + 10.0 * np.cos(hours / 24 * 2 * np.pi),
        (
            GeneratorSpec("solar", sun, 40.0, p_nom_max=400.0, land_use=2.0, renewable=True),
            GeneratorSpec(
                "offsite_wind",
                0.4 + 0.3 * np.cos(hours / 7),
                55.0,
                p_nom_max=60.0,
                offsite=True,
                renewable=True,
            ),
            GeneratorSpec(
                "diesel",
                np.ones(N),
                0.0,
                marginal_cost=40.0,
                clean=False,
                p_nom=30.0,
                extendable=False,
                co2_intensity=0.7,
                e_sum_max=200.0,
            ),
        ),
        (StorageSpec("battery", 15.0, 5.0, eta, eta, land_use=0.05),),
        replace(poi(N, 90.0, 3.0, 0.3, export_price=1.0), grid_co2_intensity=np.full(N, 0.4)),
        0.8,
        flex=flex(
            N,
            shift=10.0,
            ramp=5.0,
            curtail=8.0,
            curtail_energy=20.0,
            window=24,
            shift_cost=0.5,
            curtail_cost=50.0,
        ),
        network=net,
        land_area=900.0,
        export_limit=300.0,
        emissions_cap=2000.0,
        renewable_share_min=1.0,
        certificate_price=2.0,
        heat=HeatSpec(
            heat_per_load=np.full(N, 0.77),
            power_per_heat=np.full(N, 0.167),
            source_per_heat=np.full(N, 0.833),
            heat_pump_share=np.full(N, 1.0),
            saving_per_source=np.full(N, 0.02),
            demand=20.0 + 10.0 * np.cos(np.arange(N) / 24 * 2 * np.pi),
            price=30.0,
            heat_pump_capital_cost=20.0,
            storage_capital_cost=0.5,
            storage_standing_loss=0.001,
            storage_hours=10.0,
        ),
        water=WaterSpec(
            per_load=np.full(N, 1.4), per_source=np.full(N, 1.3), price=1.0, annual_max=1e4
        ),
        outage=OutageSpec(
            starts=np.array([3, 30]),
            hours=6,
            critical_load=np.full(N, 80.0),
            generators=("solar",),
            storage=("battery",),
            backup_p_nom=30.0,
            derate=0.9,
            fuel_hours=3.0,
            refuel_delay_h=2.0,
            refuel_share=0.2,
            reserve=2.0,
            efficiency_charge=eta,
            efficiency_discharge=eta,
            genset_capital_cost=25.0,
            fuel_capital_cost=1.0,
        ),
    )


@cache
def _solved(backend: str) -> Solution:
    return backends.solve(_everything(), backend)


@pytest.mark.parametrize("backend", ["pypsa", "cvxpy"])
def test_optimal_solutions_pass_every_family(backend: str) -> None:
    result = verify(_everything(), _solved(backend))
    assert result.ok, result.message()
    assert {c.family for c in result.checks} == set(FAMILIES)
    assert all(c.rows > 0 for c in result.checks)  # every family evaluated something


def test_the_case_exercises_its_families() -> None:
    """The planted violations below are on rows the optimum actually uses."""
    sol = _solved("cvxpy")
    assert sol.p_nom["solar"] > 1.0 and sol.e_nom["battery"] > 1.0
    assert np.abs(sol.load_shift).max() > 0.1
    assert sol.offsite_delivered.max() > 0.1
    assert sol.certificates.sum() > 0.0  # the renewable row is met partly with certificates
    assert max(np.abs(f).max() for f in sol.branch_flow.values()) > 1.0
    assert sol.outage_capacity["fuel"] > 1.0 and sol.outage["discharge"].max() > 1.0


def _copy(sol: Solution) -> Solution:
    return copy.deepcopy(sol)


def _plant_balance(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.grid_import[5] += 2.0
    s.branch_flow["line:GL1"][5] += 1.0  # the extra import flows to the load bus
    s.branch_flow["line:GL2"][5] += 1.0
    return p, s


def _plant_availability(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.p["solar"][0] += 1.0  # at midnight: no sun
    return p, s


def _plant_capacity(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.p_nom["solar"] = 401.0
    return p, s


def _plant_storage(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.state_of_charge["battery"][10] += 1.0
    return p, s


def _plant_poi(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    return replace(p, poi=replace(p.poi, p_nom=float(s.grid_import.max()) - 1.0)), s


def _plant_flexibility(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.load_shift[1] += 1.0  # one MWh more moved in than out of its window
    return p, s


def _plant_cfe(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    score, _ = cfe_balance(p, s)
    return replace(p, cfe_target=min(1.0, score + 0.05)), s


def _plant_budgets(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    used = float(p.snapshot_weights @ s.p["diesel"]) + float(
        s.grid_import @ p.poi.grid_co2_intensity
    )
    return replace(p, emissions_cap=0.5 * used), s


def _plant_renewable(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.certificates[:] = 0.0  # the certificates bought taken away
    return p, s


def _plant_offsite(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.offsite_sold[4] += 1.0
    return p, s


def _plant_land(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    return replace(p, land_area=2.0 * s.p_nom["solar"] - 10.0), s


def _plant_network(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.s_nom["line:RL"] = 0.5 * float(np.abs(s.branch_flow["line:RL"]).max())
    return p, s


def _plant_heat(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.heat["sold"][5] += 1.0  # a MWh_th sold that nothing delivered
    return p, s


def _plant_water(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    assert p.water is not None
    return replace(p, water=replace(p.water, annual_max=0.5 * float(s.water.sum()))), s


def _plant_outage(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.outage["energy"][0, 2] += 1.0  # a MWh in the pool that no hour put there
    return p, s


def _plant_objective(p: SystemProblem, s: Solution) -> tuple[SystemProblem, Solution]:
    s.objective *= 1.001
    return p, s


PLANTS: dict[str, tuple[Callable[..., tuple[SystemProblem, Solution]], str]] = {
    "balance": (_plant_balance, "bus L at 2019-01-01 05:00"),
    "availability": (_plant_availability, "solar output at 2019-01-01 00:00"),
    "capacity": (_plant_capacity, "solar <= max"),
    "storage": (_plant_storage, "battery state of charge"),
    "poi": (_plant_poi, "import <= poi.p_nom"),
    "flexibility": (_plant_flexibility, "net shift per window"),
    "cfe": (_plant_cfe, "CFE period"),
    "budgets": (_plant_budgets, "emissions_cap"),
    "renewable": (_plant_renewable, "renewable share"),
    "offsite": (_plant_offsite, "output = delivered + sold at 2019-01-01 04:00"),
    "land": (_plant_land, "land_area"),
    "network": (_plant_network, "line:RL"),
    "heat": (_plant_heat, "network balance at 2019-01-01 05:00"),
    "water": (_plant_water, "water annual"),
    "outage": (_plant_outage, "energy"),
    "objective": (_plant_objective, "objective"),
}


def test_every_family_has_a_planted_case() -> None:
    assert set(PLANTS) == set(FAMILIES)


@pytest.mark.parametrize("family", list(PLANTS))
def test_a_planted_violation_is_found(family: str) -> None:
    plant, where = PLANTS[family]
    problem, solution = plant(_everything(), _copy(_solved("pypsa")))
    result = verify(problem, solution)
    failed = {c.family: c for c in result.failed}
    assert family in failed, result.frame()
    assert where in failed[family].where
    assert failed[family].worst >= 0.5  # planted violations are of order 1
    assert family in result.message()


def test_nan_in_a_solution_is_a_violation() -> None:
    solution = _copy(_solved("cvxpy"))
    solution.discharge["battery"][7] = np.nan
    failed = {c.family for c in verify(_everything(), solution).failed}
    assert {"balance", "storage"} <= failed


def test_a_rolling_dispatch_is_checked_without_cfe_rows_and_cycle() -> None:
    """An operation of fixed capacities (day-ahead windows) may end with more stored energy
    than it started with and prices its clean shortfall: it is held to every other family."""
    problem = replace(
        _everything(), network=None, land_area=None, heat=None, water=None, outage=None
    )
    operated = rolling_dispatch(
        problem, backends.solve(problem, "cvxpy"), window_hours=24, step_hours=24
    )
    result = verify(problem, operated, operation=True)
    assert result.ok, result.message()
    assert result.skipped == ("cfe", "renewable", "objective")
    operated.load_curtailment[2] += 9.0  # beyond curtail_max: still found in an operation
    assert "flexibility" in {c.family for c in verify(problem, operated, operation=True).failed}


def test_a_solution_of_another_problem_is_refused_in_one_line() -> None:
    solution = _copy(_solved("cvxpy"))
    del solution.p["solar"]
    with pytest.raises(DataError, match=r"verify: the solution has no values for \['solar'\]"):
        verify(_everything(), solution)
    short = _copy(_solved("cvxpy"))
    short.grid_import = short.grid_import[:10]
    with pytest.raises(DataError, match=r"\['grid_import'\] do not have the problem's 48"):
        verify(_everything(), short)
