"""Grid-aware outage risk: which outages of the site network's branches island the campus, how
often and for how long, and how many outages a year the campus would not ride through.

The site network of the result (its ``branch`` table: ``branch_bus0``, ``branch_bus1``,
``branch_kind``, ``branch_length``, and the attributes ``network_load_bus`` and
``network_grid_bus``) is a graph (networkx). Its **islanding cut sets** are the branches, alone
(order 1) or in pairs (order 2, N-2), whose outage leaves the campus bus without a path to the
grid; a pair counts only when neither branch islands the campus alone (minimal cut sets). An
N-1 secure POI has no order-1 cut set.

With outage rates and repair times of lines and transformers (``resilience.grid``), each cut
set gives an islanding frequency and mean duration by the approximate formulas of Billinton,
R., Allan, R. N. (1996), "Reliability Evaluation of Power Systems", 2nd ed., Plenum, ch. 7
(series and parallel systems): order 1, ``f = lambda``, ``r`` its repair time; order 2 (both
out at once, independent), ``f = lambda_1 lambda_2 (r_1 + r_2) / 8760`` [a-1] and
``r = r_1 r_2 / (r_1 + r_2)`` [h]. Outage durations are taken as exponential with mean ``r``,
so an islanding event lasts ``d`` whole hours (``ceil``) with probability
``exp(-(d - 1) / r) - exp(-d / r)``; its expected survival is the survival curve
``S(d)`` (every start hour equally likely) weighted by that, counting outages longer than the
curve as not ridden through (a lower bound). The expected outages a year not ridden through is
``sum_cuts f (1 - E[S])``.

Left out: common-mode outages (both circuits of one tower line at once), weather-dependent
failure rates, and outages of the grid beyond the POI (the utility's own reliability indices).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import xarray as xr

from gridtwin.config.resilience import GridOutageConfig
from gridtwin.exceptions import DataError

#: Hours per year used by the frequency formula of parallel outages [h].
HOURS_PER_YEAR = 8760.0
#: Largest network whose order-2 cut sets are enumerated (pairs of branches).
MAX_BRANCHES = 400


@dataclass(frozen=True)
class IslandingCut:
    """A minimal set of branch outages that islands the campus.

    Attributes
    ----------
    branches : tuple of str
        Branch labels (``line:<name>``, ``trafo:<name>``).
    frequency : float
        Islanding events a year [a-1] (nan without outage rates).
    duration : float
        Mean duration of an event [h] (nan without outage rates).
    """

    branches: tuple[str, ...]
    frequency: float = math.nan
    duration: float = math.nan


def _graph(ds: xr.Dataset) -> tuple[nx.MultiGraph, str, str]:
    """The site network as a multigraph with one edge per branch (key: its label)."""
    need = ("branch_bus0", "branch_bus1", "branch_kind")
    if "branch" not in ds.dims or any(n not in ds for n in need):
        raise DataError("the result has no site network (branch table); run it with network:")
    load = str(ds.attrs.get("network_load_bus", ""))
    grid = str(ds.attrs.get("network_grid_bus", ""))
    if not load or not grid:
        raise DataError("the result does not record network_load_bus / network_grid_bus")
    g = nx.MultiGraph()
    for b, u, v in zip(
        ds["branch"].values, ds["branch_bus0"].values, ds["branch_bus1"].values, strict=True
    ):
        g.add_edge(str(u), str(v), key=str(b))
    return g, load, grid


def islanding_cuts(ds: xr.Dataset) -> list[tuple[str, ...]]:
    """Minimal sets of one or two branch outages that island the campus bus from the grid.

    Raises
    ------
    DataError
        No site network in the result, or more than :data:`MAX_BRANCHES` branches.
    """
    g, load, grid = _graph(ds)
    edges = [(u, v, k) for u, v, k in g.edges(keys=True)]
    if len(edges) > MAX_BRANCHES:
        raise DataError(f"{len(edges)} branches: more than the {MAX_BRANCHES} pairs are run for")

    def islands(out: tuple[tuple[str, str, str], ...]) -> bool:
        h = g.copy()
        h.remove_edges_from(out)
        return not nx.has_path(h, load, grid)

    if not nx.has_path(g, load, grid):
        raise DataError(f"the campus bus {load} has no path to the grid bus {grid}")
    single = [e for e in edges if islands((e,))]
    cuts: list[tuple[str, ...]] = [(e[2],) for e in single]
    rest = [e for e in edges if e not in single]
    cuts += [(a[2], b[2]) for a, b in itertools.combinations(rest, 2) if islands((a, b))]
    return cuts


def _rate(ds: xr.Dataset, branch: str, cfg: GridOutageConfig) -> tuple[float, float]:
    """Outage rate [a-1] and repair time [h] of one branch."""
    i = list(map(str, ds["branch"].values)).index(branch)
    if str(ds["branch_kind"].values[i]) == "trafo":
        return cfg.transformer_outage_rate, cfg.transformer_repair_h
    length = float(ds["branch_length"].values[i]) if "branch_length" in ds else 0.0
    return cfg.line_outage_rate * length / 100.0, cfg.line_repair_h


def cut_risk(
    ds: xr.Dataset, cuts: list[tuple[str, ...]], cfg: GridOutageConfig
) -> list[IslandingCut]:
    """Frequency [a-1] and mean duration [h] of each cut set (module docstring)."""
    out = []
    for cut in cuts:
        rates = [_rate(ds, b, cfg) for b in cut]
        if len(cut) == 1:
            ((lam, r),) = rates
            out.append(IslandingCut(cut, lam, r))
            continue
        (l1, r1), (l2, r2) = rates
        f = l1 * l2 * (r1 + r2) / HOURS_PER_YEAR
        r = r1 * r2 / (r1 + r2) if r1 + r2 > 0 else 0.0
        out.append(IslandingCut(cut, f, r))
    return out


def expected_survival(survival: np.ndarray, duration: float) -> float:
    """Expected survival of an outage of exponential duration with mean ``duration`` [h],
    given the survival curve ``survival[d - 1]`` for d = 1..D [-]; longer outages count as not
    ridden through."""
    if not duration > 0:
        return 1.0
    d = np.arange(1, len(survival) + 1)
    weight = np.exp(-(d - 1) / duration) - np.exp(-d / duration)
    return float(weight @ np.asarray(survival, dtype=float))


__all__ = ["IslandingCut", "cut_risk", "expected_survival", "islanding_cuts"]
