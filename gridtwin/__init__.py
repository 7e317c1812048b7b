"""gridtwin: co-optimise 24/7 carbon-free power for large AI data-center campuses with the grid."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xarray as xr

try:
    __version__ = version("gridtwin")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"


def open_results(path: str | Path) -> xr.Dataset:
    """Open a gridtwin result (``gridtwin run``, ``gridtwin sweep``) fully into memory.

    The returned dataset has the figure helpers of :mod:`gridtwin.plots` as the ``gridtwin``
    accessor: ``ds.gridtwin.dispatch()``, ``.capacity_mix()``, ``.duration_curves()``,
    ``.state_of_charge()``, ``.cost_curve()`` (sweeps), ``.poi_loading()`` (after
    ``gridtwin grid check``) and ``.summary()``; each figure is a matplotlib ``Figure``.

    Parameters
    ----------
    path : str or Path
        Result netCDF file.

    Returns
    -------
    xarray.Dataset
        Dims ``time``, ``technology``, ``storage`` (and ``scenario`` for a sweep); units in
        each variable's ``attrs["units"]`` (docs/conventions.md).

    Raises
    ------
    gridtwin.exceptions.DataError
        The file is missing, unreadable or not a gridtwin result.
    """
    from gridtwin.results import open_results as _open

    return _open(path)


# registers the ds.gridtwin accessor (figures) on every xarray Dataset once gridtwin is imported
from gridtwin import plots  # noqa: E402

__all__ = ["__version__", "open_results", "plots"]
