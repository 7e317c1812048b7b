"""IT load profiles: build-out, workload shapes, seeded AR(1) noise, validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pydantic
import pytest

from gridtwin.campus import it_load_profile
from gridtwin.campus.profiles import (
    ar1_noise,
    capacity_online,
    dipped_share,
    inference_shape,
    it_load_components,
    training_shape,
)
from gridtwin.config import (
    CampusConfig,
    InferenceConfig,
    TrainingConfig,
    VariabilityConfig,
    WorkloadConfig,
    parse_study,
)
from gridtwin.exceptions import ConfigError

YEAR = pd.date_range("2019-01-01T05:00", periods=8760, freq="h")
STUDY = "name: t\nweather:\n  path: w.nc\npoi:\n  p_nom: 10\n"


def test_same_seed_identical_other_seed_different() -> None:
    cfg = CampusConfig(utc_offset_h=-5.0)
    a = it_load_profile(YEAR, cfg).values
    b = it_load_profile(YEAR, cfg.model_copy(deep=True)).values
    np.testing.assert_array_equal(a, b)
    other = CampusConfig(utc_offset_h=-5.0, variability=VariabilityConfig(seed=7))
    c = it_load_profile(YEAR, other).values
    assert np.abs(a - c).max() > 1.0
    assert a.mean() == pytest.approx(c.mean(), rel=1e-12)  # both keep the stated mean


@pytest.mark.parametrize(("std", "rho"), [(0.02, 0.8), (0.05, 0.5), (0.03, 0.0)])
def test_ar1_statistics(std: float, rho: float) -> None:
    e = ar1_noise(200_000, std, rho, np.random.default_rng(1))
    assert e.mean() == pytest.approx(0.0, abs=5 * std / np.sqrt(200_000 * (1 - rho) / (1 + rho)))
    assert e.std() == pytest.approx(std, rel=0.02)
    lag1 = np.corrcoef(e[:-1], e[1:])[0, 1]
    assert lag1 == pytest.approx(rho, abs=0.01)


def test_profile_mean_bounds_and_noise_level() -> None:
    cfg = CampusConfig(utc_offset_h=-5.0)
    it = it_load_profile(YEAR, cfg)
    assert it.dims == ("time",) and it.attrs["units"] == "MW"
    assert float(it.mean()) == pytest.approx(800.0, rel=1e-12)
    assert float(it.min()) >= 0.0 and float(it.max()) <= 1000.0
    # Without noise the profile is the deterministic mix; the noise adds about its stated std
    quiet = CampusConfig(utc_offset_h=-5.0, variability=VariabilityConfig(std=0.0))
    base = it_load_profile(YEAR, quiet).values
    rel = it.values / base - 1.0
    assert rel.std() == pytest.approx(0.02, rel=0.15)
    assert np.corrcoef(rel[:-1], rel[1:])[0, 1] == pytest.approx(0.8, abs=0.05)


def test_utilisation_none_uses_workload_mean() -> None:
    cfg = CampusConfig(utilisation=None, utc_offset_h=0.0, variability=VariabilityConfig(std=0.0))
    idx = pd.date_range("2019-01-07", periods=24 * 7 * 4, freq="h")  # four whole weeks
    it = it_load_profile(idx, cfg).values
    w = cfg.workload
    dip = w.training.dip_depth * w.training.dip_duration / w.training.dip_period
    expected = w.training_share * w.training.utilisation * (1 - dip)
    expected += (1 - w.training_share) * w.inference.utilisation
    assert it.mean() == pytest.approx(1000.0 * expected, rel=1e-9)


def test_training_dips() -> None:
    np.testing.assert_allclose(dipped_share(np.arange(6.0), 1.5, 3.0), [1, 0.5, 0, 1, 0.5, 0])
    idx = pd.date_range("2019-01-01", periods=12, freq="h")
    shape = training_shape(idx, TrainingConfig(utilisation=0.9, dip_depth=0.5, dip_period=6.0))
    expected = np.full(12, 0.9)
    expected[[0, 6]] = 0.9 * (1 - 0.5 * 0.25)
    np.testing.assert_allclose(shape, expected)


def test_inference_local_time_and_weekend() -> None:
    cfg = InferenceConfig(utilisation=0.5, diurnal_amplitude=0.2, peak_hour=14.0)
    idx = pd.date_range("2019-01-07T00:00", periods=24 * 14, freq="h")  # Monday 00 UTC
    utc = inference_shape(idx, cfg, 0.0)
    est = inference_shape(idx, cfg, -5.0)
    assert utc.mean() == pytest.approx(0.5, rel=1e-9)  # whole weeks: mean = utilisation
    # The daily peak is at 14:00 local: the 13:30-14:30 interval (start 13:30 -> label 13)
    assert int(np.argmax(utc[:24])) in (13, 14)
    assert int(np.argmax(est[:24])) in (18, 19)  # 14:00 UTC-5 = 19:00 UTC
    weekday, weekend = utc[: 5 * 24].mean(), utc[5 * 24 : 7 * 24].mean()
    assert weekend / weekday == pytest.approx(cfg.weekend_factor, rel=1e-9)


def test_local_time_from_longitude_or_field() -> None:
    idx = YEAR[:168]
    by_lon = it_load_profile(idx, CampusConfig(), longitude=-79.95).values
    by_field = it_load_profile(idx, CampusConfig(utc_offset_h=-5.0)).values
    np.testing.assert_array_equal(by_lon, by_field)
    with pytest.raises(ConfigError, match=r"campus\.utc_offset_h"):
        it_load_profile(idx, CampusConfig())
    # a pure training campus needs no local time
    it_load_profile(idx, CampusConfig(workload=WorkloadConfig(training_share=1.0)))


def test_buildout_steps() -> None:
    cfg = CampusConfig.model_validate(
        {
            "it_capacity": 1000.0,
            "utc_offset_h": -5.0,
            "buildout": [
                {"date": "2019-03-01", "it_capacity": 400.0},
                {"date": "2019-07-01", "it_capacity": 1000.0},
            ],
        }
    )
    cap = capacity_online(YEAR, cfg)
    assert cap[YEAR < "2019-03-01"].max() == 0.0
    assert set(cap[(YEAR >= "2019-03-01") & (YEAR < "2019-07-01")]) == {400.0}
    assert set(cap[YEAR >= "2019-07-01"]) == {1000.0}
    parts = it_load_components(YEAR, cfg)
    it = parts["it_load"]
    assert np.all(it <= cap + 1e-9)
    assert it[cap == 0.0].max() == 0.0
    assert it.sum() == pytest.approx(0.8 * cap.sum(), rel=1e-12)
    assert np.all(parts["it_load_training"] <= it + 1e-9)
    outside = CampusConfig.model_validate(
        {"buildout": [{"date": "2030-01-01", "it_capacity": 10.0}]}
    )
    with pytest.raises(ConfigError, match=r"campus\.buildout"):
        it_load_profile(YEAR, outside)


@pytest.mark.parametrize(
    ("campus_yaml", "field"),
    [
        (
            "  buildout:\n    - {date: 2019-01-01, it_capacity: 500}\n"
            "    - {date: 2019-06-01, it_capacity: 300}\n",
            r"campus\.buildout.*must not decrease",
        ),
        (
            "  buildout:\n    - {date: 2019-06-01, it_capacity: 100}\n"
            "    - {date: 2019-01-01, it_capacity: 300}\n",
            r"campus\.buildout.*date order",
        ),
        (
            "  buildout:\n    - {date: 2019-01-01, it_capacity: -5}\n",
            r"campus\.buildout\.0\.it_capacity",
        ),
        (
            "  buildout:\n    - {date: 2019-01-01, it_capacity: 5000}\n",
            r"campus.*exceeds it_capacity",
        ),
        ("  it_capacity: -1\n", r"campus\.it_capacity"),
        ("  workload:\n    training_share: 1.2\n", r"campus\.workload\.training_share"),
        ("  workload:\n    training:\n      dip_duration: 9\n", r"campus\.workload\.training"),
        ("  variability:\n    autocorrelation: 1.0\n", r"campus\.variability\.autocorrelation"),
        ("  utc_offset_h: 20\n", r"campus\.utc_offset_h"),
    ],
)
def test_bad_campus_fields_named(campus_yaml: str, field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        parse_study(STUDY + "campus:\n" + campus_yaml, source="s.yaml")


def test_decreasing_buildout_rejected_directly() -> None:
    with pytest.raises(pydantic.ValidationError, match="buildout"):
        CampusConfig.model_validate(
            {
                "buildout": [
                    {"date": "2019-01-01", "it_capacity": 500.0},
                    {"date": "2019-02-01", "it_capacity": 400.0},
                ]
            }
        )


def test_buildout_phase_after_the_horizon_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    cfg = CampusConfig.model_validate(
        {
            "utc_offset_h": -5.0,
            "buildout": [
                {"date": "2019-03-01", "it_capacity": 500.0},
                {"date": "2025-01-01", "it_capacity": 1000.0},
            ],
        }
    )
    with caplog.at_level("WARNING", logger="gridtwin.campus.profiles"):
        cap = capacity_online(YEAR, cfg)
        it_load_components(YEAR, cfg)
    assert cap.max() == 500.0
    assert "1 phase(s) start after the weather index ends" in caplog.text
