"""``gridtwin resilience RESULT.nc``: survival of grid outages, added to the result file.

The configuration is the ``resilience`` section of the study the result was run with (kept in
the file as ``study_resolved``), changed with ``--set resilience.FIELD=VALUE`` like
``gridtwin run --set``. The analysis (:mod:`gridtwin.resilience.analysis`) is written into the
result atomically (``-o OUT.nc`` writes a copy instead) and summarised as a table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
import xarray as xr
import yaml
from pydantic import Field, ValidationError

from gridtwin.config import ResilienceConfig, apply_override
from gridtwin.config.base import StrictModel
from gridtwin.config.messages import format_validation_error
from gridtwin.console import console, fail, key_value_table
from gridtwin.exceptions import ConfigError, GridTwinError


class _Section(StrictModel):
    resilience: ResilienceConfig = Field(default_factory=ResilienceConfig)


def resilience_config(ds: xr.Dataset, overrides: list[str], source: str) -> ResilienceConfig:
    """The ``resilience`` section of the result's study with ``overrides`` applied.

    Raises
    ------
    ConfigError
        An override outside ``resilience.`` or a value the section refuses.
    """
    try:
        study = yaml.safe_load(str(ds.attrs.get("study_resolved", ""))) or {}
    except yaml.YAMLError:
        raise ConfigError(
            f"{source}: its study_resolved attribute is not valid YAML (a damaged file); "
            "run the study again"
        ) from None
    if not isinstance(study, dict):
        raise ConfigError(f"{source}: its study_resolved attribute is not a study mapping")
    raw: dict[str, Any] = {"resilience": dict(study.get("resilience") or {})}
    for item in overrides:
        if not item.strip().startswith("resilience."):
            raise ConfigError(
                f"--set {item!r}: only resilience.* fields can change after the run "
                "(e.g. --set resilience.gensets.fuel_hours=72); run the study again for others"
            )
        if item.strip().startswith("resilience.sizing"):
            raise ConfigError(
                f"--set {item!r}: resilience.sizing sizes the supply and applies to gridtwin "
                "run; gridtwin resilience analyses the design in the file as it is"
            )
        apply_override(raw, item)
    where = f"{source} (with --set {' '.join(overrides)})" if overrides else source
    try:
        return _Section.model_validate(raw).resilience
    except ValidationError as err:
        raise ConfigError(format_validation_error(where, err)) from None


def resilience_lines(ds: xr.Dataset) -> list[tuple[str, str]]:
    """Summary lines of a run's resilience sizing (none without it)."""
    if "survival_sizing_rounds" not in ds.attrs:
        return []
    rounds = json.loads(ds.attrs["survival_sizing_rounds"])
    cur = ds.attrs.get("currency", "")
    target = float(ds.attrs["survival_sizing_target"])
    hours = ds.attrs.get("survival_sizing_duration_h", "?")
    met = "met" if ds.attrs["survival_sizing_met"] == "1" else "[red]NOT met[/red]"
    built = []
    if float(ds.get("outage_fuel", 0.0)) > 0:
        built.append(f"fuel {float(ds['outage_fuel']):,.0f} MWh")
    if float(ds.get("outage_genset_p_nom", 0.0)) > 0:
        built.append(f"generator sets {float(ds['outage_genset_p_nom']):,.0f} MW")
    return [
        (
            "resilience",
            f"{hours} h outages: survival {_p(rounds[0]['survival'])} -> "
            f"{_p(rounds[-1]['survival'])} (target {target:g}, {met}) in {len(rounds) - 1} "
            f"round(s) of outage scenarios; +{float(ds.attrs['survival_sizing_cost']) / 1e6:,.3f} "
            f"M{cur}/a" + (f" ({', '.join(built)})" if built else ""),
        )
    ]


def _p(value: Any) -> str:
    """A probability with four decimals; '> 0.9999' rather than a rounded 1 (the chain's
    lower bounds are never exactly 1 in a meaningful way)."""
    v = float(value)
    return "> 0.9999" if v >= 0.99995 else f"{v:.4f}"


def _summary(ds: xr.Dataset, cfg: ResilienceConfig, written: Path) -> Any:
    table = key_value_table("survival of grid outages")
    a = ds.attrs
    g = cfg.gensets
    table.add_row(
        "critical load",
        f"peak {float(a['resilience_critical_peak_mw']):,.0f} MW (inference "
        f"{cfg.critical_load.inference:g}, training {cfg.critical_load.training:g} of IT, x PUE)",
    )
    table.add_row(
        "backup",
        f"{a['resilience_units']} unit(s) x {float(a['resilience_unit_p_nom_mw']):g} MW = "
        f"{float(a['resilience_fleet_p_nom_mw']):,.0f} MW ({g.redundancy}); fuel "
        f"{float(a['resilience_fuel_mwh']):,.0f} MWh ({g.fuel_hours:g} h at rating"
        + (
            f" + {float(ds['outage_fuel']):,.0f} MWh built for outages)"
            if float(ds.get("outage_fuel", 0.0)) > 0
            else ")"
        ),
    )
    table.add_row(
        "storage",
        f"{float(a['resilience_storage_e_nom_mwh']):,.0f} MWh, "
        f"{float(a['resilience_storage_p_nom_mw']):,.0f} MW (on-site, incl. UPS)",
    )
    prob = ds["survival_probability"]
    parts = [f"{d} h {_p(prob.sel(outage_duration=d))}" for d in cfg.outages.durations_h]
    table.add_row("survival", ", ".join(parts))
    worst = ds["survival_probability_by_month"].sel(outage_duration=cfg.outages.max_duration)
    m = int(worst.idxmin("month"))
    table.add_row(f"worst month ({cfg.outages.max_duration} h)", f"{m:02d}: {_p(worst.min())}")
    if "survival_probability_heatwave" in ds:
        hw = ds["survival_probability_heatwave"]
        table.add_row(
            "hottest 3 days",
            f"from {hw.attrs['start'][:10]}: "
            + ", ".join(f"{d} h {_p(hw.sel(outage_duration=d))}" for d in cfg.outages.durations_h),
        )
    hours = ds["outage_hours_survived"].to_numpy()
    table.add_row(
        "every unit running",
        f"{np.mean(hours >= cfg.outages.max_duration):.1%} of start hours ride through "
        f"{cfg.outages.max_duration} h; shortest {int(hours.min())} h",
    )
    if "resilience_islanding_cuts" in a:
        cuts = [" + ".join(c) for c in json.loads(a["resilience_islanding_cuts"])]
        table.add_row(
            "islanded by", "; ".join(cuts) if cuts else "no outage of one or two branches"
        )
    if "resilience_outages_lost_per_year" in a:
        table.add_row(
            "islanding risk",
            f"{float(a['resilience_islanding_frequency']):.3g} events/a; "
            f"{float(a['resilience_outages_lost_per_year']):.3g} a year not ridden through",
        )
    if "resilience_expected_survival" in a:
        table.add_row("expected survival", f"{float(a['resilience_expected_survival']):.4f}")
    table.add_row("written", str(written))
    return table


def resilience(
    result: Annotated[Path, typer.Argument(help="Result netCDF of one run (gridtwin run).")],
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Change a resilience field: --set resilience.critical_load.training=0 "
            "(repeatable).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here instead of updating RESULT in place."),
    ] = None,
) -> None:
    """Survival of grid outages: the probability of carrying the critical load through an
    outage by duration, month and hour, with generator failures, fuel and storage; added to the
    result file."""
    from gridtwin.resilience.analysis import survival_analysis
    from gridtwin.results import open_results, single_run, write_results

    try:
        ds = single_run(open_results(result), result, "gridtwin resilience")
        cfg = resilience_config(ds, list(overrides or []), str(result))
        with console.status("Survival of grid outages ...", spinner="dots"):
            out = survival_analysis(ds, cfg)
        written = write_results(out, output if output is not None else result)
    except GridTwinError as exc:
        raise fail(exc) from None
    console.print(_summary(out, cfg, written))
