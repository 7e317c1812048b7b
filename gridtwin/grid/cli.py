"""``gridtwin grid``: AC power-flow checks of solved studies at their POI network.

Commands::

    gridtwin grid check RESULT.nc [--network FILE] [--hours N] [--n1-hours N] [-o OUT.nc]

``check`` runs the hourly AC power flow and N-1 of a result (:mod:`gridtwin.grid.check`, which
documents how the result is mapped onto the network), adds the grid variables to the result
file (atomically; to ``-o OUT.nc`` if given) and prints a summary. A
:class:`~gridtwin.exceptions.GridTwinError` becomes one line on stderr and exit code 1 (2 for a
bad argument), with no traceback. Mount with ``app.add_typer(grid_app, name="grid")``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.table import Table

from gridtwin.console import column, console, fail, key_value_table
from gridtwin.exceptions import GridTwinError

if TYPE_CHECKING:
    import xarray as xr

    from gridtwin.grid.check import GridCheck
    from gridtwin.grid.hosting import HostingResult

grid_app = typer.Typer(
    name="grid",
    help="AC power flow and N-1 of a solved study at its point-of-interconnection network.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)


def _check_table(check: GridCheck, out: Path) -> Table:
    """The outcome of a grid check as a two-column table."""
    ds = check.dataset
    n = int(ds.attrs["grid_hours"])
    part = ds.isel(time=slice(0, n))
    loading = part["loading_percent"]
    worst_branch = str(loading.max("time").idxmax("branch").item())
    mismatch = float(np.abs(part["grid_mismatch_mw"]).max())
    table = key_value_table(f"grid check on {ds.attrs['grid_network']}")
    table.add_row("hours", f"{n} of {ds.sizes['time']} (backend {ds.attrs['grid_backend']})")
    table.add_row("max loading", f"{float(loading.max()):.1f} % ({worst_branch})")
    table.add_row(
        "voltage", f"{float(part['vm_pu'].min()):.4f} .. {float(part['vm_pu'].max()):.4f} p.u."
    )
    table.add_row("losses", f"max {float(part['losses_mw'].max()):.2f} MW")
    table.add_row("POI mismatch", f"max |ext_grid - (import - export) - losses| {mismatch:.2e} MW")
    table.add_row(
        "violations",
        f"{int(ds.attrs['grid_violations'])} element-hours outside voltage or thermal limits",
    )
    if ds.attrs.get("grid_rating_warnings", "none") != "none":
        table.add_row("ratings", f"[yellow]{ds.attrs['grid_rating_warnings']}[/yellow]")
    if ds.sizes.get("contingency", 0):
        ok = ds["n1_status"] == "ok"
        n_bad = int((~ok).sum())
        if bool(ok.any()):
            worst = ds["n1_max_loading_percent"].where(ok, -1).argmax("contingency")
            c = ds.isel(contingency=int(worst))
            detail = (
                f"{c['contingency'].item()} out: {float(c['n1_max_loading_percent']):.1f} % "
                f"on {c['n1_max_loading_branch'].item()}, "
                f"min {float(c['n1_min_vm_pu']):.4f} p.u."
            )
        else:
            detail = "no contingency solvable"
        table.add_row(
            "worst N-1",
            f"{detail} (over {len(json.loads(ds.attrs['grid_n1_hours']))} hours; "
            f"{n_bad} contingencies islanding / not converged)",
        )
    table.add_row("written", str(out))
    return table


@grid_app.command("check")
def check(
    result: Annotated[Path, typer.Argument(help="Result netCDF of a solved study.")],
    network: Annotated[
        str | None,
        typer.Option(
            "--network",
            help="pandapower JSON / MATPOWER file or pandapower case name "
            "(default networks/greensboro_poi.json).",
        ),
    ] = None,
    hours: Annotated[
        int | None, typer.Option("--hours", min=1, help="Check only the first N hours.")
    ] = None,
    n1_hours: Annotated[
        int | None,
        typer.Option(
            "--n1-hours",
            min=1,
            help="Study N-1 only in the N hours of highest POI import (default: every hour).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here instead of updating RESULT in place."),
    ] = None,
) -> None:
    """Run the hourly AC power flow and N-1 of RESULT and add them to the result file."""
    from gridtwin.grid.check import check_result, default_network
    from gridtwin.grid.network import load_network
    from gridtwin.results import open_results, single_run, write_results

    try:
        ds = single_run(open_results(result), result, "gridtwin grid check")
        source = network if network is not None else str(default_network(ds))
        net = load_network(source, ratings=True)
        with console.status("Running AC power flow ...", spinner="dots"):
            outcome = check_result(ds, net, network_name=source, hours=hours, n1_hours=n1_hours)
        written = write_results(outcome.dataset, output if output is not None else result)
    except GridTwinError as exc:
        raise fail(exc) from None
    console.print(_check_table(outcome, written))


@grid_app.command("hosting")
def hosting(
    network: Annotated[
        str, typer.Argument(help="pandapower JSON / MATPOWER file or pandapower case name.")
    ],
    bus: Annotated[
        str,
        typer.Option(
            "--bus", help="Bus name (net.bus.name, or a label bus:<name>), else its index."
        ),
    ],
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="Hourly background: a gridtwin result .nc (campus + on-site generation) or a "
            "CSV with 'time' and 'load:<name>' / 'sgen:<name>' columns [MW].",
        ),
    ] = None,
    contingencies: Annotated[
        str, typer.Option("--contingencies", help="all | local | none")
    ] = "all",
    power_factor: Annotated[
        float, typer.Option("--power-factor", help="Lagging power factor of the new load.")
    ] = 0.95,
    budget: Annotated[
        list[float] | None,
        typer.Option("--budget", help="Curtailment budget, share of energy (repeatable)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write hourly results to this .nc.")
    ] = None,
) -> None:
    """Firm hosting capacity and flexible headroom for a new load at BUS (N-0 and N-1)."""
    from gridtwin.grid.background import read_background
    from gridtwin.grid.hosting import DEFAULT_BUDGETS, hosting_capacity
    from gridtwin.grid.network import load_network
    from gridtwin.io import check_writable, write_netcdf

    try:
        if output is not None:
            check_writable(output, inputs=[profile] if profile else ())
        loads, sgens, times = read_background(profile) if profile else ({}, {}, None)
        net = load_network(network, ratings=True)
        with console.status("Searching hosting capacity ...", spinner="dots"):
            res = hosting_capacity(
                net,
                bus,
                load_p_mw=loads,
                sgen_p_mw=sgens,
                times=times,
                contingencies=contingencies,  # type: ignore[arg-type]
                power_factor=power_factor,
                budgets=budget or DEFAULT_BUDGETS,
            )
        written = None
        if output is not None:
            ds = res.to_dataset()
            ds.attrs["hosting_network"] = network
            ds.attrs["hosting_profile"] = str(profile) if profile else "none (network state)"
            written = write_netcdf(ds, output)
    except GridTwinError as exc:
        raise fail(exc) from None
    console.print(_hosting_table(res, written))


def _hosting_table(res: HostingResult, written: Path | None) -> Table:
    """The hosting capacity of one bus as a two-column table."""
    table = key_value_table(f"hosting capacity at {res.bus} ({res.vn_kv:g} kV)")
    table.add_row("hours", str(len(res.max_load_mw)))
    cap = " (>= search limit)" if res.capped.all() else ""
    table.add_row("firm", f"{res.firm_mw:.1f} MW{cap} — {res.firm_limit}")
    for b in sorted(res.flexible_mw):
        if np.isnan(res.flexible_mw[b]):
            table.add_row(f"flexible at {100 * b:g} %", "needs an hourly background (--profile)")
            continue
        table.add_row(
            f"flexible at {100 * b:g} %",
            f"{res.flexible_mw[b]:.1f} MW, curtailing in {res.curtailed_hours[b]} h",
        )
    excluded = f"; excluded (they split the network): {', '.join(res.excluded)}"
    table.add_row(
        "contingencies",
        f"{len(res.contingencies)} studied{excluded if res.excluded else ''}",
    )
    if res.background_violations:
        shown = "; ".join(res.background_violations[:3])
        more = len(res.background_violations) - 3
        table.add_row(
            "already violated",
            f"without any new load: {shown}{f' (+{more} more)' if more > 0 else ''}",
        )
    if written is not None:
        table.add_row("written", str(written))
    return table


@grid_app.command("screen")
def screen_cmd(
    case: Annotated[
        str, typer.Argument(help="pandapower JSON / MATPOWER file or pandapower case name.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Ranked buses (.nc).")],
    min_kv: Annotated[
        float, typer.Option("--min-kv", help="Lowest bus voltage screened (kV).")
    ] = 220.0,
    contingencies: Annotated[
        str, typer.Option("--contingencies", help="local | all | none")
    ] = "local",
    verify_top: Annotated[
        int | None,
        typer.Option(
            "--verify-top",
            min=0,
            help="AC-verify the N buses with the largest linear estimate (default 50; 0: the "
            "linear screen alone).",
        ),
    ] = None,
    verify_all: Annotated[
        bool, typer.Option("--verify-all", help="AC-verify every bus (slow on large cases).")
    ] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local dask workers.")] = 2,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of a running dask scheduler.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Screen only the first N candidates.")
    ] = None,
) -> None:
    """Rank every bus >= MIN_KV of CASE by firm hosting capacity: a linear estimate of every
    bus, the AC search for the best ones (in parallel on dask)."""
    from rich.progress import Progress

    from gridtwin.grid.network import load_network
    from gridtwin.grid.screen import DEFAULT_VERIFY_TOP, candidate_buses, screen
    from gridtwin.io import check_writable, write_netcdf

    if verify_all and verify_top is not None:
        raise typer.BadParameter("give --verify-top or --verify-all, not both.")
    top = DEFAULT_VERIFY_TOP if verify_top is None else verify_top
    try:
        check_writable(output)
        net = load_network(case, ratings=True)
        all_candidates = candidate_buses(net, min_kv)
        buses = all_candidates[:limit] if limit else None
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("AC-verifying the best buses", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            ds = screen(
                net,
                min_kv=min_kv,
                buses=buses,
                contingencies=contingencies,  # type: ignore[arg-type]
                verify_top="all" if verify_all else top,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
            )
        ds.attrs["screen_case"] = case
        written = write_netcdf(ds, output)
    except GridTwinError as exc:
        raise fail(exc) from None
    n = ds.sizes["bus"]
    scope = f"{n} of {len(all_candidates)}" if n < len(all_candidates) else f"all {n}"
    table = _screen_table(ds, f"siting screen of {case}: {scope} buses >= {min_kv:g} kV")
    console.print(table)
    verified = int(ds.attrs["screen_ac_verified"])
    summary = f"{verified} of {n} bus(es) verified in AC"
    if verified:
        summary += (
            f"; linear - AC: max |diff| {ds.attrs['screen_linear_max_abs_diff_mw']:.0f} MW, "
            f"mean {ds.attrs['screen_linear_mean_abs_diff_mw']:.0f} MW"
        )
    failed = int((ds["error"] != "").sum())
    console.print(f"{summary}; {failed} failed in AC (see 'error'); written {written}")


def _screen_table(ds: xr.Dataset, title: str, shown: int = 10) -> Table:
    """The first ``shown`` buses of a siting screen: AC-verified first, then by linear."""
    shown = min(shown, ds.sizes["bus"])
    table = Table(title=f"{title} (top {shown} shown)", title_justify="left")
    column(table, "rank", right=True)
    column(table, "bus", wrap=True)
    for col in ("kV", "AC [MW]", "linear [MW]"):
        column(table, col, right=True)
    column(table, "limited by", wrap=True)
    for i in range(shown):
        row = ds.isel(bus=i)
        verified = bool(row["ac_verified"])
        table.add_row(
            str(int(row["rank"])),
            str(row["bus"].item()),
            f"{float(row['vn_kv']):g}",
            f"{float(row['firm_mw']):.0f}" if verified else "-",
            f"{float(row['firm_mw_linear']):.0f}",
            str(row["limiting"].item()) if verified else f"linear: {row['limiting_linear'].item()}",
        )
    return table
