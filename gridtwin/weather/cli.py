"""``gridtwin weather``: import weather files and fetch PVGIS typical years from the command line.

Commands::

    gridtwin weather import PATH -o OUT.nc [--format auto] [--reference-year 2019]
    gridtwin weather fetch --lat 45 --lon 8 [-o OUT.nc] [--refresh] [--cache-dir DIR]

Both write a canonical weather set (netCDF, :func:`gridtwin.weather.canonical.write_weather`,
atomic) and print a summary. A :class:`~gridtwin.exceptions.GridTwinError` becomes one line on
stderr and exit code 1 (2 for a bad argument: :class:`~gridtwin.exceptions.ConfigError`), with
no traceback. Mount the sub-app on the main CLI with
``app.add_typer(weather_app, name="weather")``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
import xarray as xr
from rich.table import Table

from gridtwin.console import console, fail
from gridtwin.conventions import lat_lon
from gridtwin.exceptions import ConfigError, GridTwinError

logger = logging.getLogger(__name__)

weather_app = typer.Typer(
    name="weather",
    help="Import weather files into the canonical weather set, or fetch a PVGIS typical year.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)

#: Hours of a common and of a leap year: a weather set of this length is a full year.
_YEAR_HOURS = (8760, 8784)


def summarise(ds: xr.Dataset) -> dict[str, str]:
    """Key figures of a canonical weather set, formatted for display.

    Parameters
    ----------
    ds : xarray.Dataset
        Canonical weather set.

    Returns
    -------
    dict of str to str
        ``site``, ``period`` (UTC), ``hours``, ``annual GHI`` [kWh m-2 a-1] (the sum for a full
        year, else the mean scaled to 8760 h), ``mean temp_air`` [degC] and ``gaps filled``
        (values interpolated by the reader, per variable).
    """
    times = pd.DatetimeIndex(ds["time"].values)
    hours = times.size
    ghi = np.asarray(ds["ghi"].values, dtype=float)
    annual = ghi.sum() / 1000.0 if hours in _YEAR_HOURS else ghi.mean() * 8.76
    name = str(ds.attrs.get("site_name", "") or ds.attrs.get("title", "")).strip()
    site = lat_lon(float(ds.attrs["latitude"]), float(ds.attrs["longitude"]))
    if "altitude" in ds.attrs:
        site += f", {float(ds.attrs['altitude']):.0f} m"
    filled = {
        str(v): int(ds[v].attrs.get("gaps_filled", 0))
        for v in ds.data_vars
        if int(ds[v].attrs.get("gaps_filled", 0)) > 0
    }
    return {
        "site": f"{name} ({site})" if name else site,
        "period": f"{times[0]:%Y-%m-%d %H:%M} to {times[-1]:%Y-%m-%d %H:%M} UTC (interval start)",
        "hours": f"{hours}",
        "annual GHI": f"{annual:,.1f} kWh m-2 a-1"
        + ("" if hours in _YEAR_HOURS else " (mean x 8760 h)"),
        "mean temp_air": f"{float(ds['temp_air'].mean()):.2f} degC",
        "gaps filled": ", ".join(f"{k} {n}" for k, n in filled.items()) if filled else "none",
    }


def _print_summary(ds: xr.Dataset, out: Path | None, source: str) -> None:
    table = Table(title=f"weather set from {source}", title_justify="left", show_header=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    for key, value in summarise(ds).items():
        table.add_row(key, value)
    if out is not None:
        table.add_row("written", str(out))
    console.print(table)


@weather_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Weather file (EPW, PVGIS, NSRDB PSM3, TMY2/3).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Canonical weather netCDF to write.")
    ],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Source format, or 'auto' to detect it.")
    ] = "auto",
    reference_year: Annotated[
        int,
        typer.Option(
            "--reference-year", min=1900, max=2100, help="Year a typical year is re-indexed to."
        ),
    ] = 2019,
) -> None:
    """Read a weather file and write it as a canonical weather set (UTC, interval start)."""
    from gridtwin.weather import read
    from gridtwin.weather.canonical import write_weather
    from gridtwin.weather.readers import ALIASES, FORMATS, supported_formats

    try:
        if format != "auto" and ALIASES.get(format.lower(), format.lower()) not in FORMATS:
            raise ConfigError(
                f"--format {format!r}: unknown; choose 'auto' or one of: {supported_formats()}"
            )
        ds = read(path, format=format, reference_year=reference_year)
        written = write_weather(ds, output)
    except GridTwinError as exc:
        raise fail(exc) from None
    _print_summary(ds, written, path.name)


@weather_app.command("fetch")
def fetch(
    lat: Annotated[float, typer.Option("--lat", help="Site latitude [deg north].")],
    lon: Annotated[float, typer.Option("--lon", help="Site longitude [deg east].")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Canonical weather netCDF to write (optional)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Download again even if cached.")
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Cache folder (default $GRIDTWIN_CACHE/pvgis or ~/.cache/...)."
        ),
    ] = None,
    reference_year: Annotated[
        int,
        typer.Option(
            "--reference-year", min=1900, max=2100, help="Year the typical year is re-indexed to."
        ),
    ] = 2019,
) -> None:
    """Download the PVGIS typical meteorological year of a site once (cached) and summarise it."""
    from gridtwin.weather import read
    from gridtwin.weather.canonical import write_weather
    from gridtwin.weather.fetch import fetch_pvgis_tmy

    try:
        raw = fetch_pvgis_tmy(lat, lon, cache_dir, refresh=refresh)
        ds = read(raw, format="pvgis", reference_year=reference_year)
        written = write_weather(ds, output) if output is not None else None
    except GridTwinError as exc:
        raise fail(exc) from None
    console.print(f"PVGIS response cached in {raw}")
    _print_summary(ds, written, f"PVGIS TMY ({lat:g}, {lon:g})")
