"""The verifier's outage rows (:mod:`gridtwin.optimize.verify`): the equations of
:mod:`gridtwin.optimize.outage` evaluated on a solution, from its capacities, its
grid-connected stored energy and its outage dispatch."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from gridtwin.optimize.evaluate import above, off
from gridtwin.optimize.problem import Solution, SystemProblem

Rows = Iterator[tuple[str, np.ndarray]]


def outage(p: SystemProblem, s: Solution) -> Rows:
    """Outage scenarios [MW or MWh]: load, on-site generation, generator sets, fuel and the
    storage pool's energy and ratings, every scenario and hour."""
    o = p.outage
    if o is None or not s.outage:
        return
    idx = o.snapshot_index()
    crit = o.critical_load[idx]
    gens = {g.name: g for g in p.generators}
    avail = sum(
        (s.p_nom[n] * gens[n].capacity_factor[idx] for n in o.generators), np.zeros(idx.shape)
    )
    v = s.outage
    for key, values in v.items():
        yield f"{key} >= 0", above(0.0, values)
    yield "load", above(crit, v["genset"] + v["discharge"] + v["onsite"])
    yield "on-site generation", above(v["onsite"] + v["charge"], avail)
    fleet = o.backup_p_nom + s.outage_capacity.get("genset", 0.0)
    yield "generator sets", above(v["genset"], o.derate * fleet)
    yield "net load", above(crit - avail, v["net_load"])
    fuel = o.fuel_per_mw()[None, :] * fleet + s.outage_capacity.get("fuel", 0.0)
    yield "fuel", above(np.cumsum(v["net_load"], axis=1), fuel)
    prev = (np.asarray(o.starts) - 1) % len(p.snapshots)
    start = sum((s.state_of_charge[n][prev] for n in o.storage), np.full(len(prev), o.reserve))
    before = np.column_stack([start, v["energy"][:, :-1]])
    gain = o.efficiency_charge * v["charge"] - v["discharge"] / o.efficiency_discharge
    yield "energy", off(v["energy"], before + gain)
    yield "energy <= pool", above(v["energy"], o.reserve + sum(s.e_nom[n] for n in o.storage))
    yield (
        "discharge",
        above(v["discharge"], sum(s.p_nom_discharge.get(n, s.p_nom[n]) for n in o.storage)),
    )
    yield "charge", above(v["charge"], sum(s.p_nom[n] for n in o.storage))


__all__ = ["outage"]
