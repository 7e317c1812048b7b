"""Run a study with a fleet (``fleet`` in the study file): this campus and the others sized
together, training work moving between them (:mod:`gridtwin.optimize.fleet`).

Each campus is prepared as its own study (its file: weather, campus, grid signals, POI,
network, technologies) on this study's UTC hours; the fleet is sized as one LP; each campus is
then checked (AC loop where it has a site network), verified and turned into a result as a
single study would be, on the load it served after the moves, and the results are joined on
a ``site`` dimension with the moves (:mod:`gridtwin.fleet.results`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import xarray as xr

from gridtwin.config import Study, StudyConfig, load_study
from gridtwin.coupled_ac import coupled_ac_loop
from gridtwin.exceptions import ConfigError
from gridtwin.fleet.results import join_sites
from gridtwin.inputs import ProgressCallback, Stages, prepare_problem
from gridtwin.io import check_writable
from gridtwin.memory import release_memory
from gridtwin.network.assemble import read_site_network
from gridtwin.optimize.fleet import FleetProblem, FleetSolution, Transfer, site_results
from gridtwin.optimize.plan_solve import solve_fleet
from gridtwin.results import build_results, write_results
from gridtwin.study import StudyState, results_stage, study_inputs, verify_stage

logger = logging.getLogger(__name__)


def site_studies(study: Study) -> dict[str, Study]:
    """Every campus of the fleet by name, this study's first (without its ``fleet``).

    Raises
    ------
    ConfigError
        A campus's study cannot be loaded, is in another currency, or asks for what a fleet
        cannot carry (its own fleet or periods, aggregation, a rolling dispatch, resilience
        sizing, heat reuse).
    """
    cfg = study.config
    assert cfg.fleet is not None
    out = {cfg.name: replace(study, config=cfg.model_copy(update={"fleet": None}))}
    for name, path in cfg.fleet.sites.items():
        try:
            other = load_study(path)
        except ConfigError as err:
            raise ConfigError(f"fleet.sites.{name}: {err}") from None
        _check_site(name, other.config, cfg)
        out[name] = other
    return out


def _check_site(name: str, site: StudyConfig, home: StudyConfig) -> None:
    refused = {
        "its own fleet": site.fleet is not None,
        "investment periods": site.investment is not None,
        "aggregation.segments": site.aggregation.segments is not None,
        "dispatch.mode rolling / dispatch.capacities": site.dispatch.mode != "sizing"
        or site.dispatch.capacities is not None,
        "resilience.sizing": site.resilience.sizing is not None,
        "campus.heat_reuse": site.campus.heat_reuse is not None,
    }
    given = [what for what, on in refused.items() if on]
    if given:
        raise ConfigError(f"fleet.sites.{name}: a fleet campus cannot have {', '.join(given)}")
    if site.currency_year != home.currency_year:
        raise ConfigError(
            f"fleet.sites.{name}: money of {site.currency_year}, the fleet's of "
            f"{home.currency_year}; set currency_year: {home.currency_year} in its study"
        )
    if site.currency != home.currency:
        raise ConfigError(
            f"fleet.sites.{name}: costed in {site.currency}, the fleet in {home.currency}; "
            f"set currency: {home.currency} in its study"
        )


def fleet_problem(
    names: list[str], states: list[StudyState], cfg: StudyConfig
) -> tuple[FleetProblem, list[str]]:
    """The fleet's LP from the campuses' problems and the study's links.

    Returns
    -------
    FleetProblem
    excluded : list of str
        Links left out for their latency (``fleet.latency_max_ms``).

    Raises
    ------
    ConfigError
        A campus's movable and shiftable training share above 1.
    """
    fleet = cfg.fleet
    assert fleet is not None
    pue, spare, movable = [], [], {}
    for name, state in zip(names, states, strict=True):
        campus, flex = state.campus, state.hourly.flex
        pue.append(campus["pue"].to_numpy())
        shift_in = 0.0 if flex is None else flex.shift_in_bound / pue[-1]
        room = campus["capacity_online"].to_numpy() - campus["it_load"].to_numpy() - shift_in
        spare.append(np.maximum(room, 0.0))
        own = state.config.campus.flexibility
        if own.flexible_workload == "training" and own.shift_share + fleet.movable_share > 1:
            raise ConfigError(
                f"fleet.movable_share {fleet.movable_share} and campus.flexibility.shift_share "
                f"{own.shift_share} of {name} move more than its training load; lower one"
            )
        training = campus["it_load_training"].to_numpy() if "it_load_training" in campus else 0.0
        if "it_load_training" not in campus:
            logger.warning(
                "fleet: campus %s has no training load (campus.profile flat): no work moves "
                "away from it; use campus.profile: workload",
                name,
            )
        movable[name] = fleet.movable_share * np.asarray(training) * np.ones(len(pue[-1]))
    transfers, excluded = [], []
    for link in fleet.transfers:
        ways = [(link.origin, link.destination)]
        ways += [(link.destination, link.origin)] if link.both_ways else []
        if fleet.latency_max_ms is not None and link.latency_ms > fleet.latency_max_ms:
            excluded += [f"{a}->{b}" for a, b in ways]
            continue
        for a, b in ways:
            transfers.append(Transfer(a, b, np.minimum(link.p_max, movable[a]), link.cost))
    if excluded:
        logger.warning(
            "fleet: %s carry no work: latency above fleet.latency_max_ms %s ms",
            ", ".join(excluded),
            fleet.latency_max_ms,
        )
    problem = FleetProblem(
        sites=tuple(names),
        blocks=tuple(s.hourly for s in states),
        pue=tuple(pue),
        spare=tuple(spare),
        transfers=tuple(transfers),
        fleet_target=fleet.cfe_target,
        movable=tuple(movable[name] for name in names),
    )
    return problem, excluded


def run_fleet_study(
    study: Study,
    output: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> xr.Dataset:
    """Run a fleet study end to end and optionally write the result.

    Parameters
    ----------
    study : Study
        With ``fleet`` set; its own campus is the first of the fleet.
    output : str or Path, optional
        netCDF file to write (atomically); nothing is written if the run fails.
    progress : callable, optional
        Receives ``(stage, "start" | "done")`` for each stage.

    Returns
    -------
    xarray.Dataset
        The campuses' results on a ``site`` dimension with the moves
        (:func:`gridtwin.fleet.results.join_sites`).

    Raises
    ------
    GridTwinError
        ConfigError / DataError for bad inputs (naming the campus), InfeasibleError, and
        SolverError from the solve.
    """
    cfg = study.config
    if cfg.fleet is None:
        raise ConfigError("run_fleet_study: the study has no fleet")
    studies = site_studies(study)
    inputs = [p for s in studies.values() for p in study_inputs(s.config)]
    inputs += list(cfg.fleet.sites.values())
    if output is not None:
        check_writable(output, inputs=inputs, kind="result")
    stage = Stages(progress)
    states, hours = [], None
    for name, site in studies.items():
        state = StudyState(site.config, site)
        try:
            state.hourly, state.campus, state.weather = prepare_problem(site.config, stage, hours)
        except ConfigError as err:
            raise ConfigError(f"fleet campus {name}: {err}") from None
        state.sized_on, state.sized_campus = state.hourly, state.campus
        hours = state.hourly.snapshots if hours is None else hours
        states.append(state)
    names = list(studies)
    fleet, excluded = fleet_problem(names, states, cfg)
    with stage("optimisation"):
        solution = _solve(fleet, cfg)
    nets = [read_site_network(s.config.network) if s.config.network else None for s in states]
    checks = None
    if any(net is not None for net in nets):
        loop = next(s.config.network.ac_loop for s in states if s.config.network is not None)
        with stage("ac_loop"):
            blocks, solution, checks = coupled_ac_loop(
                fleet.blocks,
                solution,
                reported=lambda b, s: site_results(replace(fleet, blocks=tuple(b)), s),
                solve=lambda b: _solve(replace(fleet, blocks=tuple(b)), cfg),
                results=lambda k, p, s: build_results(p, s, states[k].campus),
                nets=nets,
                names=[str(s.config.network.path) if s.config.network else "" for s in states],
                rounds=loop.rounds,
                margin=loop.margin,
            )
        fleet = replace(fleet, blocks=tuple(blocks))
    datasets = []
    reported = site_results(fleet, solution)
    for k, (state, (problem, part)) in enumerate(zip(states, reported, strict=True)):
        state.sized_on, state.sizing = problem, part
        state.ac = None if checks is None or nets[k] is None else checks[k]
        verify_stage(state, stage)
        results_stage(state, stage)
        datasets.append(state.dataset)
    ds = join_sites(datasets, fleet, solution, cfg, study, excluded)
    ds.attrs["stage_seconds"] = json.dumps(stage.seconds)
    if output is not None:
        with stage("write"):
            write_results(ds, output, inputs=inputs)
    return ds


def _solve(fleet: FleetProblem, cfg: StudyConfig) -> FleetSolution:
    """Solve with the study's backend and solver; the models are freed before returning."""
    try:
        return solve_fleet(fleet, cfg.solver.backend, cfg.solver.name, cfg.solver.options)
    finally:
        release_memory()


__all__ = ["fleet_problem", "run_fleet_study", "site_studies"]
