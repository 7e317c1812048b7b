"""Irradiance against the sun's position (gridtwin.weather.sun_check).

The real reference files must pass without a warning; the same files with labels shifted by an
hour or more, in local time without a time zone, with a wrong time zone in the header or with
the latitude's sign flipped must be flagged: a warning naming the estimated offset and the
sunlit night hours by default, one-line errors with ``sun_check="refuse"`` or the study switch
``weather.sun_check: refuse``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from gridtwin.config import parse_study
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.inputs import prepare_problem
from gridtwin.weather import read
from gridtwin.weather.sun_check import MAX_OFFSET_H, check_sun, sun_consistency

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (
    "NLD_Amsterdam062400_IWEC.epw",
    "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw",
    "tmy_45.000_8.000_2005_2023.csv",
    "nsrdb_psm3_2017_40.53_-108.54.csv",
)
GSO = ROOT / "weather" / "greensboro_tmy3.nc"


@pytest.fixture(scope="module")
def sets(shared_data: Path) -> dict[str, xr.Dataset]:
    out = {name: read(shared_data / "weather" / name, sun_check="off") for name in REFERENCE}
    out[GSO.name] = read(GSO, sun_check="off")
    return out


def _shifted(ds: xr.Dataset, hours: float, path: Path) -> Path:
    moved = ds.assign_coords(time=ds["time"].values + np.timedelta64(int(hours * 60), "m"))
    moved.to_netcdf(path)
    return path


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "gridtwin.weather.sun_check"]


@pytest.mark.parametrize("name", [*REFERENCE, GSO.name])
def test_reference_files_pass(sets: dict[str, xr.Dataset], name: str):
    report = sun_consistency(sets[name])
    assert abs(report.offset_h) < 0.4, report  # measured: -0.17 .. +0.37 h
    assert report.night_hours == 0
    assert not report.flagged


def test_reference_files_read_without_warning(shared_data: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING)
    for name in REFERENCE:
        read(shared_data / "weather" / name, sun_check="refuse")
    read(GSO, sun_check="refuse")  # the default study's weather
    assert _warnings(caplog) == []


@pytest.mark.parametrize("name", [*REFERENCE, GSO.name])
@pytest.mark.parametrize("hours", [1, -1, 3, -7])
def test_shifted_files_are_refused(
    sets: dict[str, xr.Dataset], tmp_path: Path, name: str, hours: int
):
    path = _shifted(sets[name], hours, tmp_path / "shifted.nc")
    with pytest.raises(DataError) as err:
        read(path, sun_check="refuse")
    msg = str(err.value)
    assert "\n" not in msg and "shifted.nc" in msg
    offset = float(re.search(r"offset ([+-]\d+\.\d) h", msg).group(1))  # type: ignore[union-attr]
    assert offset == pytest.approx(hours, abs=0.45)


def test_warning_names_offset_and_hours(
    sets: dict[str, xr.Dataset], tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING)
    ds = read(_shifted(sets[GSO.name], 3, tmp_path / "plus3.nc"))  # default: warn
    assert ds.sizes["time"] == 8760
    (msg,) = _warnings(caplog)
    assert "plus3.nc" in msg and "offset +3.0 h" in msg
    hours = int(re.search(r"(\d+) hour\(s\) with ghi > 10 W m-2", msg).group(1))  # type: ignore[union-attr]
    assert hours > 300
    assert "shift the time labels by -3.0 h" in msg


def test_off_skips_the_check(sets: dict[str, xr.Dataset], tmp_path: Path):
    path = _shifted(sets[GSO.name], 5, tmp_path / "plus5.nc")
    assert read(path, sun_check="off").sizes["time"] == 8760
    assert check_sun(sets[GSO.name], "x", "off") is None


def test_netcdf_in_local_time_without_time_zone(sets: dict[str, xr.Dataset], tmp_path: Path):
    # Greensboro is UTC-5: local standard time labels written as if they were UTC
    path = _shifted(sets[GSO.name], -5, tmp_path / "local.nc")
    with pytest.raises(DataError, match=r"local\.nc: .*offset -5\.0 h.*by \+5\.0 h to UTC"):
        read(path, sun_check="refuse")


def test_epw_with_wrong_time_zone_is_refused(shared_data: Path, tmp_path: Path):
    lines = (shared_data / "weather" / REFERENCE[0]).read_bytes().decode("latin-1").split("\r\n")
    head = lines[0].split(",")
    assert float(head[8]) == 1.0  # Amsterdam: UTC+1
    head[8] = "-2.0"  # UTC = label - TZ: now 3 h too late
    lines[0] = ",".join(head)
    path = tmp_path / "tz.epw"
    path.write_bytes("\r\n".join(lines).encode("latin-1"))
    with pytest.raises(DataError, match=r"tz\.epw: .*offset \+3\.\d h"):
        read(path, sun_check="refuse")


def test_wrong_hemisphere_has_sunlit_nights(sets: dict[str, xr.Dataset]):
    ds = sets[REFERENCE[0]].copy()
    ds.attrs["latitude"] = -float(ds.attrs["latitude"])  # profile in step, seasons reversed
    report = sun_consistency(ds)
    assert abs(report.offset_h) < MAX_OFFSET_H
    assert report.night_hours > 500 and report.flagged
    with pytest.raises(DataError, match=r"\d+ hour\(s\) with ghi > 10 W m-2 while the sun"):
        check_sun(ds, "flipped", "refuse")


def test_short_set_is_not_estimated(sets: dict[str, xr.Dataset]):
    report = sun_consistency(sets[GSO.name].isel(time=slice(0, 12)))
    assert np.isnan(report.offset_h) and not report.flagged


# ------------------------------------------------------------------------------ study switch
def _study(weather: Path, sun_check: str | None) -> str:
    text = (ROOT / "studies" / "default.yaml").read_text()
    text = text.replace("path: ../weather/greensboro_tmy3.nc", f"path: {weather}")
    if sun_check is not None:
        text = text.replace(f"path: {weather}", f"path: {weather}\n  sun_check: {sun_check}")
    return text


def test_study_switch_refuses(sets: dict[str, xr.Dataset], tmp_path: Path):
    path = _shifted(sets[GSO.name], 2, tmp_path / "plus2.nc")
    study = parse_study(_study(path, "refuse"), source="s.yaml", base=ROOT / "studies")
    assert study.config.weather.sun_check == "refuse"
    with pytest.raises(DataError, match=r"plus2\.nc: .*offset \+2\.0 h.*weather\.sun_check"):
        prepare_problem(study.config)


def test_study_switch_default_and_invalid(tmp_path: Path):
    study = parse_study(_study(GSO, None), source="s.yaml", base=ROOT / "studies")
    assert study.config.weather.sun_check == "warn"
    with pytest.raises(ConfigError, match=r"weather\.sun_check"):
        parse_study(_study(GSO, "maybe"), source="s.yaml", base=ROOT / "studies")
