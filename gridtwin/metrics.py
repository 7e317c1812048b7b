"""The two sums every stage recomputes, written once: hourly clean supply and operating cost.

The backends state these sums as LP rows (each in its own words: that independence is the
cross-check). Everything that recomputes them from a dispatch — the result file
(:mod:`gridtwin.results`), the rolling dispatch and the verifier
(:mod:`gridtwin.optimize.evaluate`) — calls these kernels, on numpy arrays or xarray objects
of one time dimension.

References
----------
Hourly (24/7) matching: Xu, Q., Ricks, W., Manocha, A., Patankar, N., Jenkins, J. D. (2021),
System-level impacts of 24/7 carbon-free electricity procurement, doi:10.5281/zenodo.5874413.
"""

from __future__ import annotations

from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")


def clean_supply(
    *,
    onsite_clean: T,
    market_import: T,
    grid_cfe_share: T,
    offsite_delivered: T,
    offsite_output: T,
    export: T,
    matching: Literal["hourly", "annual"],
) -> T:
    """Clean supply of each hour as the CFE constraint counts it [MW].

    ``hourly``: ``onsite_clean + offsite_delivered + grid_cfe_share x market_import - export``
    (clean energy counts in the hour it is used; exports are subtracted; an offsite contract
    counts up to what reaches the campus). ``annual`` (volumetric): ``onsite_clean +
    offsite_output + grid_cfe_share x market_import`` (every clean MWh counts).

    Parameters
    ----------
    onsite_clean : array, shape (n_time,)
        Output of clean on-site generators plus storage discharge minus charge [MW].
    market_import : array, shape (n_time,)
        Grid import bought on the market (physical import less offsite deliveries) [MW].
    grid_cfe_share : array, shape (n_time,)
        Carbon-free share of grid electricity [-].
    offsite_delivered, offsite_output : array, shape (n_time,)
        Offsite contracts' output delivered through the POI, and their whole output [MW].
    export : array, shape (n_time,)
        POI export [MW].
    matching : {"hourly", "annual"}

    Returns
    -------
    array, shape (n_time,)
        Clean supply [MW] (the type of the inputs).
    """
    grid: T = grid_cfe_share * market_import  # type: ignore[operator]
    base: T = onsite_clean + grid  # type: ignore[operator]
    if matching == "hourly":
        return base + offsite_delivered - export  # type: ignore[operator]
    return base + offsite_output  # type: ignore[operator]


Array = npt.ArrayLike


#: Parts of the operating cost (:func:`operating_cost_parts`), in the order they are reported.
OPERATING_PARTS = ("variable", "grid", "flexibility")


def operating_cost_parts(
    weights: Array,
    *,
    marginal: Array,
    import_price: Array,
    export_price: Array,
    market_import: Array,
    load_served: Array,
    sold: Array,
    discharge: Array,
    tie_break_cost: float,
    shift: Array,
    curtailment: Array,
    shift_cost: float,
    curtail_cost: float,
    demand_charge: float = 0.0,
    physical_import: Array | None = None,
    billing: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, float]:
    """Operating cost of a dispatch over the horizon, by part [currency].

    A negative price is earned on the load served only, offsite deliveries are paid by the
    contracts (``market = import - delivered``), shifted load pays on the hours it moves
    into. The operating cost (the objective less capital cost) is the sum of the parts:

    * ``variable``: ``sum_t w_t [marginal_t + tie_break (discharge_t + sold_t)]`` (variable
      O&M and fuel of the generators, and the tie-break cost that selects a unique optimum);
    * ``grid``: ``sum_t w_t [max(price_t, 0) market_t + min(price_t, 0) min(market_t,
      served_t) - export_price_t sold_t] + demand_charge sum_month share_month max_(t in
      month) physical_import_t`` (energy bought at the POI, less export revenue, plus demand
      charges);
    * ``flexibility``: ``sum_t w_t [shift_cost max(shift_t, 0) + curtail_cost
      curtailment_t]`` (the campus's load shifting and curtailment).

    Parameters
    ----------
    weights : array, shape (n_time,)
        Hours each time step stands for [h].
    marginal : array, shape (n_time,)
        ``sum_g marginal_cost_g x p_g`` [currency h-1].
    import_price, export_price : array, shape (n_time,)
        [currency MWh-1].
    market_import, load_served, sold, discharge, shift, curtailment : array, shape (n_time,)
        [MW]; ``sold`` is POI export plus offsite output sold, ``discharge`` the storage
        discharge summed over storage.
    tie_break_cost, shift_cost, curtail_cost : float
        [currency MWh-1].
    demand_charge : float
        [currency MW-1 month-1]; with ``physical_import`` [MW] and ``billing`` (month of each
        step and each month's share, :func:`gridtwin.optimize.problem.demand_charge_months`).

    Returns
    -------
    dict of str to float
        :data:`OPERATING_PARTS` -> [currency] for the horizon.
    """
    w = np.asarray(weights, dtype=float)
    price = np.asarray(import_price, dtype=float)
    market = np.asarray(market_import, dtype=float)
    sold_ = np.asarray(sold, dtype=float)
    variable = float(w @ np.asarray(marginal, dtype=float))
    variable += tie_break_cost * float(w @ (np.asarray(discharge, dtype=float) + sold_))
    grid = float((w * np.maximum(price, 0.0)) @ market)
    grid += float((w * np.minimum(price, 0.0)) @ np.minimum(market, np.asarray(load_served)))
    grid -= float((w * np.asarray(export_price, dtype=float)) @ sold_)
    if demand_charge and billing is not None and physical_import is not None:
        month, share = billing
        peaks = np.zeros(len(share))
        np.maximum.at(peaks, month, np.asarray(physical_import, dtype=float))
        grid += demand_charge * float(share @ peaks)
    flexibility = shift_cost * float(w @ np.maximum(np.asarray(shift, dtype=float), 0.0))
    flexibility += curtail_cost * float(w @ np.asarray(curtailment, dtype=float))
    return {"variable": variable, "grid": grid, "flexibility": flexibility}


__all__ = ["OPERATING_PARTS", "clean_supply", "operating_cost_parts"]
