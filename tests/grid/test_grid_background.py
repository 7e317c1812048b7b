"""Background files for hosting studies, and network parameter checks at load time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pp = pytest.importorskip("pandapower")

from gridtwin.exceptions import DataError  # noqa: E402
from gridtwin.grid.background import read_background  # noqa: E402
from gridtwin.grid.network import load_network  # noqa: E402

NETWORK = Path(__file__).resolve().parents[2] / "networks" / "greensboro_poi.json"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bg.csv"
    path.write_text(text)
    return path


def test_time_stamps_with_offset_become_utc(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "time,load:campus,sgen:solar\n"
        "2030-06-01T02:00+02:00,900,0\n2030-06-01T03:00+02:00,950,10.5\n",
    )
    loads, sgens, times = read_background(path)
    assert list(times) == [pd.Timestamp("2030-06-01 00:00"), pd.Timestamp("2030-06-01 01:00")]
    np.testing.assert_array_equal(loads["campus"], [900.0, 950.0])
    np.testing.assert_array_equal(sgens["solar"], [0.0, 10.5])


def test_integer_hours_are_accepted(tmp_path: Path) -> None:
    _, _, times = read_background(write(tmp_path, "time,load:campus\n0,1\n1,2\n2,3\n"))
    assert list(times) == [0, 1, 2]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("time,load:campus\nfoo,1\nbar,2\n", "time foo in row 2 is not a time stamp"),
        ("time,load:campus\n0,1\n0,2\n", "appears more than once"),
        ("time,load:campus\n1,1\n0,2\n", "not increasing"),
        ("time,load:campus\n0,-500\n", "row 2 .* holds -500; give a finite number >= 0"),
        ("time,sgen:solar\n0,nan\n", "holds nan"),
        ("time,load:campus,load:campus\n0,1,1\n", "appear more than once"),
        ("time\n0\n", "no 'load:<name>' or 'sgen:<name>' column"),
        ("time,load:campus\n0,1\n1,2,3\n", "not a readable CSV"),
    ],
)
def test_bad_background_files(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(DataError, match=match) as err:
        read_background(write(tmp_path, text))
    assert "bg.csv" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("table", "column", "value", "match"),
    [
        ("line", "r_ohm_per_km", np.nan, "r_ohm_per_km = nan"),
        ("trafo", "sn_mva", -1.0, "sn_mva = -1.0"),
        ("load", "p_mw", np.inf, "p_mw = (inf|nan)"),
    ],
)
def test_network_with_bad_parameters_is_refused(
    tmp_path: Path, table: str, column: str, value: float, match: str
) -> None:
    net = load_network(NETWORK)
    net[table].at[net[table].index[0], column] = value
    path = tmp_path / "bad.json"
    pp.to_json(net, str(path))
    with pytest.raises(DataError, match=match) as err:
        load_network(path)
    assert f"net.{table} row" in str(err.value) and "bad.json" in str(err.value)


def test_out_of_service_rows_may_carry_placeholders(tmp_path: Path) -> None:
    net = load_network(NETWORK)
    net.line.at[0, "max_i_ka"] = 0.0
    net.line.at[0, "in_service"] = False
    path = tmp_path / "ok.json"
    pp.to_json(net, str(path))
    assert len(load_network(path).line) == 3


def test_zero_line_rating_loads_but_hosting_refuses_it() -> None:
    from gridtwin.grid.hosting import hosting_capacity

    net = load_network(NETWORK)
    net.line.at[0, "max_i_ka"] = 0.0
    with pytest.raises(DataError, match=r"max_i_ka = 0.0 \(must be > 0\)"):
        hosting_capacity(net, "poi_230kV", contingencies="none")


@pytest.mark.parametrize("case", ["case1888rte", "case11_iwamoto", "case300"])
def test_real_cases_pass_the_parameter_check(case: str) -> None:
    # case1888rte holds 75 transformers with negative vk_percent (three-winding equivalents),
    # case11_iwamoto has no line ratings: both are legitimate power-flow cases
    assert len(load_network(case).bus) > 0
