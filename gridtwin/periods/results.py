"""The result of a study with investment periods: every period's result (as a single study
writes it) on a ``period`` dimension, with the vintages that tie them.

Variables added to the periods' own (``docs/periods.md``):

* ``period_years(period)`` [yr], ``period_weight(period)`` [yr]: each period's length and its
  discounted years, the weight of its annual cost in the plan's objective;
* on the dimension ``investment`` (a generator's or storage's power, a storage's energy or
  separate discharge power, a site-network corridor's rating): ``investment_asset``,
  ``investment_kind``, ``investment_unit``, ``lifetime(investment)`` [yr],
  ``built(period, investment)`` (the vintage built in each period),
  ``existing(period, investment)`` (capacity before the plan) and
  ``investment_capital_cost(period, investment)`` [currency unit-1 yr-1] (what a vintage of
  that period pays a year);
* attributes ``plan_objective`` [currency] (discounted to the first period's year),
  ``discount_rate``, ``investment_periods``.

Checks recomputed from the file alone: :func:`in_service` (existing plus the vintages still in
service), :func:`plan_residual` (that against each period's capacities) and :func:`plan_cost`
(the weighted sum of the periods' system costs, equal to ``plan_objective``).
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
import yaml

from gridtwin.config import Study, StudyConfig
from gridtwin.conventions import annotate
from gridtwin.exceptions import ConfigError
from gridtwin.optimize.plan import KIND_UNITS, PlanProblem, PlanSolution, existing_capacity
from gridtwin.results import system_cost
from gridtwin.results.join import join_along

PERIOD = "period"
INVESTMENT = "investment"
#: Capacity variable of each investment kind in a period's result, and its dimension.
CAPACITY_VARIABLES = {
    "p_nom": ("p_nom_opt", "technology"),
    "p_nom_discharge": ("p_nom_discharge_opt", "storage"),
    "e_nom": ("e_nom_opt", "storage"),
    "s_nom": ("s_nom_opt", "branch"),
}


def join_periods(
    datasets: list[xr.Dataset],
    plan: PlanProblem,
    solution: PlanSolution,
    cfg: StudyConfig,
    study: Study,
) -> xr.Dataset:
    """Join the periods' results on ``period`` and add the vintages (see the module).

    Attributes that differ between periods become variables on ``period`` (numbers) or a
    JSON object by year (text, e.g. ``verify_report``).

    Raises
    ------
    ConfigError
        The periods' results have different time axes.
    """
    times = [ds.indexes["time"] for ds in datasets]
    if any(not t.equals(times[0]) for t in times):
        raise ConfigError("investment periods: the periods' results are on different hours")
    ds = join_along(datasets, PERIOD, list(plan.periods))
    ds = ds.assign(_vintages(plan, solution))
    ds["period_years"] = (PERIOD, plan.years)
    ds["period_weight"] = (PERIOD, plan.weights)
    ds.attrs.update(
        plan_objective=float(solution.objective),
        discount_rate=float(plan.discount_rate),
        investment_periods=json.dumps(list(plan.periods)),
        study_resolved=yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False),
        study_yaml=study.text,
        study_name=cfg.name,
        title=cfg.title or f"gridtwin plan: {cfg.name}, periods {list(plan.periods)}",
        mode="investment_periods",
    )
    return annotate(ds, cfg.currency, cfg.currency_year)


def _vintages(plan: PlanProblem, solution: PlanSolution) -> xr.Dataset:
    """The vintage variables on ``(period, investment)``."""
    keys = [inv.key for inv in plan.investments]
    coords = {PERIOD: list(plan.periods), INVESTMENT: keys}
    built = np.stack([solution.built[k] for k in keys], axis=1) if keys else np.zeros((0, 0))
    existing = np.array(
        [[existing_capacity(b, inv) for inv in plan.investments] for b in plan.blocks]
    )
    costs = np.array([inv.capital_cost for inv in plan.investments]).T
    shape = (len(plan.periods), len(keys))
    return xr.Dataset(
        {
            "built": ((PERIOD, INVESTMENT), built.reshape(shape)),
            "existing": ((PERIOD, INVESTMENT), existing.reshape(shape)),
            "investment_capital_cost": ((PERIOD, INVESTMENT), costs.reshape(shape)),
            "lifetime": (INVESTMENT, [inv.lifetime for inv in plan.investments]),
            "investment_asset": (INVESTMENT, [inv.asset for inv in plan.investments]),
            "investment_kind": (INVESTMENT, [inv.kind for inv in plan.investments]),
            "investment_unit": (
                INVESTMENT,
                [KIND_UNITS[inv.kind] for inv in plan.investments],
            ),
        },
        coords=coords,
    )


def in_service(ds: xr.Dataset) -> xr.DataArray:
    """Capacity of each investment in service in each period, recomputed from the file:
    existing plus every vintage built in an earlier or the same period whose lifetime has
    not ended, ``y_b <= y_p < y_b + lifetime`` [MW, MWh or MVA], dims (period, investment)."""
    years = ds[PERIOD].to_numpy().astype(float)
    life = ds["lifetime"].to_numpy()
    active = (years[None, :, None] >= years[:, None, None]) & (
        years[None, :, None] < years[:, None, None] + life[None, None, :]
    )  # (built in b, period p, investment)
    built = ds["built"].to_numpy()
    kept = np.einsum("bpi,bi->pi", active.astype(float), built)
    return ds["existing"] + xr.DataArray(kept, coords=ds["built"].coords, dims=ds["built"].dims)


def plan_residual(ds: xr.Dataset) -> xr.DataArray:
    """Capacity each period's result holds minus :func:`in_service` [MW, MWh or MVA], dims
    (period, investment): zero where the periods' capacities are the vintages' (0 if the
    file holds no vintages of a kind)."""
    held = xr.zeros_like(ds["built"])
    for i, (asset, kind) in enumerate(
        zip(ds["investment_asset"].values, ds["investment_kind"].values, strict=True)
    ):
        name, dim = CAPACITY_VARIABLES[str(kind)]
        values = _corridor_rating(ds, str(asset)) if kind == "s_nom" else ds[name].sel({dim: asset})
        held[:, i] = np.asarray(values)
    return held - in_service(ds)


def _corridor_rating(ds: xr.Dataset, corridor: str) -> np.ndarray:
    """Rating of a corridor in each period [MVA]: the sum of its members' (a corridor of
    identical parallel branches is named by its members joined with ``|``)."""
    return np.asarray(ds["s_nom_opt"].sel(branch=corridor.split("|")).sum("branch"))


def plan_cost(ds: xr.Dataset) -> float:
    """The plan's objective recomputed from the file [currency]: each period's system cost
    (:func:`gridtwin.results.system_cost`, annual) times its weight."""
    costs = [system_cost(ds.sel({PERIOD: p})) for p in ds[PERIOD].values]
    return float(np.dot(ds["period_weight"].to_numpy(), costs))


__all__ = [
    "CAPACITY_VARIABLES",
    "INVESTMENT",
    "PERIOD",
    "in_service",
    "join_periods",
    "plan_cost",
    "plan_residual",
]
