"""Investment periods (and, next, several sites): one LP over several :class:`SystemProblem` s.

A :class:`PlanProblem` is a set of *blocks*, one per investment period, each an ordinary
:class:`~gridtwin.optimize.problem.SystemProblem` on the period's representative hours (its
campus size, its technology costs, its CFE target), and the *investments* that tie them: the
capacity of an asset in period ``p`` is what the block had before the plan (its existing
capacity) plus every vintage built in a period ``b <= p`` that has not retired::

    capacity_p = existing_p + sum_{b : b <= p < b + lifetime} build_b

Each vintage pays its period's annualised capital cost in every period it is active in,
weighted by that period's objective weight; operating costs of a block are weighted by its
period's weight too. This is PyPSA's multi-investment formulation (``build_year``,
``lifetime``, ``investment_period_weightings``: PyPSA documentation, "Multi-investment
optimisation"), written once here for both backends:

* the objective weight of period ``p`` (first year ``y_p``, ``n_p`` years long) is
  ``sum_{k=0}^{n_p-1} (1 + r)^-(y_p + k - y_0)``, ``y_0`` the first period's year and ``r``
  the discount rate; a period lasts until the next one starts, the last one as long as
  ``last_period_years`` (default: the one before it);
* a vintage whose lifetime runs past the horizon's end pays only for the periods modelled:
  the annuity (:func:`gridtwin.technologies.annuity`) spreads the investment evenly over the
  lifetime, so the years after the horizon are left to be paid after it;
* a block's own capital costs of the plan's assets are not charged (they are charged on the
  vintages); its other capital costs stay in its objective.

Storage continuity: every block is cyclic on its own (its state of charge at the end of the
period's representative hours equals that at their start), and no energy is carried from one
period into the next (PyPSA's ``e_cyclic_per_period``). A representative year stands for
every year of its period; carrying energy across the gap of years between two modelled years
would have no physical meaning.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from gridtwin.exceptions import ConfigError
from gridtwin.network.spec import BranchSpec
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.solution import Solution

#: What an investment sizes: a generator's or storage's power (charging power where discharge
#: is sized apart), a storage's separate discharge power, a storage's energy, the rating of a
#: site-network corridor (parallel identical branches, :meth:`NetworkSpec.linear`).
Kind = Literal["p_nom", "p_nom_discharge", "e_nom", "s_nom"]
KINDS: tuple[Kind, ...] = ("p_nom", "p_nom_discharge", "e_nom", "s_nom")
#: Units of each kind's capacity.
KIND_UNITS = {"p_nom": "MW", "p_nom_discharge": "MW", "e_nom": "MWh", "s_nom": "MVA"}


@dataclass(frozen=True)
class Investment:
    """Capacity of one asset that persists across periods once built.

    Attributes
    ----------
    asset : str
        Technology name, a generator or storage of every block.
    kind : {"p_nom", "p_nom_discharge", "e_nom"}
        Which capacity of the asset [MW, MW, MWh].
    capital_cost : tuple of float
        Annualised investment plus fixed O&M of a vintage built in each period
        [currency unit-1 a-1], one per period (the period's catalogue).
    lifetime : float
        Years a vintage stays in service [a], > 0.
    """

    asset: str
    kind: Kind
    capital_cost: tuple[float, ...]
    lifetime: float

    @property
    def key(self) -> str:
        """``asset`` or ``asset:kind`` for a kind other than ``p_nom``: a name per capacity."""
        return self.asset if self.kind == "p_nom" else f"{self.asset}:{self.kind}"


@dataclass(frozen=True)
class PlanProblem:
    """Investment periods of one campus, solved as one LP.

    Attributes
    ----------
    periods : tuple of int
        First year of each investment period, increasing, length n_periods.
    blocks : tuple of SystemProblem
        One per period, in the same order: the period's representative hours, load, costs and
        CFE target. Capital costs of the assets in ``investments`` are zero in the blocks
        (:func:`plan_problem` sets them); existing capacity (``p_nom`` / ``e_nom`` of a spec)
        is the capacity before any vintage of the plan.
    investments : tuple of Investment
    discount_rate : float
        Social discount rate of the objective weights [a-1], >= 0.
    last_period_years : float or None
        Length of the last period [a]; ``None``: that of the period before it (1 for a single
        period).

    Raises
    ------
    ConfigError
        Periods not increasing, blocks and periods of different lengths, an investment whose
        asset is missing or not extendable in a block, costs of the wrong length, a lifetime
        or discount rate out of range.
    """

    periods: tuple[int, ...]
    blocks: tuple[SystemProblem, ...]
    investments: tuple[Investment, ...]
    discount_rate: float = 0.0
    last_period_years: float | None = None

    def __post_init__(self) -> None:
        _check_plan(self)

    @property
    def years(self) -> np.ndarray:
        """Length of each period [a], shape (n_periods,): until the next period starts."""
        gaps = np.diff(np.asarray(self.periods, dtype=float))
        last = self.last_period_years
        if last is None:
            last = float(gaps[-1]) if len(gaps) else 1.0
        return np.append(gaps, last)

    @property
    def weights(self) -> np.ndarray:
        """Objective weight of each period [a], shape (n_periods,): its years discounted to
        the first period's year, ``sum_k (1 + r)^-(y_p + k - y_0)``."""
        y0, r = self.periods[0], self.discount_rate
        out = []
        for start, n in zip(self.periods, self.years, strict=True):
            offsets = start - y0 + np.arange(int(np.ceil(n)))
            factors = (1.0 + r) ** -offsets.astype(float)
            factors[-1] *= n - (len(offsets) - 1)  # a part year pays its part
            out.append(float(factors.sum()))
        return np.asarray(out)

    def active(self, lifetime: float) -> np.ndarray:
        """Whether a vintage built in period ``b`` is in service in period ``p``, shape
        (n_periods b, n_periods p): ``y_b <= y_p < y_b + lifetime``."""
        y = np.asarray(self.periods, dtype=float)
        return (y[None, :] >= y[:, None]) & (y[None, :] < y[:, None] + lifetime)

    def vintage_costs(self, inv: Investment) -> np.ndarray:
        """What one unit of each vintage costs over the horizon [currency unit-1], shape
        (n_periods,): its annual cost times the weights of the periods it is active in."""
        active = self.active(inv.lifetime)
        return np.asarray(inv.capital_cost, dtype=float) * (active @ self.weights)


@dataclass
class PlanSolution:
    """What a backend returns for a :class:`PlanProblem`.

    Attributes
    ----------
    blocks : list of Solution
        One per period, in the plan's order: the capacities in service and the dispatch of the
        period's representative hours. ``objective`` of each is its block's operating cost
        (and other capital costs) per year of the period, unweighted [currency a-1].
    built : dict of str to numpy.ndarray
        Capacity built in each period per investment key (:attr:`Investment.key`), shape
        (n_periods,) [MW or MWh].
    objective : float
        The plan's objective: weighted block objectives plus vintage costs [currency].
    solver : dict
        As :attr:`Solution.solver`.
    """

    blocks: list[Solution]
    built: dict[str, np.ndarray]
    objective: float
    solver: dict[str, object] = field(default_factory=dict)


def capacity_in_service(plan: PlanProblem, solution: PlanSolution, inv: Investment) -> np.ndarray:
    """Capacity of an investment in service in each period [MW or MWh], shape (n_periods,):
    existing capacity of the block plus the active vintages (the coupling rows, recomputed)."""
    built = solution.built[inv.key]
    existing = np.array([existing_capacity(b, inv) for b in plan.blocks])
    return existing + built @ plan.active(inv.lifetime)


def existing_capacity(block: SystemProblem, inv: Investment) -> float:
    """Capacity of ``inv`` a block has before the plan [MW, MWh or MVA]."""
    spec = find_spec(block, inv.asset, inv.kind)
    if inv.kind == "s_nom":
        return float(spec.s_nom)
    return float(spec.e_nom if inv.kind == "e_nom" else spec.p_nom)


def corridors(block: SystemProblem) -> tuple[BranchSpec, ...]:
    """The site network's corridors as the LP builds them (none without a network)."""
    return () if block.network is None else block.network.linear().spec.branches


def find_spec(block: SystemProblem, asset: str, kind: Kind) -> Any:
    """The generator, storage or corridor an investment sizes in a block.

    Raises
    ------
    ConfigError
        The block has no such asset (every period must offer the same ones).
    """
    specs: list[Any] = (
        list(corridors(block))
        if kind == "s_nom"
        else [
            *block.generators,
            *block.storage,
        ]
    )
    for spec in specs:
        if spec.name == asset:
            return spec
    raise ConfigError(
        f"investment periods: {asset!r} is in the first period but not in another; every "
        "period must offer the same technologies and site network"
    )


def _check_plan(plan: PlanProblem) -> None:
    """Refuse a plan the backends cannot represent (one line naming what to change)."""
    p = plan.periods
    if not p:
        raise ConfigError("investment periods: give at least one period")
    if any(b <= a for a, b in itertools.pairwise(p)):
        raise ConfigError(f"investment periods: years {list(p)} must increase")
    if len(plan.blocks) != len(p):
        raise ConfigError(f"investment periods: {len(plan.blocks)} blocks for {len(p)} periods")
    if not (0.0 <= plan.discount_rate < 1.0):
        raise ConfigError(
            f"investment periods: discount_rate {plan.discount_rate} must be in [0, 1) [a-1]"
        )
    if plan.last_period_years is not None and not plan.last_period_years > 0:
        raise ConfigError("investment periods: last_period_years must be > 0 [a]")
    for year, block in zip(p, plan.blocks, strict=True):
        _check_block(year, block)
    for inv in plan.investments:
        if len(inv.capital_cost) != len(p):
            raise ConfigError(f"investment {inv.key}: one capital cost per period")
        if not (inv.lifetime > 0 and np.all(np.isfinite(inv.capital_cost))):
            raise ConfigError(f"investment {inv.key}: lifetime > 0 and finite costs needed")
        for year, block in zip(p, plan.blocks, strict=True):
            spec = find_spec(block, inv.asset, inv.kind)
            if not spec.extendable:
                raise ConfigError(
                    f"investment periods: {inv.asset} is not extendable in period {year}"
                )


def _check_block(year: int, block: SystemProblem) -> None:
    """Block-level capital costs the plan does not yet carry across periods are refused:
    a heat pump or an outage fleet would be rented per period, not built."""
    parts = []
    if block.heat is not None:
        parts.append("heat reuse")
    if block.outage is not None:
        parts.append("resilience sizing")
    if parts:
        raise ConfigError(
            f"investment periods (period {year}): {', '.join(parts)} cannot be planned over "
            "periods yet; remove them from the study or run each period as its own study"
        )


__all__ = [
    "KINDS",
    "KIND_UNITS",
    "Investment",
    "Kind",
    "PlanProblem",
    "PlanSolution",
    "capacity_in_service",
    "corridors",
    "existing_capacity",
    "find_spec",
]
