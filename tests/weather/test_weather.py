"""Canonical weather set: TMY3 reader, validation and netCDF round trip.

Reference values come from outside gridtwin: the raw TMY3 CSV read with plain pandas, and the
sun position from pvlib.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
import xarray as xr

from gridtwin.conventions import VARIABLES
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.weather import open_weather, read_tmy3, validate_weather, write_weather

ROOT = Path(__file__).resolve().parents[2]
TMY3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"


@pytest.fixture(scope="module")
def gso() -> xr.Dataset:
    return read_tmy3(TMY3, year=2019)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(TMY3, skiprows=1)


@pytest.mark.parametrize(
    ("var", "column"),
    [("ghi", "GHI (W/m^2)"), ("dni", "DNI (W/m^2)"), ("dhi", "DHI (W/m^2)")],
)
def test_annual_irradiance_equals_raw_csv(gso: xr.Dataset, raw: pd.DataFrame, var, column):
    expected = raw[column].astype(float).sum()
    assert float(gso[var].sum()) == pytest.approx(expected, rel=1e-9)


def test_annual_ghi_greensboro(gso: xr.Dataset):
    # NSRDB TMY3 723170: 1566.2 kWh m-2 a-1 (sum of the CSV column).
    assert float(gso["ghi"].sum()) / 1000.0 == pytest.approx(1566.2, abs=0.5)


def test_units_converted(gso: xr.Dataset, raw: pd.DataFrame):
    np.testing.assert_allclose(gso["pressure"].values, raw["Pressure (mbar)"].to_numpy() * 100.0)
    np.testing.assert_allclose(gso["temp_air"].values, raw["Dry-bulb (C)"].to_numpy())
    np.testing.assert_allclose(gso["wind_speed"].values, raw["Wspd (m/s)"].to_numpy())
    assert gso["wind_speed"].attrs["height_m"] == 10.0
    for name in gso.data_vars:
        assert gso[name].attrs["units"] == VARIABLES[str(name)][0]
    assert gso["pressure"].attrs["units"] == "Pa"
    # the albedo column of this file is all zero (missing): not carried over
    assert "albedo" not in gso


def test_index_is_hourly_utc_interval_start(gso: xr.Dataset):
    time = pd.DatetimeIndex(gso["time"].values)
    assert time.size == 8760
    assert time.tz is None
    assert gso["time"].dtype == np.dtype("datetime64[ns]")
    assert (np.diff(time.values) == np.timedelta64(1, "h")).all()
    assert time[0] == pd.Timestamp("2019-01-01 05:00")
    assert time[-1] == pd.Timestamp("2020-01-01 04:00")


def test_attributes(gso: xr.Dataset):
    a = gso.attrs
    assert (a["latitude"], a["longitude"], a["altitude"]) == (36.1, -79.95, 273.0)
    assert a["site_name"] == "GREENSBORO PIEDMONT TRIAD INT"
    assert "723170TYA.CSV" in a["source"]
    assert "pvlib.iotools.read_tmy3" in a["source"]
    assert a["original_time_convention"] == "hour-ending local standard time, UTC-5"
    assert a["reference_year"] == 2019
    assert a["time_convention"] == "UTC, interval start"


def _elevation(ds: xr.Dataset, offset_minutes: float) -> np.ndarray:
    """Apparent solar elevation [deg] at ``time + offset`` from pvlib (independent of gridtwin)."""
    times = pd.DatetimeIndex(ds["time"].values).tz_localize("UTC")
    sun = pvlib.solarposition.get_solarposition(
        times + pd.Timedelta(minutes=offset_minutes),
        ds.attrs["latitude"],
        ds.attrs["longitude"],
        altitude=ds.attrs["altitude"],
    )
    return sun["apparent_elevation"].to_numpy()


def test_no_sunlight_at_night(gso: xr.Dataset):
    ghi = gso["ghi"].values
    # Sun below the horizon during the whole interval (at its start and its end): no light.
    dark = np.maximum(_elevation(gso, 0), _elevation(gso, 60)) < 0.0
    assert dark.sum() > 3500
    assert (ghi[dark] == 0.0).all()
    assert (gso["dni"].values[dark] == 0.0).all()
    # Sun more than 5 deg below the horizon at the interval midpoint: zero, except for a few
    # sunrise/sunset intervals where the sun is up for minutes of the hour (<= 5 W m-2).
    night = _elevation(gso, 30) < -5.0
    assert (ghi[night] > 0).sum() < 30
    assert ghi[night].max() <= 5.0
    # Negative control: shifting the labels by one hour (hour-ending read as hour-starting)
    # puts hundreds of sunlit hours, up to tens of W m-2, into the "night".
    for shift in (-60, 60):
        wrong = _elevation(gso, 30 + shift) < -5.0
        assert (ghi[wrong] > 0).sum() > 200


def test_daily_maximum_near_solar_noon(gso: xr.Dataset):
    # Solar noon at 79.95 W is about 17:20 UTC (+-16 min equation of time), so the brightest
    # interval is the one starting at 17:00 UTC on average.
    ghi = gso["ghi"].to_series()
    days = ghi.groupby(ghi.index.floor("D"))
    hours = days.idxmax().dt.hour[days.max() > 200]
    assert len(hours) > 300
    assert hours.mean() == pytest.approx(17.0, abs=0.5)


def test_round_trip(gso: xr.Dataset, tmp_path: Path):
    path = write_weather(gso, tmp_path / "w.nc")
    back = open_weather(path)
    xr.testing.assert_identical(back, gso)


def test_committed_greensboro_file_matches_reader(gso: xr.Dataset):
    committed = open_weather(ROOT / "weather" / "greensboro_tmy3.nc")
    xr.testing.assert_equal(committed, gso)
    assert "make_greensboro_tmy3.py" in committed.attrs["history"]


def test_read_tmy3_missing_file(tmp_path: Path):
    with pytest.raises(DataError, match=r"nothere\.csv"):
        read_tmy3(tmp_path / "nothere.csv")


def test_read_tmy3_leap_reference_year():
    with pytest.raises(ConfigError, match="leap"):
        read_tmy3(TMY3, year=2020)


def _small() -> xr.Dataset:
    time = pd.date_range("2019-06-01", periods=48, freq="h")
    hours = np.arange(48)
    ghi = np.clip(800 * np.sin((hours % 24 - 11) / 14 * np.pi), 0, None)
    ds = xr.Dataset(
        {
            "ghi": ("time", ghi),
            "dni": ("time", ghi * 0.8),
            "dhi": ("time", ghi * 0.2),
            "temp_air": ("time", np.full(48, 20.0)),
            "relative_humidity": ("time", np.full(48, 50.0)),
            "pressure": ("time", np.full(48, 101325.0)),
            "wind_speed": ("time", np.full(48, 5.0)),
        },
        coords={"time": time},
        attrs={"latitude": 36.1, "longitude": -79.95, "altitude": 273.0},
    )
    return ds


def test_small_set_is_valid():
    validate_weather(_small())


def test_open_missing_file(tmp_path: Path):
    with pytest.raises(DataError, match=r"absent\.nc.*not found"):
        open_weather(tmp_path / "absent.nc")


def test_open_unreadable_file(tmp_path: Path):
    path = tmp_path / "junk.nc"
    path.write_text("this is not netCDF")
    with pytest.raises(DataError, match=r"junk\.nc.*cannot read"):
        open_weather(path)


def test_nan_is_named(tmp_path: Path):
    ds = _small()
    ds["temp_air"][5:8] = np.nan
    path = tmp_path / "nan.nc"
    ds.to_netcdf(path)
    with pytest.raises(DataError) as err:
        open_weather(path)
    msg = str(err.value)
    assert "nan.nc" in msg
    assert "'temp_air'" in msg
    assert "2019-06-01 05:00:00" in msg
    assert "2019-06-01 07:00:00" in msg


def test_negative_ghi_is_named(tmp_path: Path):
    ds = _small()
    ds["ghi"][30] = -3.0
    path = tmp_path / "neg.nc"
    ds.to_netcdf(path)
    with pytest.raises(DataError, match=r"neg\.nc.*'ghi'.*negative.*2019-06-02 06:00:00"):
        open_weather(path)


def test_irregular_index_is_named(tmp_path: Path):
    ds = _small().drop_isel(time=[10])
    path = tmp_path / "gap.nc"
    ds.to_netcdf(path)
    with pytest.raises(DataError, match=r"gap\.nc.*'time'.*2019-06-01 09:00:00"):
        open_weather(path)


def test_missing_variable_is_named(tmp_path: Path):
    path = tmp_path / "nodni.nc"
    _small().drop_vars("dni").to_netcdf(path)
    with pytest.raises(DataError, match=r"nodni\.nc.*dni"):
        open_weather(path)


def test_missing_humidity_and_attrs():
    with pytest.raises(DataError, match="relative_humidity"):
        validate_weather(_small().drop_vars("relative_humidity"))
    ds = _small()
    del ds.attrs["latitude"]
    with pytest.raises(DataError, match="latitude"):
        validate_weather(ds)
