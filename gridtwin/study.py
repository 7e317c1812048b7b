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

import pandas as pd
import xarray as xr
import yaml

from gridtwin.campus import campus_load
from gridtwin.config import Study, StudyConfig
from gridtwin.conventions import TIME
from gridtwin.io import check_writable
from gridtwin.optimize import pypsa_backend
from gridtwin.optimize.problem import GeneratorSpec, PoiSpec, StorageSpec, SystemProblem
from gridtwin.results import build_results, write_results
from gridtwin.series import resolve_series
from gridtwin.technologies import annualised_costs, load_catalogue
from gridtwin.weather import open_weather, pv_capacity_factor, wind_capacity_factor

logger = logging.getLogger(__name__)

#: Stage names in execution order (what the CLI's progress display shows).
STAGES = (
    "weather",
    "resources",
    "campus",
    "technologies",
    "problem",
    "optimisation",
    "results",
    "write",
)

ProgressCallback = Callable[[str, str], None]
"""Called as ``callback(stage, event)`` with event ``"start"`` or ``"done"``."""


def build_problem(
    cfg: StudyConfig,
    snapshots: pd.DatetimeIndex,
    load: xr.DataArray,
    capacity_factors: dict[str, xr.DataArray],
    costs: pd.DataFrame,
) -> SystemProblem:
    """Assemble the backend-neutral problem from the stage outputs.

    Parameters
    ----------
    cfg : StudyConfig
    snapshots : pandas.DatetimeIndex
        Hourly UTC index of the weather set.
    load : xarray.DataArray
        Campus load [MW] on ``time``.
    capacity_factors : dict of str to xarray.DataArray
        Per generator technology, [p.u.] on ``time``.
    costs : pandas.DataFrame
        Output of :func:`gridtwin.technologies.annualised_costs`.

    Returns
    -------
    SystemProblem
    """
    extendable = cfg.technologies.extendable
    generators = tuple(
        GeneratorSpec(
            name=tech,
            capacity_factor=capacity_factors[tech].to_numpy(),
            capital_cost=float(costs.at[tech, "capital_cost"]),
            marginal_cost=float(costs.at[tech, "marginal_cost"]),
        )
        for tech in ("solar", "onwind")
        if tech in extendable
    )
    storage: tuple[StorageSpec, ...] = ()
    if "battery" in extendable:
        one_way = math.sqrt(float(costs.at["battery_power", "efficiency_roundtrip"]))
        storage = (
            StorageSpec(
                name="battery",
                capital_cost_power=float(costs.at["battery_power", "capital_cost"]),
                capital_cost_energy=float(costs.at["battery_energy", "capital_cost"]),
                efficiency_charge=one_way,
                efficiency_discharge=one_way,
            ),
        )
    price = resolve_series(cfg.poi.import_price, snapshots, "poi.import_price", (-1e4, 1e5))
    cfe = resolve_series(cfg.poi.grid_cfe_share, snapshots, "poi.grid_cfe_share", (0.0, 1.0))
    poi = PoiSpec(
        p_nom=cfg.poi.p_nom,
        import_price=price,
        export_price=cfg.poi.export_price_share * price,
        grid_cfe_share=cfe,
    )
    return SystemProblem(
        snapshots=snapshots,
        load=load.to_numpy(),
        generators=generators,
        storage=storage,
        poi=poi,
        cfe_target=cfg.policy.cfe_target,
        currency=cfg.currency,
        tie_break_cost=cfg.solver.tie_break_cost,
    )


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
        weather = open_weather(cfg.weather.path)
    with stage("resources"):
        cfs = {
            "solar": pv_capacity_factor(weather, cfg.solar),
            "onwind": wind_capacity_factor(weather, cfg.wind),
        }
    with stage("campus"):
        campus = campus_load(weather, cfg.campus)
    with stage("technologies"):
        costs = annualised_costs(
            load_catalogue(cfg.technologies.catalogue),
            list(cfg.technologies.extendable),
            cfg.currency,
            cfg.currency_year,
            cfg.technologies.discount_rate,
        )
    with stage("problem"):
        snapshots = pd.DatetimeIndex(weather[TIME].to_numpy())
        problem = build_problem(cfg, snapshots, campus["load"], cfs, costs)
    return problem, campus, weather


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
    if output is not None:
        check_writable(output)
    stage = _Stages(progress)
    problem, campus, weather = prepare_problem(cfg, stage)
    with stage("optimisation"):
        solution = pypsa_backend.solve(problem, cfg.solver.options)
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
                "study_name": cfg.name,
                "currency_year": cfg.currency_year,
                "weather_file": str(cfg.weather.path.name),
                **weather_attrs,
            },
        )
    ds.attrs["stage_seconds"] = json.dumps(stage.seconds)
    if output is not None:
        with stage("write"):
            write_results(ds, output)
    return ds
