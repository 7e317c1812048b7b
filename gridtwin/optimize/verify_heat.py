"""The verifier's heat and water rows (:mod:`gridtwin.optimize.verify`): the equations of
:mod:`gridtwin.optimize.heat` evaluated on a solution."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from gridtwin.optimize.evaluate import above as _above
from gridtwin.optimize.evaluate import campus_served
from gridtwin.optimize.problem import Solution, SystemProblem

Rows = Iterator[tuple[str, np.ndarray]]


def heat(p: SystemProblem, s: Solution) -> Rows:
    """Heat side [MW_th or MWh_th]: the network balance, sales within demand, the warm loop's
    heat, the heat-pump rating and the tank's dynamics and ratings."""
    spec = p.heat
    if spec is None:
        return
    h, cap = s.heat, s.heat_capacity
    q, sold, tank_p, tank_e = h["delivered"], h["sold"], h["storage_p"], h["storage_e"]
    yield "network balance", np.abs(q + tank_p - sold)
    yield "sold <= demand", _above(sold, spec.demand)
    yield "sold >= 0", _above(0.0, sold)
    yield "delivered >= 0", _above(0.0, q)
    available = spec.heat_per_load * campus_served(p, s)
    yield "warm-loop heat", _above(spec.source_per_heat * q, available)
    yield "heat pump rating", _above(spec.heat_pump_share * q, cap["heat_pump"])
    yield "heat pump p_nom_max", _above(cap["heat_pump"], spec.heat_pump_p_nom_max)
    w = p.snapshot_weights
    keep = (1.0 - spec.storage_standing_loss) ** w
    yield "tank dynamics", np.abs(tank_e - keep * np.roll(tank_e, 1) + w * tank_p)
    yield "tank e <= e_nom", _above(tank_e, cap["heat_storage"])
    yield "tank e >= 0", _above(0.0, tank_e)
    rating = cap["heat_storage"] / spec.storage_hours
    yield "tank power", _above(np.abs(tank_p), rating)


def water(p: SystemProblem, s: Solution) -> Rows:
    """Water limits [m3 h-1 or m3]: the hourly peak and each weather year's share of the
    annual limit."""
    spec = p.water
    if spec is None or s.water.size != len(p.snapshots):
        return
    if spec.peak_max is not None:
        yield "water peak", _above(s.water, spec.peak_max)
    if spec.annual_max is not None:
        groups, shares = p.budget_shares()
        used = np.bincount(groups, weights=p.snapshot_weights * s.water)
        yield "water annual", _above(used, spec.annual_max * shares)


__all__ = ["heat", "water"]
