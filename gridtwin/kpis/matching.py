"""How clean energy is counted: the accounting regimes of a CFE target and their scores.

Four regimes, each a way of matching the campus load with carbon-free energy:

=============== ========================================================================
regime          what counts, and over which period
=============== ========================================================================
``annual``      every clean MWh of the year, used on site or exported (volumetric
                matching with annual certificates, as RE100 and GHG Protocol Scope 2
                market-based accounting allow)
``monthly``     the same volumetric count, within each local calendar month: every month
                meets the target on its own
``hourly``      clean energy in the hour it is used (24/7 CFE, Xu et al. 2021): exports
                are subtracted, offsite contracts count up to the hour's import, grid
                import at the grid's carbon-free share
``eu_hydrogen`` hourly, and in an hour whose price is at or below 20 EUR/MWh all grid
                import counts as clean: the temporal correlation of Commission Delegated
                Regulation (EU) 2023/1184, art. 6 (renewable fuels of non-biological
                origin), applied to the campus
=============== ========================================================================

Scores (:func:`regime_score`) are the share of the load served that is matched: in each
matching period (:func:`matching_groups`: a year, or a month) ``min(clean, served)``, summed
and divided by the load served. An hour's clean supply counted hourly never exceeds its load
served (the site's energy balance), so the hourly score is ``sum_t clean_t / sum_t
served_t``, and ``hourly <= eu_hydrogen`` and ``hourly <= monthly <= annual`` for any
dispatch.

References
----------
Xu, Q., Ricks, W., Manocha, A., Patankar, N., Jenkins, J. D. (2021), System-level impacts of
24/7 carbon-free electricity procurement, doi:10.5281/zenodo.5874413.
Commission Delegated Regulation (EU) 2023/1184 of 10 February 2023, art. 6 (temporal
correlation; hours at or below 20 EUR/MWh), OJ L 157, 20.6.2023, p. 11.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Matching = Literal["hourly", "monthly", "annual", "eu_hydrogen"]
#: Every regime, loosest first (the order of the ``matching_regime`` dimension of results).
REGIMES: tuple[Matching, ...] = ("annual", "monthly", "hourly", "eu_hydrogen")
#: Regimes that count clean energy in the hour it is used.
HOURLY_REGIMES = frozenset({"hourly", "eu_hydrogen"})
#: Price at or below which an hour counts as matched under ``eu_hydrogen`` [EUR MWh-1]
#: (Delegated Regulation (EU) 2023/1184, art. 6; a fixed nominal amount).
EU_HYDROGEN_PRICE_THRESHOLD = 20.0


def matching_groups(
    matching: str,
    year_groups: np.ndarray,
    snapshots: pd.DatetimeIndex,
    utc_offset_h: float = 0.0,
) -> np.ndarray:
    """Matching period of each snapshot, shape (n_time,), numbered 0..n-1 in time order.

    Parameters
    ----------
    matching : str
        One of :data:`REGIMES`.
    year_groups : numpy.ndarray of int
        Shape (n_time,): the CFE period (weather year) of each snapshot.
    snapshots : pandas.DatetimeIndex
        Shape (n_time,), UTC, interval start.
    utc_offset_h : float
        Offset of local standard time from UTC [h]: months are local calendar months.

    Returns
    -------
    numpy.ndarray of int
        ``year_groups`` for ``annual``, ``hourly`` and ``eu_hydrogen`` (their sums run over a
        year); the (year, local month) pairs for ``monthly``.
    """
    years = np.asarray(year_groups, dtype=int)
    if matching != "monthly":
        return years
    month = np.asarray((snapshots + pd.Timedelta(hours=utc_offset_h)).month, dtype=int)
    key = years * 12 + (month - 1)
    return pd.factorize(key, sort=True)[0].astype(int)


def matched_grid_share(
    matching: str,
    grid_cfe_share: np.ndarray,
    price: np.ndarray,
    threshold: float | None,
) -> np.ndarray:
    """Share of each hour's grid import counted as clean [-], shape (n_time,).

    Parameters
    ----------
    matching : str
        One of :data:`REGIMES`.
    grid_cfe_share : numpy.ndarray
        Carbon-free share of grid electricity [-], shape (n_time,).
    price : numpy.ndarray
        Hourly price of grid electricity [currency MWh-1], shape (n_time,).
    threshold : float or None
        ``eu_hydrogen`` only: price at or below which import counts as clean [currency
        MWh-1]; ``None`` counts no hour so.

    Returns
    -------
    numpy.ndarray
        ``grid_cfe_share``, and 1 where ``price <= threshold`` under ``eu_hydrogen``.
    """
    share = np.asarray(grid_cfe_share, dtype=float)
    if matching != "eu_hydrogen" or threshold is None:
        return share
    return np.where(np.asarray(price, dtype=float) <= threshold, 1.0, share)


def regime_score(
    clean: np.ndarray, served: np.ndarray, weights: np.ndarray, groups: np.ndarray
) -> float:
    """Share of the load served matched with clean energy under one regime [-].

    ``sum_g min(sum_(t in g) w_t clean_t, sum_(t in g) w_t served_t) / sum_t w_t served_t``.

    Parameters
    ----------
    clean : numpy.ndarray
        Clean supply counted by the regime, shape (n_time,) [MW].
    served : numpy.ndarray
        Load served, shape (n_time,) [MW].
    weights : numpy.ndarray
        Hours each snapshot stands for, shape (n_time,) [h].
    groups : numpy.ndarray of int
        Matching period of each snapshot, shape (n_time,) (:func:`matching_groups`).

    Returns
    -------
    float
        Score in [0, 1]; ``nan`` when no load is served.
    """
    w = np.asarray(weights, dtype=float)
    load = np.bincount(groups, w * np.asarray(served, dtype=float))
    supply = np.bincount(groups, w * np.asarray(clean, dtype=float), minlength=len(load))
    total = float(load.sum())
    if total <= 0:
        return float("nan")
    return float(np.minimum(np.maximum(supply, 0.0), load).sum() / total)


__all__ = [
    "EU_HYDROGEN_PRICE_THRESHOLD",
    "HOURLY_REGIMES",
    "REGIMES",
    "Matching",
    "matched_grid_share",
    "matching_groups",
    "regime_score",
]
