"""Command line interface: ``gridtwin run [STUDY] [-o OUT]``.

The CLI configures logging and turns every :class:`~gridtwin.exceptions.GridTwinError` into a
one-line message on stderr with a non-zero exit code (2 for a bad study file, 1 otherwise);
no traceback is shown for errors a user can fix.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
import xarray as xr
from rich.markup import escape

from gridtwin import __version__
from gridtwin.console import console, fail
from gridtwin.exceptions import ConfigError, GridTwinError
from gridtwin.grid.cli import grid_app
from gridtwin.kpis.matching import REGIMES
from gridtwin.optimize.progress import listen as solver_listen
from gridtwin.resilience.cli import resilience as resilience_command
from gridtwin.resilience.cli import resilience_lines
from gridtwin.weather.cli import weather_app

app = typer.Typer(
    name="gridtwin",
    help="Size 24/7 carbon-free power for large AI data-center campuses with the grid.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)
app.add_typer(weather_app, name="weather")
app.add_typer(grid_app, name="grid")
app.command("resilience")(resilience_command)

DEFAULT_STUDY = Path("studies/default.yaml")

BACKEND_NAMES = {"pypsa": "PyPSA", "cvxpy": "cvxpy"}
SOLVER_NAMES = {"highs": "HiGHS", "clarabel": "Clarabel"}

STAGE_LABELS = {
    "weather": "Reading weather",
    "resources": "PV and wind capacity factors (pvlib, windpowerlib)",
    "campus": "Campus load and PUE",
    "technologies": "Annualised technology costs",
    "network": "Reading the site network (pandapower)",
    "problem": "Assembling the sizing problem",
    "aggregation": "Aggregating time series (tsam segments)",
    "full_resolution": "Full-resolution solve for the aggregation error",
    "optimisation": "Optimising capacities and dispatch",
    "resilience": "Outage scenarios for the survival target (resilience sizing)",
    "ac_loop": "AC power flow and N-1 of every hour (AC loop)",
    "dispatch": "Rolling-horizon dispatch (cvxpy)",
    "verify": "Verifying every constraint family",
    "results": "Recomputing CFE score and costs",
    "survival": "Survival of grid outages, every start hour",
    "write": "Writing netCDF",
}


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show log messages.")] = False,
) -> None:
    """gridtwin command line."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:  # linopy and PyPSA log at INFO/WARNING on their own loggers
        for name in ("linopy", "pypsa", "matplotlib"):
            logging.getLogger(name).setLevel(logging.ERROR)


@app.command()
def run(
    study: Annotated[
        Path,
        typer.Argument(help="Study YAML file.", show_default=True),
    ] = DEFAULT_STUDY,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Result netCDF file (default: results/NAME.nc)."),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(help="Optimisation backend: pypsa or cvxpy (default: solver.backend)."),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a study field, validated like the file: --set policy.cfe_target=0.95 "
            "(repeatable).",
        ),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Stop without writing when the solution fails the verifier (every constraint "
            "family recomputed from it); without it a failure is recorded and warned.",
        ),
    ] = False,
) -> None:
    """Run a study: size solar, wind and storage for hourly CFE and write a netCDF result."""
    from gridtwin.config import load_study
    from gridtwin.study import run_study

    out: Path | None = output
    try:
        if study == DEFAULT_STUDY and not study.is_file():
            raise ConfigError(
                f"{study}: default study not found in {Path.cwd()}; run from the gridtwin "
                "repository root or give a study file: gridtwin run PATH/TO/STUDY.yaml"
            )
        items = list(overrides or [])
        if backend is not None:
            items.append(f"solver.backend={backend}")
        if verify:
            items.append("solver.verify=true")
        loaded = load_study(study, overrides=items)
        if loaded.config.sweep is not None:
            console.print(
                f"[yellow]note[/]: {study} has a sweep section; gridtwin run solves the base "
                f"study only (gridtwin sweep {study} -o OUT.nc runs the scenarios)"
            )
        out = output or Path("results") / f"{loaded.config.name}.nc"
        solver = loaded.config.solver
        labels = dict(STAGE_LABELS)
        labels["optimisation"] += (
            f" ({BACKEND_NAMES[solver.backend]} + {SOLVER_NAMES[solver.name]})"
        )
        timings: dict[str, float] = {}
        starts: dict[str, float] = {}
        current = ["Starting"]
        with console.status("Starting", spinner="dots") as status:

            def progress(stage: str, event: str) -> None:
                if event == "start":
                    starts[stage] = time.perf_counter()
                    current[0] = labels.get(stage, stage)
                    status.update(current[0] + " ...")
                else:
                    timings[stage] = time.perf_counter() - starts[stage]
                    console.print(
                        f"[green]✓[/] {labels.get(stage, stage)} [dim]({timings[stage]:.1f} s)[/]"
                    )

            def solver_progress(summary: str) -> None:  # from the solver's log reader thread
                status.update(f"{current[0]} ... [dim]{escape(summary)}[/]")

            stop_listening = solver_listen(solver_progress)
            try:
                ds = run_study(loaded, output=out, progress=progress)
            finally:
                stop_listening()
    except GridTwinError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        earlier = f"; the earlier {out} is intact" if out is not None and out.exists() else ""
        console.print(f"[yellow]interrupted[/]: nothing was written{earlier}")
        raise typer.Exit(130) from None
    _print_summary(ds, out)


def _print_plan_summary(ds: xr.Dataset, out: Path) -> None:
    """The summary of a result with investment periods: each period and the vintages."""
    from gridtwin.periods.tables import plan_tables

    cur = ds.attrs.get("currency", "")
    years = [int(y) for y in ds["period"].values]
    for table in plan_tables(ds):
        console.print(table)
    console.print(
        f"plan cost          {float(ds.attrs['plan_objective']) / 1e9:,.3f} bn{cur} "
        f"({cur} of {ds.attrs.get('currency_year', '?')}, discounted at "
        f"{100 * float(ds.attrs['discount_rate']):g} %/a to {years[0]}; period weights "
        + ", ".join(f"{float(w):.2f}" for w in ds["period_weight"].values)
        + " a)"
    )
    if "ac_loop_converged" in ds.attrs:
        passed = "passes" if int(ds.attrs["ac_loop_converged"]) == 1 else "does NOT pass"
        console.print(f"AC check           every period {passed} (ac_loop_* per period)")
    if "verify_passed" in ds.attrs:
        ok = int(ds.attrs["verify_passed"]) == 1
        said = (
            "every period holds every constraint family"
            if ok
            else ("[red]FAILED[/] in a period: see the table and verify_report")
        )
        console.print(f"verified           {said}")
    console.print(f"written            {out}")


def _print_fleet_summary(ds: xr.Dataset, out: Path) -> None:
    """The summary of a fleet result: each campus and where the work went."""
    from gridtwin.fleet.tables import fleet_tables

    cur = ds.attrs.get("currency", "")
    for table in fleet_tables(ds):
        console.print(table)
    years = float(ds["horizon_years"].max())
    console.print(
        f"fleet cost         {float(ds.attrs['fleet_objective']) / years / 1e6:,.1f} M{cur}/a "
        f"({cur} of {ds.attrs.get('currency_year', '?')}), moving costs included"
    )
    excluded = json.loads(ds.attrs.get("transfers_excluded", "[]"))
    if excluded:
        console.print(f"links left out     {', '.join(excluded)} (latency above the limit)")
    if "ac_loop_converged" in ds.attrs:
        passed = "passes" if int(ds.attrs["ac_loop_converged"]) == 1 else "does NOT pass"
        console.print(f"AC check           every campus with a network {passed}")
    if "verify_passed" in ds.attrs:
        ok = int(ds.attrs["verify_passed"]) == 1
        said = (
            "every campus holds every constraint family"
            if ok
            else ("[red]FAILED[/] at a campus: see the table and verify_report")
        )
        console.print(f"verified           {said}")
    console.print(f"written            {out}")


def _print_summary(ds: xr.Dataset, out: Path) -> None:
    from gridtwin.network.summary import network_lines
    from gridtwin.results import weights
    from gridtwin.tables import cooling_lines, result_tables

    if "period" in ds.dims:
        _print_plan_summary(ds, out)
        return
    if "site" in ds.dims:
        _print_fleet_summary(ds, out)
        return
    cur = ds.attrs.get("currency", "")
    for table in result_tables(ds):
        console.print(table)
    years = float(ds["horizon_years"])
    w = weights(ds)  # hours per time step (aggregated results)
    campus = ds["campus_load_served"] if "campus_load_served" in ds else ds["load_served"]
    load_twh = float((w * campus).sum()) / 1e6 / years
    imports = float((w * ds["grid_import"]).sum()) / 1e3 / years
    pue = float((w * ds["pue"]).sum() / w.sum())
    if abs(years - 1.0) > 1e-9:
        hours = round(float(w.sum()))
        console.print(f"[yellow]horizon {hours} h = {years:.4g} years; values per year[/]")
    solver = json.loads(ds.attrs.get("solver", "{}"))
    if ds.attrs.get("mode") == "rolling_dispatch":
        console.print(
            f"mode               rolling dispatch, {solver.get('window_hours')} h windows "
            f"stepped {solver.get('step_hours')} h, CFE priced at "
            f"{solver.get('cfe_price', float('nan')):,.2f} {cur}/MWh "
            f"(capacities from {ds.attrs.get('capacities_from')})"
        )
    if "aggregation_segments" in ds.attrs:
        error = (
            f", cost error {float(ds['aggregation_cost_error']):+.2%} vs full resolution"
            if "aggregation_cost_error" in ds
            else ""
        )
        console.print(f"aggregation        {ds.attrs['aggregation_segments']} segment(s){error}")
    exports = float((w * ds["grid_export"]).sum()) / 1e3 / years
    target = float(ds["cfe_target"])
    score = score_lines(ds, target)
    if "cfe_score_by_year" in ds:
        by_year = ", ".join(
            f"{int(y)}: {float(v):.4f}" for y, v in ds["cfe_score_by_year"].to_series().items()
        )
        score += f"\nCFE score by year  {by_year}"
    console.print(
        f"campus load        {load_twh:,.3f} TWh/a  (mean PUE {pue:.3f})\n"
        f"grid import        {imports:,.0f} GWh/a, export {exports:,.0f} GWh/a  (POI limit "
        f"{float(ds['poi_p_nom']):,.0f} MW)\n"
        f"{score}\n"
        f"annual system cost {float(ds['system_cost']) / 1e6:,.1f} M{cur}/a "
        f"({cur} of {ds.attrs.get('currency_year', '?')})\n"
        f"LCOE               {float(ds['lcoe']):,.2f} {cur}/MWh of campus load\n"
        f"solver             {solver.get('name', '?')} {solver.get('termination_condition', '')}"
        f" in {solver.get('solve_time_s', float('nan')):.1f} s"
    )
    for label, text in network_lines(ds):
        console.print(f"{label:<18} {text}")
    for label, text in [*eu_lines(ds), *cooling_lines(ds), *resilience_lines(ds)]:
        console.print(f"{label:<18} {text}")
    if "verify_passed" in ds.attrs:
        console.print(f"verified           {_verified(ds)}")
    console.print(f"written            {out}")


def score_lines(ds: xr.Dataset, target: float) -> str:
    """The CFE score under the regime the design was sized for, then under every regime."""
    regime = sized_for(ds)
    if "matching_score" not in ds:  # files written before every regime was scored
        return f"CFE score          {float(ds['cfe_score']):.4f}  ({regime} target {target:.4f})"
    scores = ds["matching_score"].to_series()
    own = float(scores[regime]) if regime in scores else float(ds["cfe_score"])
    others = ", ".join(f"{name} {float(v):.4f}" for name, v in scores.items())
    return (
        f"CFE score          {own:.4f}  ({regime} target {target:.4f})\nby regime          {others}"
    )


def eu_lines(ds: xr.Dataset) -> list[tuple[str, str]]:
    """The EU reporting KPIs and, with ``policy.eu``, each legal limit and whether it holds."""
    if "kpi_pue" not in ds:
        return []

    def show(name: str, digits: int = 3) -> str:
        value = float(ds[name])
        return f"{value:.{digits}f}" if np.isfinite(value) else "not modelled"

    lines = [
        (
            "EU KPIs",
            f"PUE {show('kpi_pue')}, REF {show('kpi_ref')} (on-site {show('kpi_ref_onsite')}, "
            f"PPA {show('kpi_ref_ppa')}, certificates {show('kpi_ref_certificates')}), "
            f"CER {show('kpi_cer', 1)}, WUE {show('kpi_wue')}, ERF {show('kpi_erf')}",
        )
    ]
    if "eu_rule" in ds.dims:
        meanings = str(ds["eu_status"].attrs.get("flag_meanings", "")).split()
        parts = []
        for rule in ds["eu_rule"].values:
            limit = float(ds["eu_limit"].sel(eu_rule=rule))
            value = float(ds["eu_value"].sel(eu_rule=rule))
            status = meanings[int(ds["eu_status"].sel(eu_rule=rule))].replace("_", " ")
            shown = f"{value:.3f}" if np.isfinite(value) else "-"
            parts.append(f"{rule} {limit:g}: {status} ({shown})")
        year, site = ds.attrs.get("eu_year", "?"), ds.attrs.get("eu_site", "?")
        lines.append((f"EnEfG {year} {site}", "; ".join(parts)))
    return lines


def sized_for(ds: xr.Dataset) -> str:
    """The accounting regime a result's CFE target was met under."""
    if "matching_target" in ds:
        meanings = str(ds["matching_target"].attrs.get("flag_meanings", "")).split()
        code = int(ds["matching_target"])
        return meanings[code] if 0 <= code < len(meanings) else REGIMES[code]
    if "matching_is_hourly" in ds:
        return "hourly" if int(ds["matching_is_hourly"]) else "annual"
    return "hourly"


def _verified(ds: xr.Dataset) -> str:
    """What the verifier found, in one line."""
    report = json.loads(ds.attrs["verify_report"])
    if int(ds.attrs["verify_passed"]):
        ratio = max((v["worst"] / v["tolerance"] for v in report.values()), default=0.0)
        return f"{len(report)} constraint families hold (worst row at {ratio:.1e} of its tolerance)"
    failed = [f"{k} by {v['worst']:.3g} {v['unit']} at {v['where']}" for k, v in report.items()
              if v["worst"] > v["tolerance"]]  # fmt: skip
    return "[red]FAILED[/]: " + "; ".join(failed)


@app.command()
def sweep(
    study: Annotated[Path, typer.Argument(help="Study YAML file with a 'sweep' section.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Combined netCDF (dimension 'scenario').")
    ],
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Processes of the local dask cluster.")
    ] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of a running dask scheduler (tcp://host:8786)."),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a field of the study for every scenario."),
    ] = None,
) -> None:
    """Run every scenario of STUDY on dask; finished scenarios are kept and skipped next time."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from gridtwin.config import load_study
    from gridtwin.sweep import run_sweep
    from gridtwin.tables import rich_table, scenario_rows

    loaded = None
    try:
        loaded = load_study(study, overrides=list(overrides or []))
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("scenarios", total=None)

            def progress(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=f"scenarios {name}")

            outcome = run_sweep(
                loaded, output, workers=workers, scheduler=scheduler, progress=progress
            )
    except GridTwinError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        from gridtwin.sweep import scenario_folder

        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        folder = scenario_folder(Path(output))
        kept = len(list(folder.glob("*.nc"))) if folder.is_dir() else 0
        console.print(
            f"[yellow]interrupted[/]: {kept} finished scenario file(s) kept in {folder}/; "
            "run the same command again to resume"
        )
        raise typer.Exit(130) from None
    assert loaded is not None
    rows = scenario_rows(outcome.dataset, outcome.status, outcome.errors)
    title = f"sweep {loaded.config.name}: {len(outcome.status)} scenarios"
    table = rich_table(title, rows, text=(0, 1, -1))
    console.print(table)
    console.print(f"written {output} and {outcome.folder}/")
    if outcome.failed:
        console.print(
            f"[red]{len(outcome.failed)} scenario(s) failed:[/] {', '.join(outcome.failed)}"
        )
        raise typer.Exit(1)


@app.command()
def report(
    result: Annotated[Path, typer.Argument(help="Result netCDF (gridtwin run or sweep).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Report folder (PNG figures + index.html).")
    ],
    start: Annotated[
        str | None,
        typer.Option("--start", help="First day of the dispatch week, UTC (e.g. 2019-07-15)."),
    ] = None,
) -> None:
    """Figures of a result as PNG files and an index.html summary page linking them."""
    from gridtwin import open_results
    from gridtwin.report import write_report
    from gridtwin.tables import result_tables, rich_table, scenario_rows

    try:
        ds = open_results(result)
        written = write_report(ds, output, source=result.name, start=start)
    except GridTwinError as exc:
        raise fail(exc) from None
    if "scenario" in ds.dims:
        rows = scenario_rows(ds)
        console.print(rich_table(f"{len(rows[1])} scenarios", rows, text=(0, 1, -1)))
    elif "period" in ds.dims:
        from gridtwin.periods.tables import plan_tables

        for table in plan_tables(ds):
            console.print(table)
    elif "site" in ds.dims:
        from gridtwin.fleet.tables import fleet_tables

        for table in fleet_tables(ds):
            console.print(table)
    else:
        for table in result_tables(ds):
            console.print(table)
    for path in written:
        console.print(f"written {path}")


@app.command()
def export(
    result: Annotated[Path, typer.Argument(help="Result netCDF of one run.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="PyPSA network netCDF to write (.nc).")
    ],
) -> None:
    """The solved system as a PyPSA network file (open it with pypsa.Network(path))."""
    from gridtwin import open_results
    from gridtwin.export import write_pypsa
    from gridtwin.results import single_run

    try:
        ds = single_run(open_results(result), result, "gridtwin export")
        written = write_pypsa(ds, output, source=result)
    except GridTwinError as exc:
        raise fail(exc) from None
    console.print(f"written {written} (PyPSA network: capacities and dispatch of {result.name})")


@app.command()
def version() -> None:
    """Print the gridtwin version."""
    console.print(f"gridtwin {__version__}")
