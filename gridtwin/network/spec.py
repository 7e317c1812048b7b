"""The site network as the sizing problem sees it: buses, branches, ratings, upgrades, N-1.

A :class:`NetworkSpec` is backend-neutral and holds plain numbers; it knows nothing of
pandapower (:mod:`gridtwin.network.from_pandapower` builds one from a pandapower network) nor of
a solver. Both backends turn it into the same linear rows:

* **Kirchhoff's current law** at every bus and hour: the injections of the assets at the bus
  (generation, storage discharge minus charge, POI import minus export at the grid bus) minus
  the campus load at the load bus equal the flows leaving the bus,
  ``sum_assets(b) p - d_t [b = load bus] = sum_l A_bl f_l`` with the incidence ``A_bl = +1``
  where branch l starts (``bus0``) and ``-1`` where it ends;
* **Kirchhoff's voltage law** on a cycle basis (Hörsch et al. 2018): ``sum_l C_lc x_l f_l = 0``
  for every independent cycle c, with the series reactance ``x_l`` [p.u.];
* **thermal limits** ``|f_l| <= s_max_pu_l s_nom_l`` [MW] (the linearised, lossless power flow of
  PyPSA: active power only, voltages at 1 p.u.) and, where the AC loop found a voltage limit,
  ``|f_l| <= flow_max_l``;
* **N-1** (security-constrained): for every outage k that does not split the network and every
  branch l it affects, ``|f_l + BODF_lk f_k| <= s_max_pu_l s_nom_l`` with the branch outage
  distribution factor ``BODF_lk`` of the DC power flow (Wood & Wollenberg, ch. 7);
* **upgrades**: an extendable branch's rating ``s_nom`` is a variable in
  ``[s_nom existing, s_nom_max]`` whose extension costs ``capital_cost`` per MVA; its reactance
  is kept (PyPSA's convention for line expansion in one solve).

Losses are not in the linear rows (lossless DC power flow); they are measured by the AC power
flow of every hour afterwards (:mod:`gridtwin.study_grid`), which is what the AC loop checks.

References
----------
Hörsch, J., Ronellenfitsch, H., Witthaut, D., Brown, T. (2018). Linear optimal power flow using
cycle flows. Electric Power Systems Research 158, 126-135. doi:10.1016/j.epsr.2017.12.034.
Wood, A. J., Wollenberg, B. F., Sheblé, G. B. (2014). Power Generation, Operation, and Control,
3rd ed., Wiley, ch. 7 (linear sensitivity factors: PTDF, LODF).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from gridtwin.exceptions import ConfigError

#: System base of the per-unit reactances [MVA].
BASE_MVA = 100.0
#: |BODF| below which an outage is taken not to affect a branch [-].
BODF_TOLERANCE = 1e-6


@dataclass(frozen=True)
class BranchSpec:
    """A line or transformer of the site network.

    Attributes
    ----------
    name : str
        Label ``"line:<name>"`` or ``"trafo:<name>"`` (the labels of the AC grid check).
    bus0, bus1 : str
        Bus names; positive flow runs from ``bus0`` to ``bus1``.
    x : float
        Series reactance on a 100 MVA base [p.u.], > 0.
    s_nom : float
        Existing rating [MVA] (lines: sqrt(3) x vn_kv x max_i_ka x parallel x df; transformers:
        sn_mva x parallel; both times ``max_loading_percent / 100``).
    kind : {"line", "trafo"}
    length_km : float
        Line length [km] (0 for transformers).
    extendable : bool
        Whether the rating may be upgraded.
    capital_cost : float
        Cost of one MVA of upgrade over the horizon [currency MVA-1] (annual cost x
        ``horizon_years``).
    s_nom_max : float
        Largest rating after an upgrade [MVA]; ``inf`` for none.
    s_max_pu : float
        Usable share of the rating in (0, 1] [-]; lowered by the AC loop where the AC loading
        exceeds what the linear flow shows (reactive power, losses).
    flow_max : float
        Absolute cap on the active-power flow [MW] set by the AC loop's voltage proxy; ``inf``
        for none. It does not grow with an upgrade (a bigger rating does not lower the voltage
        drop).
    """

    name: str
    bus0: str
    bus1: str
    x: float
    s_nom: float
    kind: Literal["line", "trafo"] = "line"
    length_km: float = 0.0
    extendable: bool = False
    capital_cost: float = 0.0
    s_nom_max: float = float("inf")
    s_max_pu: float = 1.0
    flow_max: float = float("inf")


@dataclass(frozen=True)
class Contingencies:
    """N-1 pairs of a network: outage k shifts ``bodf x f_k`` onto monitored branch l.

    Attributes
    ----------
    monitored, outage : numpy.ndarray of int
        Branch positions, shape (n_pairs,).
    bodf : numpy.ndarray
        Branch outage distribution factors, shape (n_pairs,) [-].
    islanding : tuple of str
        Branches whose outage splits the network (radial connections): their loss is a loss of
        the assets behind them, which flows cannot secure; not constrained.
    """

    monitored: np.ndarray
    outage: np.ndarray
    bodf: np.ndarray
    islanding: tuple[str, ...]


@dataclass(frozen=True)
class NetworkSpec:
    """The site network of a sizing problem.

    Attributes
    ----------
    buses : tuple of str
        Bus names.
    branches : tuple of BranchSpec
    load_bus : str
        Bus of the campus load (and of its flexibility).
    grid_bus : str
        Bus where the POI exchange enters: the external grid of the network.
    asset_bus : dict of str to str
        Bus of each on-site technology (problem technology name -> bus); technologies not
        listed sit at ``load_bus``.
    n1 : bool
        Whether post-contingency flows must stay within ratings (security-constrained).
    name : str
        Source of the network (file name), for messages and the result file.
    new_buses : dict of str to float
        Buses that are not in the source network (new collector substations) and their
        nominal voltage [kV]; the AC check creates them with their new transformers.
    """

    buses: tuple[str, ...]
    branches: tuple[BranchSpec, ...]
    load_bus: str
    grid_bus: str
    asset_bus: dict[str, str] = field(default_factory=dict)
    n1: bool = True
    name: str = ""
    new_buses: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = set(self.buses)
        if len(known) != len(self.buses):
            raise ConfigError(f"network {self.name}: bus names must be unique")
        names = [b.name for b in self.branches]
        if len(set(names)) != len(names):
            raise ConfigError(f"network {self.name}: branch names must be unique; got {names}")
        for where, bus in [("load bus", self.load_bus), ("grid bus", self.grid_bus)] + [
            (f"bus of {t}", b) for t, b in self.asset_bus.items()
        ]:
            if bus not in known:
                raise ConfigError(
                    f"network {self.name}: {where} {bus!r} is not a bus of the network; buses: "
                    f"{sorted(known)}"
                )
        for b in self.branches:
            if b.bus0 not in known or b.bus1 not in known or b.bus0 == b.bus1:
                raise ConfigError(
                    f"network {self.name}: branch {b.name} joins {b.bus0!r} and {b.bus1!r}; "
                    "both must be distinct buses of the network"
                )
            if not (np.isfinite(b.x) and b.x > 0):
                raise ConfigError(
                    f"network {self.name}: branch {b.name} has reactance {b.x} p.u.; the linear "
                    "power flow needs a positive reactance"
                )
            if not (b.s_nom >= 0 and 0 < b.s_max_pu <= 1 and b.flow_max > 0):
                raise ConfigError(
                    f"network {self.name}: branch {b.name}: rating {b.s_nom} MVA, s_max_pu "
                    f"{b.s_max_pu}, flow_max {b.flow_max}: need rating >= 0, s_max_pu in (0, 1] "
                    "and flow_max > 0"
                )
        unreached = set(self.buses) - _reachable(self.buses, self.branches, self.grid_bus)
        if unreached:
            raise ConfigError(
                f"network {self.name}: buses {sorted(unreached)} are not connected to the grid "
                f"bus {self.grid_bus!r} by in-service branches"
            )

    def bus_of(self, technology: str) -> str:
        """Bus of an on-site technology (the load bus unless :attr:`asset_bus` names one)."""
        return self.asset_bus.get(technology, self.load_bus)

    def incidence(self) -> np.ndarray:
        """Bus-branch incidence matrix A, shape (n_bus, n_branch): +1 at ``bus0``, -1 at
        ``bus1``."""
        index = {b: i for i, b in enumerate(self.buses)}
        a = np.zeros((len(self.buses), len(self.branches)))
        for j, br in enumerate(self.branches):
            a[index[br.bus0], j] = 1.0
            a[index[br.bus1], j] = -1.0
        return a

    def cycles(self) -> np.ndarray:
        """Cycle basis C, shape (n_branch, n_cycles), entries in {-1, 0, 1}.

        One cycle per branch outside a spanning tree (breadth first from the grid bus): the
        branch and the tree path back (Hörsch et al. 2018). ``A @ C = 0``.
        """
        parent = _spanning_tree(self.buses, self.branches, self.grid_bus)
        tree = {j for j in parent.values() if j is not None}
        columns = []
        for j, br in enumerate(self.branches):
            if j in tree:
                continue
            col = np.zeros(len(self.branches))
            col[j] = 1.0  # around the cycle: along branch j from bus0 to bus1,
            for bus, sign in ((br.bus1, 1.0), (br.bus0, -1.0)):  # then back up the tree
                while parent[bus] is not None:
                    k = parent[bus]
                    assert k is not None
                    up = self.branches[k]
                    # walking from `bus` towards the root along branch k
                    col[k] += sign * (1.0 if up.bus0 == bus else -1.0)
                    bus = up.bus1 if up.bus0 == bus else up.bus0
            columns.append(col)
        if not columns:
            return np.zeros((len(self.branches), 0))
        return np.column_stack(columns)

    def ptdf(self) -> np.ndarray:
        """Power transfer distribution factors, shape (n_branch, n_bus) [-]: flow on each branch
        per MW injected at a bus and withdrawn at the grid bus (DC power flow)."""
        a = self.incidence()
        b = 1.0 / np.array([br.x for br in self.branches])
        bbus = a @ np.diag(b) @ a.T
        slack = self.buses.index(self.grid_bus)
        keep = [i for i in range(len(self.buses)) if i != slack]
        theta = np.zeros((len(self.buses), len(self.buses)))
        if keep:
            theta[np.ix_(keep, keep)] = np.linalg.inv(bbus[np.ix_(keep, keep)])
        return np.diag(b) @ a.T @ theta

    def contingencies(self) -> Contingencies:
        """The N-1 pairs (outage, monitored branch, BODF) of the network.

        ``BODF_lk = PTDF_l (e_bus0(k) - e_bus1(k)) / (1 - PTDF_k (e_bus0(k) - e_bus1(k)))``;
        an outage with denominator ~ 0 splits the network (listed in ``islanding``). Pairs with
        ``|BODF| <= BODF_TOLERANCE`` are left out.
        """
        ptdf = self.ptdf()
        a = self.incidence()
        transfer = ptdf @ a  # (n_branch, n_branch): flow on l per MW sent along k's ends
        monitored, outage, factors, islanding = [], [], [], []
        for k, br in enumerate(self.branches):
            denominator = 1.0 - transfer[k, k]
            if abs(denominator) < 1e-9:
                islanding.append(br.name)
                continue
            for ell in range(len(self.branches)):
                if ell == k:
                    continue
                value = transfer[ell, k] / denominator
                if abs(value) > BODF_TOLERANCE:
                    monitored.append(ell)
                    outage.append(k)
                    factors.append(value)
        return Contingencies(
            monitored=np.array(monitored, dtype=int),
            outage=np.array(outage, dtype=int),
            bodf=np.array(factors, dtype=float),
            islanding=tuple(islanding),
        )

    def limits(self) -> np.ndarray:
        """Flow limit of each fixed branch [MW]: ``min(s_max_pu x s_nom, flow_max)``."""
        return np.array([min(b.s_max_pu * b.s_nom, b.flow_max) for b in self.branches])

    def linear(self) -> LinearNetwork:
        """The rows of the sizing LP, identical parallels merged (:class:`LinearNetwork`)."""
        return _linear(self)

    def with_branches(self, branches: tuple[BranchSpec, ...]) -> NetworkSpec:
        """The same network with other branch parameters (same names, same order)."""
        if [b.name for b in branches] != [b.name for b in self.branches]:
            raise ConfigError("network: with_branches must keep the branch names and order")
        return replace(self, branches=branches)

    def fixed(self, s_nom: dict[str, float]) -> NetworkSpec:
        """The network with ratings fixed at ``s_nom`` [MVA] (an operational dispatch)."""
        return self.with_branches(
            tuple(
                replace(b, s_nom=max(s_nom.get(b.name, b.s_nom), b.s_nom), extendable=False)
                for b in self.branches
            )
        )


@dataclass(frozen=True)
class LinearNetwork:
    """The rows both backends build for a :class:`NetworkSpec` (:meth:`NetworkSpec.linear`).

    Identical parallel branches (same buses, reactance, rating, limits and upgrade terms)
    become one **corridor** carrying their summed flow: reactance ``x / m``, rating and
    ``s_nom_max`` ``m`` times a member's, flow cap ``m x flow_max`` (m members). By symmetry an
    optimum exists with equal members, so the LP is the same; a member's flow and rating are
    the corridor's divided by m. The N-1 rows of an outage inside a corridor (the siblings take
    ``1 + BODF`` times their flow) are folded into the corridor's ``s_max_pu``:
    ``s_max_pu / (1 + BODF)``, which makes the intact-network limit row redundant (for two
    circuits: the corridor carries at most one circuit's rating). N-1 rows between corridors
    are kept as ``|F_l + coef F_k| <= s_max_pu_l s_nom_l`` with ``coef = BODF m_l / m_k``.

    Attributes
    ----------
    spec : NetworkSpec
        The network of corridors (``n1`` False: its N-1 rows are :attr:`monitored` ...).
    members : tuple of tuple of int
        Positions in the original network's branches of each corridor's members.
    monitored, outage : numpy.ndarray of int
        Corridor positions of the N-1 rows between corridors, shape (n_rows,).
    coef : numpy.ndarray
        Coefficient of the outaged corridor's flow, shape (n_rows,) [-].
    share : numpy.ndarray
        ``s_max_pu`` of the monitored corridor's members in those rows, shape (n_rows,) [-].
    """

    spec: NetworkSpec
    members: tuple[tuple[int, ...], ...]
    monitored: np.ndarray
    outage: np.ndarray
    coef: np.ndarray
    share: np.ndarray

    def member_values(self, corridor: Mapping[str, Any], original: NetworkSpec) -> dict[str, Any]:
        """Values of the original branches from corridor values (divided by the member count)."""
        out = {}
        for c, members in enumerate(self.members):
            value = corridor[self.spec.branches[c].name]
            for j in members:
                out[original.branches[j].name] = value / len(members)
        return out


def _identity(b: BranchSpec) -> tuple[object, ...]:
    return (b.bus0, b.bus1, b.x, b.s_nom, b.kind, b.length_km, b.extendable, b.capital_cost,
            b.s_nom_max, b.s_max_pu, b.flow_max)  # fmt: skip


def _linear(net: NetworkSpec) -> LinearNetwork:
    groups: dict[tuple[object, ...], list[int]] = {}
    for j, b in enumerate(net.branches):
        groups.setdefault(_identity(b), []).append(j)
    members = tuple(tuple(g) for g in groups.values())
    corridor_of = {j: c for c, g in enumerate(members) for j in g}
    within: dict[int, float] = {}
    rows: dict[tuple[int, int], float] = {}
    if net.n1:
        pairs = net.contingencies()
        for ell, k, factor in zip(pairs.monitored, pairs.outage, pairs.bodf, strict=True):
            cl, ck = corridor_of[int(ell)], corridor_of[int(k)]
            if cl == ck:
                within[cl] = max(within.get(cl, 0.0), float(factor))
            else:
                rows[(cl, ck)] = float(factor) * len(members[cl]) / len(members[ck])
    branches = []
    for c, group in enumerate(members):
        b, m = net.branches[group[0]], len(group)
        name = b.name if m == 1 else "|".join(net.branches[j].name for j in group)
        branches.append(
            replace(
                b,
                name=name,
                x=b.x / m,
                s_nom=b.s_nom * m,
                s_nom_max=b.s_nom_max * m,
                flow_max=b.flow_max * m,
                s_max_pu=b.s_max_pu / (1.0 + within[c]) if within.get(c, 0.0) > 0 else b.s_max_pu,
            )
        )
    spec = replace(net, branches=tuple(branches), n1=False)
    keys = sorted(rows)
    return LinearNetwork(
        spec=spec,
        members=members,
        monitored=np.array([k[0] for k in keys], dtype=int),
        outage=np.array([k[1] for k in keys], dtype=int),
        coef=np.array([rows[k] for k in keys], dtype=float),
        share=np.array([net.branches[members[k[0]][0]].s_max_pu for k in keys], dtype=float),
    )


def _adjacency(
    buses: tuple[str, ...], branches: tuple[BranchSpec, ...]
) -> dict[str, list[tuple[int, str]]]:
    adj: dict[str, list[tuple[int, str]]] = {b: [] for b in buses}
    for j, br in enumerate(branches):
        if br.bus0 in adj and br.bus1 in adj:
            adj[br.bus0].append((j, br.bus1))
            adj[br.bus1].append((j, br.bus0))
    return adj


def _spanning_tree(
    buses: tuple[str, ...], branches: tuple[BranchSpec, ...], root: str
) -> dict[str, int | None]:
    """Branch to each bus's parent in a breadth-first tree from ``root`` (``None`` at root)."""
    adj = _adjacency(buses, branches)
    parent: dict[str, int | None] = {root: None}
    todo = deque([root])
    while todo:
        bus = todo.popleft()
        for j, other in adj[bus]:
            if other not in parent:
                parent[other] = j
                todo.append(other)
    return parent


def _reachable(buses: tuple[str, ...], branches: tuple[BranchSpec, ...], root: str) -> set[str]:
    if root not in buses:
        return set()
    return set(_spanning_tree(buses, branches, root))


__all__ = [
    "BASE_MVA",
    "BODF_TOLERANCE",
    "BranchSpec",
    "Contingencies",
    "LinearNetwork",
    "NetworkSpec",
]
