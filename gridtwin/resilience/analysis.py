"""The survival analysis of a result as variables of the result file.

:func:`survival_analysis` runs :mod:`gridtwin.resilience.survival` on a result and returns the
result with these variables added (replacing those of an earlier analysis):

* ``critical_load`` (time) [MW] -- the load the outage analysis carries;
* ``outage_hours_survived`` (time) [h] -- hours an outage starting in that hour is ridden
  through when every generator unit starts and runs (exact storage), at most the longest
  duration studied;
* ``survival_probability_by_start`` (time, outage_duration) [-];
* ``survival_probability`` (outage_duration) [-] -- averaged over every start hour (outages
  equally likely in every hour, as REopt);
* ``survival_probability_by_month`` (month, outage_duration) and
  ``survival_probability_by_hour`` (hour_of_day, outage_duration) [-] -- averaged over the
  start hours of each month and each hour of the day, local standard time;
* ``survival_probability_heatwave`` (outage_duration) [-] -- outages starting in the hottest
  three days (:func:`gridtwin.kpis.stress.heatwave_window`; only with ``temp_air``), whose
  critical load carries the cooling power of those hours.

Global attributes ``resilience_*`` record the fleet, storage and fuel studied, the
configuration (JSON) and, with outage ``probabilities``, the expected survival.

With a site network, ``resilience_islanding_cuts`` lists the branch outages (alone or in
pairs) that island the campus; with ``resilience.grid`` outage rates also
``islanding_frequency`` [yr-1], ``islanding_duration`` [h] and ``islanding_survival`` [-] on
``islanding_cut``, and the attributes ``resilience_islanding_frequency`` and
``resilience_outages_lost_per_year`` (:mod:`gridtwin.resilience.grid_risk`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.config import ResilienceConfig
from gridtwin.conventions import TIME
from gridtwin.exceptions import DataError
from gridtwin.kpis.stress import heatwave_window
from gridtwin.resilience.grid_risk import cut_risk, expected_survival, islanding_cuts
from gridtwin.resilience.island import IslandSystem, critical_load, island_system
from gridtwin.resilience.survival import hours_survived, survival_probability

#: Dimensions the analysis adds.
DIMS = ("outage_duration", "month", "hour_of_day", "islanding_cut")
#: Variables the analysis adds.
VARIABLES = (
    "critical_load",
    "outage_hours_survived",
    "survival_probability_by_start",
    "survival_probability",
    "survival_probability_by_month",
    "survival_probability_by_hour",
    "survival_probability_heatwave",
    "islanding_frequency",
    "islanding_duration",
    "islanding_survival",
)
METHOD = (
    "REopt backup-reliability Markov model (Marqusee, Becker & Ericson 2021, Adv. Appl. "
    "Energy 3, 100049) on generator units and storage levels, vectorised over start hours; "
    "storage use rounded up and charge down to levels (lower bounds)"
)


def _grouped(prob: np.ndarray, keys: np.ndarray, values: range) -> np.ndarray:
    """Mean of the rows of ``prob`` by key (nan for a key without rows)."""
    out = np.full((len(values), prob.shape[1]), np.nan)
    for i, v in enumerate(values):
        rows = keys == v
        if rows.any():
            out[i] = prob[rows].mean(axis=0)
    return out


def _attrs(system: IslandSystem, cfg: ResilienceConfig, mean: np.ndarray) -> dict[str, str]:
    out = {
        "resilience_method": METHOD,
        "resilience_config": json.dumps(cfg.model_dump(mode="json"), sort_keys=True),
        "resilience_units": str(system.units),
        "resilience_unit_p_nom_mw": f"{system.unit_p_nom:.6g}",
        "resilience_fleet_p_nom_mw": f"{system.fleet_p_nom:g}",
        "resilience_fuel_mwh": f"{system.fuel:g}",
        "resilience_storage_e_nom_mwh": f"{system.e_nom:g}",
        "resilience_storage_p_nom_mw": f"{system.p_discharge:g}",
        "resilience_critical_peak_mw": f"{float(np.max(system.critical_load)):g}",
        "resilience_created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    out_cfg = cfg.outages
    if out_cfg.probabilities is not None:
        expected = sum(
            p * mean[d - 1] for p, d in zip(out_cfg.probabilities, out_cfg.durations_h, strict=True)
        )
        out["resilience_expected_survival"] = f"{expected:.6g}"
    return out


def survival_analysis(ds: xr.Dataset, cfg: ResilienceConfig) -> xr.Dataset:
    """The result ``ds`` with the survival analysis added (module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        A single-run hourly result.
    cfg : ResilienceConfig
        Critical load, outage durations, generator reliability and fuel, storage levels.

    Returns
    -------
    xarray.Dataset
        A copy of ``ds`` with the variables and attributes of the analysis.

    Raises
    ------
    DataError
        See :func:`gridtwin.resilience.island.island_system`.
    """
    system = island_system(ds, cfg)
    hours = cfg.outages.max_duration
    if hours > len(system.time):
        raise DataError(
            f"resilience.outages.durations_h: {hours} h is longer than the result's "
            f"{len(system.time)} hours; outages would wrap round the same hours (use "
            "durations within the horizon or a result of a whole year)"
        )
    prob = survival_probability(system, hours, soc_bins=cfg.soc_bins)
    survived = hours_survived(system, hours)
    base = ds.drop_vars([v for v in VARIABLES if v in ds]).drop_dims(
        [d for d in DIMS if d in ds.dims]
    )
    base.attrs = {k: v for k, v in base.attrs.items() if not k.startswith("resilience_")}
    duration = xr.DataArray(
        np.arange(1, hours + 1),
        dims="outage_duration",
        attrs={"units": "h", "long_name": "outage duration"},
    )
    offset = float(ds.attrs.get("campus_local_time_utc_offset_h", 0.0))
    local = system.time + pd.Timedelta(hours=offset)
    mean = prob.mean(axis=0)
    both = ("outage_duration",)
    out = base.assign_coords(
        outage_duration=duration,
        month=("month", np.arange(1, 13), {"long_name": "month of the outage start (local)"}),
        hour_of_day=(
            "hour_of_day",
            np.arange(24),
            {"units": "h", "long_name": "hour of the outage start, local standard time"},
        ),
    )
    out["critical_load"] = critical_load(ds, cfg)
    out["outage_hours_survived"] = xr.DataArray(
        survived,
        dims=TIME,
        attrs={
            "units": "h",
            "long_name": "hours an outage starting in this hour is ridden through with every "
            f"generator unit running (at most {hours})",
        },
    )
    out["survival_probability_by_start"] = xr.DataArray(
        prob,
        dims=(TIME, "outage_duration"),
        attrs={
            "units": "1",
            "long_name": "probability of riding through an outage starting "
            "in this hour for the duration",
        },
    )
    out["survival_probability"] = xr.DataArray(
        mean,
        dims=both,
        attrs={
            "units": "1",
            "long_name": "probability of riding through an outage of the "
            "duration, every start hour equally likely",
        },
    )
    out["survival_probability_by_month"] = xr.DataArray(
        _grouped(prob, local.month.to_numpy(), range(1, 13)),
        dims=("month", "outage_duration"),
        attrs={
            "units": "1",
            "long_name": "survival probability of outages starting in the month (local time)",
        },
    )
    out["survival_probability_by_hour"] = xr.DataArray(
        _grouped(prob, local.hour.to_numpy(), range(24)),
        dims=("hour_of_day", "outage_duration"),
        attrs={
            "units": "1",
            "long_name": "survival probability of outages starting in the "
            "hour of the day (local standard time)",
        },
    )
    if "temp_air" in ds and len(system.time) >= 72:
        start, stop = heatwave_window(ds["temp_air"])
        out["survival_probability_heatwave"] = xr.DataArray(
            prob[start:stop].mean(axis=0),
            dims=both,
            attrs={
                "units": "1",
                "long_name": "survival probability of outages starting in the hottest three days",
                "start": str(system.time[start]),
            },
        )
    out.attrs.update(_attrs(system, cfg, mean))
    return _grid_risk(out, cfg, mean)


def _grid_risk(ds: xr.Dataset, cfg: ResilienceConfig, mean: np.ndarray) -> xr.Dataset:
    """Which branch outages island the campus and, with outage rates, how often and how long,
    and the outages a year not ridden through (:mod:`gridtwin.resilience.grid_risk`)."""
    if "branch" not in ds.dims or "network_load_bus" not in ds.attrs:
        return ds
    cuts = islanding_cuts(ds)
    ds.attrs["resilience_islanding_cuts"] = json.dumps([list(c) for c in cuts])
    if cfg.grid is None or not cuts:
        return ds
    risk = cut_risk(ds, cuts, cfg.grid)
    label = ["+".join(c.branches) for c in risk]
    survive = [expected_survival(mean, c.duration) for c in risk]
    freq = np.array([c.frequency for c in risk])
    ds = ds.assign_coords(islanding_cut=("islanding_cut", label))
    ds["islanding_frequency"] = xr.DataArray(
        freq, dims="islanding_cut",
        attrs={"units": "yr-1", "long_name": "islanding events a year of each cut set"},
    )  # fmt: skip
    ds["islanding_duration"] = xr.DataArray(
        [c.duration for c in risk], dims="islanding_cut",
        attrs={"units": "h", "long_name": "mean duration of an islanding event"},
    )  # fmt: skip
    ds["islanding_survival"] = xr.DataArray(
        survive, dims="islanding_cut",
        attrs={"units": "1", "long_name": "expected survival of an islanding event "
               "(exponential durations; longer than the curve counts as lost)"},
    )  # fmt: skip
    ds.attrs["resilience_islanding_frequency"] = f"{freq.sum():.6g}"
    lost = float(freq @ (1.0 - np.array(survive)))
    ds.attrs["resilience_outages_lost_per_year"] = f"{lost:.6g}"
    return ds
