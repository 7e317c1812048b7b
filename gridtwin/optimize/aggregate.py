"""Time-series aggregation of a :class:`SystemProblem` by chronological segmentation.

Method
------
The hourly horizon is cut into ``n_segments`` runs of adjacent hours ("segments") of varying
length, and every hourly array is replaced by its mean over each segment. The problem keeps one
snapshot per segment, in time order, at the segment's first hour, and ``weights`` holds the
segment lengths [h], so the optimiser counts energy as power x weight (PyPSA's snapshot
weightings). Because the segments stay in chronological order, storage of any duration
(batteries, multi-day iron-air, hydrogen) keeps a continuous state of charge over the whole
horizon, and the flexibility windows keep their meaning; typical-period clustering would break
both.

The segment boundaries are those of tsam's segmentation (Kotzur et al. 2018) with one period
spanning the whole horizon, as proposed by Pineda & Morales (2018) and used by the ``<N>SEG``
temporal resolution of PyPSA-Eur: a Ward-linkage agglomerative clustering in which each hour may
only merge with its neighbours, on the min-max normalised series of load, every generator's
capacity factor, the import price and the grid CFE share. They are computed here as tsam
computes them (scikit-learn's ``AgglomerativeClustering``) but with the neighbour structure as
a sparse chain instead of tsam's dense ``n_time x n_time`` matrices (:func:`segment_labels`;
the tests compare both). Segment values are means computed from the boundaries
(:func:`numpy.add.reduceat`), so
``sum_t value_t x weight_t`` equals the hourly sum for every series (energy, cost and CFE
totals are preserved to rounding). Hoffmann et al. (2022) study the trade-off between the
number of typical periods and of segments per period; this module takes the limiting case of a
single period, the whole horizon, which keeps the full chronology.

Limits
------
* A mean hides variability within a segment: peaks of load and the coincidence of low wind with
  no sun are smoothed, so an aggregated model tends to under-size firm and storage capacity and
  to under-estimate cost; check the error against the full resolution (``bench/aggregation.py``).
* Constraints between consecutive snapshots (the flexibility ramp limit ``ramp_max_t``
  [MW/h]) act between segments of several hours and scale with the hours between their
  centres (:meth:`SystemProblem.ramp_limit`): they bind the change of segment means, not
  hourly steps.
* A segment belongs to the window (flexibility balance, curtailment budget) or calendar month
  (demand charge) in which it *starts* (:meth:`SystemProblem.window_index`), even when it
  runs on past the boundary; a window that no segment starts in has no snapshot.
* Peaks within a segment (monthly peak import for the demand charge) are the peaks of segment
  means.
* Too few segments lose the daily cycle: with 365 segments (a day each on average) the
  default study built no battery and cost 22 % less than at full resolution, while 730 to 2190
  segments stayed within 2 % (``bench/aggregation.py``, measured November 2026).
* Memory and time: tsam 2.3 builds dense ``n_time x n_time`` matrices for the neighbour
  structure (the default study's year into 1095 segments: 1186 MiB more peak resident memory
  and 3-5 s, growing with the square of the horizon); the sparse chain of
  :func:`segment_labels` finds the same segments with 9 MiB in 0.1 s, and grows linearly
  (measured December 2026 in a fresh process).

References
----------
.. [1] Hoffmann, M., Kotzur, L., Stolten, D. (2022). The Pareto-optimal temporal aggregation of
   energy system models. Applied Energy 315, 119029. doi:10.1016/j.apenergy.2022.119029
.. [2] Kotzur, L., Markewitz, P., Robinius, M., Stolten, D. (2018). Impact of different time
   series aggregation methods on optimal energy system design. Renewable Energy 117, 474-487.
   doi:10.1016/j.renene.2017.10.017
.. [3] Pineda, S., Morales, J. M. (2018). Chronological time-period clustering for optimal
   capacity expansion planning with storage. IEEE Transactions on Power Systems 33(6),
   7162-7170. doi:10.1109/TPWRS.2018.2842093
"""

from __future__ import annotations

import logging
import math
import operator
from dataclasses import fields, replace
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gridtwin.exceptions import ConfigError
from gridtwin.optimize.problem import Solution, SystemProblem

logger = logging.getLogger(__name__)

#: Array fields that are not hourly (one value per flexibility window): kept as they are.
PER_WINDOW_FIELDS = frozenset({"curtail_window_energy_max"})

_Spec = TypeVar("_Spec")


def aggregate(
    problem: SystemProblem,
    n_segments: int,
    *,
    solver_weights: dict[str, float] | None = None,
) -> SystemProblem:
    """Aggregate an hourly problem to ``n_segments`` chronological segments.

    Parameters
    ----------
    problem : SystemProblem
        Full-resolution problem: ``n_time`` hourly snapshots, ``weights`` ``None``.
    n_segments : int
        Number of segments (snapshots of the result), ``1 <= n_segments <= n_time``.
    solver_weights : dict of str to float, optional
        Weight [-] of each clustered series in the clustering distance (tsam's
        ``weightDict``); finite and > 0, missing series weigh 1. Keys: ``"load"``,
        ``"<generator>.capacity_factor"``, ``"poi.import_price"``, ``"poi.grid_cfe_share"``.
        They move the segment boundaries only; the values are always exact means.

    Returns
    -------
    SystemProblem
        A new problem (the input is not changed) with ``snapshots`` the first hour of each
        segment (shape (n_segments,), strictly increasing, starting at the first hour) and
        ``weights`` the segment lengths [h] (whole hours summing to ``n_time``). Every hourly
        array (load [MW], capacity factors [p.u.], import and export prices
        [currency MWh-1], grid CFE share [-], grid CO2 intensity [t CO2 MWh-1], the
        flexibility bounds [MW] and ramp limit [MW/h]) is replaced by its mean over each
        segment, so ``sum(mean x weights)`` equals the hourly sum. Per-window arrays
        (``flex.curtail_window_energy_max`` [MWh]) and horizon totals (capital costs,
        ``e_sum_max``, ``export_limit``, ``emissions_cap``, ``horizon_years``) are unchanged.
        With ``n_segments == n_time`` the arrays are the input's and the weights are ones.

    Raises
    ------
    ConfigError
        If ``n_segments`` is not an integer in ``[1, n_time]`` (field
        ``aggregation.segments``), a ``solver_weights`` key is unknown or its value not > 0,
        or the problem is already aggregated.

    References
    ----------
    See the module docstring: Hoffmann et al. (2022), doi:10.1016/j.apenergy.2022.119029;
    Kotzur et al. (2018), doi:10.1016/j.renene.2017.10.017.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from gridtwin.optimize.problem import GeneratorSpec, PoiSpec
    >>> n = 6
    >>> poi = PoiSpec(100.0, np.full(n, 50.0), np.zeros(n), np.full(n, 0.4))
    >>> solar = GeneratorSpec("solar", np.array([0, 0, 0.5, 0.7, 0, 0]), 1000.0)
    >>> full = SystemProblem(pd.date_range("2019-01-01", periods=n, freq="h"),
    ...                      np.full(n, 10.0), (solar,), (), poi, cfe_target=0.5)
    >>> agg = aggregate(full, 3)
    >>> agg.weights.tolist(), agg.generators[0].capacity_factor.tolist()
    ([2.0, 2.0, 2.0], [0.0, 0.6, 0.0])
    """
    n_time = len(problem.snapshots)
    if problem.weights is not None:
        raise ConfigError(
            "aggregation: the problem is already aggregated (its weights are set); aggregate "
            "the full-resolution hourly problem instead"
        )
    n = _check_segments(n_segments, n_time)
    series = _clustered_series(problem)
    weight_dict = _check_weights(solver_weights, series)
    if n == n_time:  # one hour per segment: nothing to cluster
        lengths = np.ones(n_time, dtype=int)
    else:
        lengths = _segment_lengths(problem.snapshots, series, n, weight_dict)
    aggregated = _apply_segments(problem, lengths)
    logger.info(
        "aggregated %d hourly snapshots to %d segments of %d-%d h",
        n_time,
        n,
        int(lengths.min()),
        int(lengths.max()),
    )
    return aggregated


#: Longest mean segment [h] a study may size on: two segments a day still hold day and night
#: (730 segments of a year: -1.9 % system cost on the default study); one a day loses the
#: daily cycle of solar and storage (365 segments: -22 %) (``bench/aggregation.py``).
MAX_MEAN_SEGMENT_H = 12.0
#: Mean segment [h] above which a study is warned: 1095 segments (8 h) gave -1.0 %.
WARN_MEAN_SEGMENT_H = 8.0


def check_segment_length(n_hours: int, n_segments: int) -> None:
    """Refuse segments too long for a sound sizing, warn on long ones.

    Parameters
    ----------
    n_hours : int
        Hours of the full-resolution horizon.
    n_segments : int
        ``aggregation.segments``.

    Raises
    ------
    ConfigError
        The mean segment is longer than :data:`MAX_MEAN_SEGMENT_H`; the message gives the
        smallest sound count. A mean longer than :data:`WARN_MEAN_SEGMENT_H` warns with the
        cost error measured at that resolution.
    """
    mean = n_hours / max(n_segments, 1)
    least = math.ceil(n_hours / MAX_MEAN_SEGMENT_H)
    if mean > MAX_MEAN_SEGMENT_H:
        raise ConfigError(
            f"aggregation.segments: {n_segments} segments of {n_hours} h average {mean:.1f} h, "
            f"longer than {MAX_MEAN_SEGMENT_H:g} h: day and night merge and the cost is off by "
            f"up to -22 % (365 segments of a year); use at least {least} (e.g. "
            f"{math.ceil(n_hours / 8.0)} for about -1 %)"
        )
    if mean > WARN_MEAN_SEGMENT_H:
        logger.warning(
            "aggregation.segments: %d segments of %d h average %.1f h; expect a system cost "
            "about 2 %% low (730 segments of a year: -1.9 %% on the default study); %d "
            "segments (8 h) gave -1.0 %%",
            n_segments,
            n_hours,
            mean,
            math.ceil(n_hours / 8.0),
        )


def disaggregate(values: ArrayLike, problem_weights: ArrayLike) -> np.ndarray:
    """Repeat per-segment values back to hourly values, for reporting.

    Parameters
    ----------
    values : array_like
        Shape (n_segments, ...), one value per snapshot of an aggregated problem (e.g. a
        dispatch [MW] from its :class:`Solution`).
    problem_weights : array_like
        Shape (n_segments,), the problem's ``snapshot_weights`` [h]: whole hours > 0.

    Returns
    -------
    numpy.ndarray
        Shape (sum(problem_weights), ...): each segment's value repeated for each of its
        hours, in the unit of ``values``. For powers (MW) this is the hourly profile whose
        energy equals the segment's; a state (state of charge [MWh], stored at the end of
        the segment) is held constant over the segment instead of interpolated.

    Raises
    ------
    ValueError
        If the weights are not positive whole hours or do not match ``values`` along axis 0.

    Examples
    --------
    >>> disaggregate(np.array([1.0, 5.0]), np.array([2.0, 3.0])).tolist()
    [1.0, 1.0, 5.0, 5.0, 5.0]
    """
    arr = np.asarray(values)
    w = np.asarray(problem_weights, dtype=float)
    if w.ndim != 1 or arr.ndim == 0 or arr.shape[0] != w.shape[0]:
        raise ValueError(
            f"disaggregate: values of shape {arr.shape} need one weight per row along axis 0; "
            f"got weights of shape {w.shape}"
        )
    hours = np.rint(w)
    if not (np.all(np.isfinite(w)) and np.all(hours >= 1) and np.allclose(w, hours, atol=1e-9)):
        raise ValueError("disaggregate: weights must be whole hours >= 1 (segment lengths)")
    return np.repeat(arr, hours.astype(int), axis=0)


def _check_segments(n_segments: Any, n_time: int) -> int:
    """``n_segments`` as an int in [1, n_time], or a ConfigError naming the field."""
    allowed = f"an integer from 1 to {n_time} (the number of hourly snapshots)"
    if isinstance(n_segments, bool):
        raise ConfigError(f"aggregation.segments: must be {allowed}; got {n_segments!r}")
    try:
        n = operator.index(n_segments)
    except TypeError:
        raise ConfigError(f"aggregation.segments: must be {allowed}; got {n_segments!r}") from None
    if not 1 <= n <= n_time:
        raise ConfigError(f"aggregation.segments: must be {allowed}; got {n}")
    return n


def _clustered_series(problem: SystemProblem) -> dict[str, np.ndarray]:
    """The hourly series that choose the segment boundaries, by name, each shape (n_time,)."""
    series = {"load": np.asarray(problem.load, dtype=float)}
    series.update(
        {f"{g.name}.capacity_factor": np.asarray(g.capacity_factor) for g in problem.generators}
    )
    series["poi.import_price"] = np.asarray(problem.poi.import_price, dtype=float)
    series["poi.grid_cfe_share"] = np.asarray(problem.poi.grid_cfe_share, dtype=float)
    return series


def _check_weights(
    solver_weights: dict[str, float] | None, series: dict[str, np.ndarray]
) -> dict[str, float]:
    """Validated weights (tsam's ``weightDict``): one finite weight > 0 per clustered series."""
    given = dict(solver_weights or {})
    unknown = sorted(set(given) - set(series))
    if unknown:
        raise ConfigError(
            f"aggregation.solver_weights: unknown series {unknown}; the clustered series are "
            f"{sorted(series)}"
        )
    bad = {k: v for k, v in given.items() if not (np.isfinite(v) and v > 0)}
    if bad:
        raise ConfigError(f"aggregation.solver_weights: weights must be finite and > 0; got {bad}")
    return {name: float(given.get(name, 1.0)) for name in series}


def _segment_lengths(
    snapshots: pd.DatetimeIndex,
    series: dict[str, np.ndarray],
    n_segments: int,
    weight_dict: dict[str, float],
) -> np.ndarray:
    """Segment lengths [h] in time order, shape (n_segments,): tsam's segmentation of the whole
    horizon as one period, computed with a sparse chain (see :func:`segment_labels`)."""
    n_time = len(snapshots)
    if n_segments == n_time:
        return np.ones(n_time, dtype=int)
    if n_segments == 1:
        return np.array([n_time])
    labels = segment_labels(series, n_segments, weight_dict)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    lengths = np.diff(np.r_[starts, n_time])
    if lengths.shape != (n_segments,):  # a chain only merges neighbours: cannot happen
        raise RuntimeError(
            f"the segmentation returned {len(lengths)} runs of hours, not {n_segments} segments"
        )
    return lengths


def segment_labels(
    series: dict[str, np.ndarray], n_segments: int, weight_dict: dict[str, float]
) -> np.ndarray:
    """Segment label of each time step: Ward clustering of adjacent steps only.

    The method of tsam's ``segmentation=True`` with one period spanning the horizon
    (``tsam.utils.segmentation``, Kotzur et al. 2018), with the same result: each series
    min-max normalised to [0, 1] (scikit-learn's ``MinMaxScaler``, as tsam) and multiplied by
    its weight, the columns in name order (tsam sorts them), then scikit-learn's
    ``AgglomerativeClustering`` with Ward linkage where a step may only merge with its
    neighbours. tsam 2.3 gives that connectivity as a dense ``n_time x n_time`` matrix (about
    1.2 GB of peak memory for 8760 h, growing with the square of the horizon); here it is a
    sparse chain of ``2 (n_time - 1)`` entries, which scikit-learn turns into the same
    neighbour lists, so the merges, and the segments, are the same. Unlike tsam, weights below
    1e-6 are used as given (tsam raises them to 1e-6).

    Parameters
    ----------
    series : dict of str to numpy.ndarray
        The clustered series by name, each shape (n_time,), any unit.
    n_segments : int
        Number of segments, ``2 <= n_segments < n_time``.
    weight_dict : dict of str to float
        Weight [-] of each series in the distance, one per key of ``series``.

    Returns
    -------
    numpy.ndarray
        Shape (n_time,), int: the cluster label of each step; steps of one label are
        consecutive (labels are not in time order).

    References
    ----------
    Kotzur, L., Markewitz, P., Robinius, M., Stolten, D. (2018), Impact of different time
    series aggregation methods on optimal energy system design, Renewable Energy 117, 474-487,
    doi:10.1016/j.renene.2017.10.017. Ward, J. H. (1963), Hierarchical grouping to optimize an
    objective function, J. Am. Stat. Assoc. 58(301), 236-244, doi:10.1080/01621459.1963.10500845.
    """
    # scikit-learn is imported only when a study aggregates
    from scipy import sparse
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.preprocessing import MinMaxScaler

    names = sorted(series)
    values = np.column_stack([np.asarray(series[k], dtype=float) for k in names])
    features = MinMaxScaler().fit_transform(values)
    for i, name in enumerate(names):  # column by column, as tsam weights them
        features[:, i] = features[:, i] * weight_dict[name]
    n_time = values.shape[0]
    chain = sparse.diags([1.0, 1.0], offsets=[-1, 1], shape=(n_time, n_time), format="csr")
    clustering = AgglomerativeClustering(n_clusters=n_segments, linkage="ward", connectivity=chain)
    labels: np.ndarray = clustering.fit_predict(features)
    return labels


def _segment_mean(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Mean of ``values`` (shape (n_time, ...)) over each segment, shape (n_segments, ...)."""
    arr = np.asarray(values, dtype=float)
    sums = np.add.reduceat(arr, starts, axis=0)
    return sums / lengths.reshape((-1,) + (1,) * (arr.ndim - 1))


def _aggregate_fields(spec: _Spec, n_time: int, mean: Any) -> _Spec:
    """``spec`` with each hourly array field (first axis n_time) replaced by segment means.

    Generic over the dataclass fields so an hourly array added to a spec later is aggregated
    too; fields of :data:`PER_WINDOW_FIELDS` and ``None`` stay as they are.
    """
    changes = {
        f.name: mean(value)
        for f in fields(spec)  # type: ignore[arg-type]
        if f.name not in PER_WINDOW_FIELDS
        and isinstance(value := getattr(spec, f.name), np.ndarray)
        and value.ndim >= 1
        and value.shape[0] == n_time
    }
    return replace(spec, **changes)  # type: ignore[type-var]


def _apply_segments(problem: SystemProblem, lengths: np.ndarray) -> SystemProblem:
    """The problem on the segments of ``lengths`` [h] (shape (n_segments,), sum n_time)."""
    n_time = len(problem.snapshots)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int)

    def mean(values: np.ndarray) -> np.ndarray:
        return _segment_mean(values, starts, lengths)

    return replace(
        problem,
        snapshots=problem.snapshots[starts],
        load=mean(problem.load),
        generators=tuple(_aggregate_fields(g, n_time, mean) for g in problem.generators),
        storage=tuple(_aggregate_fields(s, n_time, mean) for s in problem.storage),
        poi=_aggregate_fields(problem.poi, n_time, mean),
        flex=None if problem.flex is None else _aggregate_fields(problem.flex, n_time, mean),
        heat=None if problem.heat is None else _aggregate_fields(problem.heat, n_time, mean),
        water=None if problem.water is None else _aggregate_fields(problem.water, n_time, mean),
        weights=lengths.astype(float),
    )


__all__ = ["PER_WINDOW_FIELDS", "aggregate", "disaggregate", "segment_labels"]


def disaggregate_solution(solution: Solution, problem_weights: ArrayLike) -> Solution:
    """A solution of an aggregated problem on the hours it stands for.

    Capacities, objective and prices are kept; every series (generator output, storage charge,
    discharge and state of charge, POI exchange, load shift and curtailment) is repeated over
    the hours of its segment with :func:`disaggregate`. Used to dispatch capacities sized on
    segments hour by hour (:func:`gridtwin.optimize.dispatch.rolling_dispatch`), which needs
    the stored energy at the last hour (the cyclic state) to start from.

    Parameters
    ----------
    solution : Solution
        Of an aggregated problem, series of shape (n_segments,).
    problem_weights : array_like
        Shape (n_segments,), that problem's ``snapshot_weights`` [h].

    Returns
    -------
    Solution
        Series of shape (sum(problem_weights),).
    """

    def each(series: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: disaggregate(v, problem_weights) for k, v in series.items()}

    return replace(
        solution,
        p=each(solution.p),
        charge=each(solution.charge),
        discharge=each(solution.discharge),
        state_of_charge=each(solution.state_of_charge),
        grid_import=disaggregate(solution.grid_import, problem_weights),
        grid_export=disaggregate(solution.grid_export, problem_weights),
        load_shift=disaggregate(solution.load_shift, problem_weights),
        load_curtailment=disaggregate(solution.load_curtailment, problem_weights),
        heat=each(solution.heat),
        water=disaggregate(solution.water, problem_weights)
        if solution.water.size
        else solution.water,
    )
