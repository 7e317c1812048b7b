"""The shipped cooling comparison (studies/lyon_cooling.yaml), the cooling trade-off figure and
the heatwave stress figures, on small cases whose values are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridtwin.config import load_study, parse_study
from gridtwin.kpis.stress import add_heatwave, heatwave
from gridtwin.plots import cooling_tradeoff
from gridtwin.sweep import scenarios

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_comparison_covers_every_design_with_heat_reuse() -> None:
    study = load_study(ROOT / "studies" / "lyon_cooling.yaml")
    expanded = scenarios(study)
    designs = {s.name: s.values["campus.cooling.design"] for s in expanded}
    assert designs == {
        "air": "air",
        "liquid": "liquid",
        "liquid_w45": "liquid",
        "evaporative": "evaporative",
        "liquid_dry": "liquid_dry",
    }
    for s in expanded:  # every scenario validates, sells heat and pays for water
        cfg = parse_study(study.text, base=study.path.parent, overrides=s.overrides).config
        assert cfg.campus.heat_reuse is not None and cfg.campus.water.price > 0
        assert cfg.currency == "EUR" and cfg.policy.cfe_target == 0.98


def _sweep() -> xr.Dataset:
    values = {
        "system_cost": [5.0e8, 5.2e8, 4.9e8],
        "kpi_pue": [1.10, 1.14, 1.12],
        "kpi_wue": [1.4, 0.0, np.nan],
        "kpi_erf": [0.05, 0.04, 0.0],
        "heatwave_water_peak": [2000.0, 0.0, 900.0],
    }
    ds = xr.Dataset(
        {k: ("scenario", v) for k, v in values.items()},
        coords={"scenario": ["wet", "dry", "media"]},
    )
    ds["system_cost"].attrs.update(currency="EUR", currency_year=2024)
    return ds


def test_cooling_tradeoff_draws_each_value() -> None:
    """Each bar ends at its scenario's value (PUE from 1.0), a nan is marked "n/m"."""
    fig = cooling_tradeoff(_sweep())
    axes = fig.axes
    assert [ax.get_title().split(" [")[0] for ax in axes] == [
        "system cost",
        "PUE",
        "WUE",
        "ERF",
        "peak water, hottest days",
    ]
    ends = [patch.get_x() + patch.get_width() for patch in axes[1].patches]
    assert ends == pytest.approx([1.10, 1.14, 1.12])
    assert [p.get_width() for p in axes[0].patches] == pytest.approx([500.0, 520.0, 490.0])
    labels = [t.get_text() for t in axes[2].texts]
    assert labels == ["1.40", "0.00", "n/m"]


def _hot_week() -> xr.Dataset:
    """Ten days; days 4-6 are hot (35 degC) with PUE 1.3 and 100 m3/h of water at noon."""
    time = pd.date_range("2019-07-01", periods=240, freq="h")
    hot = (time >= "2019-07-04") & (time < "2019-07-07")
    temp = np.where(hot, 35.0, 20.0)
    pue = np.where(hot, 1.3, 1.1)
    water = np.where(hot & (time.hour == 12), 100.0, 10.0)
    return xr.Dataset(
        {
            "temp_air": ("time", temp),
            "pue": ("time", pue),
            "it_load": ("time", np.full(240, 800.0)),
            "water_use": ("time", water),
        },
        coords={"time": time},
    )


def test_heatwave_by_hand() -> None:
    """Window 4-6 July: PUE 1.3 against the year's (3 x 1.3 + 7 x 1.1) / 10 = 1.16, so the
    rise is 0.14; peak water 100 m3/h, daily water 23 x 10 + 100 = 330 m3."""
    out = heatwave(_hot_week())
    assert out["heatwave_start"] == "2019-07-04"
    assert out["heatwave_temp_air"] == pytest.approx(35.0)
    assert out["heatwave_pue_mean"] == pytest.approx(1.3)
    assert out["heatwave_pue_rise"] == pytest.approx(0.14)
    assert out["heatwave_water_peak"] == pytest.approx(100.0)
    assert out["heatwave_water_daily"] == pytest.approx(330.0)
    ds = add_heatwave(_hot_week())
    assert float(ds["heatwave_pue_max"]) == pytest.approx(1.3)
    assert ds["heatwave_temp_air"].attrs["heatwave_start"] == "2019-07-04"
    assert "heatwave_pue_mean" not in add_heatwave(_hot_week().isel(time=slice(0, 48)))
    aggregated = _hot_week().assign(snapshot_weight=("time", np.full(240, 2.0)))
    assert "heatwave_pue_mean" not in add_heatwave(aggregated)  # segments are not hours


def test_rolling_dispatch_with_heat_reuse_is_refused_in_one_line() -> None:
    from gridtwin.exceptions import ConfigError

    study = load_study(ROOT / "studies" / "lyon.yaml")
    with pytest.raises(ConfigError, match=r"dispatch\.mode rolling does not model") as err:
        parse_study(study.text, base=study.path.parent, overrides=["dispatch.mode=rolling"])
    assert "\n" not in str(err.value)
