"""Physical range and unit checks on every read path (gridtwin.weather.physical).

Each class of bad input is made from a real file (EPW Amsterdam, PVGIS TMY 45 N 8 E) edited in
memory and written to ``tmp_path``, or from a canonical weather set written as netCDF, or from a
synthetic ERA5 download; the check must refuse it with one line naming the file and the
variable (or convert it, when a ``units`` attribute says what the values are).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gridtwin.exceptions import DataError
from gridtwin.weather import read, write_weather
from gridtwin.weather.era5 import read_era5

EPW = "NLD_Amsterdam062400_IWEC.epw"
PVGIS = "tmy_45.000_8.000_2005_2023.csv"

#: EPW data fields (0-based): 6 dry bulb [degC], 13 GHI, 14 DNI [W m-2], 21 wind speed [m s-1].
EPW_FIELD = {"temp_air": 6, "ghi": 13, "dni": 14, "wind_speed": 21}
#: PVGIS CSV columns (0-based): 1 T2m [degC], 3 G(h) [W m-2], 7 WS10m [m s-1].
PVGIS_FIELD = {"temp_air": 1, "ghi": 3, "wind_speed": 7}


def _one_line(err: pytest.ExceptionInfo[DataError]) -> str:
    msg = str(err.value)
    assert "\n" not in msg, msg
    return msg


def edit_epw(src: Path, dst: Path, field: int, fn: Callable[[str], str], rows=None) -> Path:
    """Copy an EPW file with ``fn`` applied to data field ``field`` (all rows or ``rows``)."""
    lines = src.read_bytes().decode("latin-1").splitlines()
    for i in range(8, len(lines)):
        if rows is None or i - 8 in rows:
            parts = lines[i].split(",")
            parts[field] = fn(parts[field])
            lines[i] = ",".join(parts)
    dst.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return dst


def edit_pvgis(src: Path, dst: Path, field: int, fn: Callable[[str], str]) -> Path:
    """Copy a PVGIS TMY CSV with ``fn`` applied to column ``field`` of every data row."""
    lines = src.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("time(UTC)")) + 1
    for i in range(start, start + 8760):
        parts = lines[i].split(",")
        parts[field] = fn(parts[field])
        lines[i] = ",".join(parts)
    dst.write_text("\n".join(lines) + "\n")
    return dst


def scale(factor: float, offset: float = 0.0) -> Callable[[str], str]:
    return lambda s: f"{float(s) * factor + offset:.3f}"


@pytest.fixture(scope="module")
def canonical(shared_data: Path) -> xr.Dataset:
    return read(shared_data / "weather" / EPW)


def _nc(ds: xr.Dataset, path: Path) -> Path:
    ds.to_netcdf(path)  # written as is: the check must be done when the file is opened
    return path


# ------------------------------------------------------------------------------- EPW and PVGIS
@pytest.mark.parametrize(
    ("var", "fn", "pattern"),
    [
        ("ghi", scale(10.0), r"'ghi' reaches \d+ W m-2 .*scaled x10"),
        ("ghi", scale(1e-3), r"'ghi' peaks at .* kW m-2"),
        ("wind_speed", scale(3.6), r"'wind_speed' has a mean of .* km/h"),
        ("ghi", lambda s: "inf", r"'ghi' is infinite at .* \(UTC; 8760 value\(s\)\)"),
    ],
    ids=["ghi_x10", "ghi_kw", "wind_kmh", "ghi_inf"],
)
def test_epw_out_of_range_is_refused(shared_data: Path, tmp_path: Path, var, fn, pattern):
    path = edit_epw(shared_data / "weather" / EPW, tmp_path / "bad.epw", EPW_FIELD[var], fn)
    with pytest.raises(DataError, match=pattern) as err:
        read(path)
    assert "bad.epw" in _one_line(err)


def test_epw_single_infinite_value_is_not_interpolated(shared_data: Path, tmp_path: Path):
    path = edit_epw(
        shared_data / "weather" / EPW,
        tmp_path / "inf.epw",
        EPW_FIELD["dni"],
        lambda s: "inf",
        {4000},
    )
    with pytest.raises(
        DataError, match=r"inf\.epw: variable 'dni' is infinite at 2019-06-16 15:00"
    ):
        read(path)


@pytest.mark.parametrize(
    ("var", "fn", "pattern"),
    [
        ("temp_air", scale(1.0, 273.15), r"'temp_air' is outside .* look like Kelvin"),
        ("ghi", scale(10.0), r"'ghi' reaches .* scaled x10"),
        ("wind_speed", scale(-1.0, -0.5), r"'wind_speed' is negative"),
    ],
    ids=["kelvin", "ghi_x10", "wind_negative"],
)
def test_pvgis_out_of_range_is_refused(shared_data: Path, tmp_path: Path, var, fn, pattern):
    path = edit_pvgis(shared_data / "weather" / PVGIS, tmp_path / "bad.csv", PVGIS_FIELD[var], fn)
    with pytest.raises(DataError, match=pattern) as err:
        read(path)
    assert "bad.csv" in _one_line(err)


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (
            "152.3",
            r"line 1 \(LOCATION\), field 7 \(latitude \[deg\]\) is '152\.3'; give a number "
            r"in \[-90, 90\]",
        ),
        ("-95", r"field 7 \(latitude \[deg\]\) is '-95'"),
        ("", r"field 7 \(latitude \[deg\]\) is ''; give a number"),
    ],
)
def test_epw_latitude_outside_range_is_refused(shared_data: Path, tmp_path: Path, value, pattern):
    lines = (shared_data / "weather" / EPW).read_bytes().decode("latin-1").split("\r\n")
    head = lines[0].split(",")
    head[6] = value  # LOCATION,city,state,country,source,WMO,latitude,longitude,TZ,elevation
    lines[0] = ",".join(head)
    path = tmp_path / "lat.epw"
    path.write_bytes("\r\n".join(lines).encode("latin-1"))
    with pytest.raises(DataError, match=pattern) as err:
        read(path)
    assert "lat.epw" in _one_line(err)


# ----------------------------------------------------------------------------- canonical netCDF
@pytest.mark.parametrize(
    ("var", "units", "factor", "offset"),
    [
        ("ghi", "kW m-2", 1e-3, 0.0),
        ("dni", "kW/m2", 1e-3, 0.0),
        ("temp_air", "K", 1.0, 273.15),
        ("wind_speed", "km/h", 3.6, 0.0),
        ("pressure", "hPa", 0.01, 0.0),
    ],
)
def test_netcdf_convertible_units_are_converted(
    canonical: xr.Dataset, tmp_path: Path, var, units, factor, offset
):
    ds = canonical.copy(deep=True)
    ds[var] = ds[var] * factor + offset
    ds[var].attrs.update(canonical[var].attrs, units=units)
    out = read(_nc(ds, tmp_path / "units.nc"))
    np.testing.assert_allclose(out[var].values, canonical[var].values, atol=1e-9, rtol=1e-9)
    assert out[var].attrs["units"] == canonical[var].attrs["units"]
    assert out[var].attrs["units_converted_from"] == units
    written = write_weather(ds, tmp_path / "written.nc")  # the writer stores converted values
    with xr.open_dataset(written) as back:
        assert back[var].attrs["units"] == canonical[var].attrs["units"]


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda ds: ds["ghi"].attrs.update(units="furlongs"), r"'ghi' has units 'furlongs'"),
        (lambda ds: ds["ghi"].__setitem__(slice(None), ds["ghi"] / 1000), r"'ghi' peaks at"),
        (lambda ds: ds["dni"][4000:4003].__setitem__(Ellipsis, -50.0), r"'dni' is negative"),
        (lambda ds: ds["dhi"].__setitem__(slice(None), ds["dhi"] * 10), r"'dhi' reaches"),
        (lambda ds: ds["temp_air"].__setitem__(slice(None), ds["temp_air"] + 273.15), "Kelvin"),
        (lambda ds: ds["temp_air"][10:12].__setitem__(Ellipsis, np.inf), r"'temp_air' is inf"),
        (lambda ds: ds["wind_speed"][7].__setitem__(Ellipsis, 140.0), r"'wind_speed' reaches 140"),
        (lambda ds: ds["pressure"].__setitem__(slice(None), ds["pressure"] / 100), "hPa"),
        (lambda ds: ds.attrs.update(latitude=95.0), r"'latitude' = 95 deg"),
        (lambda ds: ds.attrs.update(longitude=400.0), r"'longitude' = 400 deg .*\[-180, 360\]"),
        (lambda ds: ds["ghi"].__setitem__(slice(None), 0.0), r"'ghi' is below 2 W m-2 in all"),
        (lambda ds: ds["dni"].__setitem__(slice(None), 0.0), r"do not fit ghi = dni cos"),
        (lambda ds: ds["dhi"].__setitem__(slice(None), ds["ghi"] * 1.5), r"diffuse 'dhi' exceeds"),
        (
            lambda ds: ds["temp_dew"].__setitem__(slice(None), ds["temp_air"] + 10.0),
            r"'temp_dew' is above 'temp_air' \(by up to 10\.0 K\)",
        ),
        (
            lambda ds: ds["wind_speed"].attrs.update(height_m=-10.0),
            r"'wind_speed' has height_m = -10 m; the measurement height must be above ground",
        ),
    ],
    ids=[
        "unknown_units",
        "ghi_kw_no_units",
        "dni_negative",
        "dhi_x10",
        "kelvin_no_units",
        "temp_inf",
        "wind_gust",
        "pressure_hpa",
        "latitude",
        "longitude",
        "all_dark",
        "dni_zeroed",
        "diffuse_above_global",
        "dew_above_air",
        "negative_height",
    ],
)
def test_netcdf_impossible_values_are_refused(canonical: xr.Dataset, tmp_path: Path, edit, pattern):
    ds = canonical.copy(deep=True)
    edit(ds)
    with pytest.raises(DataError, match=pattern) as err:
        read(_nc(ds, tmp_path / "bad.nc"))
    assert "bad.nc" in _one_line(err)


def test_real_files_pass_unchanged(shared_data: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="gridtwin.weather.physical")
    for name in (EPW, PVGIS, "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw"):
        ds = read(shared_data / "weather" / name)
        assert not any("units_converted_from" in ds[v].attrs for v in ds.data_vars)
    assert not [r for r in caplog.records if r.name == "gridtwin.weather.physical"]


# ------------------------------------------------------------------------------------------ ERA5
def test_era5_path_goes_through_the_same_check(tmp_path: Path):
    from test_era5 import LAT, LON, make_era5, truth_frame

    truth = truth_frame()
    truth["temp_air"] -= 273.15  # t2m written in degC but labelled K
    truth["temp_dew"] -= 273.15
    path = make_era5(truth, tmp_path / "era5.nc", layout="new")
    with pytest.raises(DataError, match=r"era5\.nc: variable 'temp_air' is outside") as err:
        read_era5(path, latitude=LAT, longitude=LON)
    _one_line(err)


def test_epw_in_kelvin_or_utf16_or_without_time_zone_says_so(shared_data: Path, tmp_path: Path):
    """Three EPW slips that gave a misleading line: temperatures in Kelvin (read as the 99.9
    missing code: "no values"), a UTF-16 file ("not an EPW LOCATION line") and an empty time
    zone field (pvlib's "could not convert string to float: ''")."""
    src = shared_data / "weather" / EPW
    kelvin = edit_epw(src, tmp_path / "k.epw", EPW_FIELD["temp_air"],
                      lambda v: f"{float(v) + 273.15:.1f}")  # fmt: skip
    with pytest.raises(DataError, match=r"k\.epw: 'temp_air' .* looks like Kelvin; .*subtract"):
        read(kelvin)
    text = src.read_text(encoding="latin-1")
    (tmp_path / "u.epw").write_text(text, encoding="utf-16")
    with pytest.raises(DataError, match=r"u\.epw: the file is UTF-16 or UTF-32 text; save it"):
        read(tmp_path / "u.epw")
    head, rest = text.split("\n", 1)
    fields = head.split(",")
    fields[8] = ""
    (tmp_path / "tz.epw").write_text(",".join(fields) + "\n" + rest, encoding="latin-1")
    with pytest.raises(DataError, match=r"line 1 \(LOCATION\), field 9 \(time zone \[h from UTC\]"):
        read(tmp_path / "tz.epw")


def test_sites_are_written_with_their_hemispheres() -> None:
    from gridtwin.conventions import lat_lon

    assert lat_lon(40.53, -108.54) == "40.530 N, 108.540 W"  # was "-108.540 E"
    assert lat_lon(-33.9, 18.4) == "33.900 S, 18.400 E"
