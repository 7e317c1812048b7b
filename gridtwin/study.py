"""Run one study: weather -> resources -> campus load -> costs -> problem -> solve -> results.

Each stage is a function of the previous stage's output (data flows one way); :func:`run_study`
only wires them and times them.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from gridtwin.ac_loop import AcRound, rounds_attrs, run_ac_loop
from gridtwin.assembly import build_problem, study_technologies
from gridtwin.campus import campus_load
from gridtwin.campus.flexibility import (
    FlexibilityEnvelope,
    curtailment_events,
    flexibility_envelope,
)
from gridtwin.config import (
    SolverConfig,
    Study,
    StudyConfig,
    input_files,
)
from gridtwin.conventions import STORAGE, TECHNOLOGY, TIME, annotate
from gridtwin.exceptions import DataError
from gridtwin.grid.check import GridCheck, attach_check
from gridtwin.io import check_writable
from gridtwin.network.assemble import read_site_network
from gridtwin.optimize import backends
from gridtwin.optimize.aggregate import aggregate, disaggregate_solution
from gridtwin.optimize.dispatch import rolling_dispatch
from gridtwin.optimize.problem import (
    Solution,
    SystemProblem,
)
from gridtwin.results import build_results, open_results, weights, write_results
from gridtwin.technologies import annualised_costs, load_catalogue
from gridtwin.weather import pv_capacity_factor, wind_capacity_factor
from gridtwin.weather import read as read_weather

logger = logging.getLogger(__name__)

#: Stage names in execution order (what the CLI's progress display shows).
STAGES = (
    "weather",
    "resources",
    "campus",
    "technologies",
    "network",
    "problem",
    "aggregation",
    "full_resolution",
    "optimisation",
    "ac_loop",
    "dispatch",
    "results",
    "write",
)

ProgressCallback = Callable[[str, str], None]
"""Called as ``callback(stage, event)`` with event ``"start"`` or ``"done"``."""


def study_inputs(cfg: StudyConfig) -> list[Path]:
    """Files a study reads (weather, series, catalogue): an output must never replace them."""
    return list(input_files(cfg).values())


def solve(problem: SystemProblem, solver: SolverConfig) -> Solution:
    """Solve with the backend and solver the study chose (``solver.backend``, ``solver.name``).

    Raises
    ------
    InfeasibleError, UnboundedError, SolverError
        From :func:`gridtwin.optimize.backends.solve`.
    """
    return backends.solve(problem, solver.backend, solver.name, solver.options)


class _Stages:
    """Times named stages and reports them to an optional progress callback."""

    def __init__(self, progress: ProgressCallback | None = None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name, "start")
        t0 = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - t0, 3)
        logger.info("stage %s done in %.2f s", name, self.seconds[name])
        if self.progress:
            self.progress(name, "done")


def prepare_problem(
    cfg: StudyConfig, stages: _Stages | None = None
) -> tuple[SystemProblem, xr.Dataset, xr.Dataset]:
    """Run the stages before the optimisation: weather, resources, campus, costs, problem.

    Parameters
    ----------
    cfg : StudyConfig
    stages : optional
        Stage timer (used by :func:`run_study`); default: untimed.

    Returns
    -------
    tuple
        ``(problem, campus, weather)``: the :class:`SystemProblem`, the campus load dataset
        and the canonical weather set.
    """
    stage = stages or _Stages()
    with stage("weather"):
        weather = read_weather(
            cfg.weather.path, format=cfg.weather.format, reference_year=cfg.weather.reference_year
        )
    used = study_technologies(cfg)
    with stage("resources"):
        cfs = {}
        if "solar" in used:
            cfs["solar"] = pv_capacity_factor(weather, cfg.solar)
        if "onwind" in used:
            cfs["onwind"] = wind_capacity_factor(weather, cfg.wind)
        if "offwind" in used:
            cfs["offwind"] = wind_capacity_factor(
                _same_hours(weather, cfg.offwind.weather, "offwind.weather", cfg), cfg.offwind
            )
        if {"solar_offsite", "onwind_offsite"} & set(used):
            zone = _same_hours(weather, cfg.offsite.weather, "offsite.weather", cfg)
            if "solar_offsite" in used:
                cfs["solar_offsite"] = pv_capacity_factor(zone, cfg.solar)
            if "onwind_offsite" in used:
                cfs["onwind_offsite"] = wind_capacity_factor(zone, cfg.wind)
    with stage("campus"):
        campus = campus_load(weather, cfg.campus)
    with stage("technologies"):
        costs = annualised_costs(
            load_catalogue(cfg.technologies.catalogue),
            used + (["network"] if cfg.network is not None else []),
            cfg.currency,
            cfg.currency_year,
            cfg.technologies.discount_rate,
        )
    net = None
    if cfg.network is not None:
        with stage("network"):
            net = read_site_network(cfg.network)
    with stage("problem"):
        snapshots = pd.DatetimeIndex(weather[TIME].to_numpy())
        problem = build_problem(cfg, snapshots, campus, cfs, costs, net)
    return problem, campus, weather


def _as_list(path: Path | list[Path]) -> list[Path]:
    return path if isinstance(path, list) else [path]


def _same_hours(weather: xr.Dataset, path: Path | None, field: str, cfg: StudyConfig) -> xr.Dataset:
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
    other = read_weather(path, format="auto", reference_year=cfg.weather.reference_year)
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


def run_study(
    study: Study,
    output: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> xr.Dataset:
    """Run a study end to end and optionally write the result file.

    Parameters
    ----------
    study : Study
        From :func:`gridtwin.config.load_study`.
    output : str or Path, optional
        netCDF file to write (atomically); nothing is written if the run fails.
    progress : callable, optional
        Receives ``(stage, "start" | "done")`` for each stage of :data:`STAGES`.

    Returns
    -------
    xarray.Dataset
        The result dataset (:mod:`gridtwin.results`); attribute ``stage_seconds`` holds the wall
        time of each stage [s] as JSON.

    Raises
    ------
    GridTwinError
        ConfigError / DataError for bad inputs, InfeasibleError / SolverError from the solve.
    """
    cfg = study.config
    inputs = study_inputs(cfg)
    if output is not None:
        check_writable(output, inputs=inputs, kind="result")
    stage = _Stages(progress)
    problem, campus, weather = prepare_problem(cfg, stage)
    hourly, hourly_campus = problem, campus
    full_objective = math.nan
    if cfg.aggregation.segments is not None:
        with stage("aggregation"):
            problem = aggregate(hourly, cfg.aggregation.segments)
            campus = _segment_means(hourly_campus, problem)
        if cfg.aggregation.check_full:
            with stage("full_resolution"):
                full_objective = solve(hourly, cfg.solver).objective
    sizing: Solution
    if cfg.dispatch.capacities is not None:
        sizing = sized_from_results(open_results(cfg.dispatch.capacities), hourly)
    else:
        with stage("optimisation"):
            sizing = solve(problem, cfg.solver)
    loop = None
    if cfg.network is not None and cfg.dispatch.mode == "sizing" and problem.weights is None:
        with stage("ac_loop"):
            problem, sizing, loop = _ac_loop(cfg, problem, sizing, campus)
    solution = sizing
    sized_on = problem
    if cfg.dispatch.mode == "rolling":
        start = sizing
        if cfg.dispatch.capacities is None and problem.weights is not None:
            start = disaggregate_solution(sizing, problem.weights)  # sized on segments
        with stage("dispatch"):
            solution = rolling_dispatch(
                hourly,
                start,
                window_hours=cfg.dispatch.window_hours,
                step_hours=cfg.dispatch.step_hours,
                cfe_price=cfg.dispatch.cfe_price,
                solver=cfg.solver.name.upper(),
                options=cfg.solver.options,
            )
        problem, campus = hourly, hourly_campus  # the operation is hour by hour
    with stage("results"):
        weather_attrs = {
            f"weather_{k}": v
            for k, v in weather.attrs.items()
            if k in ("source", "latitude", "longitude", "altitude", "site_name", "reference_year")
        }
        ds = build_results(
            problem,
            solution,
            campus,
            title=cfg.title,
            study_text=study.text,
            attrs={
                "study_resolved": yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False),
                "study_overrides": json.dumps(list(study.overrides)),
                "study_name": cfg.name,
                "currency_year": cfg.currency_year,
                "weather_file": ", ".join(p.name for p in _as_list(cfg.weather.path)),
                **({"network_file": str(cfg.network.path)} if cfg.network is not None else {}),
                **weather_attrs,
            },
        )
    if loop is not None:
        checked, history = loop
        if checked is not None:
            ds = attach_check(ds, checked.dataset)
        passed = checked is not None and history[-1].feasible
        ds.attrs.update(rounds_attrs(history, passed))
        if not passed:
            logger.warning(
                "the AC check does not pass after %d solve(s) (%d violating element-hours, %d "
                "N-1 overloads)%s; the result is written and flagged",
                len(history),
                history[-1].violations,
                history[-1].n1_overloads,
                f": {history[-1].stopped}" if history[-1].stopped else
                "; raise network.ac_loop.rounds",
            )  # fmt: skip
    elif cfg.network is not None:
        ds.attrs["ac_loop_skipped"] = (
            "rolling dispatch: the AC loop belongs to the sizing; run `gridtwin grid check` "
            "on this file"
            if cfg.dispatch.mode == "rolling" and problem.weights is None
            else "aggregated run: no chronological hours; run `gridtwin grid check` on an "
            "hourly result"
        )
    if problem.flex is not None and problem.weights is None:  # hours of hourly results
        _record_flexibility(ds, flexibility_envelope(campus, cfg.campus))
    if sized_on.weights is not None:
        ds.attrs["aggregation_segments"] = len(sized_on.snapshots)
        ds.attrs["aggregation_method"] = "tsam segmentation, segment means"
        if math.isfinite(full_objective):
            ds["aggregation_cost_error"] = ((), sizing.objective / full_objective - 1.0)
            ds.attrs["objective_full_resolution"] = full_objective
            annotate(ds, currency=problem.currency, currency_year=cfg.currency_year)
    if cfg.dispatch.mode == "rolling":
        ds.attrs["mode"] = "rolling_dispatch"
        ds.attrs["sizing_objective"] = sizing.objective
        ds.attrs["capacities_from"] = str(cfg.dispatch.capacities or "this run's sizing")
    ds.attrs["stage_seconds"] = json.dumps(stage.seconds)
    if output is not None:
        with stage("write"):
            write_results(ds, output, inputs=inputs)
    return ds


def _ac_loop(
    cfg: StudyConfig, problem: SystemProblem, sizing: Solution, campus: xr.Dataset
) -> tuple[SystemProblem, Solution, tuple[GridCheck | None, list[AcRound]]]:
    """The AC feasibility loop of a study with a site network (:mod:`gridtwin.ac_loop`)."""
    assert cfg.network is not None
    problem, sizing, checked, history = run_ac_loop(
        problem,
        sizing,
        solve=lambda p: solve(p, cfg.solver),
        results=lambda p, s: build_results(p, s, campus),
        net=read_site_network(cfg.network),
        network_name=str(cfg.network.path),
        rounds=cfg.network.ac_loop.rounds,
        margin=cfg.network.ac_loop.margin,
    )
    return problem, sizing, (checked, history)


def sized_from_results(ds: xr.Dataset, problem: SystemProblem) -> Solution:
    """The capacities (and cyclic storage state, CFE price) of a result file as a
    :class:`Solution` to dispatch with :func:`rolling_dispatch`.

    Raises
    ------
    DataError
        If the result was made for other technologies, storage or hours than ``problem``.
    """
    source = ds.encoding.get("source", "dispatch.capacities")
    techs = [str(t) for t in ds[TECHNOLOGY].values]
    if techs != problem.technologies:
        raise DataError(
            f"{source}: its technologies {techs} differ from the study's "
            f"{problem.technologies}; dispatch a result of the same technologies"
        )
    times = pd.DatetimeIndex(ds[TIME].values)
    steps = weights(ds).to_numpy()
    hours = pd.date_range(times[0], periods=round(float(steps.sum())), freq="h")
    if not hours.equals(problem.snapshots):
        raise DataError(
            f"{source}: its {len(hours)} hours ({times[0]} ..) differ from the study's "
            f"{len(problem.snapshots)} hours ({problem.snapshots[0]} ..); dispatch a result of "
            "the same weather"
        )
    p_nom = {t: float(v) for t, v in zip(techs, ds["p_nom_opt"].values, strict=True)}
    stores = [s.name for s in problem.storage]
    pick = {s: ds.sel({STORAGE: s}) for s in stores}
    gens = [g.name for g in problem.generators]
    sized = Solution(
        p_nom=p_nom,
        p_nom_discharge={s: float(pick[s].get("p_nom_discharge_opt", p_nom[s])) for s in stores},
        e_nom={s: float(pick[s]["e_nom_opt"]) for s in stores},
        p={g: ds["p"].sel({TECHNOLOGY: g}).to_numpy() for g in gens},
        charge={s: pick[s]["storage_charge"].to_numpy() for s in stores},
        discharge={s: pick[s]["storage_discharge"].to_numpy() for s in stores},
        state_of_charge={s: pick[s]["state_of_charge"].to_numpy() for s in stores},
        grid_import=ds["grid_import"].to_numpy(),
        grid_export=ds["grid_export"].to_numpy(),
        load_shift=ds["load_shift"].to_numpy(),
        load_curtailment=ds["load_curtailment"].to_numpy(),
        objective=float(ds.attrs.get("objective", math.nan)),
        cfe_price=float(ds.attrs.get("cfe_price", math.nan)),
    )
    if np.any(steps != 1.0):  # sized on segments: on the hours they stand for
        sized = disaggregate_solution(sized, steps)
    return sized


def _segment_means(campus: xr.Dataset, problem: SystemProblem) -> xr.Dataset:
    """The hourly campus variables as means over the segments of an aggregated problem."""
    lengths = problem.snapshot_weights.astype(int)
    segment = xr.DataArray(np.repeat(np.arange(len(lengths)), lengths), dims=TIME)
    means = campus.groupby(segment.rename("segment")).mean()
    return means.rename(segment=TIME).assign_coords({TIME: problem.snapshots})


def _record_flexibility(ds: xr.Dataset, envelope: FlexibilityEnvelope) -> None:
    """Count curtailed hours and events of the solution against the envelope's limits.

    The LP bounds curtailed *energy*; the hour limits are checked here and reported in the
    attributes ``curtailment_hours``, ``curtailment_longest_event_h`` and
    ``curtailment_within_hour_limits`` (a warning is logged when they are exceeded).
    """
    events = curtailment_events(ds["load_curtailment"].to_numpy())
    hours = sum(length for _, length in events)
    longest = max((length for _, length in events), default=0)
    within = hours <= envelope.curtail_hours_limit + 1e-9 and (
        longest <= envelope.curtail_event_hours_max
    )
    ds.attrs.update(
        curtailment_hours=int(hours),
        curtailment_events=len(events),
        curtailment_longest_event_h=int(longest),
        curtailment_hours_limit=float(envelope.curtail_hours_limit),
        curtailment_within_hour_limits=int(within),
    )
    if not within:
        logger.warning(
            "curtailment uses %d h in %d events (longest %d h); the limits are %.0f h and %d h "
            "per event: the LP bounds energy, not hours",
            hours,
            len(events),
            longest,
            envelope.curtail_hours_limit,
            envelope.curtail_event_hours_max,
        )
