"""The survival curve of a result after ``gridtwin resilience`` (:mod:`gridtwin.resilience`).

Three panels: the probability of riding through an outage against its duration (every start
hour, the hottest three days, each month); the same as the probability of **not** riding
through, on a log axis with the 99.9 % line; and the hours ridden through with every generator
unit running, by day of year and hour of day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.plots.common import _figure, _require, _single
from gridtwin.plots.run import _local

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Smallest failure probability drawn on the log panel (the chain's truncation is 1e-12).
FLOOR = 1e-9


def survival_curve(ds: xr.Dataset) -> Figure:
    """Survival probability against outage duration, and hours survived by start hour.

    Parameters
    ----------
    ds : xarray.Dataset
        A single-run result after ``gridtwin resilience`` (``survival_probability`` on
        ``outage_duration`` [h], ``survival_probability_by_month``,
        ``outage_hours_survived`` on ``time``).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataError
        A sweep, or a result without the survival analysis.
    """
    _single(ds, "survival_curve")
    _require(
        ds, ("survival_probability", "survival_probability_by_month", "outage_hours_survived"),
        "survival_curve", "run the analysis first: gridtwin resilience RESULT.nc",
    )  # fmt: skip
    fig, axes = _figure(1, 3, figsize=(15, 4.2))
    dur = ds["outage_duration"].to_numpy()
    lines = [("every start hour", ds["survival_probability"].to_numpy(), "black", 2.0)]
    if "survival_probability_heatwave" in ds:
        hw = ds["survival_probability_heatwave"]
        label = f"hottest 3 days (from {hw.attrs.get('start', '')[:10]})"
        lines.append((label, hw.to_numpy(), "#d55e00", 1.6))
    months = ds["survival_probability_by_month"]
    for ax, log in ((axes[0, 0], False), (axes[0, 1], True)):
        for m in months["month"].to_numpy():
            y = months.sel(month=m).to_numpy()
            ax.plot(dur, np.maximum(1 - y, FLOOR) if log else y, color="0.75", lw=0.7)
        ax.plot([], [], color="0.75", lw=0.7, label="one month")
        for label, y, col, lw in lines:
            ax.plot(dur, np.maximum(1 - y, FLOOR) if log else y, color=col, lw=lw, label=label)
        ax.set_xlabel("outage duration [h]")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("probability of riding through [-]")
    axes[0, 0].set_ylim(-0.02, 1.02)
    axes[0, 0].legend(loc="lower left", fontsize=8)
    axes[0, 0].set_title("survival probability")
    ax = axes[0, 1]
    ax.set_yscale("log")
    ax.axhline(1e-3, color="#0072b2", ls="--", lw=1)
    ax.text(dur[0], 1.2e-3, "99.9 %", color="#0072b2", fontsize=8)
    ax.set_ylabel("probability of not riding through [-]")
    ax.set_title(f"failure probability (floor {FLOOR:g})")
    times, zone = _local(ds)
    hours = ds["outage_hours_survived"].to_numpy()
    frame = pd.DataFrame({"v": hours, "day": times.normalize(), "hour": times.hour})
    grid = frame.pivot_table(index="hour", columns="day", values="v", aggfunc="mean")
    grid = grid.reindex(index=range(24))
    ax = axes[0, 2]
    image = ax.imshow(
        grid.to_numpy(), aspect="auto", origin="lower", cmap="viridis", vmin=0,
        vmax=float(dur[-1]), extent=(0, grid.shape[1], 0, 24), interpolation="nearest",
    )  # fmt: skip
    days = grid.columns
    ticks = [i for i, d in enumerate(days) if d.day == 1]
    ax.set_xticks(ticks, [f"{days[i]:%b}" for i in ticks])
    ax.set_yticks([0, 6, 12, 18, 24])
    ax.set_ylabel(f"outage start, hour of day ({zone})")
    ax.set_title("hours ridden through, every unit running")
    fig.colorbar(image, ax=ax, label="h")
    return fig
