"""Shared pieces of the figures: technology colours, the figure factory and input checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import xarray as xr

from gridtwin.exceptions import DataError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours of the study technologies (Okabe-Ito-like, colour-blind safe where possible).
COLORS: dict[str, str] = {
    "solar": "#f0b400",
    "onwind": "#56b4e9",
    "offwind": "#0072b2",
    "battery": "#cc79a7",
    "iron_air": "#8c510a",
    "hydrogen": "#009e73",
    "ups": "#882255",
    "geothermal": "#d55e00",
    "nuclear": "#e41a1c",
    "ocgt": "#555555",
    "ccgt": "#333333",
    "diesel_gensets": "#000000",
    "grid_import": "#bdbdbd",
    "grid_export": "#7f7f7f",
    "solar_offsite": "#f6d365",
    "onwind_offsite": "#a6d4f2",
    "offsite delivered": "#9ecae1",
}
_FALLBACK = ["#a6761d", "#666666", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"]


def color(name: str) -> str:
    """Colour of a technology (or ``grid_import`` / ``grid_export``) in every figure."""
    if name in COLORS:
        return COLORS[name]
    return _FALLBACK[sum(map(ord, name)) % len(_FALLBACK)]


def _show_in_jupyter() -> None:
    """Let Jupyter show a returned Figure as an image.

    Figures here are made without pyplot (no global state), and IPython renders a bare
    ``Figure`` as an image only once pyplot's inline backend registered its formatter; register
    the same PNG formatter when running under IPython. Nothing happens elsewhere.
    """
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure as MplFigure

    png = shell.display_formatter.formatters["image/png"]
    png.for_type(MplFigure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))


def _figure(
    nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (11, 4), sharex: bool = False
) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    _show_in_jupyter()
    fig = Figure(layout="constrained", figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=sharex)
    return fig, axes


def _require(ds: xr.Dataset, names: tuple[str, ...], figure: str, hint: str = "") -> None:
    missing = [n for n in names if n not in ds]
    if missing:
        raise DataError(
            f"{figure}: the result has no {', '.join(missing)}"
            + (f"; {hint}" if hint else "; is it a gridtwin result file?")
        )


def _single(ds: xr.Dataset, figure: str) -> None:
    if "period" in ds.dims:
        years = [int(y) for y in ds["period"].values]
        raise DataError(
            f"{figure}: this result has investment periods {years}; pick one, e.g. "
            f"ds.sel(period={years[-1]}), or use capacity_by_period"
        )
    if "site" in ds.dims:
        sites = [str(s) for s in ds["site"].values]
        raise DataError(
            f"{figure}: this is a fleet result of campuses {sites}; pick one with "
            f"gridtwin.fleet.results.site_result(ds, {sites[0]!r}), or use work_moved"
        )
    if "scenario" in ds.dims:
        names = [str(s) for s in ds["scenario"].values[:3]]
        raise DataError(
            f"{figure}: this is a sweep result ({ds.sizes['scenario']} scenarios); pick one, "
            f"e.g. ds.sel(scenario={names[0]!r}), or use cost_curve / capacity_mix"
        )


def _currency(ds: xr.Dataset) -> str:
    cur = ds["system_cost"].attrs.get("currency") or ds.attrs.get("currency") or ""
    year = ds.attrs.get("currency_year")
    return f"{cur} {year}".strip() if year is not None else str(cur)
