"""Physical range and unit checks of a canonical weather set, shared by every read path.

Every reader (EPW, PVGIS, NSRDB, TMY2/TMY3 through :func:`~gridtwin.weather.normalise.normalise`,
ERA5, the canonical netCDF, stacked years) ends in
:func:`~gridtwin.weather.canonical.validate_weather`, which calls :func:`check_physical` once.
It does two things, in this order:

1. **Units by attribute.** A variable whose ``units`` attribute names a convertible unit is
   converted to the canonical unit (:data:`CONVERSIONS`: ``kW m-2`` -> ``W m-2``, ``K`` ->
   ``degC``, ``km/h`` -> ``m s-1``, ``hPa`` -> ``Pa``, ...); the ``units`` attribute is updated
   and the original recorded in ``units_converted_from``. A ``units`` attribute that names no
   known unit of the quantity is refused.
2. **Ranges by magnitude.** Values that cannot be right are refused with one line naming the
   variable, the offending values and the first time stamps (UTC), and a likely cause: infinite
   values, negative irradiance or wind speed, irradiance above :data:`MAX_IRRADIANCE_W_M2`
   (scaled x10?) or peaking below :data:`KILOWATT_PEAK_W_M2` (kW m-2 without a ``units``
   attribute?), temperatures outside :data:`TEMPERATURE_RANGE_C` (Kelvin?), wind speed above
   :data:`MAX_WIND_SPEED_M_S` or with a mean above :data:`MAX_MEAN_WIND_SPEED_M_S` (km/h?),
   pressure outside :data:`PRESSURE_RANGE_PA` (hPa?), relative humidity outside
   :data:`RELATIVE_HUMIDITY_RANGE` (a fraction?), latitude outside [-90, 90] deg and longitude
   outside [-180, 360] deg.

A file in the wrong unit *without* a ``units`` attribute is refused rather than guessed at: a
magnitude test says "probably km/h", never "certainly". Wind speed in km/h at a calm site (mean
below about 4 m s-1) stays within every bound and cannot be detected by magnitude; give the
``units`` attribute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.exceptions import DataError

logger = logging.getLogger(__name__)

#: Largest hourly mean of ``ghi``, ``dni`` or ``dhi`` [W m-2]. The extraterrestrial normal
#: irradiance is at most 1361 W m-2 (total solar irradiance, Kopp and Lean 2011,
#: doi:10.1029/2010GL045777) x 1.034 at perihelion = 1408 W m-2; cloud enhancement raises
#: minute values above it but not hourly means by much (Gueymard 2017,
#: doi:10.1016/j.rser.2016.11.138). A file scaled x10 (or in 0.1 W m-2) peaks near 10 000.
MAX_IRRADIANCE_W_M2: Final = 1500.0
#: A ``ghi`` whose largest value is positive but below this [W m-2] over at least a day is in
#: kW m-2: clear-sky noon GHI is at least a few hundred W m-2 wherever the sun rises at all.
KILOWATT_PEAK_W_M2: Final = 2.0
#: Plausible range of ``temp_air`` and ``temp_dew`` [degC]: the records are -89.2 degC (Vostok,
#: 1983) and 56.7 degC (Death Valley, 1913) in the WMO archive of weather extremes
#: (https://wmo.asu.edu), with margin for dew points. Kelvin values (200-330) lie above it.
TEMPERATURE_RANGE_C: Final = (-100.0, 65.0)
#: Largest hourly mean wind speed [m s-1]: above the strongest sustained tropical-cyclone winds
#: measured (about 80 m s-1 one-minute means). km/h values of a storm exceed it.
MAX_WIND_SPEED_M_S: Final = 80.0
#: Largest mean wind speed over a record of at least :data:`MEAN_WIND_MIN_HOURS` [m s-1]: the
#: windiest long-term sites of the world (Cape Denison, Antarctica) reach about 20 m s-1 at
#: 10 m; every site a campus is planned for is far below 15 m s-1 even at hub height.
MAX_MEAN_WIND_SPEED_M_S: Final = 15.0
#: Shortest record [h] (30 days) on which the mean wind speed is tested; a stormy week may
#: exceed :data:`MAX_MEAN_WIND_SPEED_M_S`.
MEAN_WIND_MIN_HOURS: Final = 720
#: Plausible surface pressure [Pa]: about 30 kPa on the summit of Everest to the sea-level
#: record of 108.4 kPa (WMO archive). hPa or mbar values (about 1000) lie far below it.
PRESSURE_RANGE_PA: Final = (30_000.0, 110_000.0)
#: Plausible relative humidity [%] (a little supersaturation in reanalysis data is kept).
RELATIVE_HUMIDITY_RANGE: Final = (0.0, 110.0)
#: Longitude range [deg]: -180..180 and 0..360 are both in use.
LONGITUDE_RANGE: Final = (-180.0, 360.0)

_IRRADIANCE: Final = ("ghi", "dni", "dhi")
_TEMPERATURE: Final = ("temp_air", "temp_dew")


@dataclass(frozen=True)
class Unit:
    """A unit convertible to a canonical one: ``canonical = factor * value + offset``."""

    canonical: str
    factor: float = 1.0
    offset: float = 0.0


def _units(canonical: str, spellings: dict[str, tuple[float, float]]) -> dict[str, Unit]:
    return {k: Unit(canonical, f, o) for k, (f, o) in spellings.items()}


_IRRADIANCE_UNITS = _units(
    "W m-2",
    {
        "wm-2": (1.0, 0.0),
        "w/m2": (1.0, 0.0),
        "wm**-2": (1.0, 0.0),
        "w/m^2": (1.0, 0.0),
        "w.m-2": (1.0, 0.0),
        "kwm-2": (1000.0, 0.0),
        "kw/m2": (1000.0, 0.0),
        "kwm**-2": (1000.0, 0.0),
        "kw/m^2": (1000.0, 0.0),
        "kw.m-2": (1000.0, 0.0),
    },
)
_TEMPERATURE_UNITS = _units(
    "degC",
    {
        "degc": (1.0, 0.0),
        "degreec": (1.0, 0.0),
        "degree_c": (1.0, 0.0),
        "degrees_c": (1.0, 0.0),
        "degree_celsius": (1.0, 0.0),
        "celsius": (1.0, 0.0),
        "°c": (1.0, 0.0),
        "c": (1.0, 0.0),
        "k": (1.0, -273.15),
        "kelvin": (1.0, -273.15),
        "degk": (1.0, -273.15),
        "degf": (5.0 / 9.0, -32.0 * 5.0 / 9.0),
        "°f": (5.0 / 9.0, -32.0 * 5.0 / 9.0),
        "fahrenheit": (5.0 / 9.0, -32.0 * 5.0 / 9.0),
    },
)
_SPEED_UNITS = _units(
    "m s-1",
    {
        "ms-1": (1.0, 0.0),
        "m/s": (1.0, 0.0),
        "ms**-1": (1.0, 0.0),
        "m.s-1": (1.0, 0.0),
        "km/h": (1.0 / 3.6, 0.0),
        "kmh-1": (1.0 / 3.6, 0.0),
        "km/hr": (1.0 / 3.6, 0.0),
        "kph": (1.0 / 3.6, 0.0),
        "kmh**-1": (1.0 / 3.6, 0.0),
        "kt": (1852.0 / 3600.0, 0.0),
        "kts": (1852.0 / 3600.0, 0.0),
        "knot": (1852.0 / 3600.0, 0.0),
        "knots": (1852.0 / 3600.0, 0.0),
        "mph": (1609.344 / 3600.0, 0.0),
    },
)
_PRESSURE_UNITS = _units(
    "Pa",
    {
        "pa": (1.0, 0.0),
        "hpa": (100.0, 0.0),
        "mbar": (100.0, 0.0),
        "mb": (100.0, 0.0),
        "kpa": (1000.0, 0.0),
        "bar": (1.0e5, 0.0),
    },
)
_HUMIDITY_UNITS = _units("%", {"%": (1.0, 0.0), "percent": (1.0, 0.0)})

#: Variable -> accepted spellings of its ``units`` attribute (lower case, blanks removed).
CONVERSIONS: Final[dict[str, dict[str, Unit]]] = {
    "ghi": _IRRADIANCE_UNITS,
    "dni": _IRRADIANCE_UNITS,
    "dhi": _IRRADIANCE_UNITS,
    "temp_air": _TEMPERATURE_UNITS,
    "temp_dew": _TEMPERATURE_UNITS,
    "wind_speed": _SPEED_UNITS,
    "wind_speed_10m": _SPEED_UNITS,
    "pressure": _PRESSURE_UNITS,
    "relative_humidity": _HUMIDITY_UNITS,
}


def _key(units: str) -> str:
    return units.replace(" ", "").lower()


def convert_units(ds: xr.Dataset, source: str) -> xr.Dataset:
    """Convert variables whose ``units`` attribute names a non-canonical unit.

    Parameters
    ----------
    ds : xarray.Dataset
        Weather set; variables of :data:`CONVERSIONS` may carry a ``units`` attribute.
    source : str
        Name used in messages (usually the file path).

    Returns
    -------
    xarray.Dataset
        ``ds`` itself if nothing needs converting, else a copy with the converted variables in
        canonical units (``W m-2``, ``degC``, ``m s-1``, ``Pa``, ``%``), their ``units``
        attribute updated and ``units_converted_from`` recording the original.

    Raises
    ------
    DataError
        If a ``units`` attribute names no unit known for the variable.
    """
    out = ds
    for name, table in CONVERSIONS.items():
        if name not in ds.data_vars or "units" not in ds[name].attrs:
            continue
        units = str(ds[name].attrs["units"])
        unit = table.get(_key(units))
        if unit is None:
            known = sorted({u.canonical for u in table.values()})
            raise DataError(
                f"{source}: variable '{name}' has units {units!r}, which gridtwin cannot convert "
                f"to {known[0]!r}; give the values in {known[0]} (or a unit such as "
                f"{', '.join(repr(k) for k in list(table)[-3:])})"
            )
        if unit.factor == 1.0 and unit.offset == 0.0:
            if units != unit.canonical:
                out = out.copy() if out is ds else out
                out[name].attrs["units"] = unit.canonical
            continue
        out = out.copy() if out is ds else out
        attrs = dict(ds[name].attrs)
        values = np.asarray(ds[name].values, dtype=float) * unit.factor + unit.offset
        out[name] = (ds[name].dims, values)
        out[name].attrs.update(attrs, units=unit.canonical, units_converted_from=units)
        logger.info(
            "%s: variable '%s' converted from %s to %s", source, name, units, unit.canonical
        )
    return out


def _where(times: np.ndarray, bad: np.ndarray, limit: int = 3) -> str:
    """The first offending time stamps (UTC) and their count."""
    idx = np.flatnonzero(bad)
    stamps = ", ".join(str(pd.Timestamp(times[i])) for i in idx[:limit])
    more = f" and {idx.size - limit} more" if idx.size > limit else ""
    return f"at {stamps}{more} (UTC; {idx.size} value(s))"


def _refuse(source: str, name: str, what: str, hint: str) -> DataError:
    return DataError(f"{source}: variable '{name}' {what}; {hint}")


Check = Callable[[str, np.ndarray, np.ndarray, str], None]


def _check_finite(name: str, values: np.ndarray, times: np.ndarray, source: str) -> None:
    inf = np.isinf(values)
    if inf.any():
        raise _refuse(
            source,
            name,
            f"is infinite {_where(times, inf)}",
            "replace the values (an overflow or a missing-value code read as a number?)",
        )


def _check_irradiance(name: str, values: np.ndarray, times: np.ndarray, source: str) -> None:
    negative = values < 0.0
    if negative.any():
        raise _refuse(
            source,
            name,
            f"is negative (down to {np.nanmin(values):g} W m-2) {_where(times, negative)}",
            "irradiance must be >= 0 W m-2 (a missing-value code such as -999 left in?)",
        )
    high = values > MAX_IRRADIANCE_W_M2
    if high.any():
        raise _refuse(
            source,
            name,
            f"reaches {np.nanmax(values):g} W m-2 {_where(times, high)}, above "
            f"{MAX_IRRADIANCE_W_M2:g} W m-2 (more than the sun delivers)",
            "is it scaled x10 or in another unit? Give W m-2 or set the 'units' attribute",
        )
    peak = float(np.nanmax(values))
    if name == "ghi" and values.size >= 24 and 0.0 < peak < KILOWATT_PEAK_W_M2:
        raise _refuse(
            source,
            name,
            f"peaks at {peak:g} W m-2",
            "that is kW m-2 (clear-sky noon is several hundred W m-2): multiply by 1000 or "
            "set the 'units' attribute to 'kW m-2'",
        )


def _check_temperature(name: str, values: np.ndarray, times: np.ndarray, source: str) -> None:
    low, high = TEMPERATURE_RANGE_C
    bad = (values < low) | (values > high)
    if bad.any():
        kelvin = bool(np.nanmin(values) > 150.0 and np.nanmax(values) < 350.0)
        hint = (
            "the values look like Kelvin: subtract 273.15 or set the 'units' attribute to 'K'"
            if kelvin
            else "correct the values or their 'units' attribute"
        )
        raise _refuse(
            source,
            name,
            f"is outside [{low:g}, {high:g}] degC ({values[bad][0]:g} degC) {_where(times, bad)}",
            hint,
        )


def _check_wind(name: str, values: np.ndarray, times: np.ndarray, source: str) -> None:
    negative = values < 0.0
    if negative.any():
        raise _refuse(
            source,
            name,
            f"is negative (down to {np.nanmin(values):g} m s-1) {_where(times, negative)}",
            "a wind speed is >= 0 (a vector component or a missing-value code?)",
        )
    high = values > MAX_WIND_SPEED_M_S
    if high.any():
        raise _refuse(
            source,
            name,
            f"reaches {np.nanmax(values):g} m s-1 {_where(times, high)}, above "
            f"{MAX_WIND_SPEED_M_S:g} m s-1",
            "is it in km/h or knots? Give m s-1 or set the 'units' attribute (e.g. 'km/h')",
        )
    mean = float(np.nanmean(values))
    if values.size >= MEAN_WIND_MIN_HOURS and mean > MAX_MEAN_WIND_SPEED_M_S:
        raise _refuse(
            source,
            name,
            f"has a mean of {mean:.1f} m s-1 over {values.size} h, above "
            f"{MAX_MEAN_WIND_SPEED_M_S:g} m s-1 (windier than any planned site)",
            "is it in km/h (divide by 3.6) or knots? Give m s-1 or set the 'units' attribute",
        )


def _check_pressure(name: str, values: np.ndarray, times: np.ndarray, source: str) -> None:
    low, high = PRESSURE_RANGE_PA
    bad = (values < low) | (values > high)
    if bad.any():
        hint = (
            "the values look like hPa or mbar: multiply by 100 or set the 'units' attribute"
            if np.nanmin(values) > 300.0 and np.nanmax(values) < 1100.0
            else "correct the values or their 'units' attribute"
        )
        raise _refuse(
            source,
            name,
            f"is outside [{low:g}, {high:g}] Pa ({values[bad][0]:g} Pa) {_where(times, bad)}",
            hint,
        )


def _check_humidity(name: str, values: np.ndarray, times: np.ndarray, source: str) -> None:
    low, high = RELATIVE_HUMIDITY_RANGE
    bad = (values < low) | (values > high)
    if bad.any():
        raise _refuse(
            source,
            name,
            f"is outside [{low:g}, {high:g}] % ({values[bad][0]:g} %) {_where(times, bad)}",
            "relative humidity is in percent",
        )
    if values.size >= 24 and 0.0 < float(np.nanmax(values)) <= 1.0:
        raise _refuse(
            source,
            name,
            f"never exceeds {float(np.nanmax(values)):g} %",
            "that is a fraction: multiply by 100 (relative humidity is in percent)",
        )


#: Range check of each variable (every variable is also tested for infinite values).
RANGE_CHECKS: Final[dict[str, Check]] = {
    "ghi": _check_irradiance,
    "dni": _check_irradiance,
    "dhi": _check_irradiance,
    "temp_air": _check_temperature,
    "temp_dew": _check_temperature,
    "wind_speed": _check_wind,
    "wind_speed_10m": _check_wind,
    "pressure": _check_pressure,
    "relative_humidity": _check_humidity,
}


def _check_site(ds: xr.Dataset, source: str) -> None:
    bounds = {"latitude": (-90.0, 90.0), "longitude": LONGITUDE_RANGE}
    for key, (low, high) in bounds.items():
        if key not in ds.attrs:
            continue
        try:
            value = float(ds.attrs[key])
        except (TypeError, ValueError):
            raise DataError(
                f"{source}: global attribute '{key}' = {ds.attrs[key]!r} is not a number [deg]"
            ) from None
        if not low <= value <= high:
            raise DataError(
                f"{source}: global attribute '{key}' = {value:g} deg is outside "
                f"[{low:g}, {high:g}]; correct the site in the file header"
                + (" (latitude and longitude swapped?)" if key == "latitude" else "")
            )


#: Largest excess of the dew point over the air temperature [K] (rounding in files).
DEW_EXCESS_K: Final = 0.5


def _check_together(ds: xr.Dataset, source: str) -> None:
    """Relations between variables: the dew point is not above the air temperature, and the
    wind's measurement height (attribute ``height_m``) is above ground."""
    if "temp_dew" in ds and "temp_air" in ds:
        dew = np.asarray(ds["temp_dew"].values, dtype=float)
        air = np.asarray(ds["temp_air"].values, dtype=float)
        above = dew > air + DEW_EXCESS_K
        if above.any():
            raise _refuse(
                source,
                "temp_dew",
                f"is above 'temp_air' (by up to {np.nanmax(dew - air):.1f} K) "
                f"{_where(ds['time'].values, above)}",
                "the dew point cannot exceed the air temperature: columns swapped or a unit slip?",
            )
    if "wind_speed" in ds and "height_m" in ds["wind_speed"].attrs:
        height = float(ds["wind_speed"].attrs["height_m"])
        if not np.isfinite(height) or height <= 0.0:
            raise DataError(
                f"{source}: variable 'wind_speed' has height_m = {height:g} m; the measurement "
                "height must be above ground (10 m for most stations and reanalyses)"
            )


def check_physical(ds: xr.Dataset, source: str) -> xr.Dataset:
    """Convert convertible units, then refuse values that cannot be right.

    Parameters
    ----------
    ds : xarray.Dataset
        Weather set on dimension ``time`` (UTC) with canonical variable names; ``latitude``
        and ``longitude`` global attributes [deg]. NaN values are left to the caller.
    source : str
        Name used in messages (usually the file path).

    Returns
    -------
    xarray.Dataset
        ``ds``, or a copy with variables converted to canonical units (see
        :func:`convert_units`).

    Raises
    ------
    DataError
        One line naming ``source``, the variable (or attribute), the offending values and the
        first time stamps, and the likely fix (see the module docstring for the bounds).

    Examples
    --------
    >>> import numpy as np, pandas as pd, xarray as xr
    >>> t = pd.date_range("2019-06-01", periods=3, freq="h")
    >>> ds = xr.Dataset({"temp_air": ("time", np.array([290.0, 291.0, 292.0]), {"units": "K"})},
    ...                 coords={"time": t}, attrs={"latitude": 45.0, "longitude": 8.0})
    >>> check_physical(ds, "demo")["temp_air"].values.round(2).tolist()
    [16.85, 17.85, 18.85]
    """
    _check_site(ds, source)
    out = convert_units(ds, source)
    times = out["time"].values if "time" in out.coords else np.array([])
    for name in out.data_vars:
        values = np.asarray(out[name].values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            continue
        _check_finite(str(name), values, times, source)
        check = RANGE_CHECKS.get(str(name))
        if check is not None and not np.isnan(values).all():
            check(str(name), values, times, source)
    _check_together(out, source)
    return out
