"""The cooling trade-off of a sweep: system cost, PUE, WUE, ERF and heatwave water of every
scenario side by side (e.g. ``studies/lyon_cooling.yaml``, one scenario per cooling design).

Each panel is one KPI as a horizontal bar per scenario, recomputed in each scenario's result:
``system_cost`` [M currency a-1], ``kpi_pue`` [-], ``kpi_wue`` [L kWh-1], ``kpi_erf`` [-] and
``heatwave_water_peak`` [m3 h-1] (:mod:`gridtwin.kpis.eu`, :mod:`gridtwin.kpis.stress`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from gridtwin.exceptions import DataError
from gridtwin.labels import scenario_labels
from gridtwin.plots.common import _currency, _figure
from gridtwin.plots.scenarios import wrap_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Panels: variable, title, scale, unit, number format, axis origin.
PANELS = (
    ("system_cost", "system cost", 1e-6, "M{cur}/a", "{:,.1f}", 0.0),
    ("kpi_pue", "PUE", 1.0, "-", "{:.3f}", 1.0),
    ("kpi_wue", "WUE", 1.0, "L/kWh", "{:.2f}", 0.0),
    ("kpi_erf", "ERF", 1.0, "-", "{:.3f}", 0.0),
    ("heatwave_water_peak", "peak water, hottest days", 1.0, "m3/h", "{:,.0f}", 0.0),
)


def cooling_tradeoff(ds: xr.Dataset) -> Figure:
    """Cost, PUE, WUE, ERF and heatwave peak water of every scenario of a sweep.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep result (dimension ``scenario``) with ``system_cost`` and the EU KPIs.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per KPI (:data:`PANELS`), one bar per scenario; a KPI a scenario does
        not model (nan) is marked "n/m", a scenario that failed "failed".

    Raises
    ------
    DataError
        Not a sweep result, or without ``system_cost``.
    """
    if "scenario" not in ds.dims:
        raise DataError(
            "cooling_tradeoff: needs a sweep result (dimension 'scenario'); a single run has "
            "its KPIs in kpi_pue, kpi_wue and kpi_erf"
        )
    if "system_cost" not in ds:
        raise DataError("cooling_tradeoff: the sweep result has no system_cost")
    labels = [wrap_label(label, 18) for label in scenario_labels(ds)]
    panels = [p for p in PANELS if p[0] in ds]
    height = max(3.0, 1.2 + 0.35 * sum(label.count("\n") + 1 for label in labels))
    fig, axes = _figure(1, len(panels), figsize=(2.6 * len(panels) + 1.5, height))
    y = np.arange(len(labels))
    cur = _currency(ds)
    status = ds["scenario_status"].values if "scenario_status" in ds else ["ok"] * len(labels)
    failed = [str(x) != "ok" for x in status]
    for k, (var, title, scale, unit, fmt, origin) in enumerate(panels):
        ax = axes[0, k]
        values = np.asarray(ds[var].values, dtype=float) * scale
        shown = np.where(np.isfinite(values), values - origin, 0.0)
        ax.barh(y, shown, left=origin, color=f"C{k}")
        for yi, v, bad in zip(y, values, failed, strict=True):
            text = "failed" if bad else "n/m" if not np.isfinite(v) else fmt.format(v)
            ax.annotate(text, (origin, yi), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)  # fmt: skip
        ax.set_title(f"{title} [{unit.format(cur=cur)}]", fontsize=9)
        ax.set_yticks(y, labels if k == 0 else [""] * len(labels), fontsize=8)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("Cooling designs: cost, efficiency, water and heat reuse", fontsize=10)
    return fig


__all__ = ["PANELS", "cooling_tradeoff"]
