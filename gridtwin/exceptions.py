"""Exception tree of gridtwin.

Every error a user can cause derives from :class:`GridTwinError`. Messages name the offending
file, field or time span and say how to fix it; the CLI prints them on one line without a
traceback.
"""

from __future__ import annotations


class GridTwinError(Exception):
    """Base class of every error gridtwin raises on purpose."""


class ConfigError(GridTwinError):
    """A study file is malformed or a field has an invalid value.

    The message starts with the file and the dotted field path (``campus.it_capacity``).
    """


class DataError(GridTwinError):
    """An input data file (weather, price series, technology catalogue) is missing or wrong."""


class InfeasibleError(GridTwinError):
    """The optimisation problem has no solution (e.g. an unreachable CFE target)."""


class SolverError(GridTwinError):
    """The solver stopped without an optimal solution for a reason other than infeasibility."""


class UnboundedError(SolverError):
    """The optimisation problem's cost falls without limit (an asset with a negative cost and
    no size limit)."""


class PowerFlowNotConverged(GridTwinError):
    """An AC power flow found no solution, or the network cannot be solved as given.

    The message names the hour (time stamp) and the likely cause: voltage collapse from too
    much load, a bus islanded from every external grid, or parameters in the wrong units.
    """
