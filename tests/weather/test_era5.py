"""ERA5 reader: de-accumulation, label shift, dni from fdir, both CDS layouts, errors.

The ERA5 files are generated here, in ``tmp_path``, from a known hourly series: pvlib's bundled
NSRDB TMY3 file for Greensboro (723170TYA.CSV, read with pvlib, not with gridtwin). Irradiance
interval means become end-of-hour accumulations [J m-2], temperatures become kelvin valid at the
stamps, wind speed and direction become u/v components. Reading the file back must return the
original series after the conversions documented in :mod:`gridtwin.weather.era5`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
import xarray as xr

from gridtwin.exceptions import DataError
from gridtwin.weather.canonical import validate_weather
from gridtwin.weather.era5 import MAX_ZENITH_DEG, convert_irradiance, read_era5

TMY3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"
LAT, LON = 36.1, -79.95  # Greensboro, NC (TMY3 header: 36.1, -79.95)
LATS = np.array([36.35, 36.1, 35.85])  # 0.25 deg ERA5 grid, north to south as the CDS writes it
LONS = np.array([279.8, 280.05])  # 0..360 longitudes as in older CDS files; 280.05 = -79.95


def truth_frame() -> pd.DataFrame:
    """Hourly interval means of the TMY3 file indexed by interval start (UTC)."""
    df, _ = pvlib.iotools.read_tmy3(TMY3, coerce_year=2019, map_variables=True)
    start = (df.index - pd.Timedelta(hours=1)).tz_convert("UTC").tz_localize(None)
    out = pd.DataFrame(
        {
            "dni": df["dni"].to_numpy(float),
            "dhi": df["dhi"].to_numpy(float),
            "temp_air": df["temp_air"].to_numpy(float),
            "temp_dew": df["temp_dew"].to_numpy(float),
            "wind_speed": df["wind_speed"].to_numpy(float),
            "wind_direction": df["wind_direction"].to_numpy(float),
            "pressure": df["pressure"].to_numpy(float) * 100.0,
        },
        index=pd.DatetimeIndex(start).as_unit("ns"),
    )
    return out


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return truth_frame()


def _instantaneous(values: np.ndarray) -> np.ndarray:
    """N hourly values -> N + 1 values at stamps (the last repeated)."""
    return np.append(values, values[-1])


def _expected(truth: pd.DataFrame) -> pd.DataFrame:
    """What read_era5 must return for the file of :func:`make_era5` (documented conversions)."""
    mean = lambda x: 0.5 * (x[:-1] + x[1:])  # noqa: E731 - interval mean of stamp values
    temp_air = mean(_instantaneous(truth["temp_air"].to_numpy()))
    pressure = mean(_instantaneous(truth["pressure"].to_numpy()))
    mid = truth.index.tz_localize("UTC") + pd.Timedelta(minutes=30)
    sun = pvlib.solarposition.get_solarposition(
        mid, LAT, LON, altitude=0.0, pressure=pressure, temperature=temp_air
    )
    cos_z = np.cos(np.radians(sun["apparent_zenith"].to_numpy()))
    high = sun["apparent_zenith"].to_numpy() <= MAX_ZENITH_DEG
    beam_h = truth["dni"].to_numpy() * np.clip(cos_z, 0.0, None)
    ghi = truth["dhi"].to_numpy() + beam_h  # closure: consistent by construction
    return pd.DataFrame(
        {
            "ghi": ghi,
            "beam_h": beam_h,
            "dni": np.where(high, truth["dni"].to_numpy(), 0.0),
            "dhi": np.where(high, truth["dhi"].to_numpy(), ghi),
            "temp_air": temp_air,
            "temp_dew": mean(_instantaneous(truth["temp_dew"].to_numpy())),
            "pressure": pressure,
            "wind_speed": mean(_instantaneous(truth["wind_speed"].to_numpy())),
        },
        index=truth.index,
    )


def make_era5(
    truth: pd.DataFrame,
    path: Path,
    *,
    layout: str = "old",
    shift_hours: int = 0,
    drop: tuple[str, ...] = (),
    units: dict[str, str] | None = None,
) -> Path:
    """Write an ERA5-like single-level netCDF on a 3 x 2 grid; the site cell holds ``truth``.

    Stamps ``t_0 .. t_N`` (N + 1 of them) with ``t_0`` = first interval start: accumulations at
    ``t_k+1`` hold the energy of interval ``k``; instantaneous fields hold the hourly values at
    the stamps. ``shift_hours`` mislabels the accumulations (for the sensitivity check).
    """
    exp = _expected(truth)
    n = len(truth)
    stamps = pd.date_range(truth.index[0], periods=n + 1, freq="h")
    acc = lambda x: np.roll(np.concatenate([[0.0], x * 3600.0]), shift_hours)  # noqa: E731
    inst = lambda c: _instantaneous(truth[c].to_numpy())  # noqa: E731
    direction = np.radians(inst("wind_direction"))  # meteorological: where the wind comes from
    series = {
        "ssrd": (acc(exp["ghi"].to_numpy()), "J m**-2", "Surface solar radiation downwards"),
        "fdir": (
            acc(exp["beam_h"].to_numpy()),
            "J m**-2",
            "Total sky direct solar radiation at surface",
        ),
        "t2m": (inst("temp_air") + 273.15, "K", "2 metre temperature"),
        "d2m": (inst("temp_dew") + 273.15, "K", "2 metre dewpoint temperature"),
        "sp": (inst("pressure"), "Pa", "Surface pressure"),
        "u100": (-inst("wind_speed") * np.sin(direction), "m s**-1", "100 metre U wind"),
        "v100": (-inst("wind_speed") * np.cos(direction), "m s**-1", "100 metre V wind"),
        "u10": (-0.7 * inst("wind_speed") * np.sin(direction), "m s**-1", "10 metre U wind"),
        "v10": (-0.7 * inst("wind_speed") * np.cos(direction), "m s**-1", "10 metre V wind"),
        "fsr": (np.full(n + 1, 0.3), "m", "Forecast surface roughness"),
    }
    # the site cell (index 1, 1) holds the truth, the other cells a scaled copy
    scale = np.full((LATS.size, LONS.size), 0.5)
    scale[1, 1] = 1.0
    tdim = "valid_time" if layout == "new" else "time"
    data_vars = {}
    for name, (values, unit, long_name) in series.items():
        if name in drop:
            continue
        offset = 273.15 if name in ("t2m", "d2m") else 0.0
        cube = (values[:, None, None] - offset) * scale[None] + offset
        attrs = {"units": (units or {}).get(name, unit), "long_name": long_name}
        data_vars[name] = ((tdim, "latitude", "longitude"), cube.astype("float32"), attrs)
    coords: dict[str, object] = {tdim: stamps, "latitude": LATS, "longitude": LONS}
    if layout == "new":  # CDS-Beta / new CDS: valid_time, scalar number, expver along time
        coords["number"] = 0
        coords["expver"] = (tdim, np.full(n + 1, "0001"))
    ds = xr.Dataset(data_vars, coords=coords)
    if layout == "expver":  # old CDS ERA5 + ERA5T mix: expver dim, NaN where the other holds
        split = n // 2
        era5 = ds.where(ds[tdim] < stamps[split])
        era5t = ds.where(ds[tdim] >= stamps[split])
        ds = xr.concat([era5, era5t], dim=pd.Index([1, 5], name="expver"))
        ds = ds.transpose(tdim, "expver", "latitude", "longitude")
        for name in ds.data_vars:
            ds[name].attrs["units"] = series[str(name)][1]
    encoding = {}
    if layout == "old":  # old CDS netCDF3: int16 packing with scale_factor/add_offset
        for name in ds.data_vars:
            lo, hi = float(ds[name].min()), float(ds[name].max())
            encoding[name] = {
                "dtype": "int16",
                "scale_factor": (hi - lo) / 65532.0 or 1.0,
                "add_offset": (hi + lo) / 2.0,
                "_FillValue": -32767,
            }
    ds.to_netcdf(path, encoding=encoding)
    return path


def _pick(ds: xr.Dataset, var: str) -> np.ndarray:
    return np.asarray(ds[var].values, dtype=float)


@pytest.fixture(scope="module")
def new_file(truth: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_era5(truth, tmp_path_factory.mktemp("era5") / "new.nc", layout="new")


@pytest.fixture(scope="module")
def new(new_file: Path) -> xr.Dataset:
    return read_era5(new_file, latitude=36.0, longitude=-80.0)


def test_new_layout_recovers_series(new: xr.Dataset, truth: pd.DataFrame):
    exp = _expected(truth)
    np.testing.assert_array_equal(new["time"].values, truth.index.values)
    for var in ("ghi", "dni", "dhi"):
        np.testing.assert_allclose(_pick(new, var), exp[var], atol=0.05, err_msg=var)
    np.testing.assert_allclose(_pick(new, "temp_air"), exp["temp_air"], atol=1e-4)
    np.testing.assert_allclose(_pick(new, "temp_dew"), exp["temp_dew"], atol=1e-4)
    np.testing.assert_allclose(_pick(new, "pressure"), exp["pressure"], rtol=1e-6)
    np.testing.assert_allclose(_pick(new, "wind_speed"), exp["wind_speed"], atol=1e-5)
    np.testing.assert_allclose(_pick(new, "wind_speed_10m"), 0.7 * exp["wind_speed"], atol=1e-5)
    np.testing.assert_allclose(_pick(new, "roughness_length"), 0.3, rtol=1e-6)


def test_closure_and_low_sun_energy(new: xr.Dataset, truth: pd.DataFrame):
    exp = _expected(truth)
    cos_z = np.where(exp["dni"] > 0, exp["beam_h"] / exp["dni"].where(exp["dni"] > 0), 0.0)
    closure = _pick(new, "dhi") + _pick(new, "dni") * cos_z
    np.testing.assert_allclose(closure, _pick(new, "ghi"), atol=0.05)
    # the direct energy moved to dhi by the z > 87 deg guard is a tiny share of the year
    moved = float(exp["beam_h"].sum()) - float((_pick(new, "dni") * cos_z).sum())
    assert 0.0 <= moved < 1e-3 * float(new["ghi"].sum())


def test_one_hour_label_shift_is_detected(truth: pd.DataFrame, tmp_path: Path):
    # accumulations labelled at the interval start (a 1 h error) cannot pass the comparison
    path = make_era5(truth, tmp_path / "shifted.nc", layout="new", shift_hours=-1)
    ds = read_era5(path, latitude=LAT, longitude=LON)
    error = np.abs(_pick(ds, "ghi") - _expected(truth)["ghi"].to_numpy())
    assert error.max() > 100.0
    # and the time labels are interval starts: the first hour is 2019-01-01 05:00 UTC
    assert pd.Timestamp(ds["time"].values[0]) == pd.Timestamp("2019-01-01 05:00")


def test_old_packed_layout_and_grid_selection(truth: pd.DataFrame, tmp_path: Path):
    path = make_era5(truth, tmp_path / "old.nc", layout="old")
    ds = read_era5(path, latitude=LAT, longitude=LON)
    exp = _expected(truth)
    # int16 packing: ~55 J m-2 steps -> 0.02 W m-2 in ghi, /cos(87 deg) in dni
    np.testing.assert_allclose(_pick(ds, "ghi"), exp["ghi"], atol=0.05)
    np.testing.assert_allclose(_pick(ds, "dni"), exp["dni"], atol=0.5)
    np.testing.assert_allclose(_pick(ds, "temp_air"), exp["temp_air"], atol=1e-3)
    assert ds.attrs["latitude"] == pytest.approx(36.1)
    assert ds.attrs["longitude"] == pytest.approx(-79.95)  # 280.05 E -> -79.95
    assert ds.attrs["era5_requested_longitude"] == LON
    assert ds["wind_speed"].attrs["height_m"] == 100.0
    assert ds["ghi"].attrs["units"] == "W m-2"
    assert ds["wind_speed_10m"].attrs["units"] == "m s-1"
    validate_weather(ds)


def test_expver_dimension_is_combined(truth: pd.DataFrame, tmp_path: Path):
    sub = truth.iloc[:240]
    path = make_era5(sub, tmp_path / "expver.nc", layout="expver")
    ds = read_era5(path, latitude=LAT, longitude=LON)
    exp = _expected(sub)
    np.testing.assert_allclose(_pick(ds, "ghi"), exp["ghi"], atol=0.05)
    np.testing.assert_allclose(_pick(ds, "temp_air"), exp["temp_air"], atol=1e-4)


def test_interval_mean_of_a_linear_ramp_is_the_midpoint_value(truth: pd.DataFrame, tmp_path):
    sub = truth.iloc[:48].copy()
    sub["temp_air"] = np.arange(48.0)  # 1 K per hour at the stamps
    sub["temp_dew"] = sub["temp_air"] - 5.0
    ds = read_era5(make_era5(sub, tmp_path / "ramp.nc", layout="new"), LAT, LON)
    np.testing.assert_allclose(_pick(ds, "temp_air")[:-1], np.arange(47.0) + 0.5, atol=1e-4)


def test_relative_humidity(new: xr.Dataset):
    # Magnus formula over water (Alduchov & Eskridge 1996, doi:10.1175/1520-0450(1996)035
    # <0601:IMFAOS>2.0.CO;2) agrees with ASHRAE to < 1 % RH above 0 degC. (Below 0 degC
    # PsychroLib uses saturation over ice, so it is not compared there.)
    t, td = _pick(new, "temp_air"), _pick(new, "temp_dew")
    magnus = 100.0 * np.exp(17.625 * td / (243.04 + td) - 17.625 * t / (243.04 + t))
    warm = td > 0.5
    assert warm.sum() > 5000
    np.testing.assert_allclose(_pick(new, "relative_humidity")[warm], magnus[warm], atol=1.0)
    assert new["relative_humidity"].attrs["units"] == "%"


def test_dni_guards():
    start = pd.DatetimeIndex(["2019-06-21 16:00", "2019-06-21 00:00", "2019-06-21 09:45"])
    # Greensboro: 16:00-17:00 UTC is near solar noon, 00:00 is night, 10:15 is just after sunrise
    mid = start.tz_localize("UTC") + pd.Timedelta(minutes=30)
    zenith = pvlib.solarposition.get_solarposition(mid, LAT, LON)["apparent_zenith"]
    assert MAX_ZENITH_DEG < zenith.iloc[2] < 90.0
    ghi, dni, dhi = convert_irradiance(
        np.array([5e6, 0.0, 3.6e4]), np.array([9e6, 0.0, 3.6e4]), start, LAT, LON
    )
    extra = pvlib.irradiance.get_extra_radiation(start[:1] + pd.Timedelta(minutes=30))
    assert dni[0] == pytest.approx(float(extra.iloc[0]))  # capped (and fdir limited to ssrd)
    assert dni[1] == 0.0 and ghi[1] == 0.0
    assert dni[2] == 0.0 and dhi[2] == pytest.approx(10.0)  # low sun: direct goes to diffuse


def test_multi_cell_file_needs_a_site(new_file: Path):
    with pytest.raises(DataError, match=r"3 x 2 grid cells; pass latitude"):
        read_era5(new_file)
    with pytest.raises(DataError, match="outside the area"):
        read_era5(new_file, latitude=48.0, longitude=11.0)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"drop": ("fdir",)}, r"small\.nc: ERA5 variable\(s\) fdir missing"),
        ({"units": {"t2m": "degC"}}, r"variable 't2m' has units 'degC'; expected 'K'"),
    ],
)
def test_errors_name_file_and_variable(truth, tmp_path, kwargs, pattern):
    path = make_era5(truth.iloc[:24], tmp_path / "small.nc", layout="new", **kwargs)
    with pytest.raises(DataError, match=pattern):
        read_era5(path, LAT, LON)


def test_negative_accumulation_is_an_error(truth: pd.DataFrame, tmp_path: Path):
    path = make_era5(truth.iloc[:24], tmp_path / "neg.nc", layout="new")
    with xr.open_dataset(path) as handle:
        ds = handle.load()
    ds["ssrd"][5] = -5000.0
    bad = tmp_path / "neg2.nc"
    ds.to_netcdf(bad)
    with pytest.raises(DataError, match=r"neg2\.nc: variable 'ssrd' is negative at 2019-01-01"):
        read_era5(bad, LAT, LON)
    ds["ssrd"][5] = 0.0
    ds["ssrd"][10] = -3.0  # 15:00 UTC, daylight; packing noise: accepted and set to zero
    ds.to_netcdf(tmp_path / "neg3.nc")
    ghi = _pick(read_era5(tmp_path / "neg3.nc", LAT, LON), "ghi")
    assert ghi[9] == 0.0 and ghi[10] > 0.0


def test_missing_file():
    with pytest.raises(DataError, match="ERA5 file not found"):
        read_era5("/nonexistent/era5.nc")


def test_new_cds_split_download_is_merged(truth: pd.DataFrame, tmp_path: Path):
    # the new CDS delivers instantaneous and accumulated fields as two files in one zip
    path = make_era5(truth.iloc[:48], tmp_path / "both.nc", layout="new")
    with xr.open_dataset(path) as handle:
        both = handle.load()
    both[["ssrd", "fdir"]].to_netcdf(tmp_path / "data_stream-oper_stepType-accum.nc")
    both.drop_vars(["ssrd", "fdir"]).to_netcdf(tmp_path / "data_stream-oper_stepType-instant.nc")
    split = read_era5(
        [
            tmp_path / "data_stream-oper_stepType-instant.nc",
            tmp_path / "data_stream-oper_stepType-accum.nc",
        ],
        LAT,
        LON,
    )
    xr.testing.assert_allclose(split.drop_attrs(), read_era5(path, LAT, LON).drop_attrs())


def single_cell(path: Path, out: Path) -> Path:
    """The site cell of a :func:`make_era5` file, as a one-point CDS download (dims of size 1)."""
    with xr.open_dataset(path) as handle:
        handle.isel(latitude=slice(1, 2), longitude=slice(1, 2)).load().to_netcdf(out)
    return out


def test_registry_reads_era5(truth: pd.DataFrame, tmp_path: Path):
    from gridtwin.weather import read

    point = single_cell(
        make_era5(truth.iloc[:72], tmp_path / "grid.nc", layout="new"), tmp_path / "p.nc"
    )
    ds = read(point, format="era5")
    assert ds.attrs["era5_grid_cell"] == "36.1000, -79.9500"
    assert "era5_requested_latitude" not in ds.attrs
    np.testing.assert_allclose(_pick(ds, "ghi"), _expected(truth.iloc[:72])["ghi"], atol=0.05)
