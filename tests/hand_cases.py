"""Hand-made test problems, declared once: builders of POI, flexibility and time index, and the
named cases every backend runs (:data:`HAND_CASES`, :data:`INFEASIBLE_CASES`), whose optima are
worked out by hand in ``tests/optimize/test_hand_cases.py``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from gridtwin.optimize.problem import FlexSpec, GeneratorSpec, PoiSpec, StorageSpec, SystemProblem

Solve = Callable[..., Any]
"""``solve(problem, options=None)``: a solve with the backend of the ``solve`` fixture
(``tests/conftest.py``)."""


def index(n: int) -> pd.DatetimeIndex:
    """``n`` hours from 1 January 2019 (UTC)."""
    return pd.date_range("2019-01-01", periods=n, freq="h")


def poi(n: int, p_nom: float, price: float, cfe: float, export_price: float = 0.0) -> PoiSpec:
    """A POI with constant price [USD/MWh], grid CFE share [-] and export price."""
    return PoiSpec(
        p_nom=p_nom,
        import_price=np.full(n, price),
        export_price=np.full(n, export_price),
        grid_cfe_share=np.full(n, cfe),
    )


def flex(
    n: int,
    shift: float = 0.0,
    ramp: float = 1e6,
    curtail: float = 0.0,
    curtail_energy: float = 0.0,
    window: int | None = None,
    shift_cost: float = 0.0,
    curtail_cost: float = 0.0,
) -> FlexSpec:
    """Constant flexibility bounds [MW]; one window over the horizon unless ``window`` [h]."""
    w = window or n
    return FlexSpec(
        shift_max=np.full(n, shift),
        ramp_max=np.full(n, ramp),
        window_hours=w,
        shift_cost=shift_cost,
        curtail_max=np.full(n, curtail),
        curtail_energy_max=curtail_energy,
        curtail_window_energy_max=np.full(-(-n // w), curtail_energy),
        curtail_cost=curtail_cost,
    )


SOLAR_MIDDAY = GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), 10.0)


def diesel(e_sum_max: float = math.inf) -> GeneratorSpec:
    return GeneratorSpec(
        "diesel",
        np.ones(4),
        0.0,
        marginal_cost=300.0,
        clean=False,
        p_nom=100.0,
        extendable=False,
        co2_intensity=0.7,
        e_sum_max=e_sum_max,
    )


def four_hours(
    generators: tuple[GeneratorSpec, ...] = (SOLAR_MIDDAY,),
    target: float = 1.0,
    grid: PoiSpec | None = None,
    flexibility: FlexSpec | None = None,
) -> SystemProblem:
    """100 MW for 4 h; islanded (POI 0 MW) unless ``grid`` is given."""
    return SystemProblem(
        snapshots=index(4),
        load=np.full(4, 100.0),
        generators=generators,
        storage=(),
        poi=grid or poi(4, 0.0, 50.0, 0.0),
        cfe_target=target,
        flex=flexibility,
    )


def battery_two_hours(target: float = 1.0, with_battery: bool = True) -> SystemProblem:
    eta = math.sqrt(0.81)
    return SystemProblem(
        snapshots=index(2),
        load=np.full(2, 100.0),
        generators=(GeneratorSpec("solar", np.array([1.0, 0.0]), 10.0),),
        storage=(StorageSpec("battery", 3.0, 1.0, eta, eta),) if with_battery else (),
        poi=poi(2, 0.0, 50.0, 0.0),
        cfe_target=target,
    )


def hydrogen_two_hours() -> SystemProblem:
    """Solar in hour 0 only; the night is served by electrolyser -> tank -> fuel cell."""
    h2 = StorageSpec("hydrogen", 1.0, 0.1, 0.7, 0.5, capital_cost_discharge=2.0)
    return replace(battery_two_hours(), storage=(h2,))


def negative_prices(hours: int = 6) -> SystemProblem:
    """Grid prices below zero in the first half: the battery may charge from the grid but must
    not earn by burning energy in its losses (charging and discharging at once)."""
    price = np.where(np.arange(hours) < hours // 2, -20.0, 50.0)
    eta = 0.9
    return SystemProblem(
        snapshots=index(hours),
        load=np.full(hours, 100.0),
        generators=(),
        storage=(StorageSpec("battery", 1.0, 0.5, eta, eta),),
        poi=PoiSpec(1000.0, price, np.minimum(price, 0.0), np.zeros(hours)),
        cfe_target=0.0,
    )


def month_boundary(demand_charge: float = 10000.0) -> SystemProblem:
    """48 h across 31 January / 1 February with an evening peak and a demand charge of
    10 USD/kW-month: the
    battery shaves each month's peak."""
    hours = 48
    load = 100.0 + 60.0 * (np.arange(hours) % 24 >= 18)
    grid = poi(hours, 1000.0, 50.0, 0.0)
    return SystemProblem(
        snapshots=pd.date_range("2019-01-31", periods=hours, freq="h"),
        load=load,
        generators=(),
        storage=(StorageSpec("battery", 2.0, 1.0, 0.95, 0.95),),
        poi=replace(grid, demand_charge=demand_charge),
        cfe_target=0.0,
    )


SOLAR_EXPENSIVE = GeneratorSpec("solar", np.array([0.0, 1.0, 1.0, 0.0]), 1000.0)
GRID = poi(4, 1000.0, 2.0, 0.0)

HAND_CASES: dict[str, Callable[[], SystemProblem]] = {
    "hand_solar_cfe50": lambda: four_hours((SOLAR_EXPENSIVE,), 0.5, GRID),
    "hand_cfe0": lambda: four_hours((SOLAR_EXPENSIVE,), 0.0, GRID),
    "hand_clean_grid": lambda: four_hours((SOLAR_EXPENSIVE,), 1.0, poi(4, 1000.0, 2.0, 1.0)),
    "hand_battery": battery_two_hours,
    "hand_shift": lambda: four_hours(flexibility=flex(4, shift=100.0, shift_cost=0.5)),
    "hand_shift_window": lambda: four_hours(flexibility=flex(4, shift=100.0, window=2)),
    "hand_curtail": lambda: four_hours(
        flexibility=flex(4, curtail=100.0, curtail_energy=200.0, curtail_cost=3.0)
    ),
    "hand_backup": lambda: four_hours((SOLAR_MIDDAY, diesel()), 0.5),
    "hand_emissions_cap": lambda: replace(
        four_hours(
            (replace(SOLAR_MIDDAY, capital_cost=20.0),),
            0.0,
            replace(poi(4, 1000.0, 5.0, 0.0), grid_co2_intensity=np.full(4, 0.5)),
        ),
        emissions_cap=100.0,
    ),
    "hand_hydrogen": hydrogen_two_hours,
    "hand_max_hours": lambda: replace(
        battery_two_hours(),
        storage=(StorageSpec("battery", 3.0, 1.0, 0.9, 0.9, max_hours=4.0),),
    ),
    "hand_firm_clean": lambda: four_hours(
        (SOLAR_MIDDAY, GeneratorSpec("geothermal", np.full(4, 0.9), 500.0, marginal_cost=5.0)),
        1.0,
    ),
    "hand_build_limits": lambda: replace(
        battery_two_hours(0.6),
        generators=(
            GeneratorSpec("solar", np.array([1.0, 0.0]), 10.0, p_nom=20.0, p_nom_max=150.0),
        ),
        storage=(StorageSpec("battery", 3.0, 1.0, 0.9, 0.9, e_nom_max=30.0),),
        poi=poi(2, 1000.0, 50.0, 0.0),
    ),
    "hand_negative_prices": negative_prices,
    "hand_demand_charge": month_boundary,
    "hand_export_limit": lambda: replace(
        four_hours((SOLAR_MIDDAY,), 0.5, poi(4, 1000.0, 50.0, 0.0, export_price=40.0)),
        export_limit=300.0,
    ),
}

INFEASIBLE_CASES: dict[str, Callable[[], SystemProblem]] = {
    "no_storage_at_night": lambda: battery_two_hours(0.9, with_battery=False),
    "ramp_limit": lambda: four_hours(flexibility=flex(4, shift=100.0, ramp=150.0)),
    "curtail_budget": lambda: four_hours(
        flexibility=flex(4, curtail=100.0, curtail_energy=150.0, curtail_cost=3.0)
    ),
    "backup_not_clean": lambda: four_hours((SOLAR_MIDDAY, diesel()), 0.6),
    "backup_energy_limit": lambda: four_hours((SOLAR_MIDDAY, diesel(150.0)), 0.5),
}
