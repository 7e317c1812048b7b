"""Figures of a sweep: installed capacity by scenario and the cost curve against the CFE score.

Scenarios are shown by their short labels (:func:`gridtwin.labels.scenario_labels`); the
capacity figure puts one horizontal bar per scenario and grows with their number, so that 12 or
more scenarios stay legible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import STORAGE, TECHNOLOGY
from gridtwin.exceptions import DataError
from gridtwin.labels import SEPARATOR, field_key, scenario_labels, value_text
from gridtwin.plots.common import _currency, _figure, _require, color

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def wrap_label(label: str, width: int = 22) -> str:
    """``label`` on lines of at most about ``width`` characters, broken between its
    ``key value`` pairs (at `` · ``) or, failing that, at spaces."""
    import textwrap

    lines: list[str] = []
    for part in label.split(SEPARATOR):
        if lines and len(lines[-1]) + len(SEPARATOR) + len(part) <= width:
            lines[-1] += SEPARATOR + part
        else:
            lines.extend(textwrap.wrap(part, width) or [part])
    return "\n".join(lines)


def capacity_mix_by_scenario(ds: xr.Dataset) -> Figure:
    """Installed power ``p_nom_opt`` [GW] and storage energy ``e_nom_opt`` [GWh] of every
    scenario of a sweep, one horizontal stacked bar per scenario.

    Scenarios are labelled by :func:`gridtwin.labels.scenario_labels`, wrapped onto short
    lines; the figure is as tall as its labels need, so the labels never overlap.

    Raises
    ------
    DataError
        Not a sweep result, or no ``p_nom_opt`` / ``e_nom_opt``.
    """
    _require(ds, ("p_nom_opt", "e_nom_opt"), "capacity_mix")
    if "scenario" not in ds.dims:
        raise DataError("capacity_mix_by_scenario: needs a sweep result (dimension 'scenario')")
    labels = [wrap_label(label) for label in scenario_labels(ds)]
    lines = sum(label.count("\n") + 1 for label in labels)
    height = max(3.5, 1.6 + 0.2 * lines + 0.12 * len(labels))  # [inch]: 8-pt lines, gaps
    fig, axes = _figure(1, 2, figsize=(11, height))
    y = np.arange(len(labels))
    for ax, var, unit in ((axes[0, 0], "p_nom_opt", "GW"), (axes[0, 1], "e_nom_opt", "GWh")):
        dim = TECHNOLOGY if var == "p_nom_opt" else STORAGE
        data = ds[var].transpose("scenario", dim).to_numpy()
        left = np.zeros(len(labels))
        for j, tech in enumerate(str(v) for v in ds[dim].values):
            values = np.nan_to_num(data[:, j]) / 1e3
            if not np.any(values > 1e-6):
                continue
            ax.barh(y, values, left=left, color=color(tech), label=tech, height=0.7)
            left += values
        ax.set_xlabel(f"{var} [{unit}]")
        ax.grid(axis="x", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, frameon=False, loc="lower right")
    axes[0, 0].set_yticks(y, labels, fontsize=8)
    axes[0, 1].sharey(axes[0, 0])
    axes[0, 1].tick_params(labelleft=False)
    axes[0, 0].invert_yaxis()  # first scenario on top, as in the tables
    axes[0, 0].set_title("Installed power by scenario")
    axes[0, 1].set_title("Storage energy by scenario")
    return fig


def cost_curve(ds: xr.Dataset) -> Figure:
    """System cost [M currency/a] and LCOE [currency/MWh] against the achieved hourly CFE score.

    One line per combination of the other swept fields (e.g. with and without long-duration
    storage); failed scenarios are left out.

    Raises
    ------
    DataError
        Not a sweep result (no ``scenario`` dimension) or no scenario succeeded.
    """
    _require(ds, ("system_cost", "cfe_score", "lcoe"), "cost_curve")
    if "scenario" not in ds.dims:
        raise DataError(
            "cost_curve: needs a sweep result (dimension 'scenario'); run gridtwin sweep, e.g. "
            "gridtwin sweep studies/cfe_curve.yaml -o results/cfe_curve.nc"
        )
    ok = ds["cfe_score"].notnull().to_numpy()
    if "scenario_status" in ds:
        ok &= np.isin(ds["scenario_status"].to_numpy(), ["ok", "cached"])
    if not ok.any():
        raise DataError("cost_curve: no scenario of the sweep succeeded")
    swept = [
        str(c) for c in ds.coords
        if c != "policy.cfe_target" and ds[c].dims == ("scenario",)
        and str(ds[c].attrs.get("long_name", "")).startswith("swept ")
    ]  # fmt: skip
    groups = pd.Series(
        [
            SEPARATOR.join(f"{field_key(c)} {value_text(c, ds[c].values[i])}" for c in swept)
            for i in range(ds.sizes["scenario"])
        ]
    )
    cur = _currency(ds)
    fig, axes = _figure(1, 2, figsize=(11, 4.2))
    for k, label in enumerate(dict.fromkeys(groups[ok])):
        sel = np.flatnonzero(ok & (groups == label).to_numpy())
        x = 100.0 * ds["cfe_score"].to_numpy()[sel]
        order = np.argsort(x)
        for ax, var, scale in ((axes[0, 0], "system_cost", 1e-6), (axes[0, 1], "lcoe", 1.0)):
            y = ds[var].to_numpy()[sel] * scale
            ax.plot(x[order], y[order], marker="o", color=f"C{k}", label=label or None)
    axes[0, 0].set_ylabel(f"system cost [M{cur} per year]")
    axes[0, 1].set_ylabel(f"LCOE [{cur} per MWh of load]")
    for ax in axes[0]:
        ax.set_xlabel("hourly CFE score [%]")
        ax.grid(alpha=0.3)
        if swept:
            ax.legend(fontsize=7, frameon=False)
    axes[0, 0].set_title("Cost of 24/7 CFE")
    axes[0, 1].set_title("Levelised cost of the supply")
    return fig
