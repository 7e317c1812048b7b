"""Flexibility envelope of the campus load for the optimiser, and a checker of dispatches.

All powers are MW of **site-bus** load (IT x PUE), on the campus time index. Two services:

* **Shifting** ``s_t`` [MW]: positive = load moved *into* hour t, negative = moved *away*.
  ``|s_t| <= shift_max_t``, ``s_t <= shift_in_max_t`` (spare IT capacity);
  ``|s_t - s_(t-1)| <= ramp_max_t`` (``s_(-1) = 0``); and the moved
  energy nets to zero within each window of ``window_hours`` hours from the first timestamp
  (the last window may be shorter): ``|sum_(t in w) s_t| <= 1e-6`` MWh.
* **Curtailment** ``c_t`` [MW]: ``0 <= c_t <= curtail_max_t``; at most
  ``curtail_hours_max`` curtailed hours a year (pro-rated to the horizon) and at most
  ``curtail_event_hours_max`` consecutive curtailed hours.

The resulting load is ``load_t + s_t - c_t``. Hour counts are not linear; an LP can use the
energy budget :attr:`FlexibilityEnvelope.curtail_energy_max` instead and check the counts
afterwards with :func:`check_dispatch`.

References
----------
.. [1] Radovanovic, A. et al. (2023). Carbon-Aware Computing for Datacenters. IEEE Trans.
   Power Systems 38(2), 1270-1280. doi:10.1109/TPWRS.2022.3173250 (daily shifting of flexible
   compute with the daily total kept).
.. [2] Colangelo, P. et al. (2025). Turning AI Data Centers into Grid-Interactive Assets:
   Results from a Field Demonstration in Phoenix, Arizona. arXiv:2507.00909 (25 % for 3 h).
.. [3] Norris, T. H., Profeta, T., Patino-Echeverri, D., Cowie-Haskell, A. (2025). Rethinking
   Load Growth. Nicholas Institute, Duke University. hdl:10161/32077 (curtailment of 0.25 /
   0.5 / 1 % of annual energy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.config import CampusConfig
from gridtwin.conventions import TIME
from gridtwin.exceptions import ConfigError, DataError

#: Tolerance of the window energy balance [MWh].
ENERGY_TOL: Final = 1e-6
#: Tolerance of the hourly bounds [MW]; also the threshold above which an hour counts as
#: curtailed.
POWER_TOL: Final = 1e-6
#: Hours in a (non-leap) year, for pro-rating the yearly curtailment hours.
HOURS_PER_YEAR: Final = 8760.0


def _training_it(ds: xr.Dataset) -> np.ndarray:
    if "it_load_training" not in ds:
        raise DataError(
            "campus: variable 'it_load_training' is missing; build the campus set with "
            "gridtwin.campus.campus_load or set campus.flexibility.flexible_workload: all"
        )
    return np.asarray(ds["it_load_training"].values, dtype=float)


def _all_it(ds: xr.Dataset) -> np.ndarray:
    return np.asarray(ds["it_load"].values, dtype=float)


#: flexible_workload -> flexible IT load [MW] of a campus dataset.
FLEXIBLE_WORKLOADS: Final[dict[str, Callable[[xr.Dataset], np.ndarray]]] = {
    "training": _training_it,
    "all": _all_it,
}


def _frozen(x: np.ndarray) -> np.ndarray:
    a = np.array(x, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class FlexibilityEnvelope:
    """Bounds of load shifting and curtailment, hour by hour, in MW of site-bus load.

    Attributes
    ----------
    time : numpy.ndarray
        Hourly UTC timestamps (interval start), datetime64.
    load : numpy.ndarray
        Campus load before flexibility [MW] (IT x PUE).
    shift_max : numpy.ndarray
        Largest load that may be moved away from or into each hour [MW] = shift_share x
        flexible IT load x PUE.
    shift_in_max : numpy.ndarray
        Largest load that may be moved *into* each hour [MW]: ``shift_max`` capped by the
        spare IT capacity, (capacity online - IT load) x PUE, so shifted work never runs the
        IT load above the capacity that is installed and online.
    window_hours : int
        Energy-balance window [h], aligned to the first timestamp.
    shift_cost : float
        Cost per MWh moved (on the hours it is moved into) [currency/MWh].
    curtail_max : numpy.ndarray
        Largest curtailment in each hour [MW] = curtail_share x load.
    curtail_hours_max : float
        Curtailed hours allowed per year [h/a].
    curtail_event_hours_max : int
        Longest run of consecutive curtailed hours [h].
    ramp_max : numpy.ndarray
        Largest change of the shifted load from the previous hour [MW/h] = ramp_max_share x
        it_capacity x PUE.
    curtail_cost : float
        Cost of curtailed energy [currency/MWh].
    """

    time: np.ndarray
    load: np.ndarray
    shift_max: np.ndarray
    shift_in_max: np.ndarray
    window_hours: int
    shift_cost: float
    curtail_max: np.ndarray
    curtail_hours_max: float
    curtail_event_hours_max: int
    ramp_max: np.ndarray
    curtail_cost: float

    @property
    def n_hours(self) -> int:
        """Length of the horizon [h]."""
        return len(self.time)

    @property
    def curtail_hours_limit(self) -> float:
        """Curtailed hours allowed over this horizon [h]: yearly limit x hours / 8760."""
        return self.curtail_hours_max * self.n_hours / HOURS_PER_YEAR

    @property
    def curtail_energy_max(self) -> float:
        """Linear energy budget of curtailment over the horizon [MWh]: the hour limit at the
        mean hourly bound, ``curtail_hours_limit x mean(curtail_max)``."""
        return self.curtail_hours_limit * float(np.mean(self.curtail_max)) if self.n_hours else 0.0

    def windows(self) -> list[slice]:
        """Index slices of the energy-balance windows (the last one may be shorter)."""
        w = self.window_hours
        return [slice(i, min(i + w, self.n_hours)) for i in range(0, self.n_hours, w)]


def flexibility_envelope(campus_ds: xr.Dataset, cfg: CampusConfig) -> FlexibilityEnvelope:
    """Flexibility envelope of the campus on its time index.

    Parameters
    ----------
    campus_ds : xarray.Dataset
        Output of :func:`gridtwin.campus.campus_load`: ``it_load`` [MW], ``pue`` [-],
        ``load`` [MW] and, for ``flexible_workload = "training"``, ``it_load_training`` [MW].
    cfg : CampusConfig
        ``flexibility`` parameters and ``it_capacity`` [MW].

    Returns
    -------
    FlexibilityEnvelope
        Read-only arrays on the campus time index, MW of site-bus load.

    Raises
    ------
    ConfigError
        If ``campus.flexibility.window_hours`` exceeds the horizon.
    DataError
        If a needed variable is missing or not finite.

    References
    ----------
    Radovanovic et al. (2023), doi:10.1109/TPWRS.2022.3173250; Colangelo et al. (2025),
    arXiv:2507.00909; Norris et al. (2025), hdl:10161/32077.
    """
    f = cfg.flexibility
    for name in ("it_load", "pue", "load"):
        if name not in campus_ds:
            raise DataError(f"campus: variable '{name}' is missing; use campus_load's output")
    n = campus_ds.sizes.get(TIME, 0)
    if f.window_hours > n:
        raise ConfigError(
            f"field 'campus.flexibility.window_hours' ({f.window_hours} h) exceeds the horizon "
            f"of {n} h; shorten the window or use a longer weather set"
        )
    pue = np.asarray(campus_ds["pue"].values, dtype=float)
    load = np.asarray(campus_ds["load"].values, dtype=float)
    flexible_it = FLEXIBLE_WORKLOADS[f.flexible_workload](campus_ds)
    shift_max = f.shift_share * flexible_it * pue
    it_load = np.asarray(campus_ds["it_load"].values, dtype=float)
    online = (
        np.asarray(campus_ds["capacity_online"].values, dtype=float)
        if "capacity_online" in campus_ds
        else np.full_like(it_load, cfg.it_capacity)
    )
    headroom = np.clip(online - it_load, 0.0, None)
    arrays = {"pue": pue, "load": load, "flexible IT load": flexible_it}
    for name, arr in arrays.items():
        if not np.all(np.isfinite(arr)):
            raise DataError(f"campus: {name} has non-finite values; rebuild the campus set")
    return FlexibilityEnvelope(
        time=np.asarray(campus_ds[TIME].values),
        load=_frozen(load),
        shift_max=_frozen(shift_max),
        shift_in_max=_frozen(np.minimum(shift_max, headroom * pue)),
        window_hours=int(f.window_hours),
        shift_cost=float(f.shift_cost),
        curtail_max=_frozen(f.curtail_share * load),
        curtail_hours_max=float(f.curtail_hours_max),
        curtail_event_hours_max=int(f.curtail_event_hours_max),
        ramp_max=_frozen(f.ramp_max_share * cfg.it_capacity * pue),
        curtail_cost=float(f.curtail_cost),
    )


def _when(env: FlexibilityEnvelope, i: int) -> str:
    return str(pd.Timestamp(env.time[i])) if env.n_hours else str(i)


def _first_bad(bad: np.ndarray) -> int:
    return int(np.flatnonzero(bad)[0])


def _series(name: str, x: object, n: int) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.shape != (n,):
        raise DataError(f"dispatch: '{name}' has shape {arr.shape}; expected ({n},), one per hour")
    if not np.all(np.isfinite(arr)):
        i = _first_bad(~np.isfinite(arr))
        raise DataError(f"dispatch: '{name}' is not finite at hour {i}")
    return arr


def curtailment_events(curtail: np.ndarray, tol: float = POWER_TOL) -> list[tuple[int, int]]:
    """Runs of consecutive curtailed hours.

    Parameters
    ----------
    curtail : numpy.ndarray
        Curtailment [MW] per hour.
    tol : float
        An hour counts as curtailed when ``curtail > tol`` [MW].

    Returns
    -------
    list of (int, int)
        ``(first hour, length [h])`` of each event.

    Examples
    --------
    >>> curtailment_events(np.array([0.0, 5.0, 5.0, 0.0, 1.0]))
    [(1, 2), (4, 1)]
    """
    on = np.concatenate([[False], np.asarray(curtail) > tol, [False]])
    edges = np.flatnonzero(np.diff(on.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    return [(int(s), int(e - s)) for s, e in zip(starts, ends, strict=True)]


def check_dispatch(envelope: FlexibilityEnvelope, shift: object, curtail: object) -> None:
    """Check a shift and curtailment dispatch against the envelope.

    Parameters
    ----------
    envelope : FlexibilityEnvelope
    shift : array_like
        Shifted load per hour [MW], positive = moved into the hour.
    curtail : array_like
        Curtailed load per hour [MW], >= 0.

    Raises
    ------
    DataError
        At the first violation, naming the rule, the hour and the values: hourly bounds of
        shift (``|s| <= shift_max + 1e-6``, ``s <= shift_in_max + 1e-6``) and curtailment
        (``-1e-6 <= c <= curtail_max + 1e-6``), the ramp limit, a negative resulting load, the
        window energy balance (``|sum| <= 1e-6`` MWh), the yearly curtailed hours (pro-rated
        to the horizon) and the event length.
    """
    env = envelope
    n = env.n_hours
    s = _series("shift", shift, n)
    c = _series("curtail", curtail, n)

    over = np.abs(s) > env.shift_max + POWER_TOL
    if over.any():
        i = _first_bad(over)
        raise DataError(
            f"dispatch: shift {s[i]:.6g} MW at {_when(env, i)} exceeds shift_max "
            f"{env.shift_max[i]:.6g} MW ({int(over.sum())} hour(s) violate it)"
        )
    full = s > env.shift_in_max + POWER_TOL
    if full.any():
        i = _first_bad(full)
        raise DataError(
            f"dispatch: {s[i]:.6g} MW moved into {_when(env, i)} exceeds the spare capacity "
            f"shift_in_max {env.shift_in_max[i]:.6g} MW ({int(full.sum())} hour(s))"
        )
    bad = (c < -POWER_TOL) | (c > env.curtail_max + POWER_TOL)
    if bad.any():
        i = _first_bad(bad)
        raise DataError(
            f"dispatch: curtail {c[i]:.6g} MW at {_when(env, i)} is outside "
            f"[0, curtail_max = {env.curtail_max[i]:.6g}] MW ({int(bad.sum())} hour(s))"
        )
    step = np.abs(np.diff(s, prepend=0.0))
    steep = step > env.ramp_max + POWER_TOL
    if steep.any():
        i = _first_bad(steep)
        raise DataError(
            f"dispatch: shift changes by {step[i]:.6g} MW into {_when(env, i)}, above ramp_max "
            f"{env.ramp_max[i]:.6g} MW/h (the hour before the horizon counts as no shift)"
        )
    negative = env.load + s - c < -POWER_TOL
    if negative.any():
        i = _first_bad(negative)
        raise DataError(
            f"dispatch: load after flexibility is {env.load[i] + s[i] - c[i]:.6g} MW at "
            f"{_when(env, i)}; shift and curtailment together exceed the load"
        )
    for w in env.windows():
        net = float(np.sum(s[w]))
        if abs(net) > ENERGY_TOL:
            raise DataError(
                f"dispatch: shifted energy in the window starting {_when(env, w.start)} "
                f"({w.stop - w.start} h) sums to {net:.6g} MWh; moved load must net to zero "
                f"within each {env.window_hours}-h window (tolerance {ENERGY_TOL} MWh)"
            )
    events = curtailment_events(c)
    hours = sum(length for _, length in events)
    if hours > env.curtail_hours_limit + 1e-9:
        raise DataError(
            f"dispatch: {hours} curtailed hour(s) exceed the limit of "
            f"{env.curtail_hours_limit:.6g} h over this {n}-h horizon "
            f"(curtail_hours_max {env.curtail_hours_max:g} h/a)"
        )
    for start, length in events:
        if length > env.curtail_event_hours_max:
            raise DataError(
                f"dispatch: curtailment event from {_when(env, start)} lasts {length} h, above "
                f"curtail_event_hours_max {env.curtail_event_hours_max} h"
            )


def flexibility_cost(envelope: FlexibilityEnvelope, shift: object, curtail: object) -> float:
    """Cost of a flexibility dispatch [currency], recomputed from the series.

    Parameters
    ----------
    envelope : FlexibilityEnvelope
    shift, curtail : array_like
        Shifted [MW] (positive = into the hour) and curtailed [MW] load per hour.

    Returns
    -------
    float
        ``shift_cost x sum(max(s, 0)) x 1 h + curtail_cost x sum(c) x 1 h``: moved energy is
        counted once, on the hours it is moved into.
    """
    s = _series("shift", shift, envelope.n_hours)
    c = _series("curtail", curtail, envelope.n_hours)
    return envelope.shift_cost * float(np.clip(s, 0.0, None).sum()) + envelope.curtail_cost * float(
        c.sum()
    )
