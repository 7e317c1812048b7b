"""``gridtwin grid``: AC power-flow checks of solved studies at their POI network.

Commands::

    gridtwin grid check RESULT.nc [--network FILE] [--hours N] [--n1-hours 24] [-o OUT.nc]

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

from gridtwin.console import console, fail
from gridtwin.exceptions import GridTwinError

if TYPE_CHECKING:
    from gridtwin.grid.check import GridCheck

grid_app = typer.Typer(
    name="grid",
    help="AC power flow and N-1 of a solved study at its point-of-interconnection network.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)


def _print_summary(check: GridCheck, out: Path) -> None:
    ds = check.dataset
    n = int(ds.attrs["grid_hours"])
    part = ds.isel(time=slice(0, n))
    loading = part["loading_percent"]
    worst_branch = str(loading.max("time").idxmax("branch").item())
    mismatch = float(np.abs(part["grid_mismatch_mw"]).max())
    table = Table(title=f"grid check on {ds.attrs['grid_network']}", show_header=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    table.add_row("hours", f"{n} of {ds.sizes['time']} (backend {ds.attrs['grid_backend']})")
    table.add_row("max loading", f"{float(loading.max()):.1f} % ({worst_branch})")
    table.add_row(
        "voltage", f"{float(part['vm_pu'].min()):.4f} .. {float(part['vm_pu'].max()):.4f} p.u."
    )
    table.add_row("losses", f"max {float(part['losses_mw'].max()):.2f} MW")
    table.add_row("POI mismatch", f"max |ext_grid - (import - export) - losses| {mismatch:.2e} MW")
    table.add_row("violations", f"{int(ds.attrs['grid_violations'])} (voltage and thermal)")
    if ds.sizes.get("contingency", 0):
        ok = ds["n1_status"] == "ok"
        n_bad = int((~ok).sum())
        if bool(ok.any()):
            worst = ds["n1_max_loading_percent"].where(ok, -1).argmax("contingency")
            c = ds.isel(contingency=int(worst))
            detail = (
                f"{c['contingency'].item()} out: {float(c['n1_max_loading_percent']):.1f} %, "
                f"min {float(c['n1_min_vm_pu']):.4f} p.u."
            )
        else:
            detail = "no contingency solvable"
        table.add_row(
            "worst N-1",
            f"{detail} (over {len(json.loads(ds.attrs['grid_n1_hours']))} peak-import hours; "
            f"{n_bad} contingencies islanding / not converged)",
        )
    table.add_row("written", str(out))
    console.print(table)


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
        int,
        typer.Option("--n1-hours", min=1, help="Hours of highest POI import studied under N-1."),
    ] = 24,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here instead of updating RESULT in place."),
    ] = None,
) -> None:
    """Run the hourly AC power flow and N-1 of RESULT and add them to the result file."""
    from gridtwin.grid.check import check_result, default_network
    from gridtwin.grid.network import load_network
    from gridtwin.results import open_results, write_results

    try:
        ds = open_results(result)
        source = network if network is not None else str(default_network())
        net = load_network(source)
        with console.status("Running AC power flow ...", spinner="dots"):
            outcome = check_result(ds, net, network_name=source, hours=hours, n1_hours=n1_hours)
        written = write_results(outcome.dataset, output if output is not None else result)
    except GridTwinError as exc:
        raise fail(exc) from None
    _print_summary(outcome, written)
