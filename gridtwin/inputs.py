"""The stages before the optimisation: weather -> resources -> campus -> costs -> site network
-> :class:`SystemProblem` (DESIGN.md section 2). Each is a function of the configuration and
the previous stage's output; :func:`prepare_problem` runs them in order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import xarray as xr

from gridtwin.assembly import build_problem, study_technologies
from gridtwin.campus import campus_load
from gridtwin.config import StudyConfig
from gridtwin.conventions import TIME
from gridtwin.exceptions import DataError
from gridtwin.network.assemble import read_site_network
from gridtwin.optimize.problem import SystemProblem
from gridtwin.technologies import annualised_costs, default_catalogue, load_catalogue
from gridtwin.weather import pv_capacity_factor, wind_capacity_factor
from gridtwin.weather import read as read_weather
from gridtwin.weather.align import on_hours

logger = logging.getLogger("gridtwin.study")

ProgressCallback = Callable[[str, str], None]
"""Called as ``callback(stage, event)`` with event ``"start"`` or ``"done"``."""


class Stages:
    """Times named stages [s] and reports them to an optional progress callback."""

    def __init__(self, progress: ProgressCallback | None = None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time the stage ``name`` (a ``with`` block)."""
        if self.progress:
            self.progress(name, "start")
        t0 = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - t0, 3)
        logger.info("stage %s done in %.2f s", name, self.seconds[name])
        if self.progress:
            self.progress(name, "done")


#: Mean capacity factor [-] below which offshore wind computed from the site's own weather is
#: warned: the lowest of NREL ATB 2024's offshore wind classes is about 0.29; inland weather
#: gives far less.
OFFSHORE_MIN_CF = 0.25


def capacity_factors(cfg: StudyConfig, weather: xr.Dataset) -> dict[str, xr.DataArray]:
    """PV and wind capacity factors [-] of the study's technologies, on the weather's hours
    (pvlib, windpowerlib; offsite and offshore sites from their own weather files)."""
    used = study_technologies(cfg)
    cfs = {}
    if "solar" in used:
        cfs["solar"] = pv_capacity_factor(weather, cfg.solar)
    if "onwind" in used:
        cfs["onwind"] = wind_capacity_factor(weather, cfg.wind)
    if "offwind" in used:
        sea = same_hours(weather, cfg.offwind.weather, "offwind.weather", cfg)
        cfs["offwind"] = wind_capacity_factor(sea, cfg.offwind)
        mean = float(cfs["offwind"].mean())
        if cfg.offwind.weather is None and mean < OFFSHORE_MIN_CF:
            logger.warning(
                "offwind: without offwind.weather the site's own weather is used, which gives "
                "offshore wind a capacity factor of %.3f (offshore sites reach 0.35-0.50, NREL "
                "ATB 2024); give offwind.weather for a site at sea",
                mean,
            )
    if {"solar_offsite", "onwind_offsite"} & set(used):
        zone = same_hours(weather, cfg.offsite.weather, "offsite.weather", cfg)
        if "solar_offsite" in used:
            cfs["solar_offsite"] = pv_capacity_factor(zone, cfg.solar)
        if "onwind_offsite" in used:
            cfs["onwind_offsite"] = wind_capacity_factor(zone, cfg.wind)
    return cfs


def study_costs(cfg: StudyConfig) -> pd.DataFrame:
    """Annualised costs of a study's technologies (and its network upgrades) from its
    catalogue, in the study's currency and year (:func:`gridtwin.technologies.annualised_costs`;
    ``attrs["conversions"]`` lists every money row converted, ``attrs["catalogue"]`` names the
    catalogue)."""
    name = cfg.technologies.catalogue or default_catalogue(cfg.currency)
    costs = annualised_costs(
        load_catalogue(name),
        cfg.costed_technologies,
        cfg.currency,
        cfg.currency_year,
        cfg.technologies.discount_rate,
    )
    costs.attrs["catalogue"] = str(name)
    return costs


def prepare_problem(
    cfg: StudyConfig, stages: Stages | None = None, hours: pd.DatetimeIndex | None = None
) -> tuple[SystemProblem, xr.Dataset, xr.Dataset]:
    """Run the stages before the optimisation: weather, resources, campus, costs, problem.

    Parameters
    ----------
    cfg : StudyConfig
    stages : Stages, optional
        Stage timer (used by :func:`gridtwin.study.run_study`); default: untimed.
    hours : pandas.DatetimeIndex, optional
        UTC hours to put the weather on (a fleet's campuses share one clock:
        :func:`gridtwin.weather.align.on_hours`); default: the weather's own.

    Returns
    -------
    tuple
        ``(problem, campus, weather)``: the :class:`SystemProblem`, the campus load dataset
        and the canonical weather set.
    """
    stage = stages or Stages()
    with stage("weather"):
        weather = read_weather(
            cfg.weather.path,
            format=cfg.weather.format,
            reference_year=cfg.weather.reference_year,
            sun_check=cfg.weather.sun_check,
        )
        if hours is not None:
            weather = on_hours(weather, hours, f"campus {cfg.name}")
    with stage("resources"):
        cfs = capacity_factors(cfg, weather)
    with stage("campus"):
        campus = campus_load(weather, cfg.campus)
    with stage("technologies"):
        costs = study_costs(cfg)
        for what, step in costs.attrs["conversions"].items():
            logger.info("catalogue: %s: %s", what, step)
    net = None
    if cfg.network is not None:
        with stage("network"):
            net = read_site_network(cfg.network)
    with stage("problem"):
        snapshots = pd.DatetimeIndex(weather[TIME].to_numpy())
        problem = build_problem(cfg, snapshots, campus, cfs, costs, net)
    return problem, campus, weather


def same_hours(weather: xr.Dataset, path: Path | None, field: str, cfg: StudyConfig) -> xr.Dataset:
    """The weather of another site (``field``: ``offwind.weather``, ``offsite.weather``) on the
    study's hours (selected from a file that covers more), or the study's own weather when
    ``path`` is ``None``.

    Raises
    ------
    DataError
        If that weather does not cover every hour of the study's weather.
    """
    if path is None:
        return weather
    other = read_weather(
        path,
        format="auto",
        reference_year=cfg.weather.reference_year,
        sun_check=cfg.weather.sun_check,
    )
    ours, theirs = weather.indexes[TIME], other.indexes[TIME]
    if not ours.equals(theirs) and ours.isin(theirs).all():  # a longer file: the study's hours
        return other.sel({TIME: ours})
    if not ours.equals(theirs):
        raise DataError(
            f"{path} (study field {field}): its hours "
            f"{theirs[0]} .. {theirs[-1]} ({len(theirs)} h) differ from the study weather's "
            f"{ours[0]} .. {ours[-1]} ({len(ours)} h); give that site's weather for the "
            "same year(s) (and the same weather.reference_year for a typical year)"
        )
    return other


__all__ = ["ProgressCallback", "Stages", "capacity_factors", "prepare_problem", "same_hours"]
