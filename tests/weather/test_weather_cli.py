"""``gridtwin weather import`` and ``gridtwin weather fetch`` through Typer's test runner.

The sub-app is mounted on an app built here, so these tests do not depend on gridtwin/cli.py.
Inputs are the real reference files of the shared data folder; the network is never used
(``requests.get`` serves a recorded PVGIS response or raises).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pvlib
import pytest
import requests
import typer
from typer.testing import CliRunner

from gridtwin.weather.canonical import open_weather
from gridtwin.weather.cli import weather_app

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.add_typer(weather_app, name="weather")


@app.callback()
def _root() -> None:
    """Test root of the command line."""


runner = CliRunner()

EPW = "weather/NLD_Amsterdam062400_IWEC.epw"
PVGIS = "weather/tmy_45.000_8.000_2005_2023.csv"
PSM3 = "weather/nsrdb_psm3_2017_40.53_-108.54.csv"


def _invoke(*args: str) -> Any:
    return runner.invoke(app, ["weather", *args])


def _one_line_error(result: Any) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    return lines[0]


def _annual_ghi(result: Any) -> float:
    line = next(x for x in result.stdout.splitlines() if "annual GHI" in x)
    return float(line.split("annual GHI")[1].split("kWh")[0].replace(",", "").strip(" │|"))


@pytest.mark.parametrize(
    ("name", "ghi_column", "step_h"),
    [(EPW, "ghi", 1.0), (PVGIS, "ghi", 1.0), (PSM3, "ghi", 0.5)],
)
def test_import_real_files(shared_data: Path, tmp_path: Path, name, ghi_column, step_h):
    src = shared_data / name
    out = tmp_path / "sub" / "weather.nc"
    result = _invoke("import", str(src), "-o", str(out), "--reference-year", "2019")
    assert result.exit_code == 0, result.output
    ds = open_weather(out)
    assert ds.sizes["time"] in (8760, 8784)
    # reference: the file's own GHI column read with pvlib, energy = sum(values * step)
    readers = {
        EPW: lambda p: pvlib.iotools.read_epw(p)[0],
        PVGIS: lambda p: pvlib.iotools.read_pvgis_tmy(p, map_variables=True)[0],
        PSM3: lambda p: pvlib.iotools.read_nsrdb_psm4(p, map_variables=True)[0],
    }
    expected = float(readers[name](src)[ghi_column].clip(lower=0).sum()) * step_h / 1000.0
    assert float(ds["ghi"].sum()) / 1000.0 == pytest.approx(expected, rel=2e-3)
    assert _annual_ghi(result) == pytest.approx(expected, rel=2e-3)
    for key in ("site", "period", "hours", "mean temp_air", "gaps filled", "written"):
        assert key in result.stdout
    assert "8760" in result.stdout or "8784" in result.stdout


def test_import_missing_file_is_one_line(tmp_path: Path):
    result = _invoke("import", str(tmp_path / "nope.epw"), "-o", str(tmp_path / "w.nc"))
    assert result.exit_code in (1, 2)
    assert "nope.epw" in _one_line_error(result)
    assert not (tmp_path / "w.nc").exists()


def test_import_unknown_format_is_a_bad_argument(shared_data: Path, tmp_path: Path):
    result = _invoke("import", str(shared_data / EPW), "-o", str(tmp_path / "w.nc"), "-f", "xyz")
    assert result.exit_code == 2
    assert "xyz" in _one_line_error(result)


def test_import_into_a_folder_fails_cleanly(shared_data: Path, tmp_path: Path):
    result = _invoke("import", str(shared_data / EPW), "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "is a folder" in _one_line_error(result)


def test_output_is_required():
    result = _invoke("import", "x.epw")
    assert result.exit_code == 2  # click usage error


@pytest.fixture
def recorded(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    body = (shared_data / PVGIS).read_bytes()
    calls: list[dict[str, Any]] = []

    def get(url: str, params: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        calls.append(dict(params or {}))
        res = requests.Response()
        res.status_code, res.reason, res._content = 200, "OK", body
        return res

    monkeypatch.setattr(requests, "get", get)
    return calls


def test_fetch_writes_and_then_runs_offline(
    recorded: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    cache, out = tmp_path / "cache", tmp_path / "pvgis.nc"
    args = ["fetch", "--lat", "45", "--lon", "8", "--cache-dir", str(cache), "-o", str(out)]
    first = _invoke(*args)
    assert first.exit_code == 0, first.output
    assert len(recorded) == 1 and "cached in" in first.stdout
    ds = open_weather(out)
    assert ds.attrs["latitude"] == pytest.approx(45.0)
    assert pd.Timestamp(ds["time"].values[0]) == pd.Timestamp("2019-01-01 00:00")

    def no_network(*a: Any, **k: Any) -> requests.Response:
        raise AssertionError("network used")

    monkeypatch.setattr(requests, "get", no_network)
    second = _invoke(*args)
    assert second.exit_code == 0, second.output
    assert second.stdout.split("cached in")[1].split()[0] in first.stdout


def test_fetch_offline_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def offline(*a: Any, **k: Any) -> requests.Response:
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests, "get", offline)
    result = _invoke("fetch", "--lat", "45", "--lon", "8", "--cache-dir", str(tmp_path))
    assert result.exit_code == 1
    assert "offline?" in _one_line_error(result)


def test_fetch_bad_latitude_is_exit_2(tmp_path: Path):
    result = _invoke("fetch", "--lat", "95", "--lon", "8", "--cache-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "latitude 95" in _one_line_error(result)
    assert _invoke("fetch", "--lat", "north", "--lon", "8").exit_code == 2


def test_import_era5(tmp_path: Path):
    from test_era5 import make_era5, single_cell, truth_frame  # tests/ is on sys.path

    grid = make_era5(truth_frame().iloc[:48], tmp_path / "grid.nc", layout="new")
    point = single_cell(grid, tmp_path / "era5.nc")
    out = tmp_path / "w.nc"
    auto = _invoke("import", str(point), "-o", str(out))
    assert auto.exit_code == 1 and "format='era5'" in _one_line_error(auto)
    result = _invoke("import", str(point), "-o", str(out), "--format", "era5")
    assert result.exit_code == 0, result.output
    assert open_weather(out).sizes["time"] == 48
    assert "(mean x 8760 h)" in result.stdout  # not a full year: annualised
