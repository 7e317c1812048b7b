"""The heatwave stress case of a result: the hottest days of its weather, and what they do to
the cooling's power (PUE) and water.

The heatwave is the ``days`` consecutive local days (whole days of the result's time axis,
UTC) with the highest mean dry-bulb temperature (``temp_air``); the figures are recomputed
from the file's arrays:

* ``heatwave_temp_air`` -- mean dry bulb over the window [degC];
* ``heatwave_pue_mean``, ``heatwave_pue_max`` -- energy-weighted mean and highest hourly PUE
  in the window [-], and ``heatwave_pue_rise`` = window mean - annual mean [-];
* ``heatwave_water_peak`` -- highest hourly water use in the window [m3 h-1] and
  ``heatwave_water_daily`` -- its mean daily water [m3 d-1] (``water_use``; nan without it).

A cooling plant is designed for such hours (ASHRAE Handbook - Fundamentals 2021, ch. 14: the
0.4 % design dry bulb). A typical-year weather file holds typical months of its source years,
not an extreme event, so this case is a floor of the stress, not a bound: give a real
heatwave year as the weather for the bound.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import TIME

#: Days of the default heatwave window [d] (Meteo-France counts a heatwave from three days).
HEATWAVE_DAYS = 3


def heatwave_window(temp_air: xr.DataArray, days: int = HEATWAVE_DAYS) -> tuple[int, int]:
    """Indices ``(start, stop)`` of the hours of the hottest ``days`` consecutive days.

    Parameters
    ----------
    temp_air : xarray.DataArray
        Dry-bulb temperature [degC] on ``time`` (hourly).
    days : int
        Length of the window [d], >= 1.

    Returns
    -------
    tuple of int
        ``start`` (first hour of the window) and ``stop`` (one past the last) into ``time``.

    Raises
    ------
    ValueError
        Fewer whole days than ``days`` or ``days`` < 1.

    Examples
    --------
    >>> t = pd.date_range("2019-07-01", periods=96, freq="h")
    >>> temp = xr.DataArray(np.r_[np.full(48, 20.0), np.full(24, 35.0), np.full(24, 25.0)],
    ...                     coords={"time": t}, dims="time")
    >>> heatwave_window(temp, days=1)
    (48, 72)
    """
    if days < 1:
        raise ValueError(f"heatwave days must be >= 1; got {days}")
    index = pd.DatetimeIndex(temp_air[TIME].values)
    daily = pd.Series(np.asarray(temp_air, dtype=float), index=index).resample("D").mean()
    if len(daily) < days:
        raise ValueError(f"the result holds {len(daily)} day(s), fewer than the {days} asked")
    rolling = daily.rolling(days).mean()
    last = int(np.nanargmax(rolling.to_numpy()))
    first_day = daily.index[last - days + 1]
    end_day = daily.index[last] + pd.Timedelta(days=1)
    start = int(np.searchsorted(index, first_day))
    stop = int(np.searchsorted(index, end_day))
    return start, stop


def heatwave(ds: xr.Dataset, days: int = HEATWAVE_DAYS) -> dict[str, float | str]:
    """The heatwave figures of a result (module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        A result with ``temp_air``, ``pue``, ``it_load`` on ``time`` (``water_use`` optional).
    days : int
        Length of the window [d].

    Returns
    -------
    dict
        ``heatwave_start`` (ISO date, UTC), ``heatwave_temp_air`` [degC],
        ``heatwave_pue_mean``, ``heatwave_pue_max``, ``heatwave_pue_rise`` [-],
        ``heatwave_water_peak`` [m3 h-1], ``heatwave_water_daily`` [m3 d-1].
    """
    start, stop = heatwave_window(ds["temp_air"], days)
    part = ds.isel({TIME: slice(start, stop)})
    it = ds["it_load"]
    annual = float((it * ds["pue"]).sum() / it.sum())
    mean = float((part["it_load"] * part["pue"]).sum() / part["it_load"].sum())
    water = part["water_use"] if "water_use" in part else None
    n_days = (stop - start) / 24.0
    return {
        "heatwave_start": str(pd.Timestamp(ds[TIME].values[start]).date()),
        "heatwave_temp_air": float(part["temp_air"].mean()),
        "heatwave_pue_mean": mean,
        "heatwave_pue_max": float(part["pue"].max()),
        "heatwave_pue_rise": mean - annual,
        "heatwave_water_peak": np.nan if water is None else float(water.max()),
        "heatwave_water_daily": np.nan if water is None else float(water.sum()) / n_days,
    }


def add_heatwave(ds: xr.Dataset, days: int = HEATWAVE_DAYS) -> xr.Dataset:
    """``ds`` with the heatwave figures as scalar variables (``heatwave_start`` as an
    attribute of ``heatwave_temp_air``); unchanged without ``temp_air``, with fewer than
    ``days`` days, or for an aggregated result (segments are not hours of days)."""
    if "temp_air" not in ds:
        return ds
    if "snapshot_weight" in ds and not bool((ds["snapshot_weight"] == 1.0).all()):
        return ds
    try:
        figures = heatwave(ds, days)
    except ValueError:
        return ds
    start = figures.pop("heatwave_start")
    out = ds.assign({k: ((), float(v)) for k, v in figures.items()})
    out["heatwave_temp_air"].attrs["heatwave_start"] = str(start)
    out["heatwave_temp_air"].attrs["heatwave_days"] = days
    return out


__all__ = ["HEATWAVE_DAYS", "add_heatwave", "heatwave", "heatwave_window"]
