"""The survival model of :mod:`gridtwin.resilience.survival` as a plain hour-by-hour loop.

One outage start at a time, one hour at a time, one state (units working, storage level) at a
time, in pure Python with exact binomial probabilities and no truncation. It is the reference
the vectorised chain is tested against (``tests/test_resilience.py``) and the baseline of
``bench/survival.py``; use :func:`gridtwin.resilience.survival.survival_probability` for work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from gridtwin.resilience.island import IslandSystem

_EPS_MW = 1e-6


def _binomial(n: int, k: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1.0 - p) ** (n - k)


def survival_loop(
    system: IslandSystem, hours: int, soc_bins: int = 101, starts: Sequence[int] | None = None
) -> np.ndarray:
    """Survival probability by start hour and duration, shape (len(starts), hours), by brute
    force; ``starts`` default every hour (T rows)."""
    t_len = len(system.critical_load)
    picks = range(t_len) if starts is None else starts
    storage = system.e_nom > 0 and system.p_discharge > 0
    levels = soc_bins if storage else 1
    step = system.e_nom / (levels - 1) if storage else 1.0
    m, lam = system.units, system.failure_rate
    out = np.zeros((len(picks), hours))
    for row, t in enumerate(picks):
        level = min(levels - 1, max(0, math.floor(system.soc_start[t] / step + 1e-9)))
        states = {(k, level): _binomial(m, k, system.start_probability) for k in range(m + 1)}
        fuel = system.fuel
        for h in range(hours):
            i = (t + h) % t_len
            net = float(system.critical_load[i] - system.generation[i])
            if h >= system.refuel_delay_h:
                fuel = min(fuel + system.refuel_rate, max(system.fuel, system.refuel_rate))
            limit = min(system.fleet_p_nom, fuel)
            fuel -= min(limit, max(net, 0.0))
            failed: dict[tuple[int, int], float] = {}
            for (k, b), prob in states.items():
                for j in range(k + 1):
                    key = (k - j, b)
                    failed[key] = failed.get(key, 0.0) + prob * _binomial(k, j, lam)
            states = {}
            for (k, b), prob in failed.items():
                gen = min(k * system.unit_p_nom, limit, max(net, 0.0))
                r = net - gen
                if r > _EPS_MW:
                    if not storage or r > system.p_discharge + _EPS_MW:
                        continue
                    b_new = b - math.ceil(r / (system.efficiency_discharge * step) - 1e-9)
                    if b_new < 0:
                        continue
                elif storage:
                    surplus = min(max(-r, 0.0), system.p_charge)
                    up = math.floor(surplus * system.efficiency_charge / step + 1e-9)
                    b_new = min(levels - 1, b + up)
                else:
                    b_new = b
                states[(k, b_new)] = states.get((k, b_new), 0.0) + prob
            out[row, h] = sum(states.values())
    return np.minimum(out, 1.0)
