"""Siting screen: rank the transmission buses of a case by hosting capacity, on dask.

Every in-service bus at or above ``min_kv`` (default 220 kV, the transmission level of
ENTSO-E grids and of US 230 kV systems) gets its firm hosting capacity from
:func:`gridtwin.grid.hosting.hosting_capacity` for the case's own operating state. Buses are
split into chunks and solved on dask.distributed workers: a ``LocalCluster`` of ``workers``
processes by default, or the scheduler at ``scheduler`` (``tcp://host:8786``) — the same code
path. ``workers=1`` without a scheduler runs in this process (no cluster start-up).

The default contingency set is ``"local"``: outages of the branches within ``radius`` buses of
each candidate — the circuits that feed it. A full N-1 over all ~2,500 branches of a national
case for each of ~1,500 buses is a screening cost no analyst waits for; the local set finds the
limits a single large point load hits first. Use ``contingencies="all"`` to check a shortlist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import provenance_attrs
from gridtwin.exceptions import DataError, GridTwinError
from gridtwin.grid.elements import element_labels
from gridtwin.grid.hosting import (
    DEFAULT_P_MAX_MW,
    DEFAULT_POWER_FACTOR,
    DEFAULT_TOL_MW,
    Contingencies,
    hosting_capacity,
)

logger = logging.getLogger(__name__)

#: Lowest nominal voltage screened [kV].
DEFAULT_MIN_KV = 220.0
#: Voltage limits are checked at buses of at least this voltage [kV]: the bulk electric system
#: threshold of NERC's BES definition (100 kV); generator terminals and distribution buses of a
#: transmission case do not limit a transmission-connected load.
DEFAULT_MONITOR_MIN_KV = 100.0


def candidate_buses(net: Any, min_kv: float = DEFAULT_MIN_KV) -> list[int]:
    """In-service buses with ``vn_kv >= min_kv``, in ``net.bus`` order (pandapower indices)."""
    mask = net.bus["in_service"].astype(bool) & (net.bus["vn_kv"] >= min_kv)
    return [int(b) for b in net.bus.index[mask]]


def _screen_chunk(net: Any, buses: Sequence[int], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Hosting capacity of each bus in ``buses``; failures are recorded, not raised."""
    rows = []
    for b in buses:
        try:
            res = hosting_capacity(net, b, **options)
            rows.append(
                {
                    "bus_index": b,
                    "firm_mw": res.firm_mw,
                    "capped": bool(res.capped.all()),
                    "limiting": res.firm_limit,
                    "n_contingencies": len(res.contingencies),
                    "error": "",
                }
            )
        except GridTwinError as err:
            rows.append(
                {
                    "bus_index": b,
                    "firm_mw": np.nan,
                    "capped": False,
                    "limiting": "",
                    "n_contingencies": 0,
                    "error": str(err),
                }
            )
    return rows


def screen(
    net: Any,
    *,
    min_kv: float = DEFAULT_MIN_KV,
    buses: Sequence[int] | None = None,
    contingencies: Contingencies = "local",
    radius: int = 2,
    power_factor: float = DEFAULT_POWER_FACTOR,
    p_max_mw: float = DEFAULT_P_MAX_MW,
    tol_mw: float = DEFAULT_TOL_MW,
    monitor_min_kv: float = DEFAULT_MONITOR_MIN_KV,
    workers: int = 2,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Firm hosting capacity of every candidate bus, ranked.

    Parameters
    ----------
    net : pandapowerNet
        Case in its operating state; not modified.
    min_kv : float
        Lowest nominal voltage screened [kV].
    buses : sequence of int, optional
        Screen these pandapower bus indices instead of all buses ``>= min_kv``.
    contingencies, radius, power_factor, p_max_mw, tol_mw, monitor_min_kv
        As for :func:`gridtwin.grid.hosting.hosting_capacity`; voltage limits are checked at
        buses >= 100 kV by default (:data:`DEFAULT_MONITOR_MIN_KV`).
    workers : int
        Worker processes of the LocalCluster (ignored with ``scheduler``); 1 runs in-process.
    scheduler : str, optional
        Address of a running dask scheduler.
    chunk_size : int, optional
        Buses per task; default spreads the buses over about 4 tasks per worker.
    progress : callable, optional
        Called as ``progress(done, total)`` in buses after each finished task.

    Returns
    -------
    xarray.Dataset
        Dim ``bus`` (label ``bus:<name>``), sorted by ``firm_mw`` descending: ``firm_mw`` [MW],
        ``rank`` (1 = most headroom), ``vn_kv`` [kV], ``capped`` (reached ``p_max_mw``),
        ``limiting`` (what binds), ``n_contingencies``, ``error`` (empty when solved),
        ``bus_index``.

    Raises
    ------
    DataError
        No bus to screen, bad settings, or an unreachable scheduler.
    """
    if min_kv < 0:
        raise DataError(f"min_kv={min_kv} must be >= 0 [kV].")
    if workers < 1:
        raise DataError(f"workers={workers} must be >= 1.")
    if contingencies not in ("all", "local", "none"):
        raise DataError(f"contingencies={contingencies!r}; use 'all', 'local' or 'none'.")
    chosen = list(buses) if buses is not None else candidate_buses(net, min_kv)
    if not chosen:
        top = float(net.bus["vn_kv"].max()) if len(net.bus) else 0.0
        raise DataError(
            f"no in-service bus at or above {min_kv} kV (highest is {top} kV); lower --min-kv."
        )
    options: dict[str, Any] = {
        "contingencies": contingencies,
        "radius": radius,
        "power_factor": power_factor,
        "p_max_mw": p_max_mw,
        "tol_mw": tol_mw,
        "monitor_min_kv": monitor_min_kv,
        "budgets": (),
    }
    n_tasks = 1 if workers == 1 and scheduler is None else 4 * workers
    size = chunk_size or max(1, -(-len(chosen) // n_tasks))
    chunks = [chosen[i : i + size] for i in range(0, len(chosen), size)]
    # settings are checked once here, so a typo fails fast instead of once per bus
    hosting_capacity(net, chosen[0], **{**options, "p_max_mw": tol_mw * 2, "contingencies": "none"})

    rows: list[dict[str, Any]] = []
    if workers == 1 and scheduler is None:
        for chunk in chunks:
            rows += _screen_chunk(net, chunk, options)
            if progress:
                progress(len(rows), len(chosen))
    else:
        rows = _run_dask(net, chunks, options, workers, scheduler, progress, len(chosen))
    return _to_dataset(net, rows, options, min_kv)


def _run_dask(
    net: Any,
    chunks: list[list[int]],
    options: dict[str, Any],
    workers: int,
    scheduler: str | None,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> list[dict[str, Any]]:
    from distributed import as_completed

    from gridtwin.cluster import dask_client

    with dask_client(workers, scheduler) as client:
        net_future = client.scatter(net, broadcast=True)
        futures = [client.submit(_screen_chunk, net_future, c, options, pure=False) for c in chunks]
        rows: list[dict[str, Any]] = []
        for fut in as_completed(futures):
            rows += fut.result()
            if progress:
                progress(len(rows), total)
        return rows


def _to_dataset(
    net: Any, rows: list[dict[str, Any]], options: dict[str, Any], min_kv: float
) -> xr.Dataset:
    frame = pd.DataFrame(rows)
    labels = dict(zip(net.bus.index, element_labels(net.bus, "bus"), strict=True))
    frame["bus"] = [labels[b] for b in frame["bus_index"]]
    frame["vn_kv"] = net.bus.loc[frame["bus_index"], "vn_kv"].to_numpy(dtype=float)
    frame = frame.sort_values(["firm_mw", "bus_index"], ascending=[False, True], na_position="last")
    frame["rank"] = np.arange(1, len(frame) + 1)
    ds = xr.Dataset(
        {
            "firm_mw": (
                "bus",
                frame["firm_mw"].to_numpy(float),
                {"units": "MW", "long_name": "firm hosting capacity for a new load"},
            ),
            "rank": (
                "bus",
                frame["rank"].to_numpy(int),
                {"units": "1", "long_name": "rank by firm_mw (1 = most headroom)"},
            ),
            "vn_kv": (
                "bus",
                frame["vn_kv"].to_numpy(float),
                {"units": "kV", "long_name": "nominal voltage"},
            ),
            "capped": (
                "bus",
                frame["capped"].to_numpy(bool),
                {"long_name": "true where firm_mw reached screen_p_max_mw"},
            ),
            "limiting": (
                "bus",
                frame["limiting"].astype(str).to_numpy(dtype=object),
                {"long_name": "limit that binds just above firm_mw"},
            ),
            "n_contingencies": (
                "bus",
                frame["n_contingencies"].to_numpy(int),
                {"units": "1", "long_name": "outages studied for the bus"},
            ),
            "error": (
                "bus",
                frame["error"].astype(str).to_numpy(dtype=object),
                {"long_name": "why the bus could not be screened (empty when solved)"},
            ),
            "bus_index": (
                "bus",
                frame["bus_index"].to_numpy(int),
                {"long_name": "pandapower bus index (net.bus.index)"},
            ),
        },
        coords={
            "bus": (
                "bus",
                frame["bus"].to_numpy(dtype=object),
                {"long_name": "candidate bus (bus:<name>, or bus:<index> when unnamed)"},
            )
        },
        attrs={
            **provenance_attrs("gridtwin siting screen: firm hosting capacity per bus"),
            "screen_min_kv": min_kv,
            "screen_contingencies": options["contingencies"],
            "screen_radius": options["radius"],
            "screen_power_factor": options["power_factor"],
            "screen_p_max_mw": options["p_max_mw"],
            "screen_tol_mw": options["tol_mw"],
            "screen_monitor_min_kv": options["monitor_min_kv"],
        },
    )
    return ds
