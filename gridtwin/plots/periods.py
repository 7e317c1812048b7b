"""Figure of a result with investment periods: the capacity in service by period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from gridtwin.plots.common import _figure, _require, color

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def capacity_by_period(ds: xr.Dataset) -> Figure:
    """Capacity in service in each investment period, stacked by technology: power [MW],
    storage energy [MWh] and site-network upgrades [MVA] (when any); the part built in the
    period itself is hatched, the rest was built earlier (or existed) and is still in service.

    Raises
    ------
    DataError
        The result has no investment periods (``built``, ``period``).
    """
    from gridtwin.periods.results import PERIOD, in_service

    _require(ds, ("built", "investment_kind"), "capacity_by_period", "a result of a study with "
             "investment periods (gridtwin run with an investment section)")  # fmt: skip
    kinds = [str(k) for k in ds["investment_kind"].values]
    panels = [("power [MW]", ("p_nom", "p_nom_discharge")), ("storage energy [MWh]", ("e_nom",))]
    if "s_nom" in kinds and float(in_service(ds).where(ds["investment_kind"] == "s_nom").sum()):
        panels.append(("site-network upgrades [MVA]", ("s_nom",)))
    fig, axes = _figure(1, len(panels), figsize=(4.6 * len(panels), 4.2))
    years = [str(int(y)) for y in ds[PERIOD].values]
    x = np.arange(len(years))
    held = in_service(ds)
    for ax, (title, wanted) in zip(axes[0], panels, strict=True):
        base = np.zeros(len(years))
        for i, kind in enumerate(kinds):
            if kind not in wanted:
                continue
            asset = str(ds["investment_asset"].values[i])
            total = held.isel(investment=i).to_numpy()
            if kind == "s_nom":  # only the upgrade, the existing rating is not built
                total = total - ds["existing"].isel(investment=i).to_numpy()
            if not np.abs(total).max() > 1e-6:
                continue
            new = np.minimum(ds["built"].isel(investment=i).to_numpy(), total)
            label = asset if kind != "p_nom_discharge" else f"{asset} discharge"
            c = color(asset.split(":")[0] if kind != "s_nom" else "grid_import")
            ax.bar(x, total - new, bottom=base, color=c, label=label, edgecolor="white")
            ax.bar(x, new, bottom=base + total - new, color=c, hatch="//", edgecolor="white")
            base += total
        ax.set_xticks(x, years)
        ax.set_xlabel("investment period")
        ax.set_title(title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, frameon=False)
    fig.suptitle("Capacity in service by period (hatched: built in the period)", fontsize=10)
    return fig


__all__ = ["capacity_by_period"]
