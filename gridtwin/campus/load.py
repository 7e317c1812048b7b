"""Hourly electrical load of the campus: IT load times the weather-dependent PUE."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.campus.psychrometrics import (
    P_STANDARD,
    relative_humidity_from_dew_point,
    standard_pressure,
    wet_bulb,
)
from gridtwin.campus.pue import MODEL_NAME, MODEL_REFERENCE, pue
from gridtwin.config import CampusConfig
from gridtwin.conventions import TIME, annotate
from gridtwin.exceptions import DataError

#: Dew points up to this much above the dry bulb [K] are taken as rounding and set to saturation.
DEW_POINT_TOLERANCE = 0.5

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


def campus_load(weather: xr.Dataset, cfg: CampusConfig) -> xr.Dataset:
    """Hourly IT load, wet bulb, PUE and total load of the campus.

    Parameters
    ----------
    weather : xarray.Dataset
        Canonical weather set on dimension ``time`` with ``temp_air`` [degC], and
        ``relative_humidity`` [%] (or ``temp_dew`` [degC]); ``pressure`` [Pa] if available
        (else the standard atmosphere at the ``altitude`` attribute [m], else 101325 Pa).
    cfg : CampusConfig
        Campus: ``it_capacity`` [MW], ``utilisation`` [-], ``cooling`` (PUE model parameters).

    Returns
    -------
    xarray.Dataset
        On dimension ``time``: ``it_load`` [MW] = it_capacity x utilisation (flat),
        ``temp_wetbulb`` [degC], ``pue`` [-] and ``load`` [MW] = it_load x pue. Attributes name
        the PUE model, its reference, the cooling design and the campus parameters.

    Raises
    ------
    DataError
        If ``time`` or a needed variable is missing, or a value is NaN or out of range; the
        message names the variable and the first bad timestamp.

    References
    ----------
    Lei & Masanet (2020), doi:10.1016/j.energy.2020.117556 (PUE model, see
    :mod:`gridtwin.campus.pue`).
    """
    if TIME not in weather.dims:
        raise DataError(f"weather: no '{TIME}' dimension; a weather set needs an hourly UTC index")
    if "temp_air" not in weather.data_vars:
        raise DataError("weather: variable 'temp_air' [degC] is missing; it is needed for PUE")
    temp_air = _checked(weather, "temp_air")
    rh = _relative_humidity(weather, temp_air)
    pressure = _pressure(weather)

    temp_wb = np.asarray(wet_bulb(temp_air, rh, pressure))
    pue_t = np.asarray(pue(temp_air, temp_wb, cfg.cooling, pressure))
    it_load = np.full(temp_air.shape, cfg.it_capacity * cfg.utilisation)

    coords = {TIME: weather[TIME].values}
    ds = xr.Dataset(
        {
            "it_load": ((TIME,), it_load),
            "temp_wetbulb": ((TIME,), temp_wb),
            "pue": ((TIME,), pue_t),
            "load": ((TIME,), it_load * pue_t),
        },
        coords=coords,
        attrs={
            "pue_model": MODEL_NAME,
            "pue_reference": MODEL_REFERENCE,
            "cooling_design": cfg.cooling.design,
            "it_capacity_mw": cfg.it_capacity,
            "utilisation": cfg.utilisation,
            "it_profile": "flat (it_capacity x utilisation)",
        },
    )
    return annotate(ds)
