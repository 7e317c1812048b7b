"""Run a study with investment periods (``investment`` in the study file).

Each period is prepared as a study of its own (its IT capacity, CFE target, weather and
costs: :func:`period_config`, :func:`gridtwin.inputs.prepare_problem`), the periods are sized
together (:mod:`gridtwin.optimize.plan`), and each period is then verified and turned into a
result as a single study would be (:mod:`gridtwin.optimize.plan_periods`), before the results
are joined along a ``period`` dimension (:mod:`gridtwin.periods.results`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import pandas as pd
import xarray as xr
from pydantic import ValidationError

from gridtwin.assembly import STORAGE_ROWS, catalogue_row
from gridtwin.config import PeriodConfig, Study, StudyConfig
from gridtwin.coupled_ac import coupled_ac_loop
from gridtwin.exceptions import ConfigError
from gridtwin.inputs import ProgressCallback, Stages, study_costs
from gridtwin.io import check_writable
from gridtwin.memory import release_memory
from gridtwin.network.assemble import read_site_network
from gridtwin.optimize.plan import PlanProblem, PlanSolution
from gridtwin.optimize.plan_build import plan_problem
from gridtwin.optimize.plan_periods import period_results
from gridtwin.optimize.plan_solve import solve_plan
from gridtwin.periods.costs import scale_to_year
from gridtwin.periods.results import join_periods
from gridtwin.results import build_results, write_results
from gridtwin.study import StudyState, inputs_stage, results_stage, study_inputs, verify_stage

logger = logging.getLogger(__name__)

#: Largest difference of latitude or longitude between the periods' weather [deg]: about 11 km,
#: more than two weather files of one site differ (a grid cell, a nearby station).
MAX_SITE_SHIFT_DEG = 0.1


def period_config(cfg: StudyConfig, index: int) -> StudyConfig:
    """The study of one period: its IT capacity, CFE target and weather, no periods.

    Validated like a study file, so a period whose values do not fit the rest of the study
    (e.g. an IT capacity the flexibility settings cannot use) is refused by name.

    Raises
    ------
    ConfigError
        Naming ``investment.periods.<index>`` and what is wrong.
    """
    assert cfg.investment is not None
    period: PeriodConfig = cfg.investment.periods[index]
    data = cfg.model_dump()
    data["investment"] = None
    if period.it_capacity is not None:
        data["campus"]["it_capacity"] = period.it_capacity
    if period.cfe_target is not None:
        data["policy"]["cfe_target"] = period.cfe_target
    if period.weather is not None:
        data["weather"]["path"] = period.weather
    try:
        return StudyConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"investment.periods.{index} ({period.year}): {where}: {first['msg']}"
        ) from None


def lifetimes(cfg: StudyConfig) -> dict[str, float]:
    """Lifetime of every technology and network branch kind the study may build [a], from the
    technology catalogue (``lifetime``), keyed as :func:`plan_problem` takes them."""
    costs = study_costs(cfg)
    life = costs["lifetime"].astype(float)
    out = {tech: float(life[catalogue_row(tech)]) for tech in cfg.technologies.used
           if catalogue_row(tech) in life.index}  # fmt: skip
    for tech, (power, energy, power_out) in STORAGE_ROWS.items():
        if power in life.index:
            out[tech] = float(life[power])
            out[f"{tech}:e_nom"] = float(life[energy])
            if power_out is not None:
                out[f"{tech}:p_nom_discharge"] = float(life[power_out])
    if "ac_line" in life.index:
        out["line"] = float(life["ac_line"])
    if "transformer" in life.index:
        out["trafo"] = float(life["transformer"])
    return out


def run_plan_study(
    study: Study,
    output: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> xr.Dataset:
    """Run a study with investment periods end to end and optionally write the result.

    Parameters
    ----------
    study : Study
        With ``investment`` set.
    output : str or Path, optional
        netCDF file to write (atomically); nothing is written if the run fails.
    progress : callable, optional
        Receives ``(stage, "start" | "done")`` for each stage.

    Returns
    -------
    xarray.Dataset
        The periods' results on a ``period`` dimension with the vintages
        (:func:`gridtwin.periods.results.join_periods`).

    Raises
    ------
    GridTwinError
        ConfigError / DataError for bad inputs, InfeasibleError naming the period whose
        target is out of reach, SolverError from the solve.
    """
    cfg = study.config
    if cfg.investment is None:
        raise ConfigError("run_plan_study: the study has no investment periods")
    inputs = study_inputs(cfg) + [p.weather for p in cfg.investment.periods if p.weather]
    if output is not None:
        check_writable(output, inputs=inputs, kind="result")
    stage = Stages(progress)
    states = []
    for index, period in enumerate(cfg.investment.periods):
        state = StudyState(period_config(cfg, index), study)
        inputs_stage(state, stage)
        if cfg.investment.cost_trajectory == "catalogue":
            state.hourly = scale_to_year(state.hourly, state.config, period.year)
        states.append(state)
    _same_hours(states, cfg)
    _same_site(states, cfg)
    plan = plan_problem(
        tuple(cfg.investment.years),
        tuple(s.hourly for s in states),
        lifetimes(cfg),
        cfg.investment.discount_rate,
        cfg.investment.last_period_years,
    )
    with stage("optimisation"):
        solution = _solve(plan, cfg)
    checks = None
    if cfg.network is not None:
        net = read_site_network(cfg.network)
        with stage("ac_loop"):
            blocks, solution, checks = coupled_ac_loop(
                plan.blocks,
                solution,
                reported=lambda b, s: period_results(replace(plan, blocks=tuple(b)), s),
                solve=lambda b: _solve(replace(plan, blocks=tuple(b)), cfg),
                results=lambda k, p, s: build_results(p, s, states[k].campus),
                nets=[net] * len(states),
                names=[str(cfg.network.path)] * len(states),
                rounds=cfg.network.ac_loop.rounds,
                margin=cfg.network.ac_loop.margin,
            )
        plan = replace(plan, blocks=tuple(blocks))
    for k, state in enumerate(states):
        state.ac = None if checks is None else checks[k]
    datasets = _period_datasets(plan, solution, states, stage)
    ds = join_periods(datasets, plan, solution, cfg, study)
    ds.attrs["stage_seconds"] = json.dumps(stage.seconds)
    if output is not None:
        with stage("write"):
            write_results(ds, output, inputs=inputs)
    return ds


def _solve(plan: PlanProblem, cfg: StudyConfig) -> PlanSolution:
    """Solve with the study's backend and solver; the models are freed before returning."""
    try:
        return solve_plan(plan, cfg.solver.backend, cfg.solver.name, cfg.solver.options)
    finally:
        release_memory()


def _period_datasets(
    plan: PlanProblem, solution: PlanSolution, states: list[StudyState], stage: Stages
) -> list[xr.Dataset]:
    """Verify each period and build its result as a single study would."""
    out = []
    for year, state, (problem, part) in zip(
        plan.periods, states, period_results(plan, solution), strict=True
    ):
        state.sized_on, state.sizing = problem, part
        verify_stage(state, stage)
        results_stage(state, stage)
        if state.dataset.attrs.get("verify_passed") != 1:
            logger.warning("period %d fails its own check (see verify_report)", year)
        out.append(state.dataset)
    return out


def _same_site(states: list[StudyState], cfg: StudyConfig) -> None:
    """Every period's weather from the same place (a period is the same campus later)."""
    assert cfg.investment is not None
    first = states[0].weather.attrs
    for period, state in zip(cfg.investment.periods, states, strict=True):
        here = state.weather.attrs
        moved = [
            abs(float(here.get(k, first.get(k, 0.0))) - float(first.get(k, 0.0)))
            for k in ("latitude", "longitude")
        ]
        if max(moved) > MAX_SITE_SHIFT_DEG:
            raise ConfigError(
                f"investment.periods: the weather of {period.year} is from "
                f"{here.get('latitude')} N {here.get('longitude')} E, the first period's from "
                f"{first.get('latitude')} N {first.get('longitude')} E; every period is the "
                "same campus: give weather of its site"
            )


def _same_hours(states: list[StudyState], cfg: StudyConfig) -> None:
    """Every period's weather on the same hours (one time axis for the joined result)."""
    first = pd.DatetimeIndex(states[0].hourly.snapshots)
    assert cfg.investment is not None
    for period, state in zip(cfg.investment.periods, states, strict=True):
        hours = pd.DatetimeIndex(state.hourly.snapshots)
        if not hours.equals(first):
            raise ConfigError(
                f"investment.periods: the weather of {period.year} covers {hours[0]} to "
                f"{hours[-1]} ({len(hours)} h), the first period's {first[0]} to {first[-1]} "
                f"({len(first)} h); give every period weather of the same hours (a typical "
                "year is re-indexed to weather.reference_year)"
            )


__all__ = ["lifetimes", "period_config", "run_plan_study"]
