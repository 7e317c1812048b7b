"""Figures of a single run: dispatch week, capacity mix, duration curves, state of charge and
POI loading (see :mod:`gridtwin.plots`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import STORAGE, TECHNOLOGY, TIME, display_units
from gridtwin.exceptions import DataError
from gridtwin.plots.common import _figure, _require, _single, color
from gridtwin.results import market_import, offsite_delivered, onsite_technologies, weights

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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

    A single run gives one bar per technology; a sweep gives one stacked bar per scenario
    (:func:`gridtwin.plots.scenarios.capacity_mix_by_scenario`).

    Raises
    ------
    DataError
        The result has no ``p_nom_opt``.
    """
    _require(ds, ("p_nom_opt", "e_nom_opt"), "capacity_mix")
    if "period" in ds.dims:
        from gridtwin.plots.periods import capacity_by_period

        return capacity_by_period(ds)
    if "site" in ds.dims:
        from gridtwin.plots.common import _single

        _single(ds, "capacity_mix")
    if "scenario" in ds.dims:
        from gridtwin.plots.scenarios import capacity_mix_by_scenario

        return capacity_mix_by_scenario(ds)
    fig, axes = _figure(1, 2, figsize=(11, 4.2))
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
