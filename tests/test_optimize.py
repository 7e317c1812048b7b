"""The PyPSA backend on problems small enough to solve by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hand_cases import flex as _flex
from hand_cases import index as _index
from hand_cases import poi as _poi

from gridtwin.exceptions import ConfigError, InfeasibleError
from gridtwin.optimize import backends, pypsa_backend
from gridtwin.optimize.problem import (
    FlexSpec,
    GeneratorSpec,
    StorageSpec,
    SystemProblem,
)


def test_solar_only_cfe_target_hand_solution() -> None:
    """4 h of 100 MW load, solar available in hours 2-3, grid CFE share 0, target 50 %.

    Clean energy needed: 0.5 * 400 = 200 MWh; solar can serve at most the 200 MWh of load in
    hours 2-3, so the optimum builds exactly 100 MW solar and imports 200 MWh.
    """
    cs, price = 1000.0, 2.0
    prob = SystemProblem(
        snapshots=_index(4),
        load=np.full(4, 100.0),
        generators=(GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), cs),),
        storage=(),
        poi=_poi(4, 1000.0, price, 0.0),
        cfe_target=0.5,
    )
    sol = pypsa_backend.solve(prob)
    assert sol.p_nom["solar"] == pytest.approx(100.0, rel=1e-6)
    assert sol.grid_import.sum() == pytest.approx(200.0, rel=1e-6)
    assert sol.objective == pytest.approx(cs * 100 + price * 200, rel=1e-6)


def test_cfe_target_zero_means_grid_only() -> None:
    prob = SystemProblem(
        snapshots=_index(4),
        load=np.full(4, 100.0),
        generators=(GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), 1000.0),),
        storage=(),
        poi=_poi(4, 1000.0, 2.0, 0.0),
        cfe_target=0.0,
    )
    sol = pypsa_backend.solve(prob)
    assert sol.p_nom["solar"] == pytest.approx(0.0, abs=1e-6)
    assert sol.objective == pytest.approx(2.0 * 400, rel=1e-6)


def test_battery_hand_solution_power_and_energy_sized_separately() -> None:
    """Islanded campus (POI 0 MW), 100 MW load for 2 h, solar only in hour 1, 100 % CFE.

    Discharging 100 MW in hour 2 needs 100/(eta_c*eta_d) MWh charged in hour 1, so
    solar = 100 + 100/eta_rt, battery AC power = charge = 100/eta_rt, energy = eta_c * charge.
    """
    eta = math.sqrt(0.81)
    cs, cp, ce = 10.0, 3.0, 1.0
    prob = SystemProblem(
        snapshots=_index(2),
        load=np.full(2, 100.0),
        generators=(GeneratorSpec("solar", np.array([1.0, 0.0]), cs),),
        storage=(StorageSpec("battery", cp, ce, eta, eta),),
        poi=_poi(2, 0.0, 50.0, 0.0),
        cfe_target=1.0,
    )
    sol = pypsa_backend.solve(prob)
    charge = 100.0 / 0.81
    assert sol.p_nom["solar"] == pytest.approx(100.0 + charge, rel=1e-6)
    assert sol.p_nom["battery"] == pytest.approx(charge, rel=1e-6)
    assert sol.e_nom["battery"] == pytest.approx(eta * charge, rel=1e-6)
    assert sol.charge["battery"] == pytest.approx([charge, 0.0], abs=1e-6)
    assert sol.discharge["battery"] == pytest.approx([0.0, 100.0], abs=1e-6)
    expected = cs * (100.0 + charge) + cp * charge + ce * eta * charge
    assert sol.objective == pytest.approx(expected, rel=1e-6)


def test_infeasible_target_says_so() -> None:
    """Islanded, solar only, load at night: no capacity can serve hour 2."""
    prob = SystemProblem(
        snapshots=_index(2),
        load=np.full(2, 100.0),
        generators=(GeneratorSpec("solar", np.array([1.0, 0.0]), 10.0),),
        storage=(),
        poi=_poi(2, 0.0, 50.0, 0.0),
        cfe_target=0.9,
    )
    with pytest.raises(InfeasibleError, match="infeasible"):
        pypsa_backend.solve(prob)


def test_problem_rejects_misaligned_or_nan_series() -> None:
    with pytest.raises(ConfigError, match=r"solar\.capacity_factor has shape"):
        SystemProblem(
            snapshots=_index(3),
            load=np.full(3, 1.0),
            generators=(GeneratorSpec("solar", np.zeros(2), 1.0),),
            storage=(),
            poi=_poi(3, 1.0, 1.0, 0.0),
            cfe_target=0.5,
        )
    with pytest.raises(ConfigError, match="load contains NaN"):
        SystemProblem(
            snapshots=_index(3),
            load=np.array([1.0, np.nan, 1.0]),
            generators=(),
            storage=(),
            poi=_poi(3, 1.0, 1.0, 0.0),
            cfe_target=0.5,
        )


def test_grid_cfe_share_counts_towards_target() -> None:
    """With a fully clean grid the target is met by imports alone; no solar is built."""
    prob = SystemProblem(
        snapshots=_index(4),
        load=np.full(4, 100.0),
        generators=(GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), 1000.0),),
        storage=(),
        poi=_poi(4, 1000.0, 2.0, 1.0),
        cfe_target=1.0,
    )
    sol = pypsa_backend.solve(prob)
    assert sol.p_nom["solar"] == pytest.approx(0.0, abs=1e-6)
    assert sol.grid_import.sum() == pytest.approx(400.0, rel=1e-6)


def _island(flex: FlexSpec | None, generators: tuple[GeneratorSpec, ...], target: float):
    return SystemProblem(
        snapshots=_index(4),
        load=np.full(4, 100.0),
        generators=generators,
        storage=(),
        poi=_poi(4, 0.0, 50.0, 0.0),
        cfe_target=target,
        flex=flex,
    )


SOLAR_MIDDAY = GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), 10.0)


def test_load_shifting_hand_solution() -> None:
    """Islanded, 100 MW for 4 h, solar only in hours 1-2, all load movable within the day.

    The night load (200 MWh) moves into the solar hours: solar = 200 MW, the shift is
    [-100, +100, +100, -100] and 200 MWh are moved at 0.5 per MWh.
    """
    prob = _island(_flex(4, shift=100.0, shift_cost=0.5), (SOLAR_MIDDAY,), 1.0)
    sol = pypsa_backend.solve(prob)
    assert sol.p_nom["solar"] == pytest.approx(200.0, rel=1e-6)
    assert sol.load_shift == pytest.approx([-100.0, 100.0, 100.0, -100.0], abs=1e-5)
    assert sol.objective == pytest.approx(10.0 * 200 + 0.5 * 200, rel=1e-6)


def test_load_shifting_respects_ramp_limit() -> None:
    """The same move needs a 200 MW step between hours 0 and 1; a 150 MW/h limit forbids it."""
    prob = _island(_flex(4, shift=100.0, ramp=150.0), (SOLAR_MIDDAY,), 1.0)
    with pytest.raises(InfeasibleError):
        pypsa_backend.solve(prob)


def test_load_shifting_keeps_window_energy() -> None:
    """Windows of 2 h: night load of hour 0 may only move into hour 1, hour 3's into hour 2."""
    prob = _island(_flex(4, shift=100.0, window=2), (SOLAR_MIDDAY,), 1.0)
    sol = pypsa_backend.solve(prob)
    assert sol.load_shift[:2].sum() == pytest.approx(0.0, abs=1e-6)
    assert sol.load_shift[2:].sum() == pytest.approx(0.0, abs=1e-6)
    assert sol.p_nom["solar"] == pytest.approx(200.0, rel=1e-6)


def test_curtailment_hand_solution_and_cfe_denominator() -> None:
    """Curtail the 200 MWh of night load at 3 per MWh instead of serving it.

    The CFE target applies to the load actually served (200 MWh of solar), so 100 % is met.
    """
    prob = _island(
        _flex(4, curtail=100.0, curtail_energy=200.0, curtail_cost=3.0), (SOLAR_MIDDAY,), 1.0
    )
    sol = pypsa_backend.solve(prob)
    assert sol.load_curtailment == pytest.approx([100.0, 0.0, 0.0, 100.0], abs=1e-5)
    assert sol.p_nom["solar"] == pytest.approx(100.0, rel=1e-6)
    assert sol.objective == pytest.approx(10.0 * 100 + 3.0 * 200, rel=1e-6)
    # a budget of 150 MWh cannot cover the 200 MWh of night load
    short = _island(
        _flex(4, curtail=100.0, curtail_energy=150.0, curtail_cost=3.0), (SOLAR_MIDDAY,), 1.0
    )
    with pytest.raises(InfeasibleError):
        pypsa_backend.solve(short)


def test_backup_generator_is_not_clean_and_respects_energy_limit() -> None:
    """Existing 100 MW diesel covers the night at 300 per MWh; it does not count as clean."""
    diesel = GeneratorSpec(
        "diesel",
        np.ones(4),
        0.0,
        marginal_cost=300.0,
        clean=False,
        p_nom=100.0,
        extendable=False,
        co2_intensity=0.7,
    )
    sol = pypsa_backend.solve(_island(None, (SOLAR_MIDDAY, diesel), 0.5))
    assert sol.p_nom["diesel"] == pytest.approx(100.0)
    assert sol.p["diesel"] == pytest.approx([100.0, 0.0, 0.0, 100.0], abs=1e-5)
    assert sol.objective == pytest.approx(10.0 * 100 + 300.0 * 200, rel=1e-6)
    with pytest.raises(InfeasibleError):  # 60 % CFE would need clean energy at night
        pypsa_backend.solve(_island(None, (SOLAR_MIDDAY, diesel), 0.6))
    limited = GeneratorSpec(
        "diesel",
        np.ones(4),
        0.0,
        marginal_cost=300.0,
        clean=False,
        p_nom=100.0,
        extendable=False,
        e_sum_max=150.0,
    )
    with pytest.raises(InfeasibleError):  # 200 MWh of night load, 150 MWh permitted
        pypsa_backend.solve(_island(None, (SOLAR_MIDDAY, limited), 0.5))


def test_infeasible_target_reports_highest_reachable_score() -> None:
    """Grid-connected, grid CFE share 0, solar only: at most the 200 MWh of daytime load of
    400 MWh can be clean, so a 100 % target is out of reach and 0.5 is the best."""
    prob = SystemProblem(
        snapshots=_index(4),
        load=np.full(4, 100.0),
        generators=(SOLAR_MIDDAY,),
        storage=(),
        poi=_poi(4, 1000.0, 50.0, 0.0),
        cfe_target=1.0,
    )
    with pytest.raises(InfeasibleError, match=r"highest hourly CFE score reachable .* is 0\.5000"):
        pypsa_backend.solve(prob)
    assert backends.max_reachable_cfe(prob) == pytest.approx(0.5, abs=1e-6)
    # with a 1-hour-shiftable load the night hours can move into the sun: 100 % is reachable
    shifted = replace(prob, flex=_flex(4, shift=100.0))
    assert backends.max_reachable_cfe(shifted) == pytest.approx(1.0, abs=1e-6)


def test_export_limit_hand_solution() -> None:
    """Exports earn 40 per MWh while solar costs 10 per MW: without a limit the optimum fills
    the 1000 MW POI; a 300 MWh export limit allows 150 MW of export in each sunny hour, so
    solar = 250 MW and the objective is 10*250 + 50*200 (night import) - 40*300."""
    base = SystemProblem(
        snapshots=_index(4),
        load=np.full(4, 100.0),
        generators=(SOLAR_MIDDAY,),
        storage=(),
        poi=_poi(4, 1000.0, 50.0, 0.0, export_price=40.0),
        cfe_target=0.5,
    )
    assert pypsa_backend.solve(base).p_nom["solar"] == pytest.approx(1100.0, rel=1e-6)
    sol = pypsa_backend.solve(replace(base, export_limit=300.0))
    assert sol.grid_export.sum() == pytest.approx(300.0, rel=1e-6)
    assert sol.p_nom["solar"] == pytest.approx(250.0, rel=1e-6)
    assert sol.objective == pytest.approx(10.0 * 250 + 50.0 * 200 - 40.0 * 300, rel=1e-6)


def test_emissions_cap_hand_solution() -> None:
    """Grid at 5 per MWh and 0.5 t/MWh beats solar at 20 per MW; a 100 t cap allows only
    200 MWh of imports, so the two sunny hours must come from 100 MW of solar."""
    poi = replace(_poi(4, 1000.0, 5.0, 0.0), grid_co2_intensity=np.full(4, 0.5))
    solar = GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), 20.0)
    base = SystemProblem(
        snapshots=_index(4),
        load=np.full(4, 100.0),
        generators=(solar,),
        storage=(),
        poi=poi,
        cfe_target=0.0,
    )
    free = pypsa_backend.solve(base)
    assert free.p_nom["solar"] == pytest.approx(0.0, abs=1e-6)
    capped = pypsa_backend.solve(replace(base, emissions_cap=100.0))
    assert capped.p_nom["solar"] == pytest.approx(100.0, rel=1e-6)
    assert capped.grid_import.sum() == pytest.approx(200.0, rel=1e-6)
    assert capped.objective == pytest.approx(20.0 * 100 + 5.0 * 200, rel=1e-6)
