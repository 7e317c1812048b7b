"""Terminal output shared by the command-line apps: consoles and the one-line error report."""

from __future__ import annotations

import typer
from rich.console import Console
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
