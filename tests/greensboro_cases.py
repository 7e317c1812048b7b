"""Greensboro test problems shared by the backend and dispatch tests (not a test module).

Slices of the Greensboro TMY3 set from 1 January with the default resources, campus and
catalogue costs, capital costs scaled to the slice: solar, onshore wind and a battery behind a
1.5 GW POI, optionally with the campus flexibility, the UPS and a diesel backup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from gridtwin.assembly import flex_spec
from gridtwin.campus import backup_assets, campus_load, flexibility_envelope, ups_storage
from gridtwin.config import CampusConfig, SolarConfig, WindConfig
from gridtwin.optimize.problem import FlexSpec, GeneratorSpec, PoiSpec, StorageSpec, SystemProblem
from gridtwin.technologies import annualised_costs, load_catalogue
from gridtwin.weather import open_weather, pv_capacity_factor, wind_capacity_factor

WEATHER = Path(__file__).resolve().parents[1] / "weather" / "greensboro_tmy3.nc"
HOURS_PER_YEAR = 8760.0

BACKUP = {"name": "diesel_gensets", "kind": "diesel", "p_nom": 1200.0, "fuel_cost": 105.0}


@dataclass(frozen=True)
class Site:
    """One Greensboro slice: everything a case needs, on ``hours`` hours from 1 January."""

    snapshots: pd.DatetimeIndex
    load: np.ndarray
    capacity_factor: dict[str, np.ndarray]
    flex: FlexSpec | None
    backup: GeneratorSpec
    ups: StorageSpec
    costs: pd.DataFrame
    horizon_share: float


@cache
def _year() -> tuple[dict[str, np.ndarray], object, pd.DataFrame]:
    weather = open_weather(WEATHER)
    cf = {
        "solar": pv_capacity_factor(weather, SolarConfig()).to_numpy(),
        "onwind": wind_capacity_factor(weather, WindConfig()).to_numpy(),
    }
    campus = campus_load(weather, CampusConfig())
    costs = annualised_costs(load_catalogue(), ["solar", "onwind", "battery"], "USD", 2022)
    return cf, campus, costs


@cache
def site_slice(hours: int) -> Site:
    cf, campus, costs = _year()
    cfg = CampusConfig.model_validate({"backup": [BACKUP]})
    part = campus.isel(time=slice(0, hours))  # type: ignore[attr-defined]
    share = hours / HOURS_PER_YEAR
    asset = backup_assets(cfg)[0]
    ups = ups_storage(cfg)
    eta_ups = math.sqrt(ups.efficiency_roundtrip)
    return Site(
        snapshots=pd.DatetimeIndex(part["time"].to_numpy()),
        load=part["load"].to_numpy(),
        capacity_factor={k: v[:hours] for k, v in cf.items()},
        flex=flex_spec(flexibility_envelope(part, CampusConfig())),
        backup=GeneratorSpec(
            asset.name,
            np.ones(hours),
            0.0,
            marginal_cost=asset.marginal_cost,
            clean=False,
            p_nom=asset.p_nom,
            extendable=False,
            co2_intensity=asset.co2_intensity,
            e_sum_max=asset.max_energy * share,
        ),
        ups=StorageSpec("ups", 0.0, 0.0, eta_ups, eta_ups, ups.p_nom, ups.e_nom, extendable=False),
        costs=costs,
        horizon_share=share,
    )


def greensboro(
    hours: int = 168,
    target: float = 0.9,
    *,
    flex: bool = False,
    existing: bool = False,
    tie_break: float = 0.0,
    export_share: float = 0.0,
    diurnal_grid: bool = False,
) -> SystemProblem:
    """A Greensboro problem: solar, onshore wind and battery behind a 1.5 GW POI at 75 USD/MWh
    and grid CFE share 0.45 (optionally both following a daily shape)."""
    site = site_slice(hours)
    c, share = site.costs, site.horizon_share
    generators = [
        GeneratorSpec(tech, site.capacity_factor[tech], share * float(c.at[tech, "capital_cost"]))
        for tech in ("solar", "onwind")
    ]
    eta = math.sqrt(float(c.at["battery_power", "efficiency_roundtrip"]))
    storage = [
        StorageSpec(
            "battery",
            share * float(c.at["battery_power", "capital_cost"]),
            share * float(c.at["battery_energy", "capital_cost"]),
            eta,
            eta,
        )
    ]
    if existing:
        generators.append(site.backup)
        storage.append(site.ups)
    hour = np.arange(hours) % 24
    price = np.full(hours, 75.0)
    cfe = np.full(hours, 0.45)
    if diurnal_grid:  # evening peak: dearer and dirtier
        peak = (hour - 23 + 12) % 24 - 12  # hours from 23 UTC (18 h local)
        price = 75.0 + 40.0 * np.exp(-(peak**2) / 8.0)
        cfe = 0.45 - 0.2 * np.cos(2 * np.pi * (hour - 18) / 24)
    poi = PoiSpec(1500.0, price, export_share * price, cfe)
    return SystemProblem(
        snapshots=site.snapshots,
        load=site.load,
        generators=tuple(generators),
        storage=tuple(storage),
        poi=poi,
        cfe_target=target,
        tie_break_cost=tie_break,
        flex=site.flex if flex else None,
    )
