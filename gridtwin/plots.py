"""Figures of a gridtwin result, each returned as a :class:`matplotlib.figure.Figure`.

The functions take a result dataset (:func:`gridtwin.open_results`); the same figures are
methods of the ``ds.gridtwin`` accessor, which importing this module registers::

    ds = gridtwin.open_results("results/default.nc")
    fig = ds.gridtwin.dispatch()            # the week of highest grid import
    fig.savefig("dispatch.png")

* :func:`dispatch`: hourly supply stack and load over one week (a single run);
* :func:`capacity_mix`: installed ``p_nom`` [MW] and storage ``e_nom`` [MWh] (run or sweep);
* :func:`duration_curves`: load [MW] and PUE [-] sorted over the year (a single run);
* :func:`state_of_charge`: storage state of charge [% of ``e_nom``] (a single run);
* :func:`cost_curve`: system cost and LCOE against the CFE score (a sweep);
* :func:`poi_loading`: branch loading [%], hour of day x day of year (after
  ``gridtwin grid check``).

Signs follow docs/conventions.md: supply above zero, storage charging and export below.
Hours of day are local standard time when the result records the site's UTC offset
(``campus_local_time_utc_offset_h``), else UTC. Figures are drawn on the Agg backend objects
directly (no pyplot state), so they work in scripts, on servers and in Jupyter alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import STORAGE, TECHNOLOGY, TIME, display_units
from gridtwin.exceptions import DataError
from gridtwin.results import market_import, offsite_delivered, onsite_technologies, weights

if TYPE_CHECKING:
    from matplotlib.axes import Axes
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


def _local(ds: xr.Dataset) -> tuple[pd.DatetimeIndex, str]:
    """Timestamps in local standard time if the result records the offset, else UTC."""
    times = pd.DatetimeIndex(ds[TIME].values)
    offset = ds.attrs.get("campus_local_time_utc_offset_h")
    try:
        hours = float(offset)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return times, "UTC"
    if not np.isfinite(hours):
        return times, "UTC"
    label = f"UTC{hours:+g}" if hours else "UTC"
    return times + pd.Timedelta(hours=hours), f"local standard time, {label}"


def hardest_week(ds: xr.Dataset) -> pd.Timestamp:
    """Start (00:00 UTC) of the 7-day window with the most grid import energy [MWh].

    Grid import is what the on-site supply could not cover, so this is the week that tests a
    24/7 CFE design. For a horizon of 7 days or less it is the first timestamp.
    """
    times = pd.DatetimeIndex(ds[TIME].values)
    if times[-1] - times[0] <= pd.Timedelta(days=7):
        return times[0]
    w = weights(ds).to_numpy()
    energy = pd.Series(ds["grid_import"].to_numpy() * w, index=times)
    daily = energy.resample("1D").sum()
    weekly = daily.rolling(7).sum().dropna()
    weekly = weekly[weekly.index - pd.Timedelta(days=6) >= times[0].normalize()]
    if weekly.empty:
        return times[0]
    return pd.Timestamp(weekly.idxmax() - pd.Timedelta(days=6))


def _closed(values: np.ndarray) -> np.ndarray:
    """``values`` with the last row repeated (the value up to the end of the last interval)."""
    return np.concatenate([values, values[-1:]], axis=0)


def dispatch_frame(
    ds: xr.Dataset, start: str | pd.Timestamp | None = None, days: int = 7
) -> pd.DataFrame:
    """The series :func:`dispatch` draws, one column each [MW], indexed by time (UTC).

    Columns: on-site output above zero, charging below (``<tech>``, ``<tech> (charging)``,
    those ever non-zero), ``offsite delivered`` (contracts' output through the POI),
    ``grid_import`` (>= 0, the market rest of the import), ``grid_export`` (<= 0), ``load``,
    ``load_served``. The supply columns sum to ``load_served`` every hour.

    Raises
    ------
    DataError
        A sweep result, missing dispatch variables, or ``start`` / ``days`` selecting fewer
        than two time steps of the horizon.
    """
    _single(ds, "dispatch")
    _require(ds, ("p", "grid_import", "grid_export", "load_served", "load"), "dispatch")
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise DataError(f"dispatch: days={days!r}; give a whole number of days >= 1")
    times = pd.DatetimeIndex(ds[TIME].values)
    try:
        first = hardest_week(ds) if start is None else pd.Timestamp(start)
    except ValueError:
        raise DataError(f"dispatch: start={start!r} is not a date (e.g. 2019-07-15)") from None
    if first.tzinfo is not None:
        first = first.tz_convert("UTC").tz_localize(None)
    last = first + pd.Timedelta(days=days)
    part = ds.sel({TIME: slice(first, last - pd.Timedelta(seconds=1))})
    if days < 1 or part.sizes[TIME] < 2:
        raise DataError(
            f"dispatch: start={first} and days={days} select fewer than 2 hours of the result "
            f"({times[0]} to {times[-1]} UTC); give a start date within the horizon"
        )
    index = pd.DatetimeIndex(part[TIME].values, name=TIME)
    p = part["p"].transpose(TIME, TECHNOLOGY)
    up: dict[str, np.ndarray] = {}
    down: dict[str, np.ndarray] = {}
    for tech in onsite_technologies(part):
        values = p.sel({TECHNOLOGY: tech}).to_numpy()
        up[tech] = np.clip(values, 0, None)
        down[f"{tech} (charging)"] = np.clip(values, None, 0)
    # offsite contracts arrive in the import: their delivered share apart, the rest is market
    up["offsite delivered"] = offsite_delivered(part).to_numpy()
    up["grid_import"] = market_import(part).to_numpy()
    down["grid_export"] = -part["grid_export"].to_numpy()
    columns = {k: v for k, v in up.items() if np.any(v > 1e-6)}
    columns |= {k: v for k, v in down.items() if np.any(v < -1e-6)}
    columns["load"] = part["load"].to_numpy()
    columns["load_served"] = part["load_served"].to_numpy()
    return pd.DataFrame(columns, index=index)


def dispatch(ds: xr.Dataset, start: str | pd.Timestamp | None = None, days: int = 7) -> Figure:
    """Hourly dispatch stack and campus load over ``days`` days from ``start``.

    Above zero: each technology's output (storage discharge), grid import. Below zero: storage
    charging and grid export. Lines: the campus load before flexibility (``load``, dashed) and
    as served (``load_served``); the stack sums to ``load_served`` every hour
    (:func:`dispatch_frame` holds the numbers).

    Parameters
    ----------
    ds : xarray.Dataset
        A single-run result.
    start : str or Timestamp, optional
        First day shown, UTC (e.g. ``"2019-07-15"``); default :func:`hardest_week`.
    days : int
        Days shown (default 7).

    Raises
    ------
    DataError
        As :func:`dispatch_frame`.
    """
    frame = dispatch_frame(ds, start=start, days=days)
    t = pd.DatetimeIndex(frame.index)
    # steps are drawn from each timestamp to the next: add the end of the last interval
    last_hours = float(weights(ds).sel({TIME: t[-1]}))
    edges = t.append(pd.DatetimeIndex([t[-1] + pd.Timedelta(hours=last_hours)]))
    fig, axes = _figure(figsize=(11, 4.8))
    ax: Axes = axes[0, 0]
    supply = [c for c in frame.columns if c not in ("load", "load_served")]
    base_up = np.zeros(len(edges))
    base_down = np.zeros(len(edges))
    visible = 1e-3 * float(frame["load"].abs().max())  # under 0.1 % of the load: not drawn
    for name in supply:
        values = _closed(frame[name].to_numpy())
        if float(np.abs(values).max()) < visible:
            continue
        below = bool((values <= 0).all())
        base = base_down if below else base_up
        ax.fill_between(
            edges, base, base + values, step="post", lw=0, label=name,
            color=color(name.removesuffix(" (charging)")), alpha=0.6 if below else 1.0,
        )  # fmt: skip
        if below:
            base_down = base + values
        else:
            base_up = base + values
    ax.step(edges, _closed(frame["load"].to_numpy()), where="post", color="k", ls="--", lw=1,
            label="load (before flex)")  # fmt: skip
    ax.step(edges, _closed(frame["load_served"].to_numpy()), where="post", color="k", lw=1.4,
            label="load served")  # fmt: skip
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel("power [MW]")
    ax.set_xlabel("time (UTC)")
    ax.set_title(f"Dispatch, {t[0]:%Y-%m-%d %H:%M} to {edges[-1]:%Y-%m-%d %H:%M} UTC")
    ax.margins(x=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return fig


def capacity_mix(ds: xr.Dataset) -> Figure:
    """Installed power ``p_nom_opt`` [MW] and storage energy ``e_nom_opt`` [MWh].

    A single run gives one bar per technology; a sweep gives one stacked bar per scenario.

    Raises
    ------
    DataError
        The result has no ``p_nom_opt``.
    """
    _require(ds, ("p_nom_opt", "e_nom_opt"), "capacity_mix")
    fig, axes = _figure(1, 2, figsize=(11, 4.2))
    if "scenario" in ds.dims:
        for ax, var, unit in ((axes[0, 0], "p_nom_opt", "MW"), (axes[0, 1], "e_nom_opt", "MWh")):
            dim = TECHNOLOGY if var == "p_nom_opt" else STORAGE
            data = ds[var].transpose("scenario", dim).to_numpy()
            labels = [str(s) for s in ds["scenario"].values]
            x = np.arange(len(labels))
            bottom = np.zeros(len(labels))
            for j, tech in enumerate(str(v) for v in ds[dim].values):
                values = np.nan_to_num(data[:, j]) / 1e3
                if not np.any(values > 1e-6):
                    continue
                ax.bar(x, values, bottom=bottom, color=color(tech), label=tech)
                bottom += values
            ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
            ax.set_ylabel(f"{var} [G{unit[1:] if unit.startswith('M') else unit}]")
            ax.legend(fontsize=7, frameon=False)
        axes[0, 0].set_title("Installed power by scenario")
        axes[0, 1].set_title("Storage energy by scenario")
        return fig
    techs = [str(t) for t in ds[TECHNOLOGY].values]
    p_nom = ds["p_nom_opt"].to_numpy()
    ax = axes[0, 0]
    bars = ax.barh(techs, p_nom, color=[color(t) for t in techs])
    ax.bar_label(bars, labels=[f"{v + 0.0:,.0f}" for v in p_nom], fontsize=8, padding=2)
    ax.invert_yaxis()
    ax.set_xlabel("p_nom_opt [MW]")
    ax.set_title("Installed power")
    stores = [str(s) for s in ds[STORAGE].values]
    e_nom = ds["e_nom_opt"].to_numpy()
    ax = axes[0, 1]
    bars = ax.barh(stores, e_nom, color=[color(s) for s in stores])
    hours = [
        e / p if p > 1e-6 else 0.0
        for e, p in zip(e_nom, ds["p_nom_opt"].sel({TECHNOLOGY: stores}).to_numpy(), strict=True)
    ]
    ax.bar_label(
        bars,
        labels=[f"{e:,.0f} ({h:.1f} h)" for e, h in zip(e_nom, hours, strict=True)],
        fontsize=8,
        padding=2,
    )
    ax.invert_yaxis()
    ax.set_xlabel("e_nom_opt [MWh] (duration at p_nom_opt)")
    ax.set_title("Storage energy")
    for ax in axes[0]:
        ax.margins(x=0.25)
    return fig


def _duration(values: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-values, kind="stable")
    return np.concatenate([[0.0], np.cumsum(weight[order])]), np.append(
        values[order], values[order][-1]
    )


def duration_curves(ds: xr.Dataset) -> Figure:
    """Load [MW] (before and after flexibility) and PUE [-] sorted from highest to lowest.

    The x axis is hours of the horizon; aggregated results count each segment for its
    ``snapshot_weight`` hours.

    Raises
    ------
    DataError
        A sweep result or no ``load`` / ``pue`` variables.
    """
    _single(ds, "duration_curves")
    _require(ds, ("load", "pue", "load_served"), "duration_curves")
    w = weights(ds).to_numpy()
    fig, axes = _figure(1, 2, figsize=(11, 4))
    ax = axes[0, 0]
    for var, style in (("load", dict(ls="--", color="k")), ("load_served", dict(color="C0"))):
        x, y = _duration(ds[var].to_numpy(), w)
        ax.step(x, y, where="post", label=var, **style)
    it = ds.get("it_load")
    if it is not None:
        x, y = _duration(it.to_numpy(), w)
        ax.step(x, y, where="post", label="it_load", color="C2")
    ax.set_xlabel("hours of the horizon at or above the value [h]")
    ax.set_ylabel("power [MW]")
    ax.set_title("Load duration curve")
    ax.legend(frameon=False)
    ax = axes[0, 1]
    x, y = _duration(ds["pue"].to_numpy(), w)
    ax.step(x, y, where="post", color="C3")
    it_energy = w * (it.to_numpy() if it is not None else np.ones(len(w)))
    mean = float((it_energy * ds["pue"].to_numpy()).sum() / it_energy.sum())
    ax.axhline(mean, color="C3", ls=":", lw=1, label=f"energy-weighted mean {mean:.3f}")
    ax.set_xlabel("hours of the horizon at or above the value [h]")
    ax.set_ylabel("PUE [-]")
    ax.set_title("PUE duration curve")
    ax.legend(frameon=False)
    for a in axes[0]:
        a.margins(x=0)
    return fig


def state_of_charge(ds: xr.Dataset) -> Figure:
    """State of charge of each built storage [% of ``e_nom_opt``] over the horizon.

    Hourly for horizons up to 60 days; beyond, the daily range (min to max) and daily mean, as
    a year of daily cycles is unreadable hour by hour.

    Raises
    ------
    DataError
        A sweep result, no storage variables, or no storage built.
    """
    _single(ds, "state_of_charge")
    _require(ds, ("state_of_charge", "e_nom_opt"), "state_of_charge")
    built = [str(s) for s in ds[STORAGE].values if float(ds["e_nom_opt"].sel({STORAGE: s})) > 1e-6]
    if not built:
        raise DataError("state_of_charge: the result has no storage with e_nom_opt > 0")
    fig, axes = _figure(len(built), 1, figsize=(11, 1.9 + 1.6 * len(built)), sharex=True)
    t = pd.DatetimeIndex(ds[TIME].values)
    for ax, name in zip(axes[:, 0], built, strict=True):
        e_nom = float(ds["e_nom_opt"].sel({STORAGE: name}))
        soc = 100.0 * ds["state_of_charge"].sel({STORAGE: name}).to_numpy() / e_nom
        if t[-1] - t[0] > pd.Timedelta(days=60):  # a year of hourly cycles: daily range and mean
            daily = pd.Series(soc, index=t).resample("1D").agg(["min", "max", "mean"])
            ax.fill_between(
                daily.index,
                daily["min"],
                daily["max"],
                step="post",
                color=color(name),
                alpha=0.35,
                lw=0,
                label="daily range",
            )
            ax.step(daily.index, daily["mean"], where="post", color=color(name), lw=1,
                    label="daily mean")  # fmt: skip
            ax.legend(loc="upper right", fontsize=7, frameon=False, ncols=2)
        else:
            ax.plot(t, soc, color=color(name), lw=0.8)
        ax.set_ylim(-2, 102)
        ax.set_ylabel("SOC [%]")
        note = (
            " (the part the optimiser may cycle; the ride-through reserve is kept apart)"
            if name == "ups"
            else ""
        )
        ax.set_title(f"{name}: e_nom_opt {e_nom:,.0f} MWh{note}", fontsize=9, loc="left")
        ax.margins(x=0)
    axes[-1, 0].set_xlabel("time (UTC)")
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
        str(c)
        for c in ds.coords
        if c != "scenario" and ds[c].dims == ("scenario",) and c != "policy.cfe_target"
    ]
    groups = (
        pd.Series(
            [
                " ".join(f"{c.split('.')[-1]}={ds[c].values[i]}" for c in swept)
                for i in range(ds.sizes["scenario"])
            ]
        )
        if swept
        else pd.Series([""] * ds.sizes["scenario"])
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


def poi_loading(ds: xr.Dataset, branch: str | None = None) -> Figure:
    """Loading of one branch [% of rating], hour of day x day of year.

    Parameters
    ----------
    ds : xarray.Dataset
        A single-run result after ``gridtwin grid check`` (variable ``loading_percent`` on
        ``time`` x ``branch``).
    branch : str, optional
        Branch label (see ``ds.branch``); default the branch with the highest loading.

    Raises
    ------
    DataError
        No power-flow results, or an unknown branch.
    """
    _single(ds, "poi_loading")
    _require(
        ds, ("loading_percent",), "poi_loading",
        "run the AC power flow first: gridtwin grid check RESULT.nc",
    )  # fmt: skip
    loading = ds["loading_percent"]
    names = [str(b) for b in loading["branch"].values]
    if branch is None:
        branch = names[int(np.nanargmax(loading.max(TIME).to_numpy()))]
    elif branch not in names:
        raise DataError(f"poi_loading: no branch {branch!r}; the result has {names}")
    series = loading.sel(branch=branch).to_numpy()
    times, zone = _local(ds)
    frame = pd.DataFrame({"v": series, "day": times.normalize(), "hour": times.hour})
    grid = frame.pivot_table(index="hour", columns="day", values="v", aggfunc="mean")
    grid = grid.reindex(index=range(24))
    fig, axes = _figure(figsize=(11, 4))
    ax = axes[0, 0]
    days = grid.columns
    top = max(
        100.0, float(np.nanmax(grid.to_numpy())) if np.isfinite(grid.to_numpy()).any() else 100.0
    )
    image = ax.imshow(
        grid.to_numpy(), aspect="auto", origin="lower", cmap="magma_r", vmin=0, vmax=top,
        extent=(0, len(days), 0, 24), interpolation="nearest",
    )  # fmt: skip
    ticks = [i for i, d in enumerate(days) if d.day == 1]
    ax.set_xticks(ticks, [f"{days[i]:%b}" for i in ticks])
    ax.set_yticks([0, 6, 12, 18, 24])
    ax.set_ylabel(f"hour of day ({zone})")
    ax.set_xlabel("day of year")
    units = display_units(loading) or "%"
    fig.colorbar(image, ax=ax, label=f"loading [{units}]")
    peak = float(np.nanmax(series))
    ax.set_title(f"Loading of {branch} (peak {peak:.0f} %)")
    return fig


FIGURES = {
    "dispatch": dispatch,
    "capacity_mix": capacity_mix,
    "duration_curves": duration_curves,
    "state_of_charge": state_of_charge,
    "cost_curve": cost_curve,
    "poi_loading": poi_loading,
}


@xr.register_dataset_accessor("gridtwin")
class GridtwinAccessor:
    """``ds.gridtwin.<figure>(...)``: the figures of this module on a result dataset."""

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    def dispatch(self, start: str | pd.Timestamp | None = None, days: int = 7) -> Figure:
        """See :func:`gridtwin.plots.dispatch`."""
        return dispatch(self._ds, start=start, days=days)

    def capacity_mix(self) -> Figure:
        """See :func:`gridtwin.plots.capacity_mix`."""
        return capacity_mix(self._ds)

    def duration_curves(self) -> Figure:
        """See :func:`gridtwin.plots.duration_curves`."""
        return duration_curves(self._ds)

    def state_of_charge(self) -> Figure:
        """See :func:`gridtwin.plots.state_of_charge`."""
        return state_of_charge(self._ds)

    def cost_curve(self) -> Figure:
        """See :func:`gridtwin.plots.cost_curve`."""
        return cost_curve(self._ds)

    def poi_loading(self, branch: str | None = None) -> Figure:
        """See :func:`gridtwin.plots.poi_loading`."""
        return poi_loading(self._ds, branch=branch)

    def summary(self) -> pd.DataFrame:
        """Capacity and energy table (:func:`gridtwin.results.summary`)."""
        from gridtwin.results import summary

        _single(self._ds, "summary")
        _require(self._ds, ("p_nom_opt", "e_nom_opt", "p", "storage_discharge"), "summary")
        return summary(self._ds)
