"""Hourly study series from CSV and netCDF files (gridtwin.series.resolve_series)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridtwin import series as series_module
from gridtwin.config import PRICE_BOUNDS, SeriesRef, load_study
from gridtwin.exceptions import DataError
from gridtwin.series import resolve_series

ROOT = Path(__file__).resolve().parents[1]
INDEX = pd.date_range("2019-01-01", periods=48, freq="h")
FIELD = "poi.import_price"
# hand-picked prices [USD/MWh]: two daily shapes, one negative hour, not a formula of the index
PRICES = np.array(
    [
        [31.5, 29.0, 27.25, 26.0, 26.5, 30.0, 41.0, 55.5, 62.0, 58.0, 51.0, 48.5],
        [46.0, 45.5, 47.0, 52.0, 66.0, 88.0, 95.5, 80.0, 64.0, 50.0, 41.0, 35.0],
        [33.0, 30.5, 28.0, -4.5, 27.0, 31.0, 44.0, 57.0, 63.5, 59.0, 52.0, 49.0],
        [47.5, 46.0, 48.0, 53.5, 67.0, 90.0, 97.0, 81.5, 65.0, 51.0, 42.0, 36.0],
    ]
).ravel()


def write_csv(
    path: Path, times: pd.DatetimeIndex, values: np.ndarray, fmt: str = "%Y-%m-%dT%H:%M:%SZ"
) -> None:
    pd.DataFrame({"time": times.strftime(fmt), "usd_per_mwh": values}).to_csv(path, index=False)


def write_nc(path: Path, times: pd.DatetimeIndex, values: np.ndarray, **attrs: str) -> None:
    ds = xr.Dataset({"price": ("time", values, attrs)}, coords={"time": times})
    ds.to_netcdf(path)


def resolve(path: Path, name: str) -> np.ndarray:
    return resolve_series(SeriesRef(path=path, column=name), INDEX, FIELD, PRICE_BOUNDS)


def test_constant_and_docstring_examples() -> None:
    assert np.array_equal(resolve_series(75.0, INDEX, FIELD, PRICE_BOUNDS), np.full(48, 75.0))
    assert doctest.testmod(series_module).failed == 0


@pytest.mark.parametrize("suffix", [".nc", ".nc4", ".CDF"])
def test_csv_and_netcdf_give_the_same_series(tmp_path: Path, suffix: str) -> None:
    write_csv(tmp_path / "prices.csv", INDEX, PRICES)
    write_nc(tmp_path / f"prices{suffix}", INDEX, PRICES)
    from_csv = resolve(tmp_path / "prices.csv", "usd_per_mwh")
    from_nc = resolve(tmp_path / f"prices{suffix}", "price")
    assert from_csv.dtype == from_nc.dtype == np.float64
    assert np.array_equal(from_csv, PRICES)
    assert np.array_equal(from_nc, from_csv)


def test_extra_rows_outside_the_study_are_ignored(tmp_path: Path) -> None:
    longer = pd.date_range("2018-12-31 22:00", periods=60, freq="h")
    values = np.concatenate([[1.0, 2.0], PRICES, np.full(10, 3.0)])
    write_csv(tmp_path / "p.csv", longer, values)
    write_nc(tmp_path / "p.nc", longer, values)
    assert np.array_equal(resolve(tmp_path / "p.csv", "usd_per_mwh"), PRICES)
    assert np.array_equal(resolve(tmp_path / "p.nc", "price"), PRICES)


def test_tz_aware_csv_stamps_are_converted_to_utc(tmp_path: Path) -> None:
    # the same hours written in US Eastern standard time (UTC-5): 2019-01-01 00:00 UTC is
    # 2018-12-31 19:00-05:00
    local = INDEX.tz_localize("UTC").tz_convert("Etc/GMT+5")
    path = tmp_path / "local.csv"
    pd.DataFrame({"time": local.strftime("%Y-%m-%d %H:%M:%S%z"), "usd_per_mwh": PRICES}).to_csv(
        path, index=False
    )
    assert path.read_text().splitlines()[1].startswith("2018-12-31 19:00:00-0500")
    assert np.array_equal(resolve(path, "usd_per_mwh"), PRICES)


def test_netcdf_time_units_with_offset_are_decoded_to_utc(tmp_path: Path) -> None:
    # CF units with a UTC offset: hour 0 "since 2019-01-01 05:00+05:00" is 2019-01-01 00:00 UTC
    path = tmp_path / "offset.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("time", len(INDEX))
        time = nc.createVariable("time", "f8", ("time",))
        time.units = "hours since 2019-01-01 05:00:00+05:00"
        time[:] = np.arange(len(INDEX), dtype=float)
        nc.createVariable("price", "f8", ("time",))[:] = PRICES
    assert np.array_equal(resolve(path, "price"), PRICES)


@pytest.mark.parametrize("units", ["USD/MWh", "EUR MWh-1", "usd per MWh", "USD MW-1 h-1"])
def test_netcdf_price_units_are_accepted_and_not_converted(tmp_path: Path, units: str) -> None:
    write_nc(tmp_path / "p.nc", INDEX, PRICES, units=units, long_name="day-ahead price")
    assert np.array_equal(resolve(tmp_path / "p.nc", "price"), PRICES)


@pytest.mark.parametrize(
    ("field", "units"),
    [("poi.import_price", "W m-2"), ("poi.import_price", "US cents/kWh"),
     ("poi.grid_cfe_share", "%"), ("poi.grid_co2_intensity", "g/kWh")],
)  # fmt: skip
def test_netcdf_variable_in_another_unit_is_refused(tmp_path: Path, field: str, units: str):
    """A variable whose units attribute is not the field's (irradiance picked as a price, a
    share in percent) would be used as is: refused, naming the variable and the unit."""
    write_nc(tmp_path / "w.nc", INDEX, np.full(48, 0.5), units=units)
    ref = SeriesRef(path=tmp_path / "w.nc", column="price")
    with pytest.raises(DataError, match=rf"variable 'price' has units '{re.escape(units)}', but"):
        resolve_series(ref, INDEX, field, (-1e4, 1e5))


def test_integer_netcdf_variable_becomes_float(tmp_path: Path) -> None:
    write_nc(tmp_path / "p.nc", INDEX, np.arange(48, dtype=np.int32))
    out = resolve(tmp_path / "p.nc", "price")
    assert out.dtype == np.float64
    assert np.array_equal(out, np.arange(48.0))


# --- errors: the same checks and the same message for every format ------------------------


def _write(kind: str, path: Path, times: pd.DatetimeIndex, values: np.ndarray) -> tuple[Path, str]:
    if kind == "csv":
        write_csv(path.with_suffix(".csv"), times, values)
        return path.with_suffix(".csv"), "column 'usd_per_mwh'"
    write_nc(path.with_suffix(".nc"), times, values)
    return path.with_suffix(".nc"), "variable 'price'"


def _name(what: str) -> str:
    return what.split("'")[1]


@pytest.mark.parametrize("kind", ["csv", "nc"])
def test_missing_hour(tmp_path: Path, kind: str) -> None:
    keep = np.ones(48, dtype=bool)
    keep[[5, 30]] = False
    path, what = _write(kind, tmp_path / "gap", INDEX[keep], PRICES[keep])
    with pytest.raises(DataError) as err:
        resolve(path, _name(what))
    msg = str(err.value)
    assert msg.startswith(f"{path} (study field {FIELD}): {what} is missing")
    assert "at 2019-01-01 05:00:00 (UTC, 2 hours in all)" in msg
    assert (
        "must cover every hour of the weather year 2019-01-01 00:00:00 .. 2019-01-02 23:00:00"
        in msg
    )


@pytest.mark.parametrize("kind", ["csv", "nc"])
def test_nan(tmp_path: Path, kind: str) -> None:
    values = PRICES.copy()
    values[[17, 40, 41]] = np.nan
    path, what = _write(kind, tmp_path / "nan", INDEX, values)
    with pytest.raises(DataError, match=re.escape(f"{what} is missing, non-numeric")) as err:
        resolve(path, _name(what))
    assert str(path) in str(err.value)
    assert "at 2019-01-01 17:00:00 (UTC, 3 hours in all)" in str(err.value)


@pytest.mark.parametrize("kind", ["csv", "nc"])
def test_out_of_bounds(tmp_path: Path, kind: str) -> None:
    values = PRICES.copy()
    values[44] = 250_000.0  # above PRICE_BOUNDS' 100 000 USD/MWh
    path, what = _write(kind, tmp_path / "high", INDEX, values)
    with pytest.raises(DataError) as err:
        resolve(path, _name(what))
    msg = str(err.value)
    assert str(path) in msg
    assert f"{what} is missing, non-numeric or outside [-10000.0, 100000.0]" in msg
    assert "at 2019-01-02 20:00:00 (UTC, 1 hours in all)" in msg


@pytest.mark.parametrize("kind", ["csv", "nc"])
def test_duplicate_stamp(tmp_path: Path, kind: str) -> None:
    times = INDEX.insert(3, INDEX[2])
    path, what = _write(kind, tmp_path / "dup", times, np.insert(PRICES, 3, 99.0))
    with pytest.raises(DataError, match=r"time stamp 2019-01-01 02:00:00 appears more than once"):
        resolve(path, _name(what))


def test_non_numeric_csv_value(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    write_csv(path, INDEX, PRICES)
    path.write_text(path.read_text().replace(",26.5\n", ",n/a\n"))
    with pytest.raises(DataError, match=r"at 2019-01-01 04:00:00 \(UTC, 1 hours in all\)"):
        resolve(path, "usd_per_mwh")


def test_extra_dimension(tmp_path: Path) -> None:
    path = tmp_path / "sites.nc"
    data = np.stack([PRICES, PRICES + 1.0], axis=1)
    xr.Dataset(
        {"price": (("time", "site"), data)}, coords={"time": INDEX, "site": ["a", "b"]}
    ).to_netcdf(path)
    with pytest.raises(DataError) as err:
        resolve(path, "price")
    msg = str(err.value)
    assert msg.startswith(f"{path} (study field {FIELD}): variable 'price' has dimensions")
    assert "('time', 'site')" in msg
    assert "select or squeeze ['site']" in msg
    assert "ds['price'].sel(site=...)" in msg


def test_length_one_extra_dimension_is_not_squeezed_silently(tmp_path: Path) -> None:
    path = tmp_path / "one.nc"
    xr.Dataset(
        {"price": (("scenario", "time"), PRICES[None, :])}, coords={"time": INDEX}
    ).to_netcdf(path)
    with pytest.raises(DataError, match=r"select or squeeze \['scenario'\].*squeeze\('scenario'\)"):
        resolve(path, "price")


def test_time_dimension_with_another_name(tmp_path: Path) -> None:
    path = tmp_path / "valid_time.nc"
    xr.Dataset({"price": ("valid_time", PRICES)}, coords={"valid_time": INDEX}).to_netcdf(path)
    with pytest.raises(DataError, match=r"\('valid_time',\).*name the time dimension 'time'"):
        resolve(path, "price")


def test_time_without_dates(tmp_path: Path) -> None:
    path = tmp_path / "hours.nc"
    xr.Dataset({"price": ("time", PRICES)}, coords={"time": np.arange(48)}).to_netcdf(path)
    with pytest.raises(
        DataError,
        match=r"not decoded as dates \(dtype int64, no CF units\).*'hours since 2019-01-01",
    ):
        resolve(path, "price")


def test_wrong_variable_lists_the_available_ones(tmp_path: Path) -> None:
    path = tmp_path / "p.nc"
    xr.Dataset(
        {"price": ("time", PRICES), "cfe": ("time", np.full(48, 0.4))}, coords={"time": INDEX}
    ).to_netcdf(path)
    with pytest.raises(DataError) as err:
        resolve(path, "usd_per_mwh")
    msg = str(err.value)
    assert str(path) in msg
    assert "variable 'usd_per_mwh' not found; data variables are ['cfe', 'price']" in msg
    assert "'column' names the data variable" in msg


def test_wrong_csv_column_lists_the_available_ones(tmp_path: Path) -> None:
    write_csv(tmp_path / "p.csv", INDEX, PRICES)
    with pytest.raises(DataError, match=r"column 'price' not found; columns are \['time', 'usd"):
        resolve(tmp_path / "p.csv", "price")


def test_garbage_netcdf(tmp_path: Path) -> None:
    path = tmp_path / "prices.nc"
    path.write_text("time,price\n2019-01-01T00:00Z,30\n")  # a CSV saved under a .nc name
    with pytest.raises(DataError) as err:
        resolve(path, "price")
    msg = str(err.value)
    assert msg.startswith(f"{path} (study field {FIELD}): cannot read netCDF")
    assert "files ending in .cdf, .nc, .nc4 are read as netCDF, any other as CSV" in msg


def test_garbage_csv(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_bytes(b"\x89HDF\r\n\x1a\n\x00\x00\xff\xfe" * 20)  # netCDF-4 bytes under .csv
    with pytest.raises(DataError, match=re.escape(str(path))):
        resolve(path, "price")


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    for name in ("absent.nc", "absent.csv"):
        with pytest.raises(DataError, match=re.escape(str(tmp_path / name))):
            resolve(tmp_path / name, "price")


def test_non_standard_calendar(tmp_path: Path) -> None:
    path = tmp_path / "noleap.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("time", len(INDEX))
        time = nc.createVariable("time", "f8", ("time",))
        time.units = "hours since 2019-01-01 00:00:00"
        time.calendar = "noleap"
        time[:] = np.arange(len(INDEX), dtype=float)
        nc.createVariable("price", "f8", ("time",))[:] = PRICES
    with pytest.raises(DataError, match=r"not decoded as dates \(calendar 'noleap'\).*standard"):
        resolve(path, "price")


def test_study_file_with_netcdf_and_csv_series(tmp_path: Path) -> None:
    # series paths in a study are relative to the study file; 'column' names the variable
    write_nc(tmp_path / "prices.nc", INDEX, PRICES, units="USD/MWh")
    cfe = np.linspace(0.3, 0.6, 48)
    pd.DataFrame({"time": INDEX.strftime("%Y-%m-%dT%H:%MZ"), "share": cfe}).to_csv(
        tmp_path / "cfe.csv", index=False
    )
    weather = (ROOT / "weather" / "greensboro_tmy3.nc").as_posix()
    (tmp_path / "s.yaml").write_text(
        f"name: t\nweather:\n  path: {weather}\npoi:\n  p_nom: 10\n"
        "  import_price: {path: prices.nc, column: price}\n"
        "  grid_cfe_share: {path: cfe.csv, column: share}\n"
    )
    poi = load_study(tmp_path / "s.yaml").config.poi
    assert isinstance(poi.import_price, SeriesRef)
    price = resolve_series(poi.import_price, INDEX, FIELD, PRICE_BOUNDS)
    share = resolve_series(poi.grid_cfe_share, INDEX, "poi.grid_cfe_share", (0.0, 1.0))
    assert np.array_equal(price, PRICES)
    assert np.allclose(share, cfe, rtol=1e-15, atol=0.0)  # CSV text round trip


# --- sub-hourly series: hourly means over [t, t + 1 h) --------------------------------------


def test_half_hourly_series_becomes_the_hourly_mean(tmp_path: Path) -> None:
    # 50 on the hour and 150 on the half hour: the hourly mean is 100, not the 50 of 00:00
    times = pd.date_range("2019-01-01", periods=2 * 48, freq="30min")
    write_csv(tmp_path / "rt.csv", times, np.tile([50.0, 150.0], 48))
    assert np.array_equal(resolve(tmp_path / "rt.csv", "usd_per_mwh"), np.full(48, 100.0))


@pytest.mark.parametrize("kind", ["csv", "nc"])
def test_quarter_hourly_stamps_label_the_start_of_their_interval(tmp_path: Path, kind: str) -> None:
    # 00:00, 00:15, 00:30, 00:45 belong to hour 00:00; 01:00 starts the next hour
    times = pd.date_range("2019-01-01", periods=4 * 48, freq="15min")
    values = np.tile([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0], 24)
    path, what = _write(kind, tmp_path / "q", times, values)
    assert np.array_equal(resolve(path, _name(what)), np.tile([25.0, 65.0], 24))


@pytest.mark.parametrize(("freq", "offsets"), [("15min", [-3.0, 1.0, 5.0, -3.0]), ("5min", None)])
def test_sub_hourly_means_reproduce_hourly_prices(
    tmp_path: Path, freq: str, offsets: list[float] | None
) -> None:
    # offsets around each hourly price that average to zero over the hour
    per_hour = 3600 // pd.Timedelta(freq).seconds
    dev = np.array(offsets if offsets is not None else [-5.5, 5.5] * (per_hour // 2))
    assert dev.sum() == 0.0
    times = pd.date_range("2018-12-31 23:00", periods=per_hour * 50, freq=freq)
    values = np.concatenate([np.full(per_hour, 1.0e6), (PRICES[:, None] + dev).ravel()])
    values = np.concatenate([values, np.full(per_hour, 7.0)])  # an hour after the study
    write_csv(tmp_path / "p.csv", times, values)
    out = resolve(tmp_path / "p.csv", "usd_per_mwh")
    np.testing.assert_allclose(out, PRICES, rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("kind", ["csv", "nc"])
def test_sub_hourly_hour_with_fewer_values(tmp_path: Path, kind: str) -> None:
    times = pd.date_range("2019-01-01", periods=4 * 48, freq="15min")
    drop = times.isin(pd.to_datetime(["2019-01-01 05:30", "2019-01-02 10:00", "2019-01-02 10:45"]))
    path, what = _write(kind, tmp_path / "gap", times[~drop], np.full(int((~drop).sum()), 40.0))
    with pytest.raises(DataError) as err:
        resolve(path, _name(what))
    msg = str(err.value)
    assert msg.startswith(f"{path} (study field {FIELD}): {what} has 3 values instead of 4")
    assert "(a step of 15 min) in the hour from 2019-01-01 05:00:00 (UTC, 2 hours in all)" in msg
    assert "\n" not in msg


def test_sub_hourly_series_must_cover_the_study(tmp_path: Path) -> None:
    times = pd.date_range("2019-01-01", periods=4 * 40, freq="15min")  # 40 of the 48 hours
    write_csv(tmp_path / "short.csv", times, np.full(160, 40.0))
    with pytest.raises(
        DataError, match=r"has 0 values instead of 4 .* 2019-01-02 16:00:00 \(UTC, 8 hours in all\)"
    ):
        resolve(tmp_path / "short.csv", "usd_per_mwh")


@pytest.mark.parametrize(
    ("first", "then", "pattern"),
    [
        # mostly 30 min, the first 10 h at 15 min: 00:15 is off the 30-min grid
        (
            "15min",
            "30min",
            r"irregular time step: its stamps are mostly 30 min apart, but "
            r"2019-01-01 00:15:00 \(UTC, 20 stamps in all\) is off",
        ),
        # mostly 15 min, the first 10 h at 30 min: those hours hold 2 values instead of 4
        (
            "30min",
            "15min",
            r"has 2 values instead of 4 \(a step of 15 min\) in the hour from "
            r"2019-01-01 00:00:00 \(UTC, 10 hours in all\)",
        ),
    ],
)
def test_mixed_15_and_30_min_steps(tmp_path: Path, first: str, then: str, pattern: str) -> None:
    head = pd.date_range("2019-01-01", "2019-01-01 09:59", freq=first)
    tail = pd.date_range("2019-01-01 10:00", "2019-01-02 23:59", freq=then)
    times = head.append(tail)
    write_csv(tmp_path / "mixed.csv", times, np.full(len(times), 40.0))
    with pytest.raises(DataError, match=pattern):
        resolve(tmp_path / "mixed.csv", "usd_per_mwh")


def test_step_that_does_not_divide_the_hour(tmp_path: Path) -> None:
    times = pd.date_range("2019-01-01", "2019-01-02 23:59", freq="7min")
    write_csv(tmp_path / "p.csv", times, np.full(len(times), 40.0))
    with pytest.raises(DataError, match=r"column 'usd_per_mwh' has a time step of 7 min, which "):
        resolve(tmp_path / "p.csv", "usd_per_mwh")


def test_stamp_off_the_sub_hourly_grid(tmp_path: Path) -> None:
    times = pd.date_range("2019-01-01", periods=4 * 48, freq="15min")
    times = times.insert(6, pd.Timestamp("2019-01-01 01:20"))
    write_csv(tmp_path / "p.csv", times, np.full(len(times), 40.0))
    with pytest.raises(DataError, match=r"mostly 15 min apart, but 2019-01-01 01:20:00 \(UTC, 1 "):
        resolve(tmp_path / "p.csv", "usd_per_mwh")


@pytest.mark.parametrize(("bad", "hour"), [(np.nan, "01"), (250_000.0, "02")])
def test_sub_hourly_value_nan_or_out_of_bounds(tmp_path: Path, bad: float, hour: str) -> None:
    # one bad 15-min value spoils its hour even where the hourly mean would be within bounds
    times = pd.date_range("2019-01-01", periods=4 * 48, freq="15min")
    values = np.full(len(times), -9_000.0)
    values[times.get_loc(pd.Timestamp(f"2019-01-01 {hour}:45"))] = bad
    write_csv(tmp_path / "p.csv", times, values)
    with pytest.raises(DataError, match=rf"at 2019-01-01 {hour}:00:00 \(UTC, 1 hours in all\)"):
        resolve(tmp_path / "p.csv", "usd_per_mwh")


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
def test_csv_stamps_without_a_zone_need_the_offset(tmp_path: Path, fmt: str) -> None:
    """A CSV in local time without a zone (here CET, UTC+1) would be read one hour off as
    UTC: it is refused unless the study says the offset, and with it lands on UTC."""
    path = tmp_path / "cet.csv"
    write_csv(path, INDEX + pd.Timedelta(hours=1), PRICES, fmt=fmt)
    with pytest.raises(DataError, match=r"cet\.csv .*stamps have no time zone \(first: .*"
                       r"utc_offset_h: 0\} for UTC"):  # fmt: skip
        resolve(path, "usd_per_mwh")
    ref = SeriesRef(path=path, column="usd_per_mwh", utc_offset_h=1.0)
    assert np.array_equal(resolve_series(ref, INDEX, FIELD, PRICE_BOUNDS), PRICES)


def test_csv_mixing_zoned_and_naive_stamps_is_refused(tmp_path: Path) -> None:
    stamps = list(INDEX.strftime("%Y-%m-%dT%H:%MZ"))
    stamps[5] = INDEX[5].strftime("%Y-%m-%d %H:%M")
    pd.DataFrame({"time": stamps, "usd_per_mwh": PRICES}).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(DataError, match=r"some 'time' stamps carry a time zone and some do not "
                       r"\(first without: 2019-01-01 05:00\)"):  # fmt: skip
        resolve(tmp_path / "m.csv", "usd_per_mwh")


def test_netcdf_times_without_a_zone_are_utc(tmp_path: Path) -> None:
    write_nc(tmp_path / "p.nc", INDEX, PRICES)  # CF: no zone in the units means UTC
    assert np.array_equal(resolve(tmp_path / "p.nc", "price"), PRICES)


@pytest.mark.parametrize(("scale", "warned"), [(1e-3, True), (1.0, False)])
def test_price_per_kwh_is_warned(
    tmp_path: Path, scale: float, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """0.03-0.10 USD/kWh typed into a per-MWh field is 1000 times too cheap: warned."""
    write_csv(tmp_path / "p.csv", INDEX, PRICES * scale)
    with caplog.at_level("WARNING", logger="gridtwin.series"):
        resolve(tmp_path / "p.csv", "usd_per_mwh")
        resolve_series(0.07 * scale * 1000, INDEX, FIELD, PRICE_BOUNDS)
    messages = [r.getMessage() for r in caplog.records if "per kWh" in r.getMessage()]
    assert len(messages) == (2 if warned else 0)
    if warned:
        assert "p.csv" in messages[0] and "multiply by 1000" in messages[0]
