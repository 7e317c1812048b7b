"""Result files: atomic netCDF writes and a checked open."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import xarray as xr

from gridtwin.exceptions import DataError
from gridtwin.io import write_netcdf


def write_results(ds: xr.Dataset, path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Write a result dataset to netCDF atomically (see :func:`gridtwin.io.write_netcdf`).

    An existing file is replaced only if it is a gridtwin result, and never if it is one of
    ``inputs`` (the study's weather and series files).
    """
    return write_netcdf(ds, path, inputs=inputs, kind="result")


def open_results(path: str | Path) -> xr.Dataset:
    """Open a result file fully into memory.

    Raises
    ------
    DataError
        If the file is missing or is not a gridtwin result.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: result file not found")
    try:
        with xr.open_dataset(p, engine="netcdf4") as ds:
            out = ds.load()
    except (OSError, ValueError) as exc:
        raise DataError(f"{p}: not a readable netCDF file ({exc})") from None
    if "p_nom_opt" not in out or "cfe_score" not in out:
        raise DataError(f"{p}: not a gridtwin result (no p_nom_opt / cfe_score variables)")
    return out


def single_run(ds: xr.Dataset, path: str | Path, use: str) -> xr.Dataset:
    """``ds`` if it is the result of one run; a result with investment periods or of a fleet
    is refused.

    Parameters
    ----------
    ds : xarray.Dataset
    path : str or Path
        The file, for the message.
    use : str
        What needs a single run (e.g. ``"gridtwin export"``), for the message.

    Raises
    ------
    DataError
        ``ds`` has a ``period`` or ``site`` dimension.
    """
    if "period" in ds.dims:
        years = [int(y) for y in ds["period"].values]
        raise DataError(
            f"{path}: a result with investment periods {years}; {use} takes one period's "
            f"result: write it with xarray, e.g. ds.sel(period={years[-1]}).to_netcdf("
            "'period.nc')"
        )
    if "site" in ds.dims:
        sites = [str(s) for s in ds["site"].values]
        raise DataError(
            f"{path}: a fleet result of campuses {sites}; {use} takes one campus's result: "
            "write it with gridtwin.fleet.results.site_result(ds, "
            f"{sites[0]!r}).to_netcdf('campus.nc')"
        )
    return ds


__all__ = ["open_results", "single_run", "write_results"]
