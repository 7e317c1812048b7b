"""Run one study as a short sequence of named stages (as pvlib's ModelChain runs its steps).

:func:`run_study` passes one :class:`StudyState` through :data:`PIPELINE`: the inputs
(:mod:`gridtwin.inputs`), the optional time aggregation, the sizing solve (or capacities read
from a result file), the AC feasibility loop, the optional rolling dispatch, the verifier, the
result dataset and its write. Each stage sets its own fields of the state and skips itself when
the study does not ask for it; data flows one way (DESIGN.md section 2).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from gridtwin.ac_loop import AcRound, rounds_attrs, run_ac_loop
from gridtwin.campus.flexibility import (
    FlexibilityEnvelope,
    curtailment_events,
    flexibility_envelope,
)
from gridtwin.config import SolverConfig, Study, StudyConfig, input_files
from gridtwin.conventions import STORAGE, TECHNOLOGY, TIME, annotate
from gridtwin.exceptions import DataError, SolverError
from gridtwin.grid.check import GridCheck, attach_check
from gridtwin.inputs import ProgressCallback, Stages, prepare_problem, study_costs
from gridtwin.io import check_writable
from gridtwin.kpis.compliance import add_compliance
from gridtwin.memory import release_memory
from gridtwin.network.assemble import read_site_network
from gridtwin.optimize import backends
from gridtwin.optimize.aggregate import aggregate, check_segment_length, disaggregate_solution
from gridtwin.optimize.problem import Solution, SystemProblem
from gridtwin.optimize.verify import Verification, verify
from gridtwin.resilience.analysis import survival_analysis
from gridtwin.resilience.sizing import SurvivalRound, survival_attrs
from gridtwin.results import (
    build_results,
    open_results,
    single_run,
    weights,
    write_results,
)

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
    "resilience",
    "ac_loop",
    "dispatch",
    "verify",
    "results",
    "survival",
    "write",
)


def study_inputs(cfg: StudyConfig) -> list[Path]:
    """Files a study reads (weather, series, catalogue): an output must never replace them."""
    return list(input_files(cfg).values())


def solve(problem: SystemProblem, solver: SolverConfig) -> Solution:
    """Solve with the backend and solver the study chose (``solver.backend``, ``solver.name``).

    Raises
    ------
    InfeasibleError, UnboundedError, SolverError
        From :func:`gridtwin.optimize.backends.solve`.

    Notes
    -----
    The backend's solved model (a PyPSA network and linopy model with the solver's copy of
    the LP) is freed before returning (:func:`gridtwin.memory.release_memory`): held in
    reference cycles, it would otherwise stay until Python's next full garbage collection,
    about 430 MiB on the default study.
    """
    try:
        return backends.solve(problem, solver.backend, solver.name, solver.options)
    finally:
        release_memory()


@dataclass
class StudyState:
    """What the stages of one study hand each other; each field is set by one stage.

    Attributes
    ----------
    config : StudyConfig
    study : Study
    weather, campus : xarray.Dataset
        Canonical weather and the hourly campus load (inputs).
    hourly : SystemProblem
        The problem on the study's hours (inputs).
    sized_on : SystemProblem
        The problem the capacities are sized on: ``hourly``, its segments (aggregation) or
        the AC loop's tightened problem.
    sized_campus : xarray.Dataset
        The campus variables on ``sized_on``'s snapshots.
    full_objective : float
        Objective of the full-resolution solve of an aggregated study [currency] (``nan``).
    sizing : Solution
        The sizing solution, or the capacities of ``dispatch.capacities``.
    ac : tuple or None
        ``(grid check, rounds)`` of the AC loop.
    survival : list of SurvivalRound or None
        The rounds of the resilience sizing.
    operation : Solution or None
        The rolling dispatch of the capacities.
    verification : Verification
    dataset : xarray.Dataset
        The result.
    """

    config: StudyConfig
    study: Study
    weather: xr.Dataset = None  # type: ignore[assignment]
    campus: xr.Dataset = None  # type: ignore[assignment]
    hourly: SystemProblem = None  # type: ignore[assignment]
    sized_on: SystemProblem = None  # type: ignore[assignment]
    sized_campus: xr.Dataset = None  # type: ignore[assignment]
    full_objective: float = math.nan
    sizing: Solution = None  # type: ignore[assignment]
    ac: tuple[GridCheck | None, list[AcRound]] | None = None
    survival: list[SurvivalRound] | None = None
    operation: Solution | None = None
    verification: Verification | None = None
    dataset: xr.Dataset = None  # type: ignore[assignment]

    @property
    def solution(self) -> Solution:
        """What the result holds: the rolling dispatch, else the sizing."""
        return self.operation if self.operation is not None else self.sizing

    @property
    def problem(self) -> SystemProblem:
        """The problem of :attr:`solution`: hour by hour for an operation."""
        return self.hourly if self.operation is not None else self.sized_on

    @property
    def result_campus(self) -> xr.Dataset:
        """The campus variables on the snapshots of :attr:`problem`."""
        return self.campus if self.operation is not None else self.sized_campus


Stage = Callable[[StudyState, Stages], None]


def inputs_stage(state: StudyState, stage: Stages) -> None:
    """Weather, resources, campus, costs, network and the hourly problem."""
    state.hourly, state.campus, state.weather = prepare_problem(state.config, stage)
    state.sized_on, state.sized_campus = state.hourly, state.campus


def aggregation_stage(state: StudyState, stage: Stages) -> None:
    """tsam segments (``aggregation.segments``) and, with ``check_full``, the full solve."""
    agg = state.config.aggregation
    if agg.segments is None:
        return
    check_segment_length(len(state.hourly.snapshots), agg.segments)
    with stage("aggregation"):
        state.sized_on = aggregate(state.hourly, agg.segments)
        state.sized_campus = _segment_means(state.campus, state.sized_on)
    if agg.check_full:
        with stage("full_resolution"):
            state.full_objective = solve(state.hourly, state.config.solver).objective


def sizing_stage(state: StudyState, stage: Stages) -> None:
    """Size the assets, or take the capacities of ``dispatch.capacities``."""
    given = state.config.dispatch.capacities
    if given is not None:
        ds = single_run(open_results(given), given, "dispatch.capacities")
        state.sizing = sized_from_results(ds, state.hourly)
        return
    with stage("optimisation"):
        state.sizing = solve(state.sized_on, state.config.solver)


def resilience_stage(state: StudyState, stage: Stages) -> None:
    """Outage scenarios until the survival target holds (``resilience.sizing``,
    :mod:`gridtwin.resilience.sizing`)."""
    cfg = state.config
    if cfg.resilience.sizing is None:
        return
    from gridtwin.resilience.sizing import run_survival_sizing

    campus = state.sized_campus
    with stage("resilience"):
        state.sized_on, state.sizing, state.survival = run_survival_sizing(
            state.sized_on,
            state.sizing,
            campus,
            cfg,
            solve=lambda p: solve(p, cfg.solver),
            results=lambda p, s: build_results(p, s, campus),
        )


def ac_loop_stage(state: StudyState, stage: Stages) -> None:
    """The AC feasibility loop of an hourly sizing with a site network
    (:mod:`gridtwin.ac_loop`)."""
    cfg = state.config
    if cfg.network is None or cfg.dispatch.mode != "sizing" or state.sized_on.weights is not None:
        return
    campus = state.sized_campus
    with stage("ac_loop"):
        state.sized_on, state.sizing, checked, history = run_ac_loop(
            state.sized_on,
            state.sizing,
            solve=lambda p: solve(p, cfg.solver),
            results=lambda p, s: build_results(p, s, campus),
            net=read_site_network(cfg.network),
            network_name=str(cfg.network.path),
            rounds=cfg.network.ac_loop.rounds,
            margin=cfg.network.ac_loop.margin,
        )
    state.ac = (checked, history)


def dispatch_stage(state: StudyState, stage: Stages) -> None:
    """Dispatch the capacities again hour by hour with limited foresight (``dispatch.mode:
    rolling``)."""
    cfg = state.config
    if cfg.dispatch.mode != "rolling":
        return
    # cvxpy (about 12 MiB of resident memory) is imported only by studies that dispatch
    from gridtwin.optimize.dispatch import rolling_dispatch

    start = state.sizing
    if cfg.dispatch.capacities is None and state.sized_on.weights is not None:
        start = disaggregate_solution(start, state.sized_on.weights)  # sized on segments
    with stage("dispatch"):
        state.operation = rolling_dispatch(
            state.hourly,
            start,
            window_hours=cfg.dispatch.window_hours,
            step_hours=cfg.dispatch.step_hours,
            cfe_price=cfg.dispatch.cfe_price,
            solver=cfg.solver.name.upper(),
            options=cfg.solver.options,
        )


def verify_stage(state: StudyState, stage: Stages) -> None:
    """Evaluate every constraint family on the solution (:mod:`gridtwin.optimize.verify`).

    Raises
    ------
    SolverError
        With ``solver.verify`` (``gridtwin run --verify``) when a family is violated beyond
        its tolerance; otherwise the result is flagged (``verify_passed = 0``) and a warning
        logged.
    """
    with stage("verify"):
        found = verify(state.problem, state.solution, operation=state.operation is not None)
    state.verification = found
    if found.ok:
        return
    if state.config.solver.verify:
        raise SolverError(
            f"the solution fails its own check (solver.verify): {found.message()}; the "
            "solver's tolerances are too loose for this problem (set solver.options: "
            "{solver: simplex} or run_crossover: on); no result written"
        )
    logger.warning("the solution fails its own check: %s; the result is flagged", found.message())


def results_stage(state: StudyState, stage: Stages) -> None:
    """The result dataset and the attributes of every stage that ran."""
    cfg = state.config
    with stage("results"):
        ds = build_results(
            state.problem,
            state.solution,
            state.result_campus,
            title=cfg.title,
            study_text=state.study.text,
            attrs=_run_attrs(state),
        )
    ds = _ac_attrs(state, ds)
    eu = cfg.policy.eu
    if eu is not None:
        ds = add_compliance(ds, eu.year, eu.site, eu.start_year)
    if state.problem.flex is not None and state.problem.weights is None:  # hourly results
        _record_flexibility(ds, flexibility_envelope(state.result_campus, cfg.campus))
    _aggregation_attrs(state, ds)
    if cfg.dispatch.mode == "rolling":
        ds.attrs["mode"] = "rolling_dispatch"
        ds.attrs["sizing_objective"] = state.sizing.objective
        ds.attrs["capacities_from"] = str(cfg.dispatch.capacities or "this run's sizing")
    if state.verification is not None:
        ds.attrs.update(state.verification.attrs())
    if state.survival is not None and cfg.resilience.sizing is not None:
        with stage("survival"):
            ds = survival_analysis(ds, cfg.resilience)
        years = state.problem.horizon_years
        ds.attrs.update(
            survival_attrs(
                state.survival,
                cfg.resilience.sizing.target,
                years,
                cfg.resilience.sizing.duration_h,
            )
        )
        if ds.attrs["survival_sizing_met"] != "1":
            logger.warning(
                "resilience.sizing: survival %.6f after %d rounds is below the target %g; raise "
                "resilience.sizing.rounds or allow more (genset_capital_cost, fuel_capital_cost)",
                state.survival[-1].survival,
                len(state.survival) - 1,
                cfg.resilience.sizing.target,
            )
    state.dataset = ds


#: The stages of a study in order (each skips itself when the study does not ask for it).
PIPELINE: tuple[Stage, ...] = (
    inputs_stage,
    aggregation_stage,
    sizing_stage,
    resilience_stage,
    ac_loop_stage,
    dispatch_stage,
    verify_stage,
    results_stage,
)


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
        time of each stage [s] as JSON, ``verify_passed`` / ``verify_report`` what the
        verifier found.

    Raises
    ------
    GridTwinError
        ConfigError / DataError for bad inputs, InfeasibleError / SolverError from the solve.
    """
    if study.config.investment is not None:  # investment periods: sized together
        from gridtwin.periods.study import run_plan_study

        return run_plan_study(study, output, progress)
    if study.config.fleet is not None:  # several campuses: sized together
        from gridtwin.fleet.study import run_fleet_study

        return run_fleet_study(study, output, progress)
    inputs = study_inputs(study.config)
    if output is not None:
        check_writable(output, inputs=inputs, kind="result")
    stage = Stages(progress)
    state = StudyState(study.config, study)
    for step in PIPELINE:
        step(state, stage)
    state.dataset.attrs["stage_seconds"] = json.dumps(stage.seconds)
    if output is not None:
        with stage("write"):
            write_results(state.dataset, output, inputs=inputs)
    return state.dataset


def _run_attrs(state: StudyState) -> dict[str, object]:
    """Provenance of the run: the resolved study, overrides, weather and network files."""
    cfg, weather = state.config, state.weather
    paths = cfg.weather.path if isinstance(cfg.weather.path, list) else [cfg.weather.path]
    keep = ("source", "latitude", "longitude", "altitude", "site_name", "reference_year")
    return {
        "study_resolved": yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False),
        "study_overrides": json.dumps(list(state.study.overrides)),
        "study_name": cfg.name,
        "currency_year": cfg.currency_year,
        "weather_file": ", ".join(p.name for p in paths),
        **({"network_file": str(cfg.network.path)} if cfg.network is not None else {}),
        **{f"weather_{k}": v for k, v in weather.attrs.items() if k in keep},
        **_catalogue_attrs(cfg),
    }


def _catalogue_attrs(cfg: StudyConfig) -> dict[str, object]:
    """The technology catalogue and every money conversion from it (gridtwin.currency)."""
    costs = study_costs(cfg)
    return {
        "technology_catalogue": costs.attrs["catalogue"],
        "catalogue_conversions": json.dumps(costs.attrs["conversions"]),
    }


def _ac_attrs(state: StudyState, ds: xr.Dataset) -> xr.Dataset:
    """The AC loop's check and rounds, or why it did not run, on a study with a network."""
    if state.config.network is None:
        return ds
    if state.ac is None:
        ds.attrs["ac_loop_skipped"] = (
            "rolling dispatch: the AC loop belongs to the sizing; run `gridtwin grid check` "
            "on this file"
            if state.config.dispatch.mode == "rolling"
            else "aggregated run: no chronological hours; run `gridtwin grid check` on an "
            "hourly result"
        )
        return ds
    checked, history = state.ac
    if checked is not None:
        ds = attach_check(ds, checked.dataset)
    passed = checked is not None and history[-1].feasible
    ds.attrs.update(rounds_attrs(history, passed))
    if not passed:
        last = history[-1]
        logger.warning(
            "the AC check does not pass after %d solve(s) (%d violating element-hours, %d "
            "N-1 overloads)%s; the result is written and flagged",
            len(history),
            last.violations,
            last.n1_overloads,
            f": {last.stopped}" if last.stopped else "; raise network.ac_loop.rounds",
        )
    return ds


def _aggregation_attrs(state: StudyState, ds: xr.Dataset) -> None:
    """Segments of an aggregated sizing and its cost error against the full solve."""
    if state.sized_on.weights is None:
        return
    ds.attrs["aggregation_segments"] = len(state.sized_on.snapshots)
    ds.attrs["aggregation_method"] = "tsam segmentation, segment means"
    if math.isfinite(state.full_objective):
        ds["aggregation_cost_error"] = ((), state.sizing.objective / state.full_objective - 1.0)
        ds.attrs["objective_full_resolution"] = state.full_objective
        annotate(ds, currency=state.hourly.currency, currency_year=state.config.currency_year)


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
