"""The PyPSA backend on problems small enough to solve by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gridtwin.exceptions import ConfigError, InfeasibleError
from gridtwin.optimize import pypsa_backend
from gridtwin.optimize.problem import GeneratorSpec, PoiSpec, StorageSpec, SystemProblem


def _poi(n: int, p_nom: float, price: float, cfe: float, export_price: float = 0.0) -> PoiSpec:
    return PoiSpec(
        p_nom=p_nom,
        import_price=np.full(n, price),
        export_price=np.full(n, export_price),
        grid_cfe_share=np.full(n, cfe),
    )


def _index(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2019-01-01", periods=n, freq="h")


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
