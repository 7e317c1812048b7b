"""Terminal output shared by the command-line apps: consoles, the one-line error report and
tables that fit a terminal 80 characters wide (headers are never wrapped or cut)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gridtwin.exceptions import ConfigError, GridTwinError

console = Console()
err_console = Console(stderr=True)


def fail(exc: GridTwinError) -> typer.Exit:
    """Print ``exc`` as one line on stderr and return the exit to raise.

    The message is printed verbatim (no rich markup: paths and values may contain brackets).
    Exit code 2 for a bad study or argument (:class:`ConfigError`), 1 for anything else.
    """
    err_console.print(
        Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False, soft_wrap=True
    )
    return typer.Exit(code=2 if isinstance(exc, ConfigError) else 1)


def column(table: Table, header: str, *, right: bool = False, wrap: bool = False) -> None:
    """Add a column whose header is never wrapped or cut.

    Parameters
    ----------
    table : rich.table.Table
    header : str
        Column header, with its unit (``energy [GWh/a]``).
    right : bool
        Right-justify (numbers).
    wrap : bool
        Fold long cell text onto more lines (free text: errors, notes); otherwise cells keep
        one line.
    """
    table.add_column(
        header,
        justify="right" if right else "left",
        min_width=len(header),
        no_wrap=not wrap,
        overflow="fold",
    )


def key_value_table(title: str) -> Table:
    """A two-column table without header: a bold key that stays on one line and a value that
    folds onto more lines when the terminal is narrow."""
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    return table
