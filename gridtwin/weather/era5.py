"""Reader of ERA5 single-level netCDF files (Copernicus Climate Data Store) into the canonical set.

ERA5 conventions and how they are converted (docs/conventions.md: UTC, interval start, means):

Accumulated radiation (``ssrd``, ``fdir``) [J m-2]
    The value stamped ``t`` is the energy accumulated over the hour **ending** at ``t``
    (ERA5 documentation, "Parameter listings", accumulations). It becomes the mean irradiance
    [W m-2] = value / 3600 s of the interval **starting** at ``t - 1 h``.
Instantaneous fields (``u100``, ``v100``, ``u10``, ``v10``, ``t2m``, ``d2m``, ``sp``, ``fsr``)
    The value stamped ``t`` is valid **at** ``t``. The value of the interval ``[t - 1 h, t)`` is
    the mean of the values at its two ends (trapezoidal rule). Reasons: (i) it estimates the
    interval mean to second order, whereas the start (or end) value alone is off by half the
    hourly change (often 1 K on a morning temperature ramp, 1 m s-1 on a wind ramp) and shifts
    the diurnal cycle by 30 min against the irradiance, which *is* an interval mean; (ii) it is
    symmetric in time, so no half-hour phase error enters PV cell temperature or wind power.
    Wind speed is averaged as a speed (``|v|`` at both ends, then the mean), not as a vector, so
    a veering wind does not lose speed. ``relative_humidity`` is computed from the averaged
    ``temp_air`` and ``temp_dew``, so the three stay psychrometrically consistent.

Consequence: ``N`` hourly ERA5 stamps give ``N - 1`` canonical hours, labelled from the first
ERA5 stamp to the second-to-last one (the first accumulation covers the hour *before* the first
instantaneous value and is dropped). To obtain the full calendar year ``Y`` download the stamps
``Y-01-01 00:00`` through ``Y+1-01-01 00:00`` (8761 stamps -> 8760 hours).

Direct normal irradiance
    ERA5's ``fdir`` is the total-sky direct radiation on a *horizontal* plane. ``dni`` =
    ``fdir / 3600 / cos(z)`` with ``z`` the apparent solar zenith from :mod:`pvlib.solarposition`
    at the interval midpoint (the geometry :mod:`gridtwin.weather.resources` uses to project dni
    back, so ``dni * cos(z)`` reproduces ``fdir`` exactly). The division is ill-conditioned near
    the horizon, so ``dni = 0`` when ``z > 87 deg`` (:data:`MAX_ZENITH_DEG`) and ``dni`` is capped
    at the extraterrestrial normal irradiance (:func:`pvlib.irradiance.get_extra_radiation`).
    ``dhi = ghi - dni * cos(z)``, at least 0: it equals ``ghi - fdir`` wherever ``dni`` is not
    limited, and the direct energy removed by the guards moves into ``dhi`` so that the closure
    ``ghi = dhi + dni cos(z)`` holds in every hour.

References
----------
.. [1] Hersbach, H. et al. (2020). The ERA5 global reanalysis. Quarterly Journal of the Royal
   Meteorological Society 146(730), 1999-2049. https://doi.org/10.1002/qj.3803
.. [2] ECMWF (2024). ERA5: data documentation, section "Mean rates/fluxes and accumulations".
   https://confluence.ecmwf.int/display/CKB/ERA5%3A+data+documentation
.. [3] Hofmann, F. et al. (2021). atlite: A Lightweight Python Package for Calculating Renewable
   Power Potentials and Time Series. JOSS 6(62), 3294. https://doi.org/10.21105/joss.03294
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from gridtwin.campus.psychrometrics import relative_humidity_from_dew_point
from gridtwin.conventions import CF_CONVENTIONS, annotate, lat_lon
from gridtwin.exceptions import DataError
from gridtwin.weather.canonical import span_text, validate_weather

logger = logging.getLogger(__name__)

#: Above this apparent solar zenith [deg] ``dni`` is set to 0 (its direct energy goes to ``dhi``).
MAX_ZENITH_DEG: Final = 87.0
#: Length of an ERA5 accumulation period [s].
ACCUMULATION_S: Final = 3600.0
#: Negative accumulations down to this value [J m-2] are packing noise and set to 0.
NEGATIVE_TOLERANCE_J_M2: Final = 10.0
#: Standard gravity [m s-2], converts the ERA5 surface geopotential ``z`` to altitude.
STANDARD_GRAVITY: Final = 9.80665

#: ERA5 short name -> accepted spellings of its units attribute (compared without blanks).
_UNITS: Final[dict[str, tuple[str, ...]]] = {
    "u100": ("m s**-1", "m s-1", "m/s"),
    "v100": ("m s**-1", "m s-1", "m/s"),
    "u10": ("m s**-1", "m s-1", "m/s"),
    "v10": ("m s**-1", "m s-1", "m/s"),
    "t2m": ("K",),
    "d2m": ("K",),
    "sp": ("Pa",),
    "ssrd": ("J m**-2", "J m-2", "J/m2", "J/m**2"),
    "fdir": ("J m**-2", "J m-2", "J/m2", "J/m**2"),
    "fsr": ("m",),
    "z": ("m**2 s**-2", "m2 s-2", "m^2/s^2"),
}
#: Variables a file must hold.
REQUIRED: Final[tuple[str, ...]] = ("u100", "v100", "t2m", "d2m", "sp", "ssrd", "fdir")
#: Long CDS names some tools write instead of the short names.
_ALIASES: Final[dict[str, str]] = {
    "100m_u_component_of_wind": "u100",
    "100m_v_component_of_wind": "v100",
    "10m_u_component_of_wind": "u10",
    "10m_v_component_of_wind": "v10",
    "2m_temperature": "t2m",
    "2m_dewpoint_temperature": "d2m",
    "surface_pressure": "sp",
    "surface_solar_radiation_downwards": "ssrd",
    "total_sky_direct_solar_radiation_at_surface": "fdir",
    "forecast_surface_roughness": "fsr",
}
#: Variables this reader adds beyond :data:`gridtwin.conventions.VARIABLES`: (units, long_name).
EXTRA_VARIABLES: Final[dict[str, tuple[str, str]]] = {
    "wind_speed_10m": ("m s-1", "wind speed at 10 m above ground, mean over the interval"),
    "roughness_length": ("m", "surface roughness length (ERA5 forecast surface roughness)"),
}

_HOUR: Final = np.timedelta64(1, "h")


def _units_ok(name: str, units: str) -> bool:
    accepted = {u.replace(" ", "") for u in _UNITS[name]}
    return units.replace(" ", "") in accepted


def _open_one(path: Path) -> xr.Dataset:
    if not path.is_file():
        raise DataError(f"{path}: ERA5 file not found; give the path of a CDS netCDF download")
    try:
        with xr.open_dataset(path, decode_timedelta=False) as handle:
            ds = handle.load()
    except (OSError, ValueError) as exc:
        raise DataError(
            f"{path}: cannot read as netCDF ({exc}); a CDS download in GRIB or a zip archive "
            "must be converted or unpacked first (new CDS zips hold one .nc per step type)"
        ) from None
    ds = ds.rename({k: v for k, v in _ALIASES.items() if k in ds.variables})
    if "valid_time" in ds.dims or "valid_time" in ds.coords:  # new CDS (2024+) layout
        ds = ds.drop_vars("time", errors="ignore").rename({"valid_time": "time"})
    if "time" not in ds.dims:
        raise DataError(f"{path}: no 'time' or 'valid_time' dimension; is it an ERA5 file?")
    if "number" in ds.dims:  # ensemble member dim of size 1 (reanalysis)
        if ds.sizes["number"] != 1:
            raise DataError(
                f"{path}: variable 'number' has {ds.sizes['number']} ensemble members; "
                "download the reanalysis (one member), not the ensemble"
            )
        ds = ds.isel(number=0)
    if "expver" in ds.dims:  # old CDS: ERA5 (1) and ERA5T (5) as a dimension, NaN elsewhere
        parts = [ds.isel(expver=i, drop=True) for i in range(ds.sizes["expver"])]
        merged = parts[0]
        for part in parts[1:]:
            merged = merged.combine_first(part)
        ds = merged
    return ds.drop_vars(
        [c for c in ("number", "expver", "step", "surface") if c in ds.coords and c not in ds.dims]
    )


def _open(paths: Sequence[Path]) -> xr.Dataset:
    parts = [_open_one(p) for p in paths]
    if len(parts) == 1:
        return parts[0]
    try:
        return xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop_conflicts")
    except (ValueError, xr.MergeError) as exc:
        names = ", ".join(str(p) for p in paths)
        raise DataError(f"{names}: cannot merge the ERA5 files ({exc})") from None


def _coord(ds: xr.Dataset, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in ds.coords), None)


def _select_cell(
    ds: xr.Dataset, latitude: float | None, longitude: float | None, source: str
) -> tuple[xr.Dataset, float, float]:
    """Pick the grid cell nearest to (``latitude``, ``longitude``) [deg], or the only cell."""
    lat_name = _coord(ds, ("latitude", "lat"))
    lon_name = _coord(ds, ("longitude", "lon"))
    if lat_name is None or lon_name is None:
        if latitude is None or longitude is None:
            raise DataError(
                f"{source}: no latitude/longitude coordinates; pass latitude= and longitude="
            )
        return ds, float(latitude), float(longitude)
    lats = np.atleast_1d(ds[lat_name].values).astype(float)
    lons = np.atleast_1d(ds[lon_name].values).astype(float)
    if latitude is None or longitude is None:
        if lats.size != 1 or lons.size != 1:
            raise DataError(
                f"{source}: holds {lats.size} x {lons.size} grid cells; pass latitude= and "
                "longitude= [deg] to read_era5 to choose the cell nearest to the site, or "
                "download a single grid point"
            )
        i = j = 0
    else:
        dlon = (lons - longitude + 180.0) % 360.0 - 180.0
        i, j = int(np.argmin(np.abs(lats - latitude))), int(np.argmin(np.abs(dlon)))
        step = max(
            float(np.min(np.abs(np.diff(lats)))) if lats.size > 1 else 0.25,
            float(np.min(np.abs(np.diff(lons)))) if lons.size > 1 else 0.25,
        )
        off_lat, off_lon = abs(lats[i] - latitude), abs(dlon[j])
        if off_lat > step or off_lon > step:
            raise DataError(
                f"{source}: the site ({latitude:g}, {longitude:g}) lies outside the area of the "
                f"file (nearest cell {lats[i]:g}, {lons[j]:g}); download ERA5 for the site"
            )
    sel: dict[str, int] = {}
    if lat_name in ds.dims:
        sel[lat_name] = i
    if lon_name in ds.dims:
        sel[lon_name] = j
    point = ds.isel(sel).drop_vars([lat_name, lon_name])
    lon = float((lons[j] + 180.0) % 360.0 - 180.0)
    return point, float(lats[i]), lon


def _check(ds: xr.Dataset, source: str) -> None:
    missing = [v for v in REQUIRED if v not in ds.data_vars]
    if missing:
        raise DataError(
            f"{source}: ERA5 variable(s) {', '.join(missing)} missing; request them from the CDS "
            "(u100, v100, t2m, d2m, sp, ssrd, fdir; optional u10, v10, fsr)"
        )
    times = ds["time"].values
    for name in _UNITS:
        if name not in ds.data_vars:
            continue
        units = str(ds[name].attrs.get("units", ""))
        if not _units_ok(name, units):
            raise DataError(
                f"{source}: variable '{name}' has units {units!r}; expected "
                f"{_UNITS[name][0]!r} as in the CDS download"
            )
        if ds[name].dims != ("time",) and name != "z":
            raise DataError(f"{source}: variable '{name}' has dims {ds[name].dims}; want time")
        nan = np.isnan(np.asarray(ds[name].values, dtype=float))
        if name != "z" and nan.any():
            raise DataError(
                f"{source}: variable '{name}' has NaN {span_text(times, nan)}; "
                "download the full span"
            )
    if times.size < 2:
        raise DataError(f"{source}: variable 'time' has {times.size} stamp(s); need hourly data")
    step = np.diff(times)
    if np.any(step != _HOUR):
        k = int(np.argmax(step != _HOUR))
        raise DataError(
            f"{source}: variable 'time' is not hourly and regular: step of "
            f"{pd.Timedelta(step[k])} between {pd.Timestamp(times[k])} and "
            f"{pd.Timestamp(times[k + 1])}; download hourly ERA5 data without gaps"
        )


def _accumulation(ds: xr.Dataset, name: str, source: str) -> np.ndarray:
    """Hourly accumulation [J m-2] with packing noise below zero removed."""
    values = np.asarray(ds[name].values, dtype=float)
    tolerance = max(NEGATIVE_TOLERANCE_J_M2, abs(float(ds[name].encoding.get("scale_factor", 0))))
    negative = values < -tolerance
    if negative.any():
        raise DataError(
            f"{source}: variable '{name}' is negative {span_text(ds['time'].values, negative)} "
            f"(down to {values.min():.0f} J m-2, beyond rounding of {tolerance:g}); an "
            "accumulation must be >= 0: is it a de-accumulated or corrupt file?"
        )
    return np.clip(values, 0.0, None)


def interval_mean(values: np.ndarray) -> np.ndarray:
    """Mean of an instantaneous field over each interval between consecutive stamps.

    Parameters
    ----------
    values : numpy.ndarray
        ``N`` values valid at ``N`` consecutive hourly stamps [any unit].

    Returns
    -------
    numpy.ndarray
        ``N - 1`` interval means (trapezoidal rule), the ``k``-th for ``[t_k, t_k+1)`` [same unit].
    """
    v = np.asarray(values, dtype=float)
    return 0.5 * (v[:-1] + v[1:])


def convert_irradiance(
    ssrd: np.ndarray,
    fdir: np.ndarray,
    start: pd.DatetimeIndex,
    latitude: float,
    longitude: float,
    altitude: float = 0.0,
    pressure: np.ndarray | None = None,
    temp_air: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ERA5 hourly accumulations -> mean ghi, dni, dhi of the intervals starting at ``start``.

    Parameters
    ----------
    ssrd, fdir : numpy.ndarray
        Surface solar radiation downwards and total-sky direct radiation on the horizontal,
        accumulated over each interval [J m-2], already aligned with ``start``.
    start : pandas.DatetimeIndex
        Interval starts, tz-naive UTC.
    latitude, longitude : float
        Grid cell [deg].
    altitude : float
        Grid cell altitude [m], used for the solar position.
    pressure : numpy.ndarray, optional
        Surface pressure [Pa] for atmospheric refraction; default from ``altitude``.
    temp_air : numpy.ndarray, optional
        Air temperature [degC] for atmospheric refraction; default 12 degC.

    Returns
    -------
    tuple of numpy.ndarray
        ``ghi``, ``dni``, ``dhi`` [W m-2], interval means; ``ghi = dhi + dni cos(z)``.
    """
    ghi = np.asarray(ssrd, dtype=float) / ACCUMULATION_S
    direct_h = np.minimum(np.asarray(fdir, dtype=float) / ACCUMULATION_S, ghi)
    mid = pd.DatetimeIndex(start).tz_localize("UTC") + pd.Timedelta(minutes=30)
    p_air = pvlib.atmosphere.alt2pres(altitude) if pressure is None else pressure
    sun = pvlib.solarposition.get_solarposition(
        mid,
        latitude,
        longitude,
        altitude=altitude,
        pressure=p_air,
        temperature=12.0 if temp_air is None else temp_air,
    )
    zenith = sun["apparent_zenith"].to_numpy(dtype=float)
    cos_z = np.cos(np.radians(zenith))
    dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(mid), dtype=float)
    high = zenith <= MAX_ZENITH_DEG
    dni = np.zeros_like(ghi)
    dni[high] = np.minimum(direct_h[high] / cos_z[high], dni_extra[high])
    dhi = np.clip(ghi - dni * np.where(high, cos_z, 0.0), 0.0, None)
    return ghi, dni, dhi


def read_era5(
    path: str | Path | Sequence[str | Path],
    latitude: float | None = None,
    longitude: float | None = None,
) -> xr.Dataset:
    """Read ERA5 single-level netCDF (CDS download) into a canonical weather set.

    Parameters
    ----------
    path : str or Path, or a sequence of them
        One netCDF file, or several to merge (the new CDS splits a download into one file per
        step type, e.g. ``data_stream-oper_stepType-instant.nc`` and ``...-accum.nc``). Old CDS
        layout (dim ``time``, maybe ``expver``) and new layout (dim ``valid_time``, coords
        ``expver``, ``number``) are both accepted.
    latitude, longitude : float, optional
        Site [deg]; the nearest grid cell is used. Required if the file holds several cells.

    Returns
    -------
    xarray.Dataset
        Canonical weather set: ``ghi``, ``dni``, ``dhi`` [W m-2], ``temp_air``, ``temp_dew``
        [degC], ``relative_humidity`` [%], ``pressure`` [Pa], ``wind_speed`` [m s-1] at
        ``height_m`` = 100 m, and when present ``wind_speed_10m`` [m s-1] and
        ``roughness_length`` [m]. Attributes ``latitude``/``longitude`` are the chosen grid
        cell (``altitude`` from the geopotential ``z`` if the file has it);
        ``era5_requested_latitude``/``..._longitude`` the site asked for. ``N`` ERA5 stamps
        give ``N - 1`` hours (see the module docstring).

    Raises
    ------
    DataError
        If a file is missing or unreadable, a variable is missing, has wrong units or NaN, the
        time axis is not hourly, an accumulation is negative beyond rounding, or the site lies
        outside the file's area; the message names the file, variable and time span.
    """
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    if not paths:
        raise DataError("read_era5: no file given")
    source = ", ".join(str(p) for p in paths)
    ds, lat, lon = _select_cell(_open(paths), latitude, longitude, source)
    _check(ds, source)

    time = pd.DatetimeIndex(ds["time"].values).as_unit("ns")
    start = time[:-1]  # interval [t_k, t_k+1) takes the accumulation stamped t_k+1
    altitude = None
    if "z" in ds.data_vars:
        altitude = float(np.nanmean(np.asarray(ds["z"].values, dtype=float))) / STANDARD_GRAVITY
    data_vars = _interval_variables(ds, start, lat, lon, altitude, source)

    out = xr.Dataset(data_vars, coords={"time": start})
    out["time"].attrs.update(long_name="start of the hourly interval (UTC)", standard_name="time")
    out["wind_speed"].attrs["height_m"] = 100.0
    for name, (units, long_name) in EXTRA_VARIABLES.items():
        if name in out:
            out[name].attrs.update(units=units, long_name=long_name)
    if "wind_speed_10m" in out:
        out["wind_speed_10m"].attrs["height_m"] = 10.0
    out.attrs.update(_attributes(paths, lat, lon))
    if altitude is not None:
        out.attrs["altitude"] = altitude
    if latitude is not None and longitude is not None:
        out.attrs.update(era5_requested_latitude=latitude, era5_requested_longitude=longitude)
    out = validate_weather(out, source=source)  # ranges checked before psychrometrics
    out["relative_humidity"] = (
        "time",
        relative_humidity_from_dew_point(out["temp_air"].values, out["temp_dew"].values),
    )
    annotate(out)
    logger.debug("read ERA5 %s: cell %.3f, %.3f, %d hours", source, lat, lon, out.sizes["time"])
    return out


def _interval_variables(
    ds: xr.Dataset,
    start: pd.DatetimeIndex,
    lat: float,
    lon: float,
    altitude: float | None,
    source: str,
) -> dict[str, tuple[str, np.ndarray]]:
    """The canonical variables on the hourly intervals: instantaneous fields as the mean of
    both ends, accumulations of the interval's end stamp, irradiance split with the sun's
    position (dew point limited to the air temperature)."""
    temp_air = interval_mean(ds["t2m"].values) - 273.15
    temp_dew_raw = interval_mean(ds["d2m"].values) - 273.15
    supersaturated = temp_dew_raw > temp_air
    if supersaturated.any():
        logger.info(
            "%s: d2m > t2m in %d hour(s); dew point limited to the air temperature",
            source,
            int(supersaturated.sum()),
        )
    temp_dew = np.minimum(temp_dew_raw, temp_air)
    pressure = interval_mean(ds["sp"].values)
    speed100 = np.hypot(ds["u100"].values.astype(float), ds["v100"].values.astype(float))
    ghi, dni, dhi = convert_irradiance(
        _accumulation(ds, "ssrd", source)[1:],
        _accumulation(ds, "fdir", source)[1:],
        start,
        lat,
        lon,
        altitude=0.0 if altitude is None else altitude,
        pressure=pressure,
        temp_air=temp_air,
    )
    data_vars: dict[str, tuple[str, np.ndarray]] = {
        "ghi": ("time", ghi),
        "dni": ("time", dni),
        "dhi": ("time", dhi),
        "temp_air": ("time", temp_air),
        "temp_dew": ("time", temp_dew),
        "pressure": ("time", pressure),
        "wind_speed": ("time", interval_mean(speed100)),
    }
    if "u10" in ds.data_vars and "v10" in ds.data_vars:
        speed10 = np.hypot(ds["u10"].values.astype(float), ds["v10"].values.astype(float))
        data_vars["wind_speed_10m"] = ("time", interval_mean(speed10))
    if "fsr" in ds.data_vars:
        data_vars["roughness_length"] = ("time", interval_mean(ds["fsr"].values))
    return data_vars


def _attributes(paths: list[Path], lat: float, lon: float) -> dict[str, object]:
    """Global attributes of an ERA5 weather set: provenance and the time conventions."""
    return dict(
        Conventions=CF_CONVENTIONS,
        title=f"ERA5 hourly reanalysis, grid cell {lat_lon(lat, lon)}",
        latitude=lat,
        longitude=lon,
        source=f"{', '.join(p.name for p in paths)}, ERA5 single levels via gridtwin.weather.era5",
        original_time_convention=(
            "ERA5: accumulations labelled at the end of the hour, instantaneous fields valid "
            "at the stamp; UTC"
        ),
        time_convention="UTC, interval start",
        instantaneous_to_interval="mean of the values at both ends of the interval",
        dni_method=(
            f"fdir / cos(apparent zenith at interval midpoint); 0 above {MAX_ZENITH_DEG:g} deg; "
            "capped at extraterrestrial dni"
        ),
        era5_grid_cell=f"{lat:.4f}, {lon:.4f}",
    )
