"""Build the sizing problem's :class:`~gridtwin.network.spec.NetworkSpec` from a pandapower
network.

What is taken from the pandapower tables (in-service elements only):

* buses: name (``bus`` label of the AC grid check without its prefix) and ``vn_kv`` [kV];
* lines: series reactance ``x_ohm_per_km x length_km / parallel`` [Ohm] turned into p.u. of a
  100 MVA base at the from-bus voltage; rating ``sqrt(3) x vn_kv x max_i_ka x df x parallel x
  max_loading_percent / 100`` [MVA] (the current limit at nominal voltage, the limit the AC
  check applies);
* two-winding transformers: ``sqrt(vk_percent^2 - vkr_percent^2) / 100`` on ``sn_mva``, per unit
  of 100 MVA, divided by ``parallel``; rating ``sn_mva x parallel x max_loading_percent / 100``
  [MVA]; taps and phase shift are not in the linear rows;
* the one in-service external grid: the bus where the POI exchange enters (``grid_bus``).

The campus load and the static generators named after technologies are placed by the study
(``network.load_bus``, ``network.buses``), not read from their pandapower rows; other loads,
generators and static generators must draw or inject nothing (a site network holds only the
campus and its assets), and three-winding transformers, impedances and open switches are
refused with a message naming them.

Upgrade costs: a line costs ``line_cost x length_km`` per MVA of added rating (``cable_cost``
for cables, pandapower ``type`` ``"cs"``) and a transformer ``trafo_cost`` per MVA
[currency MVA-1 a-1], from the technology catalogue (:mod:`gridtwin.technologies`, rows
``ac_line``, ``ac_cable`` and ``transformer``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from gridtwin.exceptions import DataError
from gridtwin.grid.elements import element_labels
from gridtwin.network.spec import BASE_MVA, BranchSpec, NetworkSpec


def _in_service(table: pd.DataFrame) -> pd.DataFrame:
    if not len(table):
        return table
    return table[table["in_service"].astype(bool)] if "in_service" in table else table


def bus_names(net: Any) -> dict[Any, str]:
    """Name of every bus in the sizing problem: its pandapower name (or index when names are
    missing or repeated), the ``bus:`` label of the AC grid check without the prefix."""
    labels = element_labels(net.bus, "bus")
    return {i: lab[4:] for i, lab in zip(net.bus.index, labels, strict=True)}


def _loading(row: pd.Series) -> float:
    value = row.get("max_loading_percent", 100.0)
    value = 100.0 if value is None or not np.isfinite(float(value)) else float(value)
    return value / 100.0


def _refuse_other_elements(net: Any, source: str, sgen_names: set[str]) -> None:
    for table in ("trafo3w", "impedance", "dcline", "xward", "ward"):
        if table in net and len(_in_service(net[table])):
            raise DataError(
                f"{source}: net.{table} has in-service elements; the sizing network takes "
                "lines and two-winding transformers only: set them out of service or model "
                "them as lines/transformers"
            )
    if "switch" in net and len(net.switch):
        open_ = net.switch[~net.switch["closed"].astype(bool)]
        if len(open_) or (net.switch["et"] == "b").any():
            raise DataError(
                f"{source}: the network has switches ({len(net.switch)}); the sizing network "
                "needs a switch-free model: remove closed switches and set the elements behind "
                "open ones out of service"
            )
    for table, skip in (("load", {"campus"}), ("sgen", sgen_names), ("gen", set()),
                        ("storage", set())):  # fmt: skip
        if table not in net or not len(net[table]):
            continue
        rows = _in_service(net[table])
        names = rows["name"].astype(str) if "name" in rows else pd.Series("", index=rows.index)
        active = rows[(~names.isin(skip)) & (rows["p_mw"].astype(float).abs() > 0)]
        if len(active):
            raise DataError(
                f"{source}: net.{table} element {names[active.index[0]]!r} draws or injects "
                f"{float(active['p_mw'].iloc[0])} MW; the site network for sizing holds only the "
                "campus load and the study's technologies: set other elements' p_mw to 0 or out "
                "of service"
            )


def network_spec(
    net: Any,
    *,
    load_bus: str,
    asset_bus: dict[str, str],
    line_cost: float,
    cable_cost: float,
    trafo_cost: float,
    upgrades: bool = True,
    s_nom_max_factor: float | None = None,
    s_max_pu: float = 1.0,
    n1: bool = True,
    source: str = "network",
) -> NetworkSpec:
    """The sizing problem's site network from a pandapower network.

    Parameters
    ----------
    net : pandapowerNet
        Site network with one in-service ``ext_grid`` (not modified).
    load_bus : str
        Bus of the campus load (a name of :func:`bus_names`).
    asset_bus : dict of str to str
        Bus of on-site technologies (problem technology name -> bus name).
    line_cost, cable_cost : float
        Upgrade cost of overhead lines and of cables (pandapower ``type`` ``"cs"``) per MVA and
        km over the horizon [currency MVA-1 km-1].
    trafo_cost : float
        Upgrade cost of transformers per MVA over the horizon [currency MVA-1].
    upgrades : bool
        Whether branch ratings may be upgraded.
    s_nom_max_factor : float, optional
        Largest rating after an upgrade as a multiple of the existing rating [-]; ``None``: no
        limit.
    s_max_pu : float
        Usable share of every rating in the linear power flow [-].
    n1 : bool
        Security-constrained sizing (N-1 of every non-islanding branch).
    source : str
        Name of the network in messages.

    Returns
    -------
    NetworkSpec

    Raises
    ------
    DataError
        Elements the sizing network cannot hold, not exactly one external grid, missing or
        non-positive impedances or ratings (naming the element).
    """
    buses, grid_bus = _buses(net, source)
    _refuse_other_elements(net, source, set(asset_bus))
    make = functools.partial(_branch, upgrades=upgrades, factor=s_nom_max_factor, source=source)
    branches = _lines(net, buses, make, line_cost, cable_cost) + _trafos(
        net, buses, make, trafo_cost
    )
    return NetworkSpec(
        buses=tuple(buses[i] for i in _in_service(net.bus).index),
        branches=tuple(replace(b, s_max_pu=s_max_pu) for b in branches),
        load_bus=load_bus,
        grid_bus=grid_bus,
        asset_bus=dict(asset_bus),
        n1=n1,
        name=source,
    )


def _buses(net: Any, source: str) -> tuple[dict[Any, str], str]:
    """Bus names by pandapower index and the bus of the one in-service ext_grid.

    Raises
    ------
    DataError
        Bus names given twice, or not exactly one in-service ext_grid.
    """
    names = net.bus["name"].dropna().astype(str)
    twice = sorted(set(names[names.duplicated()]))
    if twice:
        raise DataError(
            f"{source}: bus names {twice} are given to more than one bus; the study names buses "
            "(network.load_bus, network.buses): give every bus a unique name"
        )
    grids = _in_service(net.ext_grid)
    if len(grids) != 1:
        raise DataError(
            f"{source}: the sizing network needs exactly one in-service ext_grid (where the POI "
            f"exchange enters), found {len(grids)}"
        )
    buses = bus_names(net)
    return buses, buses[grids["bus"].iloc[0]]


def _lines(
    net: Any,
    buses: dict[Any, str],
    make: Callable[..., BranchSpec],
    line_cost: float,
    cable_cost: float,
) -> list[BranchSpec]:
    """In-service lines: reactance [p.u. on BASE_MVA] from ohm per km, rating sqrt(3) kV kA
    x derating x parallel circuits, upgrade cost per km (cables: ``type`` "cs")."""
    vn = net.bus["vn_kv"].astype(float)
    labels = dict(zip(net.line.index, element_labels(net.line, "line"), strict=True))
    out = []
    for i, row in _in_service(net.line).iterrows():
        parallel = float(row.get("parallel", 1) or 1)
        kv = float(vn[row["from_bus"]])
        x_ohm = float(row["x_ohm_per_km"]) * float(row["length_km"]) / parallel
        rating = math.sqrt(3) * kv * float(row["max_i_ka"]) * float(row.get("df", 1.0) or 1.0)
        out.append(
            make(
                labels[i],
                buses[row["from_bus"]],
                buses[row["to_bus"]],
                x=x_ohm * BASE_MVA / kv**2,
                s_nom=rating * parallel * _loading(row),
                kind="line",
                length_km=float(row["length_km"]),
                capital_cost=(cable_cost if row.get("type") == "cs" else line_cost)
                * float(row["length_km"]),
            )
        )
    return out


def _trafos(
    net: Any, buses: dict[Any, str], make: Callable[..., BranchSpec], trafo_cost: float
) -> list[BranchSpec]:
    """In-service two-winding transformers: reactance [p.u. on BASE_MVA] from vk and vkr,
    rating sn_mva x parallel units, upgrade cost per MVA."""
    labels = dict(zip(net.trafo.index, element_labels(net.trafo, "trafo"), strict=True))
    out = []
    for i, row in _in_service(net.trafo).iterrows():
        parallel = float(row.get("parallel", 1) or 1)
        sn = float(row["sn_mva"])
        vk, vkr = float(row["vk_percent"]), float(row["vkr_percent"])
        x_own = math.sqrt(max(vk**2 - vkr**2, 0.0)) / 100.0
        out.append(
            make(
                labels[i],
                buses[row["hv_bus"]],
                buses[row["lv_bus"]],
                x=x_own * BASE_MVA / sn / parallel if sn > 0 else float("nan"),
                s_nom=sn * parallel * _loading(row),
                kind="trafo",
                length_km=0.0,
                capital_cost=trafo_cost,
            )
        )
    return out


def _branch(
    name: str,
    bus0: str,
    bus1: str,
    *,
    x: float,
    s_nom: float,
    kind: str,
    length_km: float,
    capital_cost: float,
    upgrades: bool,
    factor: float | None,
    source: str,
) -> BranchSpec:
    if not (np.isfinite(x) and x > 0):
        raise DataError(
            f"{source}: {name} has a series reactance of {x} p.u.; the linear power flow needs "
            "x_ohm_per_km > 0 (lines) or vk_percent > vkr_percent and sn_mva > 0 (transformers)"
        )
    if not (np.isfinite(s_nom) and s_nom > 0):
        raise DataError(
            f"{source}: {name} has a rating of {s_nom} MVA; give max_i_ka (lines) or sn_mva "
            "(transformers) > 0"
        )
    return BranchSpec(
        name=name,
        bus0=bus0,
        bus1=bus1,
        x=x,
        s_nom=s_nom,
        kind="trafo" if kind == "trafo" else "line",
        length_km=length_km,
        extendable=upgrades,
        capital_cost=capital_cost,
        s_nom_max=math.inf if factor is None else factor * s_nom,
    )


__all__ = ["bus_names", "network_spec"]
