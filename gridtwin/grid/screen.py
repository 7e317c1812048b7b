"""Siting screen: rank the transmission buses of a case by firm hosting capacity.

Every in-service bus at or above ``min_kv`` (default 220 kV, the transmission level of
ENTSO-E grids and of US 230 kV systems) is screened in two stages, for the case's own
operating state:

1. **Linear pre-screen** of every bus at once (:func:`gridtwin.grid.sensitivity.linear_hosting`):
   DC distribution factors (PTDF, LODF) for thermal limits and linearised AC voltage
   sensitivities, under the same rules as the AC search — seconds for a national case.
2. **AC verification** of the ``verify_top`` buses with the largest linear estimate (or of every
   bus, ``verify_top="all"``) by the AC bisection of
   :func:`gridtwin.grid.hosting.hosting_capacity`, on dask.distributed workers: a
   ``LocalCluster`` of ``workers`` processes by default, or the scheduler at ``scheduler``
   (``tcp://host:8786``) — the same code path. Each task reuses one lightsim2grid engine for
   all its buses (:class:`gridtwin.grid.hosting.HostingEngine`); by default each worker gets one
   task. ``workers=1`` without a scheduler runs in this process (no cluster start-up).

Ranking: the AC-verified buses first, by their AC firm hosting capacity; then the others by
their linear estimate. The linear estimate is a ranking device, not an answer: it is
optimistic for loads of hundreds of MW (the voltage drop steepens with load), and the dataset
reports its difference to AC where both exist.

The default contingency set is ``"local"``: outages of the branches within ``radius`` buses of
each candidate — the circuits that feed it. A full N-1 over all ~2,500 branches of a national
case for each of ~1,500 buses is a screening cost no analyst waits for; the local set finds the
limits a single large point load hits first. Use ``contingencies="all"`` to check a shortlist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import provenance_attrs
from gridtwin.exceptions import DataError, GridTwinError
from gridtwin.grid.contingency import BranchTopology
from gridtwin.grid.elements import element_labels
from gridtwin.grid.hosting import (
    DEFAULT_DF_CUTOFF,
    DEFAULT_DV_CUTOFF,
    DEFAULT_P_MAX_MW,
    DEFAULT_POWER_FACTOR,
    DEFAULT_TOL_MW,
    Contingencies,
    HostingEngine,
    check_settings,
    generator_shares,
)
from gridtwin.grid.sensitivity import linear_hosting
from gridtwin.grid.validate import check_network

logger = logging.getLogger(__name__)

#: Lowest nominal voltage screened [kV].
DEFAULT_MIN_KV = 220.0
#: Voltage limits are checked at buses of at least this voltage [kV]: the bulk electric system
#: threshold of NERC's BES definition (100 kV); generator terminals and distribution buses of a
#: transmission case do not limit a transmission-connected load.
DEFAULT_MONITOR_MIN_KV = 100.0
#: Buses with the largest linear estimate verified by the AC search. On case1888rte the 40 buses
#: of largest AC firm hosting capacity are all among the 50 best linear estimates, the 20
#: largest among the best 40 (docs/grid.md).
DEFAULT_VERIFY_TOP = 50


def candidate_buses(net: Any, min_kv: float = DEFAULT_MIN_KV) -> list[int]:
    """In-service buses with ``vn_kv >= min_kv``, in ``net.bus`` order (pandapower indices)."""
    mask = net.bus["in_service"].astype(bool) & (net.bus["vn_kv"] >= min_kv)
    return [int(b) for b in net.bus.index[mask]]


def _screen_chunk(net: Any, buses: Sequence[int], options: dict[str, Any]) -> list[dict[str, Any]]:
    """AC hosting capacity of each bus in ``buses`` on one engine; a bus whose search fails
    is recorded, not raised (an engine that cannot be built raises: it fails every bus)."""
    engine = HostingEngine(net, list(buses))
    rows = []
    for b in buses:
        try:
            res = engine.capacity(b, **options)
            rows.append(
                {
                    "bus_index": b,
                    "firm_mw": res.firm_mw,
                    "capped": bool(res.capped.all()),
                    "limiting": res.firm_limit,
                    "error": "",
                }
            )
        except GridTwinError as err:
            rows.append(
                {"bus_index": b, "firm_mw": np.nan, "capped": False, "limiting": "",
                 "error": str(err)}
            )  # fmt: skip
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
    verify_top: int | Literal["all"] = DEFAULT_VERIFY_TOP,
    workers: int = 2,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Firm hosting capacity of every candidate bus: linear estimate, AC for the best, ranked.

    Parameters
    ----------
    net : pandapowerNet
        Case in its operating state; not modified.
    min_kv : float
        Lowest nominal voltage screened [kV].
    buses : sequence of int, optional
        Screen these pandapower bus indices instead of all buses ``>= min_kv``.
    contingencies, radius, power_factor, p_max_mw, tol_mw, monitor_min_kv
        As for :func:`gridtwin.grid.hosting.hosting_capacity`: outage set, bus hops, lagging
        power factor [-], search cap [MW], bisection tolerance [MW], lowest voltage level whose
        limits are checked [kV] (default 100 kV, :data:`DEFAULT_MONITOR_MIN_KV`).
    verify_top : int or "all"
        How many buses, best linear estimate first, the AC search verifies; 0 for the linear
        screen alone, ``"all"`` for every bus.
    workers : int
        Worker processes of the LocalCluster (ignored with ``scheduler``); 1 runs in-process.
    scheduler : str, optional
        Address of a running dask scheduler.
    chunk_size : int, optional
        Verified buses per task (one engine each); default one task per worker.
    progress : callable, optional
        Called as ``progress(done, total)`` in verified buses after each finished task.

    Returns
    -------
    xarray.Dataset
        Dim ``bus`` (label ``bus:<name>``) in rank order (see the module docstring):
        ``firm_mw`` [MW] (AC; NaN where not verified), ``firm_mw_linear`` [MW],
        ``firm_mw_linear_minus_ac`` [MW], ``ac_verified``, ``rank`` (1 = most headroom),
        ``vn_kv`` [kV], ``capped`` / ``capped_linear`` (reached ``p_max_mw``), ``limiting`` /
        ``limiting_linear`` (what binds), ``n_contingencies``, ``error`` (why the AC search
        failed; empty otherwise), ``bus_index``. Attributes ``screen_linear_max_abs_diff_mw``
        and ``screen_linear_mean_abs_diff_mw`` summarise ``|linear - AC|`` over the verified
        buses (NaN when none).

    Raises
    ------
    DataError
        No bus to screen, bad settings, or an unreachable scheduler.
    PowerFlowNotConverged
        The case's own state does not converge.

    References
    ----------
    Wood, A. J., Wollenberg, B. F., Sheblé, G. B. (2014). Power Generation, Operation, and
    Control, 3rd ed., Wiley; chapter "Power System Security" (the PTDF and LODF of the
    pre-screen, :mod:`gridtwin.grid.sensitivity`).
    """
    if min_kv < 0:
        raise DataError(f"min_kv={min_kv} must be >= 0 [kV].")
    if workers < 1:
        raise DataError(f"workers={workers} must be >= 1.")
    if isinstance(radius, bool) or not isinstance(radius, int) or radius < 0:
        raise DataError(f"radius={radius!r} must be a whole number of bus hops >= 0.")
    if verify_top != "all" and (
        isinstance(verify_top, bool) or not isinstance(verify_top, int) or verify_top < 0
    ):
        raise DataError(f"verify_top={verify_top!r}; use a number of buses >= 0 or 'all'.")
    check_settings(contingencies, power_factor, (), p_max_mw, tol_mw, DEFAULT_DF_CUTOFF,
                   DEFAULT_DV_CUTOFF, None)  # fmt: skip
    chosen = list(buses) if buses is not None else candidate_buses(net, min_kv)
    if not chosen:
        top = float(net.bus["vn_kv"].max()) if len(net.bus) else 0.0
        raise DataError(
            f"no in-service bus at or above {min_kv} kV (highest is {top} kV); lower --min-kv."
        )
    check_network(net, str(net.name or "network"), ratings=True)
    unknown = [b for b in chosen if b not in net.bus.index or not net.bus.at[b, "in_service"]]
    if unknown:
        raise DataError(
            f"buses {unknown[:5]} are not in service in net.bus; pass in-service bus indices."
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
    n_verify = len(chosen) if verify_top == "all" else min(int(verify_top), len(chosen))
    with ExitStack() as stack:
        client = None
        if n_verify and not (workers == 1 and scheduler is None):
            from gridtwin.cluster import dask_client

            # the workers start while this process runs the linear screen
            client = stack.enter_context(dask_client(workers, scheduler))
        _, shares = generator_shares(net, None)
        linear = linear_hosting(
            net, chosen, shares, contingencies=contingencies, radius=radius,
            power_factor=power_factor, p_max_mw=p_max_mw, monitor_min_kv=monitor_min_kv,
            topology=BranchTopology.of(net),
        )  # fmt: skip
        best = linear.sort_values(["firm_mw_linear", "bus_index"], ascending=[False, True])
        verify = [int(b) for b in best["bus_index"].iloc[:n_verify]]
        size = chunk_size or -(-len(verify) // (1 if client is None else workers)) or 1
        n_chunks = -(-len(verify) // size)
        # round robin: the best-ranked buses, the slowest to search, spread over the tasks
        chunks = [verify[i::n_chunks] for i in range(n_chunks)]
        rows = _verify(net, chunks, options, client, progress, len(verify))
    return _to_dataset(net, linear, rows, {**options, "verify_top": verify_top}, min_kv)


def _verify(
    net: Any,
    chunks: list[list[int]],
    options: dict[str, Any],
    client: Any,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> list[dict[str, Any]]:
    """AC search of each chunk of buses: in this process without a dask client."""
    rows: list[dict[str, Any]] = []
    if client is None:
        for chunk in chunks:
            rows += _screen_chunk(net, chunk, options)
            if progress:
                progress(len(rows), total)
        return rows
    from distributed import as_completed

    net_future = client.scatter(net, broadcast=True)
    futures = [client.submit(_screen_chunk, net_future, c, options, pure=False) for c in chunks]
    for fut in as_completed(futures):
        rows += fut.result()
        if progress:
            progress(len(rows), total)
    return rows


#: Variables of the screen's dataset: name, dtype, units ("" for none), long_name.
_VARIABLES: tuple[tuple[str, Any, str, str], ...] = (
    ("firm_mw", float, "MW", "firm hosting capacity for a new load, AC search (NaN where not "
     "verified)"),
    ("firm_mw_linear", float, "MW", "firm hosting capacity, linear estimate (PTDF/LODF and "
     "linearised voltage sensitivities)"),
    ("firm_mw_linear_minus_ac", float, "MW", "linear estimate minus AC firm hosting capacity "
     "(NaN where not verified)"),
    ("ac_verified", bool, "", "true where the AC search verified the bus"),
    ("rank", int, "1", "rank: AC-verified buses by firm_mw, then the others by firm_mw_linear "
     "(1 = most headroom)"),
    ("vn_kv", float, "kV", "nominal voltage"),
    ("capped", bool, "", "true where firm_mw reached screen_p_max_mw"),
    ("capped_linear", bool, "", "true where firm_mw_linear reached screen_p_max_mw"),
    ("limiting", str, "", "limit that binds just above firm_mw (AC; empty where not verified)"),
    ("limiting_linear", str, "", "limit that binds at firm_mw_linear in the linear estimate"),
    ("n_contingencies", int, "1", "outages in the bus's contingency set"),
    ("error", str, "", "why the AC search failed for the bus (empty when solved or not "
     "verified)"),
    ("bus_index", int, "", "pandapower bus index (net.bus.index)"),
)  # fmt: skip


def _to_dataset(
    net: Any,
    linear: pd.DataFrame,
    rows: list[dict[str, Any]],
    options: dict[str, Any],
    min_kv: float,
) -> xr.Dataset:
    ac = pd.DataFrame(rows, columns=["bus_index", "firm_mw", "capped", "limiting", "error"])
    frame = linear.merge(ac, on="bus_index", how="left")
    frame["ac_verified"] = frame["bus_index"].isin(ac["bus_index"])
    frame["capped"] = frame["capped"].eq(True)
    frame[["limiting", "error"]] = frame[["limiting", "error"]].fillna("")
    frame["firm_mw_linear_minus_ac"] = frame["firm_mw_linear"] - frame["firm_mw"]
    labels = dict(zip(net.bus.index, element_labels(net.bus, "bus"), strict=True))
    frame["bus"] = [labels[b] for b in frame["bus_index"]]
    frame["vn_kv"] = net.bus.loc[frame["bus_index"], "vn_kv"].to_numpy(dtype=float)
    # verified buses by their AC value (failed ones last among them), then the rest by linear
    frame["_group"] = np.where(frame["ac_verified"], np.where(frame["firm_mw"].notna(), 0, 1), 2)
    frame["_key"] = np.where(frame["ac_verified"], frame["firm_mw"], frame["firm_mw_linear"])
    frame = frame.sort_values(
        ["_group", "_key", "bus_index"], ascending=[True, False, True], na_position="last"
    )
    frame["rank"] = np.arange(1, len(frame) + 1)
    diff = frame["firm_mw_linear_minus_ac"].dropna().abs()
    data = {}
    for name, kind, units, long_name in _VARIABLES:
        values = frame[name].to_numpy()
        values = values.astype(str).astype(object) if kind is str else values.astype(kind)
        data[name] = ("bus", values, {"long_name": long_name} | ({"units": units} if units else {}))
    ds = xr.Dataset(
        data,
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
            "screen_verify_top": str(options["verify_top"]),
            "screen_ac_verified": int(frame["ac_verified"].sum()),
            "screen_linear_max_abs_diff_mw": float(diff.max()) if len(diff) else np.nan,
            "screen_linear_mean_abs_diff_mw": float(diff.mean()) if len(diff) else np.nan,
            "screen_ranking": "AC-verified buses by firm_mw (descending), then the others by "
            "firm_mw_linear (descending)",
        },
    )
    return ds
