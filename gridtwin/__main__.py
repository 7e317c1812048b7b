"""``python -m gridtwin`` runs the command line interface."""

from gridtwin.cli import app

app()
