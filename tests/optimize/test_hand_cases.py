"""The hand cases (``tests/hand_cases.py``), solved by hand and by both backends."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hand_cases import HAND_CASES, INFEASIBLE_CASES, SOLAR_MIDDAY, Solve, diesel, four_hours
from hand_cases import flex as _flex
from hand_cases import index as _index
from hand_cases import poi as _poi

from gridtwin.exceptions import ConfigError, InfeasibleError
from gridtwin.optimize import backends
from gridtwin.optimize.problem import GeneratorSpec, SystemProblem


def test_solar_only_cfe_target_hand_solution(solve: Solve) -> None:
    """4 h of 100 MW load, solar available in hours 2-3, grid CFE share 0, target 50 %.

    Clean energy needed: 0.5 * 400 = 200 MWh; solar can serve at most the 200 MWh of load in
    hours 2-3, so the optimum builds exactly 100 MW solar and imports 200 MWh.
    """
    cs, price = 1000.0, 2.0
    sol = solve(HAND_CASES["hand_solar_cfe50"]())
    assert sol.p_nom["solar"] == pytest.approx(100.0, rel=1e-6)
    assert sol.grid_import.sum() == pytest.approx(200.0, rel=1e-6)
    assert sol.objective == pytest.approx(cs * 100 + price * 200, rel=1e-6)


def test_cfe_target_zero_means_grid_only(solve: Solve) -> None:
    sol = solve(HAND_CASES["hand_cfe0"]())
    assert sol.p_nom["solar"] == pytest.approx(0.0, abs=1e-6)
    assert sol.objective == pytest.approx(2.0 * 400, rel=1e-6)


def test_battery_hand_solution_power_and_energy_sized_separately(solve: Solve) -> None:
    """Islanded campus (POI 0 MW), 100 MW load for 2 h, solar only in hour 1, 100 % CFE.

    Discharging 100 MW in hour 2 needs 100/(eta_c*eta_d) MWh charged in hour 1, so
    solar = 100 + 100/eta_rt, battery AC power = charge = 100/eta_rt, energy = eta_c * charge.
    """
    eta = math.sqrt(0.81)
    cs, cp, ce = 10.0, 3.0, 1.0
    sol = solve(HAND_CASES["hand_battery"]())
    charge = 100.0 / 0.81
    assert sol.p_nom["solar"] == pytest.approx(100.0 + charge, rel=1e-6)
    assert sol.p_nom["battery"] == pytest.approx(charge, rel=1e-6)
    assert sol.e_nom["battery"] == pytest.approx(eta * charge, rel=1e-6)
    assert sol.charge["battery"] == pytest.approx([charge, 0.0], abs=1e-6)
    assert sol.discharge["battery"] == pytest.approx([0.0, 100.0], abs=1e-6)
    expected = cs * (100.0 + charge) + cp * charge + ce * eta * charge
    assert sol.objective == pytest.approx(expected, rel=1e-6)


def test_infeasible_target_says_so(solve: Solve) -> None:
    """Islanded, solar only, load at night: no capacity can serve hour 2."""
    with pytest.raises(InfeasibleError, match="infeasible"):
        solve(INFEASIBLE_CASES["no_storage_at_night"]())


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


def test_grid_cfe_share_counts_towards_target(solve: Solve) -> None:
    """With a fully clean grid the target is met by imports alone; no solar is built."""
    sol = solve(HAND_CASES["hand_clean_grid"]())
    assert sol.p_nom["solar"] == pytest.approx(0.0, abs=1e-6)
    assert sol.grid_import.sum() == pytest.approx(400.0, rel=1e-6)


def test_load_shifting_hand_solution(solve: Solve) -> None:
    """Islanded, 100 MW for 4 h, solar only in hours 1-2, all load movable within the day.

    The night load (200 MWh) moves into the solar hours: solar = 200 MW, the shift is
    [-100, +100, +100, -100] and 200 MWh are moved at 0.5 per MWh.
    """
    sol = solve(HAND_CASES["hand_shift"]())
    assert sol.p_nom["solar"] == pytest.approx(200.0, rel=1e-6)
    assert sol.load_shift == pytest.approx([-100.0, 100.0, 100.0, -100.0], abs=1e-5)
    assert sol.objective == pytest.approx(10.0 * 200 + 0.5 * 200, rel=1e-6)


def test_load_shifting_respects_ramp_limit(solve: Solve) -> None:
    """The same move needs a 200 MW step between hours 0 and 1; a 150 MW/h limit forbids it."""
    with pytest.raises(InfeasibleError):
        solve(INFEASIBLE_CASES["ramp_limit"]())


def test_load_shifting_keeps_window_energy(solve: Solve) -> None:
    """Windows of 2 h: night load of hour 0 may only move into hour 1, hour 3's into hour 2."""
    sol = solve(HAND_CASES["hand_shift_window"]())
    assert sol.load_shift[:2].sum() == pytest.approx(0.0, abs=1e-6)
    assert sol.load_shift[2:].sum() == pytest.approx(0.0, abs=1e-6)
    assert sol.p_nom["solar"] == pytest.approx(200.0, rel=1e-6)


def test_curtailment_hand_solution_and_cfe_denominator(solve: Solve) -> None:
    """Curtail the 200 MWh of night load at 3 per MWh instead of serving it.

    The CFE target applies to the load actually served (200 MWh of solar), so 100 % is met.
    """
    sol = solve(HAND_CASES["hand_curtail"]())
    assert sol.load_curtailment == pytest.approx([100.0, 0.0, 0.0, 100.0], abs=1e-5)
    assert sol.p_nom["solar"] == pytest.approx(100.0, rel=1e-6)
    assert sol.objective == pytest.approx(10.0 * 100 + 3.0 * 200, rel=1e-6)
    # a budget of 150 MWh cannot cover the 200 MWh of night load
    with pytest.raises(InfeasibleError):
        solve(INFEASIBLE_CASES["curtail_budget"]())


def test_backup_generator_is_not_clean_and_respects_energy_limit(solve: Solve) -> None:
    """Existing 100 MW diesel covers the night at 300 per MWh; it does not count as clean."""
    sol = solve(HAND_CASES["hand_backup"]())
    assert sol.p_nom["diesel"] == pytest.approx(100.0)
    assert sol.p["diesel"] == pytest.approx([100.0, 0.0, 0.0, 100.0], abs=1e-5)
    assert sol.objective == pytest.approx(10.0 * 100 + 300.0 * 200, rel=1e-6)
    with pytest.raises(InfeasibleError):  # 60 % CFE would need clean energy at night
        solve(INFEASIBLE_CASES["backup_not_clean"]())
    with pytest.raises(InfeasibleError):  # 200 MWh of night load, 150 MWh permitted
        solve(INFEASIBLE_CASES["backup_energy_limit"]())
    assert diesel(150.0).e_sum_max == 150.0 and not diesel().clean


def test_infeasible_target_reports_highest_reachable_score(solve: Solve) -> None:
    """Grid-connected, grid CFE share 0, solar only: at most the 200 MWh of daytime load of
    400 MWh can be clean, so a 100 % target is out of reach and 0.5 is the best."""
    prob = four_hours((SOLAR_MIDDAY,), 1.0, _poi(4, 1000.0, 50.0, 0.0))
    with pytest.raises(InfeasibleError, match=r"highest hourly CFE score reachable .* is 0\.5000"):
        solve(prob)
    assert backends.max_reachable_cfe(prob) == pytest.approx(0.5, abs=1e-6)
    # with a 1-hour-shiftable load the night hours can move into the sun: 100 % is reachable
    shifted = replace(prob, flex=_flex(4, shift=100.0))
    assert backends.max_reachable_cfe(shifted) == pytest.approx(1.0, abs=1e-6)
    assert backends.max_reachable_cfe(shifted, "cvxpy") == pytest.approx(1.0, abs=1e-6)


def test_export_limit_hand_solution(solve: Solve) -> None:
    """Exports earn 40 per MWh while solar costs 10 per MW: without a limit the optimum fills
    the 1000 MW POI; a 300 MWh export limit allows 150 MW of export in each sunny hour, so
    solar = 250 MW and the objective is 10*250 + 50*200 (night import) - 40*300."""
    limited = HAND_CASES["hand_export_limit"]()
    assert solve(replace(limited, export_limit=None)).p_nom["solar"] == pytest.approx(
        1100.0, rel=1e-6
    )
    sol = solve(limited)
    assert sol.grid_export.sum() == pytest.approx(300.0, rel=1e-6)
    assert sol.p_nom["solar"] == pytest.approx(250.0, rel=1e-6)
    assert sol.objective == pytest.approx(10.0 * 250 + 50.0 * 200 - 40.0 * 300, rel=1e-6)


def test_emissions_cap_hand_solution(solve: Solve) -> None:
    """Grid at 5 per MWh and 0.5 t/MWh beats solar at 20 per MW; a 100 t cap allows only
    200 MWh of imports, so the two sunny hours must come from 100 MW of solar."""
    capped_problem = HAND_CASES["hand_emissions_cap"]()
    free = solve(replace(capped_problem, emissions_cap=None))
    assert free.p_nom["solar"] == pytest.approx(0.0, abs=1e-6)
    capped = solve(capped_problem)
    assert capped.p_nom["solar"] == pytest.approx(100.0, rel=1e-6)
    assert capped.grid_import.sum() == pytest.approx(200.0, rel=1e-6)
    assert capped.objective == pytest.approx(20.0 * 100 + 5.0 * 200, rel=1e-6)
