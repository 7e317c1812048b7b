"""Truncated, gapped, empty or malformed EPW and PVGIS files: one line naming the file and the
line or the missing span (gridtwin.weather.textcheck), never a pandas traceback.

Every bad file is a copy of a real reference file (EPW Amsterdam, PVGIS TMY 45 N 8 E) edited in
memory: line numbers below are 1-based file lines (EPW data start at line 9, PVGIS at line 19).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gridtwin.exceptions import DataError
from gridtwin.weather import read

EPW = "NLD_Amsterdam062400_IWEC.epw"
PVGIS = "tmy_45.000_8.000_2005_2023.csv"
Edit = Callable[[list[str]], list[str]]


def _cut_mid_line(n: int) -> Edit:
    return lambda lines: [*lines[:n], lines[n][:20]]


def _replace(n: int, text: str) -> Edit:
    return lambda lines: [*lines[:n], text, *lines[n + 1 :]]


def _with_extra_field(n: int) -> Edit:
    return lambda lines: [*lines[:n], lines[n].replace(",", ",abc,", 1), *lines[n + 1 :]]


def _bad_number(n: int, field: int) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        parts = lines[n].split(",")
        parts[field] = "12.x"
        return [*lines[:n], ",".join(parts), *lines[n + 1 :]]

    return edit


# (edit of the lines with their line ends, pattern) -- EPW data row k is at index 8 + k
EPW_CASES: dict[str, tuple[Edit, str]] = {
    "empty": (lambda lines: [], r"the file is empty"),
    "header_only": (lambda lines: lines[:8], r"header only \(8 lines\), no data rows"),
    "cut_header": (lambda lines: lines[:5], r"EPW header .* incomplete at line 5"),
    "cut_mid_line": (
        _cut_mid_line(508),
        r"line 509 is cut short \(\d+ of 35 fields\): .*truncated",
    ),
    "cut_at_line_end": (lambda lines: lines[:4008], r"data end at line 4008 \(06/16 hour 16\)"),
    "gap_5h": (
        lambda lines: lines[:3008] + lines[3013:],
        r"5 hour\(s\) missing from 05/06 hour 1 to 05/06 hour 5 \(between lines 3008 and 3009\)",
    ),
    "garbage_row": (_replace(3008, "garbage,row,here\r\n"), r"line 3009 has 3 field\(s\)"),
    "extra_field": (_with_extra_field(3008), r"line 3009 has 36 field\(s\), a data row has 35"),
    "bad_number": (_bad_number(3008, 13), r"line 3009: field 'global horizontal radiation'"),
    "bad_hour": (_bad_number(3008, 3), r"line 3009: field 'hour' is '12.x'"),
    "duplicate": (
        lambda lines: [*lines[:3009], lines[3008], *lines[3009:]],
        r"line 3010 duplicates the hour of line 3009",
    ),
    "disorder": (
        lambda lines: [*lines[:3008], lines[3009], lines[3008], *lines[3010:]],
        r"line 3010 \(05/06 hour 1\) comes before line 3009",
    ),
}

PVGIS_CASES: dict[str, tuple[Edit, str]] = {
    "empty": (lambda lines: [], r"the file is empty"),
    "header_only": (lambda lines: lines[:17], r"no data table \(no line starting 'time\(UTC\)'"),
    "column_names_only": (lambda lines: lines[:18], r"header only, no data rows after line 18"),
    "cut_mid_line": (_cut_mid_line(517), r"line 518 is cut short \(\d of 10 fields\)"),
    "cut_at_line_end": (
        lambda lines: lines[:4018],
        r"the table has 4000 rows, ending at line 4018 \(06-16 15:00 UTC\); .* truncated",
    ),
    "gap_2h": (
        lambda lines: lines[:3018] + lines[3020:],
        r"2 hour\(s\) missing from 05-06 00:00 UTC to 05-06 01:00 UTC \(between lines 3018 and",
    ),
    "gap_1h_near_end": (
        lambda lines: lines[:8775] + lines[8776:],
        r"1 hour\(s\) missing from 12-31 21:00 UTC",
    ),
    "garbage_row": (_replace(3018, "garbage,row,here\n"), r"line 3019 has 3 field\(s\)"),
    "extra_field": (_with_extra_field(3018), r"line 3019 has 11 field\(s\), a data row has 10"),
    "bad_time": (_replace(3018, "2008050:2300" + ",1" * 9 + "\n"), r"line 3019: time '2008050"),
    "bad_number": (_bad_number(3018, 3), r"line 3019: '12.x' is not a number"),
    "duplicate": (
        lambda lines: [*lines[:3019], lines[3018], *lines[3019:]],
        r"line 3020 duplicates the hour of line 3019",
    ),
}


def _write(src: Path, dst: Path, edit: Edit) -> Path:
    lines = src.read_bytes().decode("latin-1").splitlines(keepends=True)
    dst.write_bytes("".join(edit(lines)).encode("latin-1"))
    return dst


def _check(path: Path, pattern: str, fmt: str) -> None:
    with pytest.raises(DataError, match=pattern) as err:
        read(path, format=fmt)
    msg = str(err.value)
    assert "\n" not in msg, msg
    assert msg.startswith(str(path)), msg


@pytest.mark.parametrize("case", list(EPW_CASES))
def test_bad_epw_named_in_one_line(shared_data: Path, tmp_path: Path, case: str):
    edit, pattern = EPW_CASES[case]
    path = _write(shared_data / "weather" / EPW, tmp_path / "bad.epw", edit)
    _check(path, pattern, "epw")


@pytest.mark.parametrize("case", list(PVGIS_CASES))
def test_bad_pvgis_named_in_one_line(shared_data: Path, tmp_path: Path, case: str):
    edit, pattern = PVGIS_CASES[case]
    path = _write(shared_data / "weather" / PVGIS, tmp_path / "bad.csv", edit)
    _check(path, pattern, "pvgis")


def test_empty_file_with_format_auto(tmp_path: Path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    _check(path, r"the file is empty \(0 bytes\)", "auto")


def test_epw_short_row_gap_still_filled(shared_data: Path, tmp_path: Path):
    # up to MAX_GAP_HOURS missing rows are filled and counted, as missing values are
    path = _write(shared_data / "weather" / EPW, tmp_path / "two.epw", lambda x: x[:600] + x[602:])
    ds = read(path)
    assert ds.sizes["time"] == 8760 and ds["ghi"].attrs["gaps_filled"] == 2


@pytest.mark.parametrize("name", [EPW, PVGIS, "FRA_AR_Lyon-Bron.AP.074800_TMYx.2004-2018.epw"])
def test_reference_files_pass(shared_data: Path, name: str):
    assert read(shared_data / "weather" / name).sizes["time"] == 8760
