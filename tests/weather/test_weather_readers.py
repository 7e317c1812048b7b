"""gridtwin.weather.read: every weather file we have, to the canonical set, correctly.

References come from outside gridtwin: annual irradiation is summed from the raw files with
pandas / plain string slicing, the sun position from pvlib. Bad files are made by editing copies
of the real files in memory and writing them to ``tmp_path``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
import xarray as xr

from gridtwin.exceptions import ConfigError, DataError
from gridtwin.weather import FORMATS, read, stack_years
from gridtwin.weather.normalise import MAX_GAP_HOURS, normalise

PVLIB_DATA = Path(pvlib.__file__).parent / "data"
EPW = "NLD_Amsterdam062400_IWEC.epw"
PVGIS = "tmy_45.000_8.000_2005_2023.csv"
PSM3 = "nsrdb_psm3_2017_40.53_-108.54.csv"
PVWATTS = "pvwatts_8760_rackmount.csv"


# ----------------------------------------------------------------------------- raw references
def _raw_epw(path: Path) -> float:
    raw = pd.read_csv(path, skiprows=8, header=None)
    return float(raw[13].sum())  # field 14: global horizontal radiation [Wh m-2]


def _raw_pvgis_csv(path: Path) -> float:
    raw = pd.read_csv(path, skiprows=17, nrows=8760)
    return float(raw["G(h)"].sum())


def _raw_pvgis_json(path: Path) -> float:
    rows = json.loads(path.read_text())["outputs"]["tmy_hourly"]
    return float(sum(r["G(h)"] for r in rows))


def _raw_psm3(path: Path) -> float:
    raw = pd.read_csv(path, skiprows=2)
    return float(raw["GHI"].sum() * 0.5)  # 30-min samples: Wh m-2 = W m-2 x 0.5 h


def _raw_tmy2(path: Path) -> float:
    lines = path.read_text().splitlines()[1:]
    return float(sum(int(line[17:21]) for line in lines))  # GHI field, columns 18-21


def _raw_tmy3(path: Path) -> float:
    return float(pd.read_csv(path, skiprows=1)["GHI (W/m^2)"].sum())


def _pvgis_json_from_csv(src: Path, dest: Path) -> Path:
    """Write the PVGIS CSV as the JSON the PVGIS API returns (structure of pvlib's test file)."""
    lines = src.read_text().splitlines()
    head = {ln.split(":")[0]: float(ln.split(":")[1]) for ln in lines[:4]}
    months = [{"month": int(m), "year": int(y)} for m, y in csv.reader(lines[5:17])]
    table = list(csv.DictReader(lines[17 : 17 + 8761]))
    rows = [{k: (v if k == "time(UTC)" else float(v)) for k, v in r.items()} for r in table]
    location = {
        "latitude": head["Latitude (decimal degrees)"],
        "longitude": head["Longitude (decimal degrees)"],
        "elevation": head["Elevation (m)"],
        "irradiance_time_offset": head["Irradiance Time Offset (h)"],
    }
    doc = {
        "inputs": {
            "location": location,
            "meteo_data": {"radiation_db": "PVGIS-SARAH3", "meteo_db": "ERA5"},
        },
        "outputs": {"months_selected": months, "tmy_hourly": rows},
        "meta": {"inputs": {}, "outputs": {}},
    }
    dest.write_text(json.dumps(doc))
    return dest


@dataclass(frozen=True)
class Case:
    name: str
    first_utc: str
    lat: float
    lon: float
    alt: float
    convention: str
    resolution: str
    typical: bool
    wind_height: float


CASES: dict[str, Case] = {
    # EPW hour 1 = 00:00-01:00 UTC+1 = 23:00 UTC the day before.
    "epw": Case(EPW, "2018-12-31 23:00", 52.3, 4.77, -2.0,
                "hour-ending (hours 1..24) local standard time, UTC+1", "60 min", True, 10.0),
    "pvgis_csv": Case(PVGIS, "2019-01-01 00:00", 45.0, 8.0, 250.0,
                      "hour-beginning UTC; irradiance valid at stamp + irradiance_time_offset_h",
                      "60 min", True, 10.0),
    "pvgis_json": Case("tmy_45.000_8.000_2005_2023.json", "2019-01-01 00:00", 45.0, 8.0, 250.0,
                       "hour-beginning UTC; irradiance valid at stamp + irradiance_time_offset_h",
                       "60 min", True, 10.0),
    # local 00:00 UTC-7 = 07:00 UTC; the first hour holds the windows of 07:00 and 07:30.
    "psm3": Case(PSM3, "2017-01-01 07:00", 40.53, -108.54, 2168.0,
                 "instantaneous 30-min samples local standard time, UTC-7", "30 min", False, 2.0),
    "tmy2": Case("12839.tm2", "2019-01-01 05:00", 25.8, -80.26666666666667, 2.0,
                 "hour-ending local standard time, UTC-5", "60 min", True, 10.0),
    "tmy3": Case("723170TYA.CSV", "2019-01-01 05:00", 36.1, -79.95, 273.0,
                 "hour-ending local standard time, UTC-5", "60 min", True, 10.0),
    "tmy3_ak": Case("703165TY.csv", "2019-01-01 09:00", 55.317, -160.517, 7.0,
                    "hour-ending local standard time, UTC-9", "60 min", True, 10.0),
}  # fmt: skip
RAW = {
    "epw": _raw_epw,
    "pvgis_csv": _raw_pvgis_csv,
    "pvgis_json": _raw_pvgis_json,
    "psm3": _raw_psm3,
    "tmy2": _raw_tmy2,
    "tmy3": _raw_tmy3,
    "tmy3_ak": _raw_tmy3,
}


@pytest.fixture(scope="module")
def paths(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    weather = shared_data / "weather"
    json_path = tmp_path_factory.mktemp("pvgis") / CASES["pvgis_json"].name
    return {
        "epw": weather / EPW,
        "pvgis_csv": weather / PVGIS,
        "pvgis_json": _pvgis_json_from_csv(weather / PVGIS, json_path),
        "psm3": weather / PSM3,
        "tmy2": PVLIB_DATA / "12839.tm2",
        "tmy3": PVLIB_DATA / "723170TYA.CSV",
        "tmy3_ak": PVLIB_DATA / "703165TY.csv",
    }


@pytest.fixture(scope="module")
def sets(paths: dict[str, Path]) -> dict[str, xr.Dataset]:
    return {key: read(path) for key, path in paths.items()}


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


# ----------------------------------------------------------------------------- real files
@pytest.mark.parametrize("key", list(CASES))
def test_hourly_utc_index(sets: dict[str, xr.Dataset], key: str):
    ds, case = sets[key], CASES[key]
    time = pd.DatetimeIndex(ds["time"].values)
    assert time.tz is None
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    assert time.size == 8760  # none of these files has a 29 February
    assert (np.diff(time.values) == np.timedelta64(1, "h")).all()
    assert time[0] == pd.Timestamp(case.first_utc)
    for name in ds.data_vars:
        assert not np.isnan(ds[name].values).any(), name


@pytest.mark.parametrize("key", list(CASES))
def test_no_light_when_the_sun_is_down(sets: dict[str, xr.Dataset], key: str):
    ds = sets[key]
    ghi = ds["ghi"].values
    up = {s: _elevation(ds, s) for s in (-60, 0, 60, 120)}
    # Sun more than 5 deg below the horizon at both ends of the interval: no light at all.
    dark = np.maximum(up[0], up[60]) < -5.0
    assert dark.sum() > 3000
    assert (ghi[dark] == 0.0).all()
    # The same test on labels one hour late or early (hour-ending read as hour-beginning, or
    # the reverse) finds sunlit hours in the dark: the test tells a one-hour error. Exception:
    # PVGIS-SARAH irradiance is sampled 10.6 min into the hour, so an early error stays dark
    # there; test_daily_centroid_at_solar_noon catches that one.
    early = np.maximum(up[-60], up[0]) < -5.0
    late = np.maximum(up[60], up[120]) < -5.0
    assert (ghi[late] > 0).sum() > 10
    assert (ghi[early] > 0).sum() > (-1 if key.startswith("pvgis") else 10)


@pytest.mark.parametrize("key", list(CASES))
def test_daily_centroid_at_solar_noon(sets: dict[str, xr.Dataset], key: str):
    """The GHI-weighted mean time of each day sits at solar noon (pvlib equation of time).

    PVGIS irradiance is valid at ``stamp + irradiance_time_offset_h`` (0.1761 h) while the
    interval midpoint is stamp + 30 min, so there the centroid is 19.4 min late by design.
    """
    ds = sets[key]
    ghi = ds["ghi"].to_series()
    mid = pd.DatetimeIndex(ghi.index) + pd.Timedelta(minutes=30)
    eot_h = np.asarray(pvlib.solarposition.equation_of_time_spencer71(mid.dayofyear)) / 60.0
    solar_h = (mid.hour + mid.minute / 60.0 + ds.attrs["longitude"] / 15.0 + eot_h) % 24.0
    day = (mid + pd.Timedelta(hours=ds.attrs["longitude"] / 15.0)).floor("D")
    frame = pd.DataFrame({"g": ghi.to_numpy(), "gt": ghi.to_numpy() * solar_h}, index=day)
    daily = frame.groupby(level=0).sum()
    daily = daily[daily["g"] > 500.0]
    offset_min = float(((daily["gt"] / daily["g"]).mean() - 12.0) * 60.0)
    expected = 30.0 - 60.0 * ds.attrs.get("irradiance_time_offset_h", 0.5)
    assert offset_min == pytest.approx(expected, abs=15.0)  # a 1-h error is 60 min off


@pytest.mark.parametrize("key", list(CASES))
def test_annual_irradiation_equals_source(
    sets: dict[str, xr.Dataset], paths: dict[str, Path], key: str
):
    ours = float(sets[key]["ghi"].sum())  # hourly means [W m-2] x 1 h = Wh m-2
    source = RAW[key](paths[key])
    assert ours == pytest.approx(source, rel=0.01)
    if key == "psm3":  # the 30-min to hourly averaging keeps the energy exactly (night edges)
        assert ours == pytest.approx(source, rel=1e-9)


@pytest.mark.parametrize("key", list(CASES))
def test_metadata(sets: dict[str, xr.Dataset], key: str):
    ds, case = sets[key], CASES[key]
    a = ds.attrs
    assert a["latitude"] == pytest.approx(case.lat, abs=1e-3)
    assert a["longitude"] == pytest.approx(case.lon, abs=1e-3)
    assert a["altitude"] == pytest.approx(case.alt)
    assert case.name in a["source"] and "pvlib.iotools.read_" in a["source"]
    assert a["site_name"]
    assert a["original_time_convention"] == case.convention
    assert a["original_resolution"] == case.resolution
    assert a["time_convention"] == "UTC, interval start"
    assert ("reference_year" in a) == case.typical
    if case.typical:
        assert a["reference_year"] == 2019
    assert ds["wind_speed"].attrs["height_m"] == case.wind_height
    for name in ds.data_vars:
        assert ds[name].attrs["gaps_filled"] == 0
        assert "units" in ds[name].attrs
    # SI units whatever the source unit (mbar, Pa, 0.1 degC, 0.1 m s-1)
    assert 70_000 < float(ds["pressure"].mean()) < 105_000
    assert -10 < float(ds["temp_air"].mean()) < 30
    assert 0.5 < float(ds["wind_speed"].mean()) < 10


def test_pvgis_offset_and_json_equals_csv(sets: dict[str, xr.Dataset]):
    assert sets["pvgis_csv"].attrs["irradiance_time_offset_h"] == pytest.approx(0.1761)
    xr.testing.assert_allclose(sets["pvgis_json"], sets["pvgis_csv"])


def test_albedo_only_when_real(sets: dict[str, xr.Dataset]):
    assert "albedo" in sets["psm3"]  # NSRDB surface albedo (0.8 with snow)
    assert float(sets["psm3"]["albedo"].max()) <= 1.0
    for key in ("epw", "tmy3", "tmy2", "pvgis_csv"):  # all-zero or absent in the file
        assert "albedo" not in sets[key]


def test_psm3_hourly_is_the_overlap_mean(sets: dict[str, xr.Dataset], paths: dict[str, Path]):
    raw = pd.read_csv(paths["psm3"], skiprows=2)
    ghi = raw["GHI"].to_numpy(dtype=float)
    # hour starting at local 00:00 (07:00 UTC): windows centred on 00:00, 00:30 and 01:00
    # (13:00 local on 1 January is mid-day: samples 26, 27, 28).
    noon = sets["psm3"]["ghi"].sel(time="2017-01-01 20:00").item()
    assert noon == pytest.approx(0.25 * ghi[26] + 0.5 * ghi[27] + 0.25 * ghi[28])


def test_read_format_by_name_and_netcdf(paths: dict[str, Path], sets: dict[str, xr.Dataset]):
    xr.testing.assert_identical(read(paths["psm3"], format="psm3"), sets["psm3"])
    root = Path(__file__).resolve().parents[2]
    committed = read(root / "weather" / "greensboro_tmy3.nc")
    xr.testing.assert_equal(committed, sets["tmy3"])
    assert read(root / "weather" / "greensboro_tmy3.nc", format="netcdf").sizes["time"] == 8760
    assert "era5" in FORMATS  # registered; its reader is tested with the ERA5 module


# ----------------------------------------------------------------------------- bad files
def _epw_lines(shared_data: Path) -> list[str]:
    return (shared_data / "weather" / EPW).read_text().splitlines(keepends=True)


def _psm3_rows(shared_data: Path) -> tuple[list[str], list[list[str]]]:
    lines = (shared_data / "weather" / PSM3).read_text().splitlines(keepends=True)
    return lines[:3], [ln.rstrip("\n").split(",") for ln in lines[3:]]


def _write_psm3(path: Path, head: list[str], rows: list[list[str]]) -> Path:
    path.write_text("".join(head) + "".join(",".join(r) + "\n" for r in rows))
    return path


def _psm3_col(head: list[str], name: str) -> int:
    return head[2].split(",").index(name)


def test_duplicated_stamp(shared_data: Path, tmp_path: Path):
    lines = _epw_lines(shared_data)
    lines.insert(8 + 100, lines[8 + 100])  # 5 January, hour 5, twice
    path = tmp_path / "dup.epw"
    path.write_text("".join(lines))
    with pytest.raises(
        DataError, match=r"dup\.epw: line 110 duplicates the hour of line 109 \(01/05 hour 5\)"
    ):
        read(path)


def test_long_gap(shared_data: Path, tmp_path: Path):
    head, rows = _psm3_rows(shared_data)
    col = _psm3_col(head, "Temperature")
    for row in rows[1000:1009]:  # 9 samples = 4.5 h of 30-min data
        row[col] = ""
    path = _write_psm3(tmp_path / "gap.csv", head, rows)
    # row 1000 = 21 January 20:00 local standard time; messages use the file's own labels
    with pytest.raises(
        DataError,
        match=r"gap\.csv: variable 'temp_air' has a gap of 0 days 04:30:00 from "
        r"2017-01-21 20:00:00 to 2017-01-22 00:00:00 \(file labels, local standard time, "
        r"UTC-7\), longer than 3 h",
    ):
        read(path)


def test_short_gaps_filled_and_counted(shared_data: Path, tmp_path: Path):
    lines = _epw_lines(shared_data)
    fields = [ln.split(",") for ln in lines[8:]]
    before, after = float(fields[199][6]), float(fields[203][6])
    for f in fields[200:203]:  # 3 hours of temperature missing (EPW code 99.9)
        f[6] = "99.9"
    del fields[500:502]  # and 2 rows (hours) missing altogether
    path = tmp_path / "short.epw"
    path.write_text("".join(lines[:8]) + "".join(",".join(f) for f in fields))
    ds = read(path)
    assert ds.sizes["time"] == 8760
    assert MAX_GAP_HOURS == 3
    assert ds["temp_air"].attrs["gaps_filled"] == 3 + 2
    assert ds["ghi"].attrs["gaps_filled"] == 2
    filled = ds["temp_air"].values[200:203]
    np.testing.assert_allclose(filled, before + (after - before) * np.arange(1, 4) / 4)


def test_mixed_utc_offsets(shared_data: Path, tmp_path: Path):
    head, rows = _psm3_rows(shared_data)
    # The same year written in local civil time: +1 h from 12 March 02:00 to 5 November 01:00.
    stamps = pd.to_datetime(
        pd.DataFrame(
            [r[:5] for r in rows], columns=["year", "month", "day", "hour", "minute"]
        ).astype(int)
    )
    dst = (stamps >= "2017-03-12 02:00") & (stamps < "2017-11-05 01:00")
    stamps = stamps.where(~dst, stamps + pd.Timedelta(hours=1))
    for row, t in zip(rows, stamps, strict=True):
        row[:5] = [str(t.year), str(t.month), str(t.day), str(t.hour), str(t.minute)]
    path = _write_psm3(tmp_path / "dst.csv", head, rows)
    with pytest.raises(
        DataError,
        match=r"dst\.csv: variable 'time': mixed UTC offsets: the labels jump forward by 1 h "
        r"after 2017-03-12 01:30:00 and back by 1 h after 2017-11-05 01:30:00",
    ):
        read(path)


def test_normalise_rejects_a_daylight_saving_index(shared_data: Path):
    # The EPW rows labelled in Amsterdam civil time (CET/CEST) instead of standard time.
    df, _ = pvlib.iotools.read_epw(shared_data / "weather" / EPW, coerce_year=2019)
    df = df.rename(columns={"atmospheric_pressure": "pressure"})
    naive = df.index.tz_localize(None)
    df.index = naive.tz_localize(
        "Europe/Amsterdam", nonexistent="shift_forward", ambiguous=np.zeros(naive.size, bool)
    )
    with pytest.raises(DataError, match=r"x\.epw: variable 'time': mixed UTC offsets"):
        normalise(df, source="x.epw", label="start", utc_offset_h=None, typical_year=False,
                  wind_height_m=10.0, attrs={"latitude": 52.3, "longitude": 4.77})  # fmt: skip


def test_negative_irradiance(shared_data: Path, tmp_path: Path):
    head, rows = _psm3_rows(shared_data)
    col = _psm3_col(head, "GHI")
    rows[5][col] = "-0.5"  # night-time noise: clipped and counted
    ds = read(_write_psm3(tmp_path / "noise.csv", head, rows))
    assert ds["ghi"].attrs["negative_clipped"] == 1
    assert float(ds["ghi"].min()) == 0.0
    rows[40][col] = "-25"  # 1 January 20:00 local standard time
    with pytest.raises(
        DataError,
        match=r"neg\.csv: variable 'ghi' is negative \(down to -25 W m-2\) at "
        r"2017-01-01 20:00:00 \(file labels, local standard time, UTC-7",
    ):
        read(_write_psm3(tmp_path / "neg.csv", head, rows))


def test_all_nan_variable(shared_data: Path, tmp_path: Path):
    lines = _epw_lines(shared_data)
    fields = [ln.split(",") for ln in lines[8:]]
    for f in fields:
        f[14] = "9999"  # direct normal radiation missing everywhere
    path = tmp_path / "nodni.epw"
    path.write_text("".join(lines[:8]) + "".join(",".join(f) for f in fields))
    with pytest.raises(
        DataError,
        match=r"nodni\.epw: variable 'dni' has no values \(all NaN\) from 2019-01-01 01:00:00 "
        r"to 2020-01-01 00:00:00 \(file labels, local standard time, UTC\+1\)",
    ):
        read(path)


def test_unknown_format(shared_data: Path, tmp_path: Path):
    # The PVWatts file is a PV reference output, not a weather file.
    with pytest.raises(DataError, match=r"pvwatts_8760_rackmount\.csv: unknown weather file "
                       r"format.*'epw'.*'pvgis'.*'nsrdb'.*'tmy3'.*'tmy2'.*'netcdf'"):  # fmt: skip
        read(shared_data / "weather" / PVWATTS)
    with pytest.raises(DataError, match=r"unknown format 'era4'.*supported formats"):
        read(shared_data / "weather" / EPW, format="era4")
    with pytest.raises(DataError, match=r"nothere\.epw: weather file not found"):
        read(tmp_path / "nothere.epw")


# ----------------------------------------------------------------------------- leap days, stacks
def _psm3_year(shared_data: Path, path: Path, year: int) -> Path:
    head, rows = _psm3_rows(shared_data)
    for row in rows:
        row[0] = str(year)
    if year % 4 == 0:  # give the leap year its 29 February (a copy of 28 February)
        feb28 = [i for i, r in enumerate(rows) if r[1] == "2" and r[2] == "28"]
        extra = [[*r[:2], "29", *r[3:]] for r in (rows[i] for i in feb28)]
        rows[feb28[-1] + 1 : feb28[-1] + 1] = extra
    return _write_psm3(path, head, rows)


def test_leap_day_kept(shared_data: Path, tmp_path: Path):
    ds = read(_psm3_year(shared_data, tmp_path / "leap.csv", 2016))
    assert ds.sizes["time"] == 8784
    assert pd.Timestamp("2016-02-29 12:00") in pd.DatetimeIndex(ds["time"].values)


def test_stack_years(shared_data: Path, tmp_path: Path, sets: dict[str, xr.Dataset]):
    y2018 = _psm3_year(shared_data, tmp_path / "psm3_2018.csv", 2018)
    y2017 = shared_data / "weather" / PSM3
    ds = read([y2018, y2017])
    time = pd.DatetimeIndex(ds["time"].values)
    assert time.size == 2 * 8760
    assert (np.diff(time.values) == np.timedelta64(1, "h")).all()
    assert time[0] == pd.Timestamp("2017-01-01 07:00")
    assert ds.attrs["source"].startswith(PSM3)
    assert "psm3_2018.csv" in ds.attrs["stacked_from"]
    xr.testing.assert_equal(ds.isel(time=slice(0, 8760)), sets["psm3"])


def test_stack_years_errors(shared_data: Path, tmp_path: Path, sets: dict[str, xr.Dataset]):
    psm3 = sets["psm3"]
    with pytest.raises(DataError, match=r"'time': the sets overlap from 2017-01-01 07:00:00"):
        stack_years([psm3, psm3])
    y2019 = read(_psm3_year(shared_data, tmp_path / "psm3_2019.csv", 2019))
    with pytest.raises(
        DataError,
        match=r"hours missing from 2018-01-01 07:00:00 to 2019-01-01 06:00:00 between the sets",
    ):
        stack_years([y2019, psm3])
    with pytest.raises(DataError, match=r"site \(52\.3, 4\.77\) differs"):
        stack_years([psm3, sets["epw"]])


def test_truncated_typical_year_is_an_error(shared_data: Path, tmp_path: Path) -> None:
    """A typical-year file cut at a line end must not pass as a short year."""
    src = shared_data / "weather" / "NLD_Amsterdam062400_IWEC.epw"
    cut = tmp_path / "cut.epw"
    cut.write_text("".join(src.read_text().splitlines(keepends=True)[:4000]))
    with pytest.raises(DataError, match=r"cut\.epw: the data end at line 4000 .* truncated"):
        read(cut)


def test_reference_year_out_of_range() -> None:
    tmy3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"
    with pytest.raises(ConfigError, match="outside 1900-2100"):
        read(tmy3, reference_year=-5)


LYON = "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw"


def _lyon_with(shared_data: Path, tmp_path: Path, header: bytes | None, albedo: bytes | None):
    """The Lyon EPW, with a Latin-1 station name and / or every albedo field replaced."""
    raw = (shared_data / "weather" / LYON).read_bytes()
    lines = raw.split(b"\n")
    if header is not None:
        lines[0] = lines[0].replace(b"Lyon Bron AP", header)
    if albedo is not None:
        for i in range(8, len(lines)):
            fields = lines[i].split(b",")
            if len(fields) > 32:
                fields[32] = albedo  # EPW field 33: albedo
                lines[i] = b",".join(fields)
    path = tmp_path / "lyon.epw"
    path.write_bytes(b"\n".join(lines))
    return path


def test_epw_with_a_latin1_header_reads(shared_data: Path, tmp_path: Path):
    """German and French EPW files often name their station in Latin-1, not UTF-8."""
    name = "Lyon-Bron Aéroport Saint-Exupéry"
    ds = read(_lyon_with(shared_data, tmp_path, name.encode("latin-1"), None))
    assert ds.attrs["site_name"].startswith(name)
    assert ds.attrs["source_encoding"] == "latin-1"
    reference = read(shared_data / "weather" / LYON)
    xr.testing.assert_identical(ds["ghi"], reference["ghi"])


@pytest.mark.parametrize("code", [b"999", b""], ids=["999", "empty"])
def test_epw_without_albedo_reads_and_says_which_albedo_is_used(
    shared_data: Path, tmp_path: Path, code: bytes
):
    """PVGIS-made and older EPW files code a missing albedo as 999 or leave it empty: the read
    goes on without it and says the PV model's solar.albedo is used."""
    ds = read(_lyon_with(shared_data, tmp_path, None, code))
    assert "albedo" not in ds
    assert "solar.albedo is used" in ds.attrs["albedo_source"]
    assert "8760 of 8760 rows" in ds.attrs["albedo_source"]
    assert read(shared_data / "weather" / LYON).attrs["albedo_source"] == "the file"


@pytest.mark.parametrize("rows", [9000, 17400, 1])
def test_truncated_single_year_nsrdb_is_refused(shared_data: Path, tmp_path: Path, rows: int):
    """A single-year PSM3 download cut in July was read as a half-year horizon: refused,
    naming the rows and the span it covers."""
    lines = (shared_data / "weather" / "nsrdb_psm3_2017_40.53_-108.54.csv").read_text()
    cut = tmp_path / "cut.csv"
    cut.write_text("\n".join(lines.splitlines()[: 3 + rows]) + "\n")
    with pytest.raises(DataError, match=rf"cut\.csv: a single-year NSRDB file must cover 2017 .* "
                       rf"its {rows} data rows run from 2017-01-01 00:00:00"):  # fmt: skip
        read(cut)
