"""One entry point for every weather file: :func:`read`, a format registry and multi-year stacks.

Formats are declared in :data:`FORMATS` (name -> :class:`WeatherFormat`); nothing dispatches on
names with ``if``/``elif``. Adding a format is one entry, as for ERA5::

    "era5": WeatherFormat(lambda p, y: read_era5(p), "ERA5 single-level netCDF (CDS)"),

ERA5 files are netCDF like the canonical sets, so ``"auto"`` opens a ``.nc`` file as a canonical
set; ERA5 downloads need ``format="era5"`` (the error says so).

``format="auto"`` first asks each format's content sniffer (registry order), then the file
extension; if neither decides, the error lists the supported formats.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.exceptions import ConfigError, DataError
from gridtwin.weather.canonical import open_weather, validate_weather
from gridtwin.weather.components import check_components
from gridtwin.weather.epw import read_epw
from gridtwin.weather.era5 import read_era5
from gridtwin.weather.nsrdb import read_nsrdb
from gridtwin.weather.pvgis import read_pvgis
from gridtwin.weather.sun_check import SunCheck, check_sun
from gridtwin.weather.tmy3 import read_tmy2, read_tmy3

logger = logging.getLogger(__name__)

#: Largest difference of latitude or longitude [deg] between sets stacked as one site.
SITE_TOLERANCE_DEG = 0.01
#: Bytes read from the start of a file to recognise its format.
_SNIFF_BYTES = 2048


@dataclass(frozen=True)
class WeatherFormat:
    """A supported weather file format.

    Attributes
    ----------
    reader : callable
        ``reader(path, reference_year) -> xr.Dataset`` returning a canonical weather set.
    description : str
        Human name, shown in error messages.
    suffixes : tuple of str
        Lower-case file extensions (with the dot) that suggest the format.
    sniff : callable or None
        ``sniff(head) -> bool`` on the first bytes of the file; True if they are this format.
    """

    reader: Callable[[Path, int], xr.Dataset]
    description: str
    suffixes: tuple[str, ...] = ()
    sniff: Callable[[bytes], bool] | None = None


def _lines(head: bytes, n: int = 2) -> list[str]:
    return (head.decode("latin-1").splitlines() + [""] * n)[:n]


def _is_epw(head: bytes) -> bool:
    return head.startswith(b"LOCATION,")


def _is_pvgis_csv(head: bytes) -> bool:
    return head.startswith(b"Latitude (decimal degrees):")


def _is_pvgis_json(head: bytes) -> bool:
    text = head.lstrip()
    return text.startswith(b"{") and b'"inputs"' in text and b'"location"' in text


def _is_nsrdb(head: bytes) -> bool:
    first, second = _lines(head)
    return first.startswith("Source,") and second.startswith("NSRDB")


def _is_tmy3(head: bytes) -> bool:
    return _lines(head)[1].startswith("Date (MM/DD/YYYY),Time (HH:MM)")


def _is_tmy2(head: bytes) -> bool:
    # e.g. " 12839 MIAMI                  FL  -5 N 25 48 W  80 16     2"
    fields = _lines(head)[0].split()
    return len(fields) >= 10 and fields[0].isdigit() and fields[-6] in ("N", "S")


def _is_netcdf(head: bytes) -> bool:
    return head.startswith((b"CDF\x01", b"CDF\x02", b"\x89HDF\r\n\x1a\n"))


#: Variable and dimension names of an ERA5 download (Copernicus CDS short names).
_ERA5_NAMES = frozenset({"ssrd", "t2m", "d2m", "u10", "v10", "u100", "v100", "sp", "valid_time"})


def _open_netcdf(path: Path, reference_year: int) -> xr.Dataset:
    try:
        return open_weather(path)
    except DataError as exc:
        try:
            with xr.open_dataset(path) as raw:
                names = {str(n) for n in (*raw.variables, *raw.dims)}
        except (OSError, ValueError):
            names = set()
        if names & _ERA5_NAMES:  # the hint only where it helps
            raise DataError(f"{exc} (an ERA5 download: read it with format='era5')") from None
        raise


#: Supported formats. ``reference_year`` is used by typical-year formats only.
FORMATS: dict[str, WeatherFormat] = {
    "epw": WeatherFormat(lambda p, y: read_epw(p, y), "EnergyPlus EPW", (".epw",), _is_epw),
    "pvgis": WeatherFormat(
        lambda p, y: read_pvgis(p, y),
        "PVGIS TMY (CSV or JSON)",
        (),
        lambda h: _is_pvgis_csv(h) or _is_pvgis_json(h),
    ),
    "nsrdb": WeatherFormat(lambda p, y: read_nsrdb(p, y), "NSRDB PSM3/PSM4 CSV", (), _is_nsrdb),
    "tmy3": WeatherFormat(lambda p, y: read_tmy3(p, y), "NSRDB TMY3 CSV", (), _is_tmy3),
    "tmy2": WeatherFormat(lambda p, y: read_tmy2(p, y), "NSRDB TMY2", (".tm2",), _is_tmy2),
    "netcdf": WeatherFormat(
        _open_netcdf, "gridtwin canonical netCDF", (".nc", ".nc4", ".netcdf"), _is_netcdf
    ),
    "era5": WeatherFormat(lambda p, y: read_era5(p), "ERA5 single-level netCDF (CDS)"),
}
#: Other names accepted for ``format``.
ALIASES: dict[str, str] = {"psm3": "nsrdb", "psm4": "nsrdb", "nc": "netcdf", "tm2": "tmy2"}


def supported_formats() -> str:
    """One line listing the supported formats, for messages."""
    return "; ".join(f"'{name}' ({fmt.description})" for name, fmt in FORMATS.items())


def detect_format(path: str | Path) -> str:
    """Return the registry name of the format of ``path`` (content first, then extension).

    Raises
    ------
    DataError
        If no format recognises the file; the message lists the supported formats.
    """
    p = Path(path)
    with p.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    for name, fmt in FORMATS.items():
        if fmt.sniff is not None and fmt.sniff(head):
            return name
    for name, fmt in FORMATS.items():
        if p.suffix.lower() in fmt.suffixes:
            return name
    raise DataError(
        f"{p}: unknown weather file format (neither its content nor the extension "
        f"'{p.suffix}' match); supported formats: {supported_formats()}; pass format= "
        "explicitly if the file is one of them"
    )


def read(
    path: str | Path | Sequence[str | Path],
    format: str = "auto",
    reference_year: int = 2019,
    sun_check: SunCheck = "warn",
) -> xr.Dataset:
    """Read a weather file (or several years of one site) into the canonical weather set.

    Parameters
    ----------
    path : str, Path or sequence of them
        One file, or files of consecutive single years of one site (stacked with
        :func:`stack_years`).
    format : str
        A key of :data:`FORMATS` (``"epw"``, ``"pvgis"``, ``"nsrdb"``, ``"tmy3"``, ``"tmy2"``,
        ``"netcdf"``, ``"era5"``; aliases ``"psm3"``, ``"psm4"``) or ``"auto"`` to detect it
        (ERA5 netCDF is not auto-detected: give ``"era5"``).
    reference_year : int
        Year a typical year (months of different years) is re-indexed to.
    sun_check : {"warn", "refuse", "off"}
        What to do when the irradiance is out of step with the sun's position (labels in local
        time, shifted, wrong site; :func:`gridtwin.weather.sun_check.check_sun`): log a
        warning (default), raise :class:`DataError`, or skip the check. Each file is checked.

    Returns
    -------
    xarray.Dataset
        Canonical weather set: hourly, tz-naive UTC, interval-start labels; ``ghi``, ``dni``,
        ``dhi`` [W m-2], ``temp_air`` [degC], ``temp_dew`` [degC] and/or ``relative_humidity``
        [%], ``pressure`` [Pa], ``wind_speed`` [m s-1] (attribute ``height_m``), ``albedo`` [1]
        when the source has real values; site and provenance in the attributes.

    Raises
    ------
    DataError
        If a file is missing, of an unknown format, fails the checks of
        :func:`~gridtwin.weather.normalise.normalise` and
        :func:`~gridtwin.weather.physical.check_physical` or
        :func:`~gridtwin.weather.components.check_components` (components that contradict each
        other or daylight), or (``sun_check="refuse"``) is out of step with the sun.

    Examples
    --------
    >>> import pvlib, pathlib
    >>> ds = read(pathlib.Path(pvlib.__file__).parent / "data" / "723170TYA.CSV")
    >>> ds.sizes["time"], str(ds["time"].values[0])[:16]
    (8760, '2019-01-01T05:00')
    """
    if not 1900 <= reference_year <= 2100:
        raise ConfigError(
            f"reference year {reference_year} is outside 1900-2100; give a year like 2019"
        )
    if isinstance(path, Sequence) and not isinstance(path, str):
        parts = [read(p, format, reference_year, sun_check) for p in path]
        for part, p in zip(parts, path, strict=True):  # errors name the files
            part.attrs["file"] = str(p)
        return stack_years(parts)
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: weather file not found; give the path of an existing file")
    if p.stat().st_size == 0:
        raise DataError(f"{p}: the file is empty (0 bytes); download or export it again")
    name = detect_format(p) if format == "auto" else ALIASES.get(format.lower(), format.lower())
    if name not in FORMATS:
        raise DataError(
            f"{p}: unknown format '{format}'; supported formats: {supported_formats()} or 'auto'"
        )
    logger.debug("reading %s as %s", p, name)
    ds = FORMATS[name].reader(p, reference_year)
    report = check_sun(ds, str(p), sun_check)
    # a set out of step with the sun cannot close with the sun's position: reported above
    check_components(ds, str(p), closure=report is None or not report.flagged)
    return ds


def stack_years(datasets: Sequence[xr.Dataset]) -> xr.Dataset:
    """Concatenate single-year canonical sets of one site into one multi-year set.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Canonical weather sets (any order); same site within :data:`SITE_TOLERANCE_DEG`, same
        variables and wind height, and together one hourly series without overlap or gap.

    Returns
    -------
    xarray.Dataset
        The sets in time order; ``gaps_filled`` and ``negative_clipped`` summed; ``source``
        joined with ``" + "``; attribute ``stacked_from`` lists the parts.

    Raises
    ------
    DataError
        Naming the sets and the time span, if the sites differ, the variables differ, two sets
        overlap, or there are missing hours between two sets.
    """
    if not datasets:
        raise DataError("stack_years: no weather sets given")
    parts = sorted(datasets, key=lambda d: d["time"].values[0])
    first = parts[0]
    names = [
        str(d.attrs.get("file", d.attrs.get("source", f"set {i}"))) for i, d in enumerate(parts)
    ]
    for ds, name in zip(parts[1:], names[1:], strict=True):
        dlat = abs(float(ds.attrs["latitude"]) - float(first.attrs["latitude"]))
        dlon = abs(float(ds.attrs["longitude"]) - float(first.attrs["longitude"]))
        if max(dlat, dlon) > SITE_TOLERANCE_DEG:
            raise DataError(
                f"{name}: site ({ds.attrs['latitude']}, {ds.attrs['longitude']}) differs from "
                f"{names[0]} ({first.attrs['latitude']}, {first.attrs['longitude']}) by more "
                f"than {SITE_TOLERANCE_DEG} deg; stack only years of one site"
            )
        if set(ds.data_vars) != set(first.data_vars):
            diff = sorted(str(v) for v in set(ds.data_vars) ^ set(first.data_vars))
            raise DataError(
                f"{name}: variable(s) {', '.join(diff)} present in only one of {names[0]} and "
                f"{name}; stacked years need the same variables"
            )
        if ds["wind_speed"].attrs.get("height_m") != first["wind_speed"].attrs.get("height_m"):
            raise DataError(
                f"{name}: variable 'wind_speed' at {ds['wind_speed'].attrs.get('height_m')} m, "
                f"{names[0]} at {first['wind_speed'].attrs.get('height_m')} m"
            )
    hour = np.timedelta64(1, "h")
    for (a, na), (b, nb) in zip(
        zip(parts[:-1], names[:-1], strict=True),
        zip(parts[1:], names[1:], strict=True),
        strict=True,
    ):
        end, start = a["time"].values[-1], b["time"].values[0]
        if start <= end:
            raise DataError(
                f"{na} and {nb}: variable 'time': the sets overlap from {pd.Timestamp(start)} "
                f"to {pd.Timestamp(min(end, b['time'].values[-1]))}; stack distinct years"
            )
        if start != end + hour:
            raise DataError(
                f"{na} and {nb}: variable 'time': hours missing from "
                f"{pd.Timestamp(end + hour)} to {pd.Timestamp(start - hour)} between the "
                "sets; stacked years must be contiguous"
            )
    ds = xr.concat(parts, dim="time", data_vars="all", combine_attrs="override")
    for var in ds.data_vars:
        for key in ("gaps_filled", "negative_clipped"):
            if key in first[var].attrs:
                ds[var].attrs[key] = int(sum(int(d[var].attrs.get(key, 0)) for d in parts))
    ds.attrs["source"] = " + ".join(str(d.attrs.get("source", "")) for d in parts)
    ds.attrs.pop("file", None)  # set by read() for the messages above; one per part
    ds.attrs["stacked_from"] = "; ".join(names)
    ds.attrs["title"] = f"{first.attrs.get('title', 'weather')} ({len(parts)} sets stacked)"
    return validate_weather(ds, source=ds.attrs["source"])
