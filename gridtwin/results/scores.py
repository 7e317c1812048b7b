"""The CFE score of a result under every accounting regime (:mod:`gridtwin.kpis.matching`),
recomputed from the result's own variables whatever regime the design was sized for."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import TIME
from gridtwin.kpis.matching import (
    HOURLY_REGIMES,
    REGIMES,
    matched_grid_share,
    matching_groups,
    regime_score,
)
from gridtwin.optimize.periods import weather_years
from gridtwin.results.recompute import _clean_supply, weights


def year_groups(ds: xr.Dataset) -> np.ndarray:
    """Weather year of each time step of a result, shape (n_time,) (0 for a horizon under two
    years; :func:`gridtwin.optimize.periods.weather_years` otherwise, as the sizing counted
    them)."""
    n_time = ds.sizes[TIME]
    if "horizon_years" not in ds or float(ds["horizon_years"]) < 2:
        return np.zeros(n_time, dtype=int)
    offset = float(ds["billing_utc_offset"]) if "billing_utc_offset" in ds else 0.0
    snapshots = pd.DatetimeIndex(ds[TIME].to_numpy())
    return weather_years(snapshots, offset, weights(ds).to_numpy())[0]


def low_price_threshold(ds: xr.Dataset) -> float | None:
    """The ``eu_hydrogen`` price threshold of a result [currency MWh-1]; ``None`` in files
    without one (no hour counts as matched for its price)."""
    if "low_price_threshold" not in ds:
        return None
    value = float(ds["low_price_threshold"])
    return value if np.isfinite(value) else None


def matching_scores(ds: xr.Dataset) -> dict[str, float]:
    """CFE score of a result under each regime of :data:`gridtwin.kpis.matching.REGIMES`.

    Parameters
    ----------
    ds : xarray.Dataset
        A result dataset (``p``, ``is_clean``, ``grid_import``, ``grid_export``,
        ``grid_cfe_share``, ``grid_price``, ``load_served`` on ``time``).

    Returns
    -------
    dict of str to float
        Regime -> share of the load served matched with clean energy [-]
        (:func:`gridtwin.kpis.matching.regime_score`): annual and monthly count every clean
        MWh (exported or not) within the year or the local month; hourly and eu_hydrogen
        count it in the hour it is used, eu_hydrogen with grid import counted clean in the
        hours priced at or below ``low_price_threshold``.
    """
    w = weights(ds).to_numpy()
    served = ds["load_served"].to_numpy()
    snapshots = pd.DatetimeIndex(ds[TIME].to_numpy())
    years = year_groups(ds)
    offset = float(ds["billing_utc_offset"]) if "billing_utc_offset" in ds else 0.0
    threshold = low_price_threshold(ds)
    scores: dict[str, float] = {}
    for regime in REGIMES:
        share = matched_grid_share(
            regime, ds["grid_cfe_share"].to_numpy(), ds["grid_price"].to_numpy(), threshold
        )
        counting: Literal["hourly", "annual"] = "hourly" if regime in HOURLY_REGIMES else "annual"
        grid_share = xr.DataArray(share, coords={TIME: ds[TIME]}, dims=(TIME,))
        clean = _clean_supply(ds, counting, grid_share).to_numpy()
        groups = matching_groups(regime, years, snapshots, offset)
        scores[regime] = regime_score(clean, served, w, groups)
    return scores


__all__ = ["low_price_threshold", "matching_scores", "year_groups"]
