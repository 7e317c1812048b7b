"""Hourly electrical load of the campus: IT load times the weather-dependent PUE."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.campus.heat import district_heat_demand
from gridtwin.campus.plant import DESIGNS, cooling_plant
from gridtwin.campus.profiles import it_load_components, resolve_utc_offset
from gridtwin.campus.psychrometrics import (
    P_STANDARD,
    relative_humidity_from_dew_point,
    standard_pressure,
    wet_bulb,
)
from gridtwin.campus.pue import MODEL_NAME, MODEL_REFERENCE
from gridtwin.campus.water import plant_water
from gridtwin.config import CampusConfig
from gridtwin.conventions import TIME, annotate
from gridtwin.exceptions import DataError

#: Dew points up to this much above the dry bulb [K] are taken as rounding and set to saturation.
DEW_POINT_TOLERANCE = 0.5

#: Variables of the campus set not in :data:`gridtwin.conventions.VARIABLES`: (units, long_name).
_EXTRA_VARIABLES: dict[str, tuple[str, str]] = {
    "it_load_training": ("MW", "IT load of the training halls (the shiftable workload)"),
    "capacity_online": ("MW", "IT capacity online (phased build-out)"),
    "economiser_fraction": (
        "1",
        "share of the cooling heat rejected by the water-side economiser (no chillers)",
    ),
    "cooling_load": (
        "MW",
        "electric power of the cooling system: chillers, pumps, tower and air-handler fans",
    ),
    "heat_load": ("MW", "heat the cooling system removes: IT load and electrical losses"),
    "recovery_power": (
        "1",
        "facility power saved per unit of warm-loop heat recovered instead of rejected",
    ),
    "recovery_water_withdrawal": (
        "m3 MWh-1",
        "water withdrawal saved per MWh of warm-loop heat recovered instead of rejected",
    ),
    "recovery_water_consumption": (
        "m3 MWh-1",
        "water consumption saved per MWh of warm-loop heat recovered instead of rejected",
    ),
}
#: Components of the facility overhead (gridtwin.campus.pue.facility_overhead) that are the
#: cooling system's power, and those that are electrical losses and lighting (heat to remove).
COOLING_PARTS = ("air_handler_fans", "pumps", "tower_fans", "dry_cooler_fans", "chillers")
ELECTRICAL_PARTS = ("ups", "distribution", "lighting")

#: Profile name -> description stored in the ``it_profile`` attribute.
PROFILE_DESCRIPTIONS: dict[str, str] = {
    "workload": "training/inference mix with AR(1) noise (gridtwin.campus.profiles)",
    "flat": "flat (utilisation x capacity online)",
}

#: Valid ranges of the weather variables the load model reads.
_RANGES: dict[str, tuple[float, float, str]] = {
    "temp_air": (-100.0, 70.0, "degC"),
    "temp_dew": (-100.0, 70.0, "degC"),
    "relative_humidity": (0.0, 100.0, "%"),
    "pressure": (1.0e4, 1.2e5, "Pa"),
}


def _checked(weather: xr.Dataset, name: str) -> np.ndarray:
    """Values of ``weather[name]`` as floats, or DataError naming the first bad timestamp."""
    lo, hi, units = _RANGES[name]
    var = weather[name]
    if var.dims != (TIME,):
        raise DataError(f"weather: variable '{name}' has dims {var.dims}; expected ('{TIME}',)")
    values = np.asarray(var.values, dtype=float)
    bad = ~((values >= lo) & (values <= hi))  # NaN is bad too
    if bad.any():
        i = int(np.argmax(bad))
        when = pd.Timestamp(weather[TIME].values[i])
        raise DataError(
            f"weather: variable '{name}' is {values[i]!r} at {when} (first bad timestamp, "
            f"{int(bad.sum())} bad value(s)); it must be a number within [{lo}, {hi}] {units}; "
            "fix or fill the weather set"
        )
    return values


def _relative_humidity(weather: xr.Dataset, temp_air: np.ndarray) -> np.ndarray:
    """Relative humidity [%] from ``relative_humidity`` or, failing that, ``temp_dew``."""
    if "relative_humidity" in weather.data_vars:
        return _checked(weather, "relative_humidity")
    if "temp_dew" not in weather.data_vars:
        raise DataError(
            "weather: needs variable 'relative_humidity' [%] or 'temp_dew' [degC] for the wet "
            "bulb; neither is present"
        )
    temp_dew = _checked(weather, "temp_dew")
    above = temp_dew > temp_air + DEW_POINT_TOLERANCE
    if above.any():
        i = int(np.argmax(above))
        when = pd.Timestamp(weather[TIME].values[i])
        raise DataError(
            f"weather: variable 'temp_dew' ({temp_dew[i]} degC) exceeds 'temp_air' "
            f"({temp_air[i]} degC) at {when} (first bad timestamp); fix the weather set"
        )
    rh = relative_humidity_from_dew_point(temp_air, np.minimum(temp_dew, temp_air))
    return np.clip(np.asarray(rh, dtype=float), 0.0, 100.0)


def _pressure(weather: xr.Dataset) -> np.ndarray | float:
    """Pressure [Pa] from ``pressure``, else the standard atmosphere at attribute ``altitude``."""
    if "pressure" in weather.data_vars:
        return _checked(weather, "pressure")
    if "altitude" in weather.attrs:
        return standard_pressure(float(weather.attrs["altitude"]))
    return P_STANDARD


def _campus_attrs(cfg: CampusConfig) -> dict[str, str | float | int]:
    """Campus parameters as netCDF-safe attributes (JSON text for nested sections)."""
    dumped = cfg.model_dump(mode="json")
    attrs: dict[str, str | float | int] = {}
    for key, value in dumped.items():
        if value is None:
            attrs[key] = "null"
        elif isinstance(value, bool):
            attrs[key] = int(value)
        elif isinstance(value, str | int | float):
            attrs[key] = value
        else:
            attrs[key] = json.dumps(value, sort_keys=True)
    return attrs


def _per_it(total: float, it_energy: float) -> float:
    """A yearly total per MWh of IT energy (``nan`` without IT energy)."""
    return total / it_energy if it_energy > 0 else float("nan")


def campus_load(weather: xr.Dataset, cfg: CampusConfig) -> xr.Dataset:
    """Hourly IT load, wet bulb, PUE, economiser use and total load of the campus.

    Parameters
    ----------
    weather : xarray.Dataset
        Canonical weather set on dimension ``time`` with ``temp_air`` [degC], and
        ``relative_humidity`` [%] (or ``temp_dew`` [degC]); ``pressure`` [Pa] if available
        (else the standard atmosphere at the ``altitude`` attribute [m], else 101325 Pa). The
        ``longitude`` attribute [degrees east] gives local time for the inference shape
        unless ``cfg.utc_offset_h`` is set.
    cfg : CampusConfig
        Campus: ``it_capacity`` [MW], ``buildout``, ``utilisation`` [-], ``workload``,
        ``variability``, ``cooling`` (PUE model parameters).

    Returns
    -------
    xarray.Dataset
        On dimension ``time``: ``it_load`` [MW] from
        :func:`gridtwin.campus.profiles.it_load_profile`, ``it_load_training`` [MW] (its
        training part, the load the flexibility envelope may shift), ``capacity_online`` [MW],
        ``temp_wetbulb`` [degC], ``pue`` [-], ``economiser_fraction`` [-] (heat-weighted share
        of the heat rejected without chillers), ``cooling_load`` and ``heat_load`` [MW],
        ``heat_recoverable`` [MW] (the warm loop's heat, :mod:`gridtwin.campus.plant`),
        ``water_withdrawal`` and ``water_consumption`` [m3 h-1]
        (:mod:`gridtwin.campus.water`), what recovering 1 MW of warm-loop heat saves
        (``recovery_power`` [1], ``recovery_water_withdrawal`` and
        ``recovery_water_consumption`` [m3 MWh-1]) and ``load`` [MW] = it_load x pue.
        Attributes name the PUE model, its reference and the cooling design, summarise the
        year (``annual_pue`` = energy-weighted, ``annual_wue`` and ``annual_wue_consumption``
        [L kWh-1 of IT energy], ``it_energy_mwh``, ``load_energy_mwh``, ``economiser_hours``
        = sum of ``economiser_fraction`` [h], ``economiser_hours_full`` [h],
        ``heat_source_temp_in`` / ``_out`` [degC]) and record every campus parameter (JSON
        text for nested sections). With ``cfg.heat_reuse``: ``district_heat_demand`` [MW_th]
        (:func:`gridtwin.campus.heat.district_heat_demand`).

    Raises
    ------
    DataError
        If ``time`` or a needed variable is missing, or a value is NaN or out of range; the
        message names the variable and the first bad timestamp.
    ConfigError
        If no IT capacity is online in the horizon or local time cannot be determined.

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556 (PUE model, see
    :mod:`gridtwin.campus.pue`); IT load shapes: see :mod:`gridtwin.campus.profiles`.
    """
    if TIME not in weather.dims:
        raise DataError(f"weather: no '{TIME}' dimension; a weather set needs an hourly UTC index")
    if "temp_air" not in weather.data_vars:
        raise DataError("weather: variable 'temp_air' [degC] is missing; it is needed for PUE")
    temp_air = _checked(weather, "temp_air")
    rh = _relative_humidity(weather, temp_air)
    pressure = _pressure(weather)

    temp_wb = np.asarray(wet_bulb(temp_air, rh, pressure))
    plant = cooling_plant(temp_air, temp_wb, np.asarray(pressure, dtype=float), cfg.cooling)
    overhead = plant.parts
    pue_t = 1.0 + sum(np.asarray(v, dtype=float) for v in overhead.values())
    cooling_share = sum(np.asarray(overhead[k], dtype=float) for k in COOLING_PARTS)
    heat_share = 1.0 + sum(np.asarray(overhead[k], dtype=float) for k in ELECTRICAL_PARTS)
    econ = plant.economiser
    water = plant_water(plant, cfg.cooling)

    index = pd.DatetimeIndex(weather[TIME].values)
    lon = weather.attrs.get("longitude")
    longitude = None if lon is None else float(lon)
    parts = it_load_components(index, cfg, longitude=longitude)
    uses_local_time = cfg.profile == "workload" and cfg.workload.training_share < 1.0
    offset = resolve_utc_offset(cfg, longitude) if uses_local_time else "not used"
    it_load = parts["it_load"]
    load = it_load * pue_t
    it_energy = float(it_load.sum())  # MWh: hourly means x 1 h
    load_energy = float(load.sum())

    coords = {TIME: weather[TIME].values}
    ds = xr.Dataset(
        {
            "it_load": ((TIME,), it_load),
            "it_load_training": ((TIME,), parts["it_load_training"]),
            "capacity_online": ((TIME,), parts["capacity_online"]),
            "temp_air": ((TIME,), temp_air),
            "temp_wetbulb": ((TIME,), temp_wb),
            "pue": ((TIME,), pue_t),
            "economiser_fraction": ((TIME,), econ),
            "cooling_load": ((TIME,), it_load * cooling_share),
            "heat_load": ((TIME,), it_load * heat_share),
            "heat_recoverable": ((TIME,), it_load * plant.recoverable),
            "water_withdrawal": ((TIME,), it_load * water["withdrawal"]),
            "water_consumption": ((TIME,), it_load * water["consumption"]),
            "recovery_power": ((TIME,), plant.recovery_power),
            "recovery_water_withdrawal": ((TIME,), water["recovery_withdrawal"]),
            "recovery_water_consumption": ((TIME,), water["recovery_consumption"]),
            "load": ((TIME,), load),
        },
        coords=coords,
        attrs={
            "pue_model": MODEL_NAME,
            "pue_reference": MODEL_REFERENCE,
            "cooling_design": cfg.cooling.design,
            "cooling_design_description": DESIGNS[cfg.cooling.design].description,
            "annual_wue": _per_it(float(np.sum(it_load * water["withdrawal"])), it_energy),
            "annual_wue_consumption": _per_it(
                float(np.sum(it_load * water["consumption"])), it_energy
            ),
            "heat_source_temp_in": plant.source_in,
            "heat_source_temp_out": plant.source_out,
            "it_capacity_mw": cfg.it_capacity,
            "it_profile": PROFILE_DESCRIPTIONS[cfg.profile],
            "annual_pue": load_energy / it_energy if it_energy > 0 else float("nan"),
            "it_energy_mwh": it_energy,
            "load_energy_mwh": load_energy,
            "economiser_hours": float(econ.sum()),
            "economiser_hours_full": int(np.count_nonzero(econ >= 1.0 - 1e-12)),
            "local_time_utc_offset_h": offset,
            **_campus_attrs(cfg),
        },
    )
    if cfg.heat_reuse is not None:
        ds["district_heat_demand"] = ((TIME,), district_heat_demand(temp_air, cfg.heat_reuse))
        ds["district_heat_demand"].attrs.update(
            units="MW", long_name="heat demand of the district heating network (MW_th)"
        )
    for name, (units, long_name) in _EXTRA_VARIABLES.items():
        ds[name].attrs.update(units=units, long_name=long_name)
    return annotate(ds)
