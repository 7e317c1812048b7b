"""The segmentation of gridtwin.optimize.aggregate gives tsam's segments without tsam's dense
``n_time x n_time`` matrices: compared with tsam 2.3 itself on spans of the Greensboro inputs,
with tsam's stored segments of a full year (tsam needs about 1.2 GB for it:
``tsam_reference.json``, made by ``make_tsam_reference.py``), and measured in memory."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from greensboro_cases import greensboro

from gridtwin.optimize import aggregate as aggregate_module
from gridtwin.optimize.aggregate import aggregate, segment_labels

REFERENCE = Path(__file__).with_name("tsam_reference.json")
HOURS = 8760


def tsam_lengths(
    series: dict[str, np.ndarray], n_segments: int, weights: dict[str, float] | None = None
) -> np.ndarray:
    """Segment lengths [h] from tsam 2.3's own segmentation: the call ``aggregate`` made
    before (one period spanning the horizon, ``segmentation=True``)."""
    import tsam.timeseriesaggregation as tsam

    n_time = len(next(iter(series.values())))
    frame = pd.DataFrame(series, index=pd.date_range("2019-01-01", periods=n_time, freq="h"))
    agg = tsam.TimeSeriesAggregation(
        frame,
        resolution=1.0,
        noTypicalPeriods=1,
        hoursPerPeriod=n_time,
        segmentation=True,
        noSegments=n_segments,
        weightDict=dict(weights or {}),
        numericalTolerance=float("inf"),
    )
    agg.createTypicalPeriods()
    index = agg.segmentedNormalizedTypicalPeriods.index
    return index.get_level_values("Segment Duration").to_numpy(dtype=int)


def run_lengths(labels: np.ndarray) -> np.ndarray:
    """Lengths of the runs of equal labels, in time order."""
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    return np.diff(np.r_[starts, len(labels)])


def year_series(n: int = HOURS) -> dict[str, np.ndarray]:
    """A year of campus-like series built from seeded uniform draws and arithmetic only (no
    transcendental functions, whose last bits differ between CPUs), so the stored reference
    holds on any machine: diurnal load and solar with cloudy days, wind in multi-day weather
    systems, an evening price peak, a grid CFE share low in the evening."""
    rng = np.random.default_rng(2026)
    hour = np.arange(n) % 24
    day = np.arange(n) // 24
    season = 1.0 - np.abs((day % 365) - 182.0) / 182.0  # 0 in winter, 1 in summer
    load = 800.0 + 40.0 * (1.0 - np.abs(hour - 14.0) / 12.0) + rng.uniform(-10.0, 10.0, n)
    cloud = np.repeat(rng.uniform(0.2, 1.0, n // 24 + 1), 24)[:n]
    solar = np.clip(1.0 - ((hour - 12.5) / (5.0 + 2.0 * season)) ** 2, 0.0, None) * cloud
    weather = np.repeat(rng.uniform(0.05, 0.9, n // 72 + 1), 72)[:n]
    wind = np.clip(weather + rng.uniform(-0.1, 0.1, n), 0.0, 1.0)
    evening = np.abs(hour - 19.0) < 3.0
    return {
        "load": load,
        "solar.capacity_factor": solar,
        "onwind.capacity_factor": wind,
        "backup.capacity_factor": np.ones(n),
        "poi.import_price": 45.0 + 30.0 * evening + rng.uniform(-3.0, 3.0, n),
        "poi.grid_cfe_share": np.where(evening, 0.3, 0.45) + 0.1 * season,
    }


@pytest.fixture(scope="module")
def greensboro_year() -> dict[str, np.ndarray]:
    """The clustered series of a Greensboro year: campus load, solar and wind capacity
    factors, the diesel backup (always 1), a diurnal import price and grid CFE share."""
    problem = greensboro(HOURS, existing=True, diurnal_grid=True)
    return aggregate_module._clustered_series(problem)


@pytest.mark.parametrize(
    ("start", "hours", "n_segments"),
    [(0, 1440, 100), (2160, 2160, 500), (4344, 2880, 1000), (7000, 1760, 300)],
)
def test_segments_are_tsams_on_greensboro_spans(
    greensboro_year: dict[str, np.ndarray], start: int, hours: int, n_segments: int
) -> None:
    """Winter, spring, summer-autumn and the year's end, 100 to 1000 segments (tsam's dense
    matrices still fit at these lengths): the same boundaries, every one."""
    span = {k: v[start : start + hours] for k, v in greensboro_year.items()}
    ones = dict.fromkeys(span, 1.0)
    ours = run_lengths(segment_labels(span, n_segments, ones))
    assert ours.shape == (n_segments,) and ours.sum() == hours
    np.testing.assert_array_equal(ours, tsam_lengths(span, n_segments))


def test_weighted_segments_are_tsams(greensboro_year: dict[str, np.ndarray]) -> None:
    span = {k: v[3000:3720] for k, v in greensboro_year.items()}
    weights = dict.fromkeys(span, 1.0) | {"poi.import_price": 5.0, "solar.capacity_factor": 0.3}
    ours = run_lengths(segment_labels(span, 150, weights))
    np.testing.assert_array_equal(ours, tsam_lengths(span, 150, weights))


def test_aggregate_sizes_on_tsams_segments() -> None:
    """Through the public door: the snapshot weights of an aggregated Greensboro problem are
    tsam's segment lengths of its clustered series."""
    problem = greensboro(1440, existing=True, diurnal_grid=True, flex=True)
    agg = aggregate(problem, 240)
    expected = tsam_lengths(aggregate_module._clustered_series(problem), 240)
    np.testing.assert_array_equal(agg.snapshot_weights, expected)


def test_a_full_year_gives_tsams_stored_segments() -> None:
    """A full year, where tsam itself needs about 1.2 GB: the segments tsam 2.3 found
    (``make_tsam_reference.py``) at 1095 and 2190 segments."""
    reference = json.loads(REFERENCE.read_text())
    series = year_series()
    sums = {k: float(v.sum()) for k, v in series.items()}
    assert sums == pytest.approx(reference["series_sums"], rel=1e-12), (
        "year_series() changed since the reference was made: run "
        "python tests/optimize/make_tsam_reference.py (about 1.5 GB of memory)"
    )
    weights = dict.fromkeys(series, 1.0)
    for n_segments, lengths in reference["segments"].items():
        ours = run_lengths(segment_labels(series, int(n_segments), weights))
        np.testing.assert_array_equal(ours, lengths, err_msg=f"{n_segments} segments")


def test_a_year_is_segmented_without_dense_matrices() -> None:
    """tsam 2.3 allocates dense 8760 x 8760 matrices (614 MB each); the sparse chain keeps the
    traced peak of a year's segmentation to a few MiB."""
    series = year_series()
    weights = dict.fromkeys(series, 1.0)
    tracemalloc.start()
    try:
        labels = segment_labels(series, 1095, weights)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(np.unique(labels)) == 1095
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MiB traced"
