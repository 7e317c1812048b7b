"""Hourly IT load of an AI campus: build-out, training / inference mix and seeded variability.

The IT load in hour ``t`` is built in four steps (all shapes are pure functions of the index)::

    cap_t    = IT capacity online (phased build-out)                               [MW]
    train_t  = u_train (1 - depth * dipped_share_t)                                [-]
    infer_t  = u_infer (1 + a cos(2 pi (h_local - h_peak)/24)) * week_t / mean(week) [-]
    it_t     = cap_t (s train_t + (1 - s) infer_t) (1 + e_t),   e = AR(1) noise
    it_t     = min(lambda it_t, cap_t)   with lambda so that mean(it) = utilisation mean(cap)

``dipped_share_t`` is the part of hour ``t`` inside periodic dips (checkpoints, restarts) of
length ``D`` every ``P`` hours from the first timestamp; ``week_t`` is ``weekend_factor`` on
Saturdays and Sundays in local standard time, else 1; ``s`` is the training share of the
capacity. The last step only applies when ``utilisation`` is set (the default); otherwise the
mean follows from the workload parameters.

The shapes are stylised from published power and request traces of GPU clusters; the default
magnitudes are documented (with their sources or as assumptions) in
:class:`gridtwin.config.WorkloadConfig` and :class:`gridtwin.config.VariabilityConfig`.

References
----------
.. [1] Patel, P., Choukse, E., Zhang, C., Goiri, I., Warrier, B., Mahalingam, N., Bianchini, R.
   (2024). Characterizing Power Management Opportunities for LLMs in the Cloud. ASPLOS '24.
   doi:10.1145/3620666.3651329 (training vs inference power patterns, production clusters).
.. [2] Choukse, E. et al. (2025). Power Stabilization for AI Training Datacenters.
   arXiv:2508.14318 (synchronous compute / communication swings of training jobs).
.. [3] Dubey, A. et al. (2024). The Llama 3 Herd of Models. arXiv:2407.21783, sec. 3.3.4
   (interruption rate of a 16k-GPU training job; site-level power swings).
.. [4] Latif, I. et al. (2025). Empirical Measurements of AI Training Power Demand on a GPU-
   Accelerated Node. arXiv:2506.14551 (draw relative to rated power during training).
"""

from __future__ import annotations

import logging
from typing import Final

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.config import CampusConfig, InferenceConfig, TrainingConfig
from gridtwin.conventions import TIME
from gridtwin.exceptions import ConfigError, DataError

logger = logging.getLogger(__name__)

#: Saturday and Sunday in :attr:`pandas.DatetimeIndex.dayofweek` numbering (Monday = 0).
WEEKEND_DAYS: Final = (5, 6)


def _hours(index: pd.DatetimeIndex) -> np.ndarray:
    """Hours [h] since the first timestamp."""
    return np.asarray((index - index[0]) / pd.Timedelta(hours=1), dtype=float)


def capacity_online(index: pd.DatetimeIndex, cfg: CampusConfig) -> np.ndarray:
    """IT capacity online in each hour from the phased build-out.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly UTC index (interval start).
    cfg : CampusConfig
        ``it_capacity`` [MW] and ``buildout`` (capacity online from each date on).

    Returns
    -------
    numpy.ndarray
        Capacity online [MW]: ``it_capacity`` throughout without a build-out; otherwise the
        capacity of the latest phase whose date is at or before the hour's start, 0 before the
        first phase.

    Examples
    --------
    >>> from gridtwin.config import CampusConfig
    >>> idx = pd.date_range("2019-01-01", periods=4, freq="h")
    >>> cfg = CampusConfig(buildout=[{"date": "2019-01-01T01:00", "it_capacity": 300.0},
    ...                              {"date": "2019-01-01T03:00", "it_capacity": 800.0}])
    >>> capacity_online(idx, cfg).tolist()
    [0.0, 300.0, 300.0, 800.0]
    """
    if not cfg.buildout:
        return np.full(len(index), cfg.it_capacity)
    dates = pd.DatetimeIndex([s.date for s in cfg.buildout]).as_unit("ns")
    caps = np.array([0.0] + [s.it_capacity for s in cfg.buildout])
    pos = np.searchsorted(dates.asi8, index.as_unit("ns").asi8, side="right")
    return caps[pos]


def dipped_share(hours: np.ndarray, duration: float, period: float) -> np.ndarray:
    """Share of each hour inside periodic dips ``[k P, k P + D)``, ``k = 0, 1, ...``.

    Parameters
    ----------
    hours : numpy.ndarray
        Start of each hourly interval [h] since the first dip.
    duration, period : float
        Dip length ``D`` and period ``P`` [h], ``0 <= D <= P``.

    Returns
    -------
    numpy.ndarray
        Overlap of ``[t, t + 1)`` with the dips [h per h, i.e. -], from the cumulative dipped
        time ``C(x) = floor(x / P) D + min(x mod P, D)``.

    Examples
    --------
    >>> dipped_share(np.arange(4.0), 0.5, 2.0).tolist()
    [0.5, 0.0, 0.5, 0.0]
    """

    def cumulative(x: np.ndarray) -> np.ndarray:
        return np.floor(x / period) * duration + np.minimum(np.mod(x, period), duration)

    return cumulative(hours + 1.0) - cumulative(hours)


def training_shape(index: pd.DatetimeIndex, cfg: TrainingConfig) -> np.ndarray:
    """Training draw per unit of training capacity: flat with periodic dips.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly UTC index; dips start at its first timestamp.
    cfg : TrainingConfig
        ``utilisation`` [-], ``dip_depth`` [-], ``dip_duration`` [h], ``dip_period`` [h].

    Returns
    -------
    numpy.ndarray
        ``utilisation * (1 - dip_depth * dipped_share)`` [-].
    """
    share = dipped_share(_hours(index), cfg.dip_duration, cfg.dip_period)
    return cfg.utilisation * (1.0 - cfg.dip_depth * share)


def inference_shape(
    index: pd.DatetimeIndex, cfg: InferenceConfig, utc_offset_h: float
) -> np.ndarray:
    """Inference draw per unit of inference capacity: daily sinusoid times a weekday factor.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly UTC index (interval start); evaluated at the interval midpoint.
    cfg : InferenceConfig
        ``utilisation`` [-] (mean), ``diurnal_amplitude`` [-], ``peak_hour`` [h local],
        ``weekend_factor`` [-].
    utc_offset_h : float
        Local standard time minus UTC [h].

    Returns
    -------
    numpy.ndarray
        Draw [-] with mean ``utilisation`` over whole weeks (the daily and weekly factors are
        normalised analytically, not from the sample).
    """
    local = index + pd.Timedelta(hours=utc_offset_h) + pd.Timedelta(minutes=30)
    hour = np.asarray(local.hour + local.minute / 60.0, dtype=float)
    diurnal = 1.0 + cfg.diurnal_amplitude * np.cos(2.0 * np.pi * (hour - cfg.peak_hour) / 24.0)
    weekend = np.isin(np.asarray(local.dayofweek), WEEKEND_DAYS)
    week = np.where(weekend, cfg.weekend_factor, 1.0)
    week_mean = (5.0 + 2.0 * cfg.weekend_factor) / 7.0
    return cfg.utilisation * diurnal * week / week_mean


def ar1_noise(n: int, std: float, autocorrelation: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary first-order autoregressive noise.

    Parameters
    ----------
    n : int
        Number of hours.
    std : float
        Stationary standard deviation [-].
    autocorrelation : float
        Lag-1 autocorrelation ``rho`` in [0, 1).
    rng : numpy.random.Generator
        Source of the innovations (seed it for reproducible profiles).

    Returns
    -------
    numpy.ndarray
        ``e_0 = std z_0``, ``e_t = rho e_(t-1) + sqrt(1 - rho^2) std z_t``; mean 0, variance
        ``std^2`` and autocorrelation ``rho^k`` at lag ``k`` in expectation.
    """
    z = rng.standard_normal(n)
    e = np.empty(n)
    if n == 0:
        return e
    scale = std * np.sqrt(1.0 - autocorrelation**2)
    e[0] = std * z[0]
    for t in range(1, n):
        e[t] = autocorrelation * e[t - 1] + scale * z[t]
    return e


def _scale_to_mean(x: np.ndarray, cap: np.ndarray, target: float) -> np.ndarray:
    """``min(lambda x, cap)`` with ``lambda`` such that the sum equals ``target`` exactly."""
    if target >= cap.sum() * (1.0 - 1e-12):
        return cap.copy()
    ratio = np.divide(cap, x, out=np.full_like(x, np.inf), where=x > 0.0)

    def total(lam: float) -> float:
        return float(np.minimum(lam * x, cap).sum())

    lo, hi = 0.0, target / max(float(x.sum()), 1e-300)
    while total(hi) < target:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if total(mid) < target else (lo, mid)
    saturated = ratio <= hi
    lam = (target - cap[saturated].sum()) / x[~saturated].sum()
    return np.where(saturated, cap, lam * x)


def resolve_utc_offset(cfg: CampusConfig, longitude: float | None) -> float:
    """Offset of local standard time from UTC [h]: ``cfg.utc_offset_h``, else from longitude.

    Parameters
    ----------
    cfg : CampusConfig
    longitude : float or None
        Site longitude [degrees east].

    Returns
    -------
    float
        ``cfg.utc_offset_h`` if set, else ``round(longitude / 15)``.

    Raises
    ------
    ConfigError
        If neither is given.
    """
    if cfg.utc_offset_h is not None:
        return float(cfg.utc_offset_h)
    if longitude is None or not np.isfinite(longitude):
        raise ConfigError(
            "field 'campus.utc_offset_h' is not set and the weather set has no 'longitude' "
            "attribute; set campus.utc_offset_h (local standard time minus UTC, hours)"
        )
    return float(np.round(longitude / 15.0))


def it_load_components(
    index: pd.DatetimeIndex, cfg: CampusConfig, *, longitude: float | None = None
) -> dict[str, np.ndarray]:
    """Hourly IT load and its training part.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly UTC index (interval start).
    cfg : CampusConfig
        Campus parameters.
    longitude : float, optional
        Site longitude [degrees east] for local time when ``cfg.utc_offset_h`` is not set.

    Returns
    -------
    dict of str to numpy.ndarray
        ``it_load`` [MW], ``it_load_training`` [MW] (training halls' share of it, the same
        noise and scaling applied), ``capacity_online`` [MW].

    Raises
    ------
    ConfigError
        If no IT capacity is online in the horizon (build-out dates outside the index), or the
        local time offset is unknown.
    """
    index = pd.DatetimeIndex(index)
    cap = capacity_online(index, cfg)
    if len(index) and not np.any(cap > 0.0):
        raise ConfigError(
            f"field 'campus.buildout': no IT capacity is online between {index[0]} and "
            f"{index[-1]}; the phase dates must fall within the weather index (for a typical "
            "year, its reference_year)"
        )
    late = [step for step in cfg.buildout if len(index) and pd.Timestamp(step.date) > index[-1]]
    if late:
        logger.warning(
            "campus.buildout: %d phase(s) start after the weather index ends (%s), first %s; "
            "they do not act in this study",
            len(late),
            index[-1],
            late[0].date,
        )
    if cfg.profile == "flat":
        u = cfg.utilisation if cfg.utilisation is not None else 1.0
        it = cap * u
        # flat in time, same workload mix: the training share stays shiftable
        training = cfg.workload.training_share * it
        return {"it_load": it, "it_load_training": training, "capacity_online": cap}

    w = cfg.workload
    train = w.training_share * training_shape(index, w.training)
    if w.training_share < 1.0:
        offset = resolve_utc_offset(cfg, longitude)
        infer = (1.0 - w.training_share) * inference_shape(index, w.inference, offset)
    else:
        infer = np.zeros(len(index))
    v = cfg.variability
    noise = ar1_noise(len(index), v.std, v.autocorrelation, np.random.default_rng(v.seed))
    factor = np.maximum(1.0 + noise, 0.0)
    raw = cap * (train + infer) * factor
    if cfg.utilisation is not None:
        it = _scale_to_mean(raw, cap, cfg.utilisation * float(cap.sum()))
    else:
        it = np.minimum(raw, cap)
    with np.errstate(invalid="ignore", divide="ignore"):
        train_frac = np.where(train + infer > 0.0, train / (train + infer), 0.0)
    return {"it_load": it, "it_load_training": it * train_frac, "capacity_online": cap}


def it_load_profile(
    index: pd.DatetimeIndex, cfg: CampusConfig, *, longitude: float | None = None
) -> xr.DataArray:
    """Hourly IT load of the campus.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hourly UTC index (interval start), e.g. the weather set's ``time``.
    cfg : CampusConfig
        ``it_capacity`` [MW], ``buildout``, ``utilisation`` [-], ``profile``, ``workload``,
        ``variability`` (seeded), ``utc_offset_h`` [h].
    longitude : float, optional
        Site longitude [degrees east]; gives local time when ``cfg.utc_offset_h`` is unset.

    Returns
    -------
    xarray.DataArray
        IT load [MW] on ``time``, within [0, capacity online]; its mean equals ``utilisation``
        x the mean capacity online (to rounding) unless ``utilisation`` is ``None``. The same
        config (seed) gives the identical profile.

    Raises
    ------
    ConfigError
        See :func:`it_load_components`.

    References
    ----------
    See the module docstring (Patel et al. 2024; Choukse et al. 2025; Dubey et al. 2024).

    Examples
    --------
    >>> from gridtwin.config import CampusConfig
    >>> idx = pd.date_range("2019-01-01T05:00", periods=24 * 7, freq="h")
    >>> p = it_load_profile(idx, CampusConfig(utc_offset_h=-5.0))
    >>> round(float(p.mean()), 6)
    800.0
    """
    parts = it_load_components(index, cfg, longitude=longitude)
    if len(index) and not np.all(np.isfinite(parts["it_load"])):
        raise DataError("campus: the IT load profile is not finite; check the campus parameters")
    return xr.DataArray(
        parts["it_load"],
        dims=(TIME,),
        coords={TIME: pd.DatetimeIndex(index).to_numpy()},
        name="it_load",
        attrs={"units": "MW", "long_name": "IT electrical load of the campus"},
    )
