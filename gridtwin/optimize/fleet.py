"""A fleet of campuses sized together, with training work that may move between them.

A :class:`FleetProblem` is one :class:`~gridtwin.optimize.problem.SystemProblem` per campus
(its weather, grid signals, POI, network and costs), all on the same hours, and the
*transfers* between them. A transfer moves training IT load ``y_t`` [MW of IT load] from its
source campus to its target in hour ``t``:

* ``0 <= y_t <= p_max_t``: the movable share of the source's training load and the capacity of
  the link between the sites (what the data network can carry, as IT load), ``0`` where the
  pair's latency is above the limit;
* what leaves a campus in all its links is at most its movable training load:
  ``sum_out y_t <= movable_t``;
* the target takes it in within its spare IT capacity: ``sum_in y_t <= spare_t`` (the IT
  capacity online less the IT load and less what the campus's own load shifting may move
  into the hour);
* the site-bus load of each campus falls by its *exchange*
  ``x_t = PUE_t (sum_out y_t - sum_in y_t)`` [MW] (the cooling and losses of the work move
  with it, at each site's own PUE of the hour), in its energy balance and in the load its CFE
  rows count as served;
* moving costs ``cost`` per MWh of IT load moved (data transfer, checkpoint traffic).

CFE targets hold per campus (each its own, on the load it serves after the moves) or for the
fleet (``fleet_target``): ``sum_k clean_k >= target x sum_k served_k`` in each CFE period.
This is the spatial load shifting of Riepin, Brown & Zavala, "Spatio-temporal load shifting
for truly clean computing" (Advances in Applied Energy, 2025; arXiv:2405.00036), written for a
fleet of campuses with their own supply, POI and site network.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from gridtwin.exceptions import ConfigError
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.solution import Solution


@dataclass(frozen=True)
class Transfer:
    """Training work that may move from one campus to another.

    Attributes
    ----------
    source, target : str
        Campus the work leaves and campus it goes to.
    p_max : numpy.ndarray
        Largest IT load moved in each hour [MW of IT load], shape (n_time,), >= 0.
    cost : float
        Cost per MWh of IT load moved [currency MWh-1], >= 0.
    """

    source: str
    target: str
    p_max: np.ndarray
    cost: float = 0.0

    @property
    def name(self) -> str:
        """``source->target``."""
        return f"{self.source}->{self.target}"


@dataclass(frozen=True)
class FleetProblem:
    """Several campuses sized together (see the module).

    Attributes
    ----------
    sites : tuple of str
        Campus names, length n_sites.
    blocks : tuple of SystemProblem
        One per campus, on the same snapshots and with the same weights and currency.
    pue : tuple of numpy.ndarray
        Site-bus MW per MW of IT load of each campus, shape (n_time,) each, >= 1.
    spare : tuple of numpy.ndarray
        IT load each campus can take in per hour [MW], shape (n_time,) each, >= 0.
    transfers : tuple of Transfer
    fleet_target : float or None
        One hourly CFE target for the fleet [-]; ``None``: each campus's own
        ``cfe_target``.
    movable : tuple of numpy.ndarray or None
        IT load each campus can move away in an hour over all its links [MW], shape
        (n_time,) each; ``None``: only each link's ``p_max``.

    Raises
    ------
    ConfigError
        Campuses on different hours or currencies, a transfer naming an unknown campus or
        from a campus to itself, negative bounds or costs, a PUE below 1.
    """

    sites: tuple[str, ...]
    blocks: tuple[SystemProblem, ...]
    pue: tuple[np.ndarray, ...]
    spare: tuple[np.ndarray, ...]
    transfers: tuple[Transfer, ...]
    fleet_target: float | None = None
    movable: tuple[np.ndarray, ...] | None = None

    def __post_init__(self) -> None:
        _check_fleet(self)

    def index(self, site: str) -> int:
        """Position of a campus."""
        return self.sites.index(site)

    def exchange_bound(self, k: int) -> float:
        """Largest site-bus load campus ``k`` can move away or take in in an hour [MW]."""
        out = sum(t.p_max for t in self.transfers if t.source == self.sites[k])
        into = sum(np.minimum(t.p_max, self.spare[k]) for t in self.transfers
                   if t.target == self.sites[k])  # fmt: skip
        both = np.maximum(np.asarray(out, dtype=float), np.asarray(into, dtype=float))
        return float(np.max(self.pue[k] * both)) if np.size(both) else 0.0

    def targets(self) -> tuple[SystemProblem, ...]:
        """The blocks with the CFE target they are built with: the fleet's under a fleet
        target (their rows are then summed), else their own."""
        if self.fleet_target is None:
            return self.blocks
        return tuple(replace(b, cfe_target=self.fleet_target) for b in self.blocks)


@dataclass
class FleetSolution:
    """What a backend returns for a :class:`FleetProblem`.

    Attributes
    ----------
    blocks : list of Solution
        One per campus: its capacities and dispatch (``objective``: its own costs).
    moved : dict of str to numpy.ndarray
        IT load moved by each transfer (:attr:`Transfer.name`) [MW], shape (n_time,).
    exchange : list of numpy.ndarray
        Site-bus load each campus moved away [MW] (negative: taken in), shape (n_time,).
    objective : float
        The campuses' costs plus the moving costs [currency per horizon].
    solver : dict
    """

    blocks: list[Solution]
    moved: dict[str, np.ndarray]
    exchange: list[np.ndarray]
    objective: float
    solver: dict[str, object] = field(default_factory=dict)


def exchange_of(fleet: FleetProblem, moved: dict[str, np.ndarray], k: int) -> np.ndarray:
    """Site-bus load campus ``k`` moves away [MW], shape (n_time,), recomputed from the
    transfers: ``PUE_t (sum_out y_t - sum_in y_t)``."""
    site = fleet.sites[k]
    net = np.zeros(len(fleet.blocks[k].snapshots))
    for t in fleet.transfers:
        if t.source == site:
            net += moved[t.name]
        if t.target == site:
            net -= moved[t.name]
    return np.asarray(fleet.pue[k] * net, dtype=float)


def site_results(
    fleet: FleetProblem, solution: FleetSolution
) -> list[tuple[SystemProblem, Solution]]:
    """Each campus as a single study reports it: its problem with the load it served after the
    moves (``load - exchange``), and its solution. Under a fleet target a campus's own rows are
    not binding, so its problem carries no target (the fleet's score is checked on the
    fleet, :func:`fleet_score`)."""
    out = []
    for k, (block, part) in enumerate(zip(fleet.blocks, solution.blocks, strict=True)):
        served = replace(block, load=block.load - exchange_of(fleet, solution.moved, k))
        if fleet.fleet_target is not None:
            served = replace(served, cfe_target=0.0)
        out.append((served, part))
    return out


def _check_fleet(fleet: FleetProblem) -> None:
    """Refuse a fleet the backends cannot represent (one line naming what to change)."""
    n = len(fleet.sites)
    if n < 1 or len(set(fleet.sites)) != n:
        raise ConfigError(f"fleet: campus names {list(fleet.sites)} must be distinct")
    if not (len(fleet.blocks) == len(fleet.pue) == len(fleet.spare) == n):
        raise ConfigError("fleet: one problem, PUE and spare capacity per campus")
    first = fleet.blocks[0]
    for site, block in zip(fleet.sites, fleet.blocks, strict=True):
        if not block.snapshots.equals(first.snapshots):
            raise ConfigError(
                f"fleet: campus {site} is on other hours than {fleet.sites[0]}; every campus "
                "must be on the same UTC hours"
            )
        if block.currency != first.currency:
            raise ConfigError(
                f"fleet: campus {site} is costed in {block.currency}, {fleet.sites[0]} in "
                f"{first.currency}; give every campus the same currency"
            )
    for k, site in enumerate(fleet.sites):
        if np.any(fleet.pue[k] < 1.0 - 1e-9) or np.any(fleet.spare[k] < -1e-9):
            raise ConfigError(f"fleet: campus {site} has a PUE below 1 or negative spare IT")
    for t in fleet.transfers:
        if t.source not in fleet.sites or t.target not in fleet.sites or t.source == t.target:
            raise ConfigError(
                f"fleet: transfer {t.name} must join two different campuses of {list(fleet.sites)}"
            )
        if np.any(np.asarray(t.p_max) < 0) or not t.cost >= 0:
            raise ConfigError(f"fleet: transfer {t.name} needs p_max >= 0 and cost >= 0")
    if fleet.fleet_target is not None and not 0.0 < fleet.fleet_target <= 1.0:
        raise ConfigError(f"fleet: fleet_target {fleet.fleet_target} must be in (0, 1]")


__all__ = ["FleetProblem", "FleetSolution", "Transfer", "exchange_of", "site_results"]
