"""Benchmark: read one site-year of weather and convert it to PV and wind capacity factors.

Usage::

    python bench/weather_resources.py [weather/greensboro_tmy3.nc] [--repeats 5] [--profile]

Times, best of ``--repeats`` runs each, the whole pipeline

    open_weather(path) + pv_capacity_factor (fixed tilt) + pv_capacity_factor (single axis)
    + wind_capacity_factor

and each of its steps, and two baselines measured in the same run on the same data:
``xarray.open_dataset(path).load()`` alone and one bare
``pvlib.irradiance.get_total_irradiance`` call (Perez, fixed plane). Machines are noisy, so the
ratios to the baselines are the numbers to compare between runs. Target: the whole pipeline
under 1 s. ``--profile`` prints the 25 most expensive functions (cumulative time, cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from gridtwin.config import SolarConfig, WindConfig
from gridtwin.weather import open_weather, pv_capacity_factor, wind_capacity_factor

FIXED = SolarConfig()
TRACKING = SolarConfig(mounting="single_axis")
WIND = WindConfig()


def best_of(func: Callable[[], Any], repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls of ``func`` [s]."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def pipeline(path: str) -> tuple[float, float, float]:
    """Read the weather set and compute the three capacity factors; return their means [1]."""
    ds = open_weather(path)
    fixed = pv_capacity_factor(ds, FIXED)
    tracking = pv_capacity_factor(ds, TRACKING)
    wind = wind_capacity_factor(ds, WIND)
    return float(fixed.mean()), float(tracking.mean()), float(wind.mean())


def bare_transposition(ds: xr.Dataset) -> Callable[[], Any]:
    """One Perez transposition on the data set (sun position computed beforehand)."""
    mid = pd.DatetimeIndex(ds["time"].values).tz_localize("UTC") + pd.Timedelta(minutes=30)
    sun = pvlib.solarposition.get_solarposition(mid, ds.attrs["latitude"], ds.attrs["longitude"])
    zenith = sun["apparent_zenith"].to_numpy()
    azimuth = sun["azimuth"].to_numpy()
    dni_extra = np.asarray(pvlib.irradiance.get_extra_radiation(mid), dtype=float)
    airmass = np.asarray(pvlib.atmosphere.get_relative_airmass(zenith), dtype=float)
    ghi, dni, dhi = (ds[v].values for v in ("ghi", "dni", "dhi"))

    def run() -> Any:
        return pvlib.irradiance.get_total_irradiance(
            25.0,
            180.0,
            zenith,
            azimuth,
            dni,
            ghi,
            dhi,
            dni_extra=dni_extra,
            airmass=airmass,
            model="perez",
        )

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="weather/greensboro_tmy3.nc")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    path, repeats = args.path, args.repeats

    means = pipeline(path)  # warm-up: imports, file cache, windpowerlib turbine library
    ds = open_weather(path)
    timings = {
        "open_weather": best_of(lambda: open_weather(path), repeats),
        "pv fixed": best_of(lambda: pv_capacity_factor(ds, FIXED), repeats),
        "pv single_axis": best_of(lambda: pv_capacity_factor(ds, TRACKING), repeats),
        "wind": best_of(lambda: wind_capacity_factor(ds, WIND), repeats),
        "read+PV+wind": best_of(lambda: pipeline(path), repeats),
    }
    baselines = {
        "xr.open_dataset": best_of(lambda: xr.open_dataset(path).load(), repeats),
        "get_total_irradiance": best_of(bare_transposition(ds), repeats),
    }

    print(f"{ds.sizes['time']} hours from {path}, best of {repeats}")
    print(
        f"capacity factor means: PV fixed {means[0]:.4f}, PV single axis {means[1]:.4f}, "
        f"wind {means[2]:.4f}"
    )
    header = "".join(f"{'/ ' + name:>24s}" for name in baselines)
    print(f"{'step':22s} {'seconds':>9s}{header}")
    for name, seconds in {**timings, **baselines}.items():
        ratios = "".join(f"{seconds / base:24.2f}" for base in baselines.values())
        print(f"{name:22s} {seconds:9.4f}{ratios}")
    total = timings["read+PV+wind"]
    print(f"target read+PV+wind < 1 s: {'met' if total < 1.0 else 'MISSED'} ({total:.3f} s)")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(pipeline, path)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
