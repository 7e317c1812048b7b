"""Figure of a fleet result: where the training work went, hour by hour."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.plots.common import _figure, _require

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def work_moved(ds: xr.Dataset) -> Figure:
    """IT load moved along each link in every hour [MW] (top) and each campus's IT energy
    moved away and taken in over the horizon, per year [GWh/a] (bottom).

    Raises
    ------
    DataError
        The result is not a fleet's (no ``moved``).
    """
    from gridtwin.fleet.results import SITE, TRANSFER

    _require(ds, ("moved", "transfer_origin"), "work_moved", "a fleet result (gridtwin run "
             "with a fleet section)")  # fmt: skip
    fig, axes = _figure(2, 1, figsize=(11, 6.5))
    top, bottom = axes[0, 0], axes[1, 0]
    times = pd.DatetimeIndex(ds["time"].values)
    for name in ds[TRANSFER].values:
        top.plot(times, ds["moved"].sel({TRANSFER: name}).to_numpy(), lw=0.8, label=str(name))
    top.set_ylabel("IT load moved [MW]")
    top.set_title("Training work moved between campuses (UTC)")
    if len(ds[TRANSFER]):
        top.legend(fontsize=8, frameon=False)
    else:
        top.text(0.5, 0.5, "no link carried work (transfers_excluded)", ha="center",
                 transform=top.transAxes)  # fmt: skip
    years = float(ds["horizon_years"].max())
    w = ds["snapshot_weight"].isel({SITE: 0}) if "snapshot_weight" in ds else 1.0
    sites = [str(s) for s in ds[SITE].values]
    out = [float((w * ((ds["transfer_origin"] == s) * ds["moved"]).sum(TRANSFER)).sum())
           for s in sites]  # fmt: skip
    into = [float((w * ((ds["transfer_destination"] == s) * ds["moved"]).sum(TRANSFER)).sum())
            for s in sites]  # fmt: skip
    x = np.arange(len(sites))
    bottom.bar(x - 0.2, np.asarray(out) / 1e3 / years, 0.4, label="moved away", color="#7f7f7f")
    bottom.bar(x + 0.2, np.asarray(into) / 1e3 / years, 0.4, label="taken in", color="#56b4e9")
    bottom.set_xticks(x, sites)
    bottom.set_ylabel("IT energy [GWh/a]")
    bottom.legend(fontsize=8, frameon=False)
    return fig


__all__ = ["work_moved"]
