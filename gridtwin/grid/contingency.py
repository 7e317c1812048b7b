"""Single-outage contingency sets of a bus: all branches, or those within ``radius`` buses.

The graph, the bridges (branches whose outage splits the network) and the branch ends are
computed once per network (:class:`BranchTopology`) and reused for every bus, so the AC search
(:mod:`gridtwin.grid.hosting`) and the linear pre-screen (:mod:`gridtwin.grid.sensitivity`)
study the same outages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from gridtwin.grid.batch import bridge_branches
from gridtwin.grid.elements import element_labels

Contingencies = Literal["all", "local", "none"]


@dataclass(frozen=True)
class BranchTopology:
    """The branch graph of a network, computed once for the contingency sets of many buses.

    Attributes
    ----------
    graph : networkx.MultiGraph
        pandapower's bus graph (``pandapower.topology.create_nxgraph``, switches respected).
    bridges : numpy.ndarray of bool, shape (n_line + n_trafo,)
        Branches whose outage splits the network (:func:`gridtwin.grid.batch.bridge_branches`).
    ends : numpy.ndarray of int, shape (n_line + n_trafo, 2)
        From / to bus (lines), hv / lv bus (transformers) [pandapower bus index].
    in_service : numpy.ndarray of bool, shape (n_line + n_trafo,)
    labels : list of str
        ``line:<name>`` then ``trafo:<name>``.
    """

    graph: Any
    bridges: np.ndarray
    ends: np.ndarray
    in_service: np.ndarray
    labels: list[str]

    @classmethod
    def of(cls, net: Any) -> BranchTopology:
        """The topology of ``net`` (lines, then transformers)."""
        import pandapower.topology as top

        ends = np.r_[
            np.c_[net.line["from_bus"], net.line["to_bus"]],
            np.c_[net.trafo["hv_bus"], net.trafo["lv_bus"]],
        ].reshape(-1, 2)
        return cls(
            graph=top.create_nxgraph(net, respect_switches=True),
            bridges=bridge_branches(net),
            ends=ends.astype(int),
            in_service=np.r_[
                net.line["in_service"].to_numpy(bool), net.trafo["in_service"].to_numpy(bool)
            ],
            labels=element_labels(net.line, "line") + element_labels(net.trafo, "trafo"),
        )


def contingency_positions(
    net: Any,
    bus_index: int,
    mode: Contingencies,
    radius: int,
    topology: BranchTopology | None = None,
) -> tuple[list[int], list[str], list[str]]:
    """Branches to take out one at a time for a new load at ``bus_index``.

    Parameters
    ----------
    net : pandapowerNet
    bus_index : int
        pandapower index of the studied bus.
    mode : {"all", "local", "none"}
        Every in-service line and transformer, those with an end within ``radius`` bus hops of
        the bus, or none.
    radius : int
        Bus hops for ``"local"``.
    topology : BranchTopology, optional
        ``BranchTopology.of(net)``, when many buses of one network are studied.

    Returns
    -------
    tuple
        Branch positions (lines, then transformers), their labels, and the labels of the
        candidates left out because their outage splits the network.
    """
    if mode == "none":
        return [], [], []
    topo = topology if topology is not None else BranchTopology.of(net)
    candidates = np.nonzero(topo.in_service)[0]
    if mode == "local":
        import networkx as nx

        near = np.array(
            list(nx.single_source_shortest_path_length(topo.graph, bus_index, cutoff=radius))
        )
        candidates = candidates[np.isin(topo.ends[candidates], near).any(axis=1)]
    keep = [int(p) for p in candidates if not topo.bridges[p]]
    excluded = [topo.labels[p] for p in candidates if topo.bridges[p]]
    return keep, [topo.labels[p] for p in keep], excluded
