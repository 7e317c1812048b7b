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
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from gridtwin.exceptions import ConfigError
from gridtwin.optimize.problem import SystemProblem
from gridtwin.optimize.solution import Solution

#: What an investment sizes: a generator's or storage's power (charging power where discharge
#: is sized apart), a storage's separate discharge power, a storage's energy.
Kind = Literal["p_nom", "p_nom_discharge", "e_nom"]
KINDS: tuple[Kind, ...] = ("p_nom", "p_nom_discharge", "e_nom")
#: Units of each kind's capacity.
KIND_UNITS = {"p_nom": "MW", "p_nom_discharge": "MW", "e_nom": "MWh"}


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
    """Capacity of ``inv`` a block has before the plan [MW or MWh]."""
    for g in block.generators:
        if g.name == inv.asset:
            return float(g.p_nom)
    for s in block.storage:
        if s.name == inv.asset:
            return float(s.e_nom if inv.kind == "e_nom" else s.p_nom)
    raise KeyError(inv.asset)


def payments(plan: PlanProblem, solution: PlanSolution, inv: Investment) -> np.ndarray:
    """Annual capital cost of an investment's vintages in service in each period
    [currency a-1], shape (n_periods,): ``sum_b active[b, p] x capital_cost_b x built_b``.

    ``sum_p weights_p x payments_p`` over the investments is the plan's capital cost (the
    vintage costs of the objective), so each period can be reported as a single study
    paying ``payments_p`` a year (:func:`period_results`)."""
    paid = np.asarray(inv.capital_cost, dtype=float) * solution.built[inv.key]
    return np.asarray(paid @ plan.active(inv.lifetime), dtype=float)


def period_results(
    plan: PlanProblem, solution: PlanSolution
) -> list[tuple[SystemProblem, Solution]]:
    """Each period as a single study reports it: the block with the capital costs of the
    capacity in service, and its solution with those costs in the objective.

    The capital cost of an investment in period ``p`` becomes ``payments_p / capacity_p``
    (per unit of the capacity in service, existing included), so a single study's cost
    accounting (capital cost x capacity) charges exactly the vintages' annual payments, and
    the verifier's objective recomputation and the result's system cost hold per period.

    Returns
    -------
    list of (SystemProblem, Solution)
        One per period; the solution's ``objective`` is the block's operating cost plus the
        payments, per block horizon [currency].
    """
    out = []
    for k, (block, part) in enumerate(zip(plan.blocks, solution.blocks, strict=True)):
        costs: dict[tuple[str, str], float] = {}
        paid = 0.0
        for inv in plan.investments:
            in_service = capacity_in_service(plan, solution, inv)[k]
            pay = payments(plan, solution, inv)[k]
            per_unit = pay / in_service if in_service > 1e-9 else inv.capital_cost[k]
            costs[(inv.asset, inv.kind)] = per_unit * block.horizon_years
            paid += pay * block.horizon_years
        out.append(
            (_with_capital_costs(block, costs), replace(part, objective=part.objective + paid))
        )
    return out


def _with_capital_costs(block: SystemProblem, costs: dict[tuple[str, str], float]) -> SystemProblem:
    """The block with the given capital costs per (asset, kind) [currency unit-1 horizon-1]."""
    gens = tuple(
        replace(g, capital_cost=costs[(g.name, "p_nom")]) if (g.name, "p_nom") in costs else g
        for g in block.generators
    )
    stores = []
    for s in block.storage:
        if (s.name, "p_nom") in costs:
            discharge = costs.get((s.name, "p_nom_discharge"), s.capital_cost_discharge)
            s = replace(
                s,
                capital_cost_power=costs[(s.name, "p_nom")],
                capital_cost_energy=costs[(s.name, "e_nom")],
                capital_cost_discharge=discharge,
            )
        stores.append(s)
    return replace(block, generators=gens, storage=tuple(stores))


def plan_problem(
    periods: tuple[int, ...],
    blocks: tuple[SystemProblem, ...],
    lifetimes: dict[str, float],
    discount_rate: float = 0.0,
    last_period_years: float | None = None,
) -> PlanProblem:
    """A plan whose investments are every extendable generator and storage of the blocks.

    Parameters
    ----------
    periods : tuple of int
        First year of each period, increasing.
    blocks : tuple of SystemProblem
        One per period, each with its period's capital costs (for its horizon: annual cost x
        ``horizon_years``); the same extendable assets in every block.
    lifetimes : dict of str to float
        Lifetime of each extendable asset [a] (the catalogue's ``lifetime``).
    discount_rate : float
        [a-1]
    last_period_years : float, optional
        Length of the last period [a].

    Returns
    -------
    PlanProblem
        Blocks with the investments' capital costs set to zero; the costs per period are in
        the investments (annual: the block's cost / ``horizon_years``).

    Raises
    ------
    ConfigError
        An extendable asset without a lifetime, or one that is not extendable in every block.
    """
    first = blocks[0]
    investments: list[Investment] = []
    for g in first.generators:
        if g.extendable:
            costs = tuple(_spec(b, g.name).capital_cost / b.horizon_years for b in blocks)
            investments.append(Investment(g.name, "p_nom", costs, _lifetime(lifetimes, g.name)))
    for s in first.storage:
        if not s.extendable:
            continue
        life = _lifetime(lifetimes, s.name)
        kinds: list[tuple[Kind, str]] = [("p_nom", "capital_cost_power")]
        if s.separate_discharge:
            kinds.append(("p_nom_discharge", "capital_cost_discharge"))
        kinds.append(("e_nom", "capital_cost_energy"))
        for kind, attr in kinds:
            costs = tuple(getattr(_spec(b, s.name), attr) / b.horizon_years for b in blocks)
            investments.append(Investment(s.name, kind, costs, life))
    return PlanProblem(
        periods=tuple(int(p) for p in periods),
        blocks=tuple(_without_capital_costs(b, investments) for b in blocks),
        investments=tuple(investments),
        discount_rate=discount_rate,
        last_period_years=last_period_years,
    )


def _spec(block: SystemProblem, name: str) -> Any:
    specs: list[Any] = [*block.generators, *block.storage]
    for spec in specs:
        if spec.name == name:
            return spec
    raise ConfigError(
        f"investment periods: technology {name!r} is in the first period but not in another; "
        "every period must offer the same technologies"
    )


def _lifetime(lifetimes: dict[str, float], name: str) -> float:
    if name not in lifetimes:
        raise ConfigError(f"investment periods: no lifetime for {name!r}; give its lifetime")
    return float(lifetimes[name])


def _without_capital_costs(block: SystemProblem, investments: list[Investment]) -> SystemProblem:
    """The block with the investments' capital costs set to zero (charged on vintages)."""
    names = {inv.asset for inv in investments}
    gens = tuple(replace(g, capital_cost=0.0) if g.name in names else g for g in block.generators)
    stores = tuple(
        replace(
            s,
            capital_cost_power=0.0,
            capital_cost_energy=0.0,
            capital_cost_discharge=None if s.capital_cost_discharge is None else 0.0,
        )
        if s.name in names
        else s
        for s in block.storage
    )
    return replace(block, generators=gens, storage=stores)


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
    n = len(plan.blocks[0].snapshots)
    for year, block in zip(p, plan.blocks, strict=True):
        if len(block.snapshots) != n:
            raise ConfigError(
                f"investment periods: period {year} has {len(block.snapshots)} snapshots, "
                f"the first {n}; give every period the same representative hours"
            )
        _check_block(year, block)
    for inv in plan.investments:
        if len(inv.capital_cost) != len(p):
            raise ConfigError(f"investment {inv.key}: one capital cost per period")
        if not (inv.lifetime > 0 and np.all(np.isfinite(inv.capital_cost))):
            raise ConfigError(f"investment {inv.key}: lifetime > 0 and finite costs needed")
        for year, block in zip(p, plan.blocks, strict=True):
            spec = _spec(block, inv.asset)
            if not getattr(spec, "extendable", False):
                raise ConfigError(
                    f"investment periods: {inv.asset} is not extendable in period {year}"
                )


def _check_block(year: int, block: SystemProblem) -> None:
    """Block-level capital costs the plan does not yet carry across periods are refused:
    a branch upgrade, heat pump or outage fleet would be rented per period, not built."""
    parts = []
    if block.network is not None and any(b.extendable for b in block.network.branches):
        parts.append("branch upgrades of the site network")
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
    "existing_capacity",
    "payments",
    "period_results",
    "plan_problem",
]
