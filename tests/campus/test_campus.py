"""Campus load: wet bulb, PUE model and the hourly load (gridtwin.campus)."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pydantic
import pytest
import xarray as xr

from gridtwin.campus import campus_load, chiller_cop, facility_overhead, pue
from gridtwin.campus.psychrometrics import relative_humidity_from_dew_point, wet_bulb
from gridtwin.campus.pue import economiser_fraction
from gridtwin.config import CampusConfig, CoolingConfig
from gridtwin.exceptions import DataError

ROOT = Path(__file__).resolve().parents[2]
GREENSBORO = ROOT / "weather" / "greensboro_tmy3.nc"
AIR = CoolingConfig(design="air")
LIQUID = CoolingConfig(design="liquid")


@pytest.fixture(scope="module")
def greensboro() -> xr.Dataset:
    """Greensboro NC typical year: the shipped weather set, else built from pvlib's TMY3 copy."""
    if GREENSBORO.is_file():
        with xr.open_dataset(GREENSBORO) as ds:
            return ds.load()
    data, meta = pvlib.iotools.read_tmy3(
        Path(pvlib.__file__).parent / "data" / "723170TYA.CSV", map_variables=True, coerce_year=2019
    )
    start_utc = (data.index - pd.Timedelta("1h")).tz_convert("UTC").tz_localize(None)
    return xr.Dataset(
        {
            "temp_air": ("time", data["temp_air"].to_numpy(float)),
            "temp_dew": ("time", data["temp_dew"].to_numpy(float)),
            "relative_humidity": ("time", data["relative_humidity"].to_numpy(float)),
            "pressure": ("time", data["pressure"].to_numpy(float) * 100.0),  # mbar -> Pa
        },
        coords={"time": start_utc.to_numpy()},
        attrs={k: meta[k] for k in ("latitude", "longitude", "altitude")},
    )


def _annual_pue(out: xr.Dataset) -> float:
    return float(out["load"].sum() / out["it_load"].sum())


def _season_pue(out: xr.Dataset, months: list[int]) -> float:
    sel = out.sel(time=out["time"].dt.month.isin(months))
    return _annual_pue(sel)


# --- wet bulb -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t_db", "rh", "expected", "tol"),
    [
        (30.0, 50.0, 22.0, 0.1),  # psychrometric chart at sea level
        (20.0, 100.0, 20.0, 1e-3),  # saturated air: wet bulb = dry bulb
        (-5.0, 100.0, -5.0, 1e-3),  # saturated over ice
    ],
)
def test_wet_bulb_reference_values(t_db: float, rh: float, expected: float, tol: float) -> None:
    assert float(wet_bulb(t_db, rh, 101325.0)) == pytest.approx(expected, abs=tol)


def test_relative_humidity_from_dew_point_reference() -> None:
    # saturation: dew point = dry bulb; 20 degC with a 10 degC dew point is about 52.6 % RH
    # (ratio of saturation vapour pressures 1228 Pa / 2339 Pa, ASHRAE Fundamentals 2017 table 3)
    assert float(relative_humidity_from_dew_point(20.0, 20.0)) == pytest.approx(100.0, abs=1e-6)
    assert float(relative_humidity_from_dew_point(20.0, 10.0)) == pytest.approx(52.5, abs=0.3)
    with pytest.raises(ValueError, match="temp_dew"):
        relative_humidity_from_dew_point(10.0, 12.0)


def test_wet_bulb_keeps_xarray() -> None:
    t = xr.DataArray([10.0, 30.0], dims="time")
    out = wet_bulb(t, xr.DataArray([50.0, 50.0], dims="time"))
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("time",)


def test_wet_bulb_rejects_bad_humidity() -> None:
    with pytest.raises(ValueError, match="relative_humidity"):
        wet_bulb(20.0, 120.0)


# --- PUE model ------------------------------------------------------------------------------


def test_chiller_cop_falls_with_temperature() -> None:
    t = np.linspace(-10.0, 60.0, 141)
    cop = chiller_cop(t)
    assert np.all(np.diff(cop) <= 0.0)
    assert np.all(cop > 3.0)


def test_economiser_fraction_limits() -> None:
    f = economiser_fraction(np.array([0.0, 20.0, 40.0]), 32.0, 42.0, 4.75, 2.25)
    np.testing.assert_allclose(f, [1.0, 1.0, 0.0])
    assert 0.0 < float(economiser_fraction(30.0, 32.0, 42.0, 4.75, 2.25)) < 1.0


@pytest.mark.parametrize("cooling", [LIQUID, AIR], ids=["liquid", "air"])
def test_pue_monotonic_in_temperature(cooling: CoolingConfig) -> None:
    t_db, t_wb = np.meshgrid(np.linspace(-20, 45, 66), np.linspace(-25, 35, 61), indexing="ij")
    valid = t_wb <= t_db
    p = np.where(valid, pue(t_db, np.minimum(t_wb, t_db), cooling), np.nan)
    d_db = np.diff(p, axis=0)  # along dry bulb, wet bulb fixed
    d_wb = np.diff(p, axis=1)  # along wet bulb, dry bulb fixed
    assert np.all(d_db[~np.isnan(d_db)] >= -1e-12)
    assert np.all(d_wb[~np.isnan(d_wb)] >= -1e-12)
    # and along a line of constant relative humidity
    t = np.linspace(-20.0, 45.0, 200)
    assert np.all(np.diff(pue(t, wet_bulb(t, 60.0), cooling)) >= -1e-12)


def test_pue_components_and_bounds() -> None:
    parts = facility_overhead(30.0, 24.0, AIR)
    assert set(parts) == {
        "ups",
        "distribution",
        "lighting",
        "air_handler_fans",
        "pumps",
        "tower_fans",
        "dry_cooler_fans",
        "chillers",
    }
    assert all(float(v) >= 0.0 for v in parts.values())
    assert float(pue(30.0, 24.0, AIR)) == pytest.approx(1.0 + sum(float(v) for v in parts.values()))
    # Without cooling overhead, PUE reduces to the electrical losses.
    lossless = CoolingConfig(ups_efficiency=1.0, distribution_loss=0.0, lighting_share=0.0)
    assert float(pue(-10.0, -12.0, lossless)) < 1.05
    # Air cooling costs more than liquid cooling in every condition.
    t = np.linspace(-10.0, 40.0, 51)
    assert np.all(pue(t, t - 4.0, AIR) > pue(t, t - 4.0, LIQUID))


def test_pue_keeps_xarray() -> None:
    t = xr.DataArray([10.0, 30.0], dims="time", coords={"time": [0, 1]})
    out = pue(t, t - 5.0)
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("time",)


def test_docstring_examples() -> None:
    # ``gridtwin.campus.pue`` the attribute is the function; take the modules from importlib.
    for name in (
        "gridtwin.campus.psychrometrics",
        "gridtwin.campus.pue",
        "gridtwin.campus.profiles",
        "gridtwin.campus.flexibility",
        "gridtwin.campus.backup",
        "gridtwin.campus.heat",
        "gridtwin.campus.water",
        "gridtwin.kpis.stress",
    ):
        result = doctest.testmod(importlib.import_module(name))
        assert result.failed == 0


# --- campus load ----------------------------------------------------------------------------


def test_greensboro_annual_pue(greensboro: xr.Dataset) -> None:
    default = campus_load(greensboro, CampusConfig())
    liquid = campus_load(greensboro, CampusConfig(cooling=LIQUID))
    air = campus_load(greensboro, CampusConfig(cooling=AIR))
    assert 1.1 <= _annual_pue(default) <= 1.4
    assert 1.05 <= _annual_pue(liquid) <= 1.3
    assert _annual_pue(air) > _annual_pue(liquid)
    for out in (liquid, air):
        assert _season_pue(out, [6, 7, 8]) > _season_pue(out, [12, 1, 2])


def test_campus_load_dataset(greensboro: xr.Dataset) -> None:
    cfg = CampusConfig(it_capacity=1000.0, utilisation=0.8)
    out = campus_load(greensboro, cfg)
    assert {"it_load", "temp_wetbulb", "pue", "load", "economiser_fraction"} <= set(out.data_vars)
    assert out.sizes["time"] == greensboro.sizes["time"]
    np.testing.assert_array_equal(out["time"].values, greensboro["time"].values)
    it = out["it_load"].values
    assert it.mean() == pytest.approx(800.0, rel=1e-9)  # utilisation is the exact mean
    assert it.std() > 1.0 and it.max() <= 1000.0 and it.min() >= 0.0  # a shaped profile
    np.testing.assert_array_equal(out["load"].values, it * out["pue"].values)
    for name in out.data_vars:
        assert out[name].attrs["units"] and out[name].attrs["long_name"], name
    assert out["load"].attrs["units"] == "MW"
    assert out["pue"].attrs["units"] == "1"
    assert out["economiser_fraction"].attrs["units"] == "1"
    assert out["temp_wetbulb"].attrs["units"] == "degC"
    assert "10.1016/j.energy.2020.117556" in out.attrs["pue_reference"]
    assert out.attrs["cooling_design"] == "liquid"
    assert np.all(out["temp_wetbulb"].values <= greensboro["temp_air"].values + 1e-9)
    # every campus parameter is recorded; nested sections as JSON text
    assert json.loads(out.attrs["flexibility"])["window_hours"] == 24
    assert json.loads(out.attrs["cooling"])["design"] == "liquid"
    assert out.attrs["local_time_utc_offset_h"] == -5.0  # Greensboro, -79.95 deg
    assert out.attrs["annual_pue"] == pytest.approx(_annual_pue(out), rel=1e-12)


def test_flat_profile_is_the_old_model(greensboro: xr.Dataset) -> None:
    out = campus_load(greensboro, CampusConfig(profile="flat", utilisation=0.8))
    np.testing.assert_array_equal(out["it_load"].values, 800.0)


def test_economiser_fraction(greensboro: xr.Dataset) -> None:
    out = campus_load(greensboro, CampusConfig())
    econ = out["economiser_fraction"].values
    assert np.all((econ >= 0.0) & (econ <= 1.0))
    # full free cooling in the coldest hours, chillers needed in the most humid ones
    wb = out["temp_wetbulb"].values
    assert econ[wb < 10.0].min() == 1.0
    assert econ[wb > 24.0].max() < 1.0
    assert out.attrs["economiser_hours"] == pytest.approx(econ.sum())
    assert out.attrs["economiser_hours_full"] == int((econ >= 1.0 - 1e-12).sum())
    air = campus_load(greensboro, CampusConfig(cooling=AIR))
    # warm-water liquid cooling free-cools more hours than chilled-water air cooling
    assert econ.sum() > air["economiser_fraction"].values.sum()
    # chiller power is zero exactly when the economiser carries all the heat
    chillers = facility_overhead(
        greensboro["temp_air"].values, wb, CampusConfig().cooling, greensboro["pressure"].values
    )["chillers"]
    np.testing.assert_array_equal(chillers == 0.0, econ >= 1.0)


def test_cooling_power_non_decreasing_with_temperature() -> None:
    """Cooling power (everything but the constant electrical losses) along rising temperature."""
    t = np.linspace(-20.0, 45.0, 131)
    for cooling in (LIQUID, AIR):
        parts = facility_overhead(t, wet_bulb(t, 70.0), cooling)
        cooling_power = parts["air_handler_fans"] + parts["pumps"]
        cooling_power = cooling_power + parts["tower_fans"] + parts["chillers"]
        assert np.all(np.diff(cooling_power) >= -1e-12)
        assert cooling_power[-1] > cooling_power[0]


def test_campus_load_from_dew_point(greensboro: xr.Dataset) -> None:
    with_rh = campus_load(greensboro, CampusConfig())
    with_dew = campus_load(greensboro.drop_vars("relative_humidity"), CampusConfig())
    # TMY3 humidity is rounded to whole percent and dew point to 0.1 K.
    diff = np.abs(with_dew["temp_wetbulb"].values - with_rh["temp_wetbulb"].values)
    assert np.median(diff) < 0.2
    assert _annual_pue(with_dew) == pytest.approx(_annual_pue(with_rh), abs=2e-3)


def test_campus_load_without_pressure_uses_altitude(greensboro: xr.Dataset) -> None:
    out = campus_load(greensboro.drop_vars("pressure"), CampusConfig())
    ref = campus_load(greensboro, CampusConfig())
    assert _annual_pue(out) == pytest.approx(_annual_pue(ref), abs=1e-3)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temp_air", np.nan),
        ("relative_humidity", 120.0),
        ("relative_humidity", -1.0),
        ("relative_humidity", np.nan),
        ("pressure", np.nan),
    ],
)
def test_bad_weather_names_variable_and_time(
    greensboro: xr.Dataset, name: str, value: float
) -> None:
    bad = greensboro.copy(deep=True)
    bad[name][100] = value
    bad[name][200] = value
    when = str(pd.Timestamp(bad["time"].values[100]))
    with pytest.raises(DataError, match=name) as err:
        campus_load(bad, CampusConfig())
    assert when in str(err.value)


def test_missing_weather_variables(greensboro: xr.Dataset) -> None:
    with pytest.raises(DataError, match="temp_air"):
        campus_load(greensboro.drop_vars("temp_air"), CampusConfig())
    with pytest.raises(DataError, match="relative_humidity"):
        campus_load(greensboro.drop_vars(["relative_humidity", "temp_dew"]), CampusConfig())


def test_cooling_config_bounds() -> None:
    with pytest.raises(pydantic.ValidationError, match="ups_efficiency"):
        CoolingConfig(ups_efficiency=1.2)
    with pytest.raises(pydantic.ValidationError, match="design"):
        CoolingConfig(design="immersion")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError, match="utilisation"):
        CampusConfig(utilisation=0.0)


def test_flat_profile_keeps_the_training_share_shiftable(greensboro: xr.Dataset) -> None:
    out = campus_load(greensboro, CampusConfig(profile="flat", utilisation=0.8))
    np.testing.assert_allclose(out["it_load_training"], 0.8 * out["it_load"])  # share 0.8
