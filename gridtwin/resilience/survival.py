"""Survival of grid outages: for every start hour of a result and every duration, the
probability that the campus carries its critical load through the outage.

The model is the backup-reliability model of NREL's REopt (Marqusee, J., Becker, W., Ericson,
S. (2021), "Resilience and economics of microgrids with PV, battery storage, and networked
diesel generators", Advances in Applied Energy 3, 100049, doi:10.1016/j.adapen.2021.100049;
REopt.jl ``src/outagesim/backup_reliability.jl``), applied to the whole year at once:

* when the outage starts, each of the ``M`` generator units is available and starts with
  probability ``a (1 - f)`` (operational availability, failure to start), so the number
  working is binomial; then, each hour, each running unit fails with probability
  ``1 / MTTF`` and stays failed (a Markov chain on the number of units working, as REopt's
  ``markov_matrix``; failures are applied before each hour is served, as in REopt);
* each hour the units that work carry the net critical load (critical load minus on-site
  generation) up to their rating and to the fuel left; the storage pool covers the rest
  within its discharge power and energy and takes surplus on-site generation within its
  charge power; the hour fails if the load is not met;
* the stored energy is a Markov state on ``soc_bins`` levels (REopt's battery bins). Unlike
  REopt, discharges are rounded **up** and charges **down** to whole levels, so the
  probabilities are lower bounds of the exact ones; :func:`hours_survived` gives the
  exact storage trajectory for the case where every unit runs.

Fuel: the tank starts full (``fuel``), deliveries of ``refuel_rate`` per hour arrive from
``refuel_delay_h`` on; the fuel left each hour is worked out as if the whole fleet carried the
net load, so fewer units never get more fuel than they burn (a conservative simplification
that makes fuel a function of the hour alone).

Outages that run past the end of the horizon wrap to its start (a typical year).

The chain is vectorised over start hours (REopt loops over them); :mod:`gridtwin.resilience.
reference` is the plain hour-by-hour loop the tests check it against.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom

from gridtwin.resilience.island import IslandSystem

#: Probability mass the chain may drop (units beyond the modelled range of failures, more
#: failures in one hour than modelled); dropped mass counts as a failure of the campus.
TRUNCATION = 1e-12
#: Shortfalls below this are met [MW] (solver noise of the dispatch).
EPS_MW = 1e-6
#: States x start hours of one chunk of the chain (memory, about 32 MB per array).
CHUNK_STATES = 4_000_000


def net_load(system: IslandSystem, hours: int) -> np.ndarray:
    """Critical load minus on-site generation [MW], shape (T, hours): row t, column h is hour
    h of an outage that starts at hour t (wrapping past the end)."""
    n = system.critical_load - system.generation
    idx = (np.arange(len(n))[:, None] + np.arange(hours)[None, :]) % len(n)
    return n[idx]


def fuel_limits(system: IslandSystem, net: np.ndarray) -> np.ndarray:
    """Largest generator output each hour of each outage [MW], shape of ``net`` (T, hours):
    the fleet rating or the fuel left, burnt as if the whole fleet carried the net load."""
    t_len, hours = net.shape
    fuel = np.full(t_len, system.fuel)
    cap = max(system.fuel, system.refuel_rate)
    out = np.empty_like(net)
    for h in range(hours):
        if h >= system.refuel_delay_h:
            fuel = np.minimum(fuel + system.refuel_rate, cap)
        out[:, h] = np.minimum(system.fleet_p_nom, fuel)
        fuel = fuel - np.minimum(out[:, h], np.maximum(net[:, h], 0.0))
    return out


def hours_survived(system: IslandSystem, hours: int) -> np.ndarray:
    """Hours each outage is ridden through when every generator unit starts and runs [h],
    shape (T,), at most ``hours``; the storage is followed exactly (no levels)."""
    net = net_load(system, hours)
    limit = fuel_limits(system, net)
    soc = system.soc_start.astype(float).copy()
    alive = np.ones(len(soc), dtype=bool)
    survived = np.zeros(len(soc), dtype=int)
    for h in range(hours):
        n = net[:, h]
        r = n - np.minimum(limit[:, h], np.maximum(n, 0.0))
        need = np.maximum(r, 0.0)
        draw = need / system.efficiency_discharge
        ok = (need <= EPS_MW) | ((need <= system.p_discharge + EPS_MW) & (draw <= soc + 1e-9))
        alive &= ok
        charge = np.minimum(np.maximum(-r, 0.0), system.p_charge) * system.efficiency_charge
        soc = np.where(r > 0, np.maximum(soc - draw, 0.0), np.minimum(soc + charge, system.e_nom))
        survived += alive
    return survived


def _chain_layout(system: IslandSystem, hours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units modelled ``ks``, their start probabilities and the one-hour transition matrix
    ``markov[i, j]`` = P(``ks[i]`` units work after the hour | ``ks[j]`` worked before)."""
    m, lam = system.units, system.failure_rate
    p_end = system.start_probability * (1.0 - lam) ** hours
    lost = min(m, int(binom.isf(TRUNCATION, m, 1.0 - p_end)) + 1) if m else 0
    ks = np.arange(m - lost, m + 1)
    start = binom.pmf(ks, m, system.start_probability)
    markov = binom.pmf(ks[:, None], ks[None, :], 1.0 - lam)
    return ks, start, markov


def _shift(p: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Move the mass of each (unit, start) column ``sigma`` storage levels up (charge, piling
    up at the top level) or down (discharge, dropping what falls below level 0)."""
    levels = p.shape[1]
    src = np.arange(levels)[None, :, None] - sigma[:, None, :]
    valid = (src >= 0) & (src < levels)
    out = np.take_along_axis(p, np.clip(src, 0, levels - 1), axis=1) * valid
    up = sigma > 0
    if up.any():
        cs = np.cumsum(p, axis=1)
        below = levels - 2 - sigma
        kept = np.take_along_axis(cs, np.clip(below, 0, levels - 1)[:, None, :], axis=1)[:, 0]
        top = cs[:, -1] - np.where(below >= 0, kept, 0.0)
        out[:, -1] = np.where(up, top, out[:, -1])
    return out


def survival_probability(system: IslandSystem, hours: int, soc_bins: int = 101) -> np.ndarray:
    """Probability of carrying the critical load through an outage (module docstring).

    Parameters
    ----------
    system : IslandSystem
        The campus cut off from the grid (:func:`gridtwin.resilience.island.island_system`).
    hours : int
        Longest outage [h], >= 1.
    soc_bins : int
        Storage levels of the chain (>= 2; ignored without storage).

    Returns
    -------
    numpy.ndarray
        Shape (T, hours): row t, column d - 1 is the probability of surviving the first d
        hours of an outage starting at hour t [-]; non-increasing along each row.
    """
    if hours < 1:
        raise ValueError(f"hours must be >= 1; got {hours}")
    net = net_load(system, hours)
    limit = fuel_limits(system, net)
    ks, start, markov = _chain_layout(system, hours)
    storage = system.e_nom > 0 and system.p_discharge > 0
    levels = soc_bins if storage else 1
    step = system.e_nom / (levels - 1) if storage else 1.0
    level0 = np.clip(np.floor(system.soc_start / step + 1e-9).astype(int), 0, levels - 1)
    t_len = len(system.critical_load)
    out = np.empty((t_len, hours))
    chunk = max(1, CHUNK_STATES // (len(ks) * levels))
    for s0 in range(0, t_len, chunk):
        s1 = min(t_len, s0 + chunk)
        p = np.zeros((len(ks), levels, s1 - s0))
        p[:, level0[s0:s1], np.arange(s1 - s0)] = start[:, None]
        for h in range(hours):
            p = (markov @ p.reshape(len(ks), -1)).reshape(p.shape)
            n = net[s0:s1, h]
            cap = np.minimum(ks[:, None] * system.unit_p_nom, limit[s0:s1, h][None, :])
            r = n[None, :] - np.minimum(cap, np.maximum(n, 0.0)[None, :])
            if storage:
                need = np.maximum(r, 0.0)
                down = np.ceil(need / (system.efficiency_discharge * step) - 1e-9)
                surplus = np.minimum(np.maximum(-r, 0.0), system.p_charge)
                up = np.floor(surplus * system.efficiency_charge / step + 1e-9)
                sigma = np.where(need > EPS_MW, -down, up).astype(int)
                dead = need > system.p_discharge + EPS_MW
                if sigma.any():
                    p = _shift(p, sigma)
            else:
                dead = r > EPS_MW
            if dead.any():
                p = p * ~dead[:, None, :]
            out[s0:s1, h] = p.sum(axis=(0, 1))
    return np.minimum(out, 1.0)
