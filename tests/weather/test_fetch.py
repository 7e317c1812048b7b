"""PVGIS fetch and cache, without the network.

The recorded response is a real PVGIS TMY download (``tmy_45.000_8.000_2005_2023.csv`` of the
shared reference data, from pvlib's test data); ``requests.get`` is replaced by a stub that
serves it, and by one that raises once the response is cached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pvlib
import pytest
import requests
import xarray as xr

from gridtwin.exceptions import ConfigError, DataError
from gridtwin.weather import read, validate_weather
from gridtwin.weather.fetch import (
    cache_folder,
    cache_path,
    fetch_pvgis_tmy,
    fetch_pvgis_weather,
)

RECORDED = "weather/tmy_45.000_8.000_2005_2023.csv"


def _response(body: bytes, status: int = 200, reason: str = "OK") -> requests.Response:
    res = requests.Response()
    res.status_code = status
    res.reason = reason
    res._content = body
    res.url = pvlib.iotools.pvgis.URL + "tmy"
    return res


class Recorder:
    """Stand-in for ``requests.get``: serves ``body`` and records every call."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body, self.status, self.calls = body, status, []

    def __call__(self, url: str, params: dict[str, Any] | None = None, **kw: Any):
        self.calls.append((url, dict(params or {}), kw))
        return _response(self.body, self.status)


def _no_network(*args: Any, **kwargs: Any) -> requests.Response:
    raise AssertionError("the network was used although the response is cached")


@pytest.fixture
def body(shared_data: Path) -> bytes:
    return (shared_data / RECORDED).read_bytes()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, body: bytes) -> Recorder:
    recorder = Recorder(body)
    monkeypatch.setattr(requests, "get", recorder)
    return recorder


def test_request_is_the_one_pvlib_sends(served: Recorder, tmp_path: Path):
    data, meta = pvlib.iotools.get_pvgis_tmy(45.0, 8.0, outputformat="csv")
    fetch_pvgis_tmy(45.0, 8.0, tmp_path)
    (url_pvlib, params_pvlib, _), (url_ours, params_ours, kw) = served.calls
    assert (url_ours, params_ours) == (url_pvlib, params_pvlib)
    assert kw["timeout"] > 0
    assert meta["inputs"]["latitude"] == 45.0 and len(data) == 8760


def test_cache_written_once_then_offline(
    served: Recorder, body: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = fetch_pvgis_tmy(45.0, 8.0, tmp_path)
    assert len(served.calls) == 1
    assert path.parent == tmp_path and path.suffix == ".csv"
    assert path.read_bytes() == body  # the raw response, unchanged
    request = json.loads(path.with_suffix(".request.json").read_text())
    assert request["params"] == {"lat": 45.0, "lon": 8.0, "outputformat": "csv"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, path.with_suffix(".request.json").name]
    )  # no temporary files left behind

    monkeypatch.setattr(requests, "get", _no_network)
    assert fetch_pvgis_tmy(45.0, 8.0, tmp_path) == path
    assert fetch_pvgis_tmy(45.0001, 7.9999, tmp_path) == path  # same after rounding
    with pytest.raises(AssertionError, match="network was used"):
        fetch_pvgis_tmy(45.0, 8.0, tmp_path, refresh=True)


def test_cache_key_depends_on_request(tmp_path: Path):
    base = cache_path(45.0, 8.0, tmp_path)
    assert base.name.startswith("tmy_45.000_8.000_")
    assert cache_path(45.0, 8.0, tmp_path, usehorizon=False) != base
    assert cache_path(45.0, 8.0, tmp_path, startyear=2010, endyear=2020) != base
    assert cache_path(45.0, 8.0, tmp_path, outputformat="json").suffix == ".json"
    assert cache_path(45.01, 8.0, tmp_path) != base


def test_cache_folder_default_and_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("GRIDTWIN_CACHE", raising=False)
    assert cache_folder() == Path.home() / ".cache" / "gridtwin" / "pvgis"
    monkeypatch.setenv("GRIDTWIN_CACHE", str(tmp_path))
    assert cache_folder() == tmp_path / "pvgis"
    assert cache_folder(tmp_path / "x") == tmp_path / "x"


def test_offline_is_a_data_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def offline(*args: Any, **kwargs: Any) -> requests.Response:
        raise requests.ConnectionError("Name or service not known")

    monkeypatch.setattr(requests, "get", offline)
    with pytest.raises(DataError, match=r"offline\?.*gridtwin weather import"):
        fetch_pvgis_tmy(45.0, 8.0, tmp_path)
    assert not list(tmp_path.iterdir())


def test_refused_request_quotes_pvgis(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    message = (
        b'{"message": "Location over the sea. Please, select another location", "status": 400}'
    )
    monkeypatch.setattr(requests, "get", Recorder(message, status=400))
    with pytest.raises(DataError, match="PVGIS refused the request: Location over the sea"):
        fetch_pvgis_tmy(40.0, -30.0, tmp_path)
    assert not list(tmp_path.iterdir())


def test_truncated_body_is_not_cached(monkeypatch: pytest.MonkeyPatch, body: bytes, tmp_path):
    monkeypatch.setattr(requests, "get", Recorder(body[: len(body) // 2]))
    with pytest.raises(DataError, match=r"not a TMY \(ValueError: .*\); nothing was cached"):
        fetch_pvgis_tmy(45.0, 8.0, tmp_path)
    assert not list(tmp_path.iterdir())


def test_bad_coordinates_are_config_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match="out of range"):
        fetch_pvgis_tmy(95.0, 8.0, tmp_path)
    with pytest.raises(ConfigError, match="outputformat 'epw'"):
        fetch_pvgis_tmy(45.0, 8.0, tmp_path, outputformat="epw")


def test_cached_response_reads_as_canonical_set(
    served: Recorder, shared_data: Path, tmp_path: Path
):
    ds = fetch_pvgis_weather(45.0, 8.0, tmp_path, reference_year=2019)
    assert len(served.calls) == 1
    validate_weather(ds)
    assert ds.sizes["time"] == 8760
    assert (ds.attrs["latitude"], ds.attrs["longitude"]) == (45.0, 8.0)
    # reference: the G(h) column of the recorded CSV read with pvlib [W m-2 over 1 h]
    raw, _ = pvlib.iotools.read_pvgis_tmy(shared_data / RECORDED, map_variables=True)
    assert float(ds["ghi"].sum()) == pytest.approx(float(raw["ghi"].sum()), rel=1e-9)
    assert float(ds["temp_air"].mean()) == pytest.approx(float(raw["temp_air"].mean()), abs=1e-9)
    # the cached file is a PVGIS file that format "auto" recognises
    path = cache_path(45.0, 8.0, tmp_path)
    xr.testing.assert_identical(read(path), read(path, format="pvgis"))
