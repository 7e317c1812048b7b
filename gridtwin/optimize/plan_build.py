"""Build a :class:`~gridtwin.optimize.plan.PlanProblem` from one problem per period: every
extendable generator, storage and site-network corridor becomes an investment whose capital
cost is charged on its vintages instead of in the blocks."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from gridtwin.exceptions import ConfigError
from gridtwin.optimize.plan import Investment, Kind, PlanProblem, corridors, find_spec
from gridtwin.optimize.problem import SystemProblem

logger = logging.getLogger(__name__)

#: Capital cost attribute of each kind of storage investment.
STORAGE_COSTS: dict[Kind, str] = {
    "p_nom": "capital_cost_power",
    "p_nom_discharge": "capital_cost_discharge",
    "e_nom": "capital_cost_energy",
}


def plan_problem(
    periods: tuple[int, ...],
    blocks: tuple[SystemProblem, ...],
    lifetimes: dict[str, float],
    discount_rate: float = 0.0,
    last_period_years: float | None = None,
) -> PlanProblem:
    """A plan whose investments are every extendable generator, storage and corridor.

    Parameters
    ----------
    periods : tuple of int
        First year of each period, increasing.
    blocks : tuple of SystemProblem
        One per period, each with its period's capital costs (for its horizon: annual cost x
        ``horizon_years``); the same extendable assets in every block.
    lifetimes : dict of str to float
        Lifetime of each extendable asset [a] (the catalogue's ``lifetime``): by name
        (``"solar"``), by name and kind for a storage part with its own (``"hydrogen:e_nom"``,
        else the name's), and ``"line"`` / ``"trafo"`` for network corridors.
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
        An extendable asset without a lifetime, or one missing or fixed in another block.
    """
    first = blocks[0]
    investments: list[Investment] = []

    def add(asset: str, kind: Kind, attr: str, life_key: str) -> None:
        costs = tuple(getattr(find_spec(b, asset, kind), attr) / b.horizon_years for b in blocks)
        life = _lifetime(lifetimes, f"{asset}:{kind}", life_key)
        investments.append(Investment(asset, kind, costs, life))

    for g in first.generators:
        if g.extendable:
            add(g.name, "p_nom", "capital_cost", g.name)
    for s in first.storage:
        if s.extendable:
            add(s.name, "p_nom", STORAGE_COSTS["p_nom"], s.name)
            if s.separate_discharge:
                add(s.name, "p_nom_discharge", STORAGE_COSTS["p_nom_discharge"], s.name)
            add(s.name, "e_nom", STORAGE_COSTS["e_nom"], s.name)
    for b in corridors(first):
        if b.extendable:
            add(b.name, "s_nom", "capital_cost", b.kind)
    plan = PlanProblem(
        periods=tuple(int(p) for p in periods),
        blocks=tuple(_without_capital_costs(b) for b in blocks),
        investments=tuple(investments),
        discount_rate=discount_rate,
        last_period_years=last_period_years,
    )
    for inv in plan.investments:
        long = [y for y, n in zip(plan.periods, plan.years, strict=True) if n > inv.lifetime]
        if long:
            logger.warning(
                "investment periods: %s lives %g a, less than period(s) %s last: a vintage "
                "counts as in service for the whole period; split the period to see it retire",
                inv.key,
                inv.lifetime,
                long,
            )
    return plan


def _lifetime(lifetimes: dict[str, float], key: str, fallback: str) -> float:
    for name in (key, fallback):
        if name in lifetimes:
            return float(lifetimes[name])
    raise ConfigError(f"investment periods: no lifetime for {fallback!r}; give its lifetime")


def _without_capital_costs(block: SystemProblem) -> SystemProblem:
    """The block with the capital costs of its extendable assets set to zero (they are
    charged on the vintages)."""
    gens = tuple(replace(g, capital_cost=0.0) if g.extendable else g for g in block.generators)
    stores = tuple(
        replace(
            s,
            capital_cost_power=0.0,
            capital_cost_energy=0.0,
            capital_cost_discharge=None if s.capital_cost_discharge is None else 0.0,
        )
        if s.extendable
        else s
        for s in block.storage
    )
    block = replace(block, generators=gens, storage=stores)
    if block.network is None:
        return block
    branches: tuple[Any, ...] = tuple(
        replace(b, capital_cost=0.0) if b.extendable else b for b in block.network.branches
    )
    return replace(block, network=block.network.with_branches(branches))


__all__ = ["STORAGE_COSTS", "plan_problem"]
