"""Structure of text weather files (EPW, PVGIS TMY CSV) before :mod:`pvlib.iotools` parses them.

pvlib's readers assume a complete, well-formed file: on an empty, header-only, truncated or
gapped file they fail with a parser message several lines long, a ``NaT`` error from deep
inside pandas, or (PVGIS: a fixed count of 8760 rows is read) silently take the footer for
data. These functions only *locate* what is wrong, line by line, and raise one
:class:`~gridtwin.exceptions.DataError` naming the file and the line (or the missing span); the
values are still parsed by pvlib. Checked, in this order: empty file; header; no data rows;
each data row's field count (a row cut short at the end of the file is called a truncation),
its date fields and numbers; then the sequence of hours (a missing span, a repeated or
disordered hour, an end before the year is complete). In an EPW file up to
:data:`~gridtwin.weather.normalise.MAX_GAP_HOURS` missing rows in a row are filled and counted
like missing values; a PVGIS table must be complete (pvlib reads exactly 8760 rows).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from gridtwin.exceptions import DataError
from gridtwin.weather.normalise import MAX_GAP_HOURS

#: Fields of an EPW data row (EnergyPlus Auxiliary Programs, EPW data dictionary).
EPW_FIELDS: Final = 35
#: Header lines of an EPW file (LOCATION ... DATA PERIODS).
EPW_HEADER_LINES: Final = 8
#: Names of the EPW data fields used in messages (0-based index -> name).
_EPW_NAMES: Final = (
    "year", "month", "day", "hour", "minute", "data source flags", "dry bulb temperature",
    "dew point temperature", "relative humidity", "atmospheric pressure",
    "extraterrestrial horizontal radiation", "extraterrestrial direct normal radiation",
    "horizontal infrared radiation", "global horizontal radiation", "direct normal radiation",
    "diffuse horizontal radiation", "global horizontal illuminance",
    "direct normal illuminance", "diffuse horizontal illuminance", "zenith luminance",
    "wind direction", "wind speed", "total sky cover", "opaque sky cover", "visibility",
    "ceiling height", "present weather observation", "present weather codes",
    "precipitable water", "aerosol optical depth", "snow depth", "days since last snowfall",
    "albedo", "liquid precipitation depth", "liquid precipitation quantity",
)  # fmt: skip
#: Rows of a PVGIS TMY (pvlib reads exactly this many; PVGIS typical years have no 29 Feb).
PVGIS_ROWS: Final = 8760
_PVGIS_STAMP: Final = re.compile(r"^(\d{4})(\d{2})(\d{2}):(\d{2})(\d{2})$")
#: Hours are compared in a leap calendar, so a file with or without 29 February passes.
_CALENDAR_YEAR: Final = 2020


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cut_short(lines: Sequence[str], i: int, text: str) -> bool:
    """True if line ``i`` is the last line of the file and has no line end."""
    return i == len(lines) - 1 and not text.endswith(("\n", "\r"))


def _fields_error(path: Path, lines: Sequence[str], i: int, text: str, n: int, want: int) -> str:
    if _cut_short(lines, i, text):
        return (
            f"{path}: line {i + 1} is cut short ({n} of {want} fields): the file is truncated; "
            "download it again"
        )
    return (
        f"{path}: line {i + 1} has {n} field(s), a data row has {want} "
        f"(starts {lines[i][:30].strip()!r}); remove or repair the line"
    )


def _sequence(
    path: Path,
    rows: Sequence[tuple[int, int, int, int]],
    what: Callable[[datetime], str],
    fillable: int = 0,
) -> None:
    """Check that rows ``(line, month, day, hour_start)`` follow each other hour by hour;
    up to ``fillable`` missing hours in a row are left to the gap filling of
    :func:`~gridtwin.weather.normalise.normalise`."""
    prev: datetime | None = None
    prev_line = 0
    for line, month, day, hour in rows:
        try:
            t = datetime(_CALENDAR_YEAR, month, day) + timedelta(hours=hour)
        except ValueError:
            raise DataError(
                f"{path}: line {line}: date {month}/{day} does not exist; repair the line"
            ) from None
        if prev is not None:
            step = t - prev
            leap_skip = (prev.month, prev.day, t.month, t.day) == (2, 28, 3, 1) and step == (
                timedelta(hours=25)
            )
            year_wrap = t < prev and (t.month, t.day, t.hour) == (1, 1, 0)
            if step == timedelta(0):
                raise DataError(
                    f"{path}: line {line} duplicates the hour of line {prev_line} "
                    f"({what(prev)}); remove the repeated row"
                )
            if step < timedelta(0) and not year_wrap:
                raise DataError(
                    f"{path}: line {line} ({what(t)}) comes before line {prev_line} "
                    f"({what(prev)}); the rows are out of order"
                )
            missing = int(step / timedelta(hours=1)) - 1
            if missing > fillable and not leap_skip:
                first, last = prev + timedelta(hours=1), t - timedelta(hours=1)
                raise DataError(
                    f"{path}: {missing} hour(s) missing from {what(first)} to {what(last)} "
                    f"(between lines {prev_line} and {line}); use a complete file"
                )
        prev, prev_line = t, line


def check_epw_text(path: Path, text: str) -> None:
    """Raise a one-line :class:`DataError` if the EPW text is empty, truncated or malformed.

    Parameters
    ----------
    path : Path
        File name for messages.
    text : str
        Decoded content of the file.

    Raises
    ------
    DataError
        Naming ``path`` and the line: empty file, header shorter than 8 lines, no data rows,
        a row without 35 fields (cut short at the end: truncated), a date field or number that
        does not parse, more than ``MAX_GAP_HOURS`` hours missing in a row, an hour repeated or
        out of order, or data that end before the end of the ``DATA PERIODS`` line.
    """
    if not text.strip():
        raise DataError(f"{path}: the file is empty; download it again")
    lines = text.splitlines(keepends=True)
    if not lines[0].startswith("LOCATION,"):
        raise DataError(f"{path}: line 1 is not an EPW 'LOCATION,' line; is it an EPW file?")
    if len(lines) < EPW_HEADER_LINES or not lines[EPW_HEADER_LINES - 1].startswith("DATA PERIODS"):
        seen = min(len(lines), EPW_HEADER_LINES)
        raise DataError(
            f"{path}: the EPW header (8 lines, LOCATION to DATA PERIODS) is incomplete at line "
            f"{seen}; the file is truncated or not an EPW file"
        )
    data = [(i, s) for i, s in enumerate(lines) if i >= EPW_HEADER_LINES]
    while data and not data[-1][1].strip():
        data.pop()
    if not data:
        raise DataError(
            f"{path}: header only ({EPW_HEADER_LINES} lines), no data rows; the file is "
            "truncated: download it again"
        )
    rows: list[tuple[int, int, int, int]] = []
    for i, raw in data:
        fields = raw.rstrip("\r\n").split(",")
        if len(fields) != EPW_FIELDS:
            raise DataError(_fields_error(path, lines, i, raw, len(fields), EPW_FIELDS))
        for k, (low, high) in enumerate(((-9999, 9999), (1, 12), (1, 31), (1, 24))):
            value = fields[k].strip()
            if not (value.lstrip("-").isdigit() and low <= int(value) <= high):
                span = "" if k == 0 else f" ({low}..{high})"
                raise DataError(
                    f"{path}: line {i + 1}: field '{_EPW_NAMES[k]}' is {value!r}, not a whole "
                    f"number{span}; repair the line"
                )
        for k in range(6, EPW_FIELDS):
            value = fields[k].strip()
            if value and not _number(value):
                raise DataError(
                    f"{path}: line {i + 1}: field '{_EPW_NAMES[k]}' is {value!r}, not a number; "
                    "repair the line"
                )
        rows.append((i + 1, int(fields[1]), int(fields[2]), int(fields[3]) - 1))
    # a few missing rows are filled and counted like missing values (MAX_GAP_HOURS)
    _sequence(path, rows, lambda t: f"{t:%m/%d} hour {t.hour + 1}", int(MAX_GAP_HOURS))
    _epw_period_end(path, lines, rows)


def _epw_period_end(
    path: Path, lines: Sequence[str], rows: list[tuple[int, int, int, int]]
) -> None:
    """Refuse data that stop before the end date of the DATA PERIODS line (e.g. 12/31)."""
    period = lines[EPW_HEADER_LINES - 1].rstrip("\r\n").split(",")
    try:
        month, day = (int(x) for x in period[-1].replace(" ", "").split("/"))
    except ValueError:
        return  # an unusual DATA PERIODS line: the checks after parsing still apply
    line, m, d, h = rows[-1]
    if (m, d, h) != (month, day, 23):
        raise DataError(
            f"{path}: the data end at line {line} ({m:02d}/{d:02d} hour {h + 1}) but DATA "
            f"PERIODS runs to {month:02d}/{day:02d} hour 24: the file is truncated; "
            "download it again"
        )


def check_pvgis_csv_text(path: Path, text: str) -> None:
    """Raise a one-line :class:`DataError` if a PVGIS TMY CSV is empty, truncated or malformed.

    Parameters
    ----------
    path : Path
        File name for messages.
    text : str
        Content of the file.

    Raises
    ------
    DataError
        Naming ``path`` and the line: empty file, no ``time(UTC)`` table header, no data rows,
        a row with the wrong number of fields (cut short at the end: truncated), a time stamp
        other than ``YYYYMMDD:HHMM`` or a value that is not a number, hours missing, repeated
        or out of order, or a table shorter than 8760 rows.
    """
    if not text.strip():
        raise DataError(f"{path}: the file is empty; download it again")
    lines = text.splitlines(keepends=True)
    head = next((i for i, s in enumerate(lines) if s.startswith("time(UTC)")), None)
    if head is None:
        raise DataError(
            f"{path}: no data table (no line starting 'time(UTC)' after the {len(lines)} "
            "header line(s)); the file is truncated or not a PVGIS TMY: download it again"
        )
    want = len(lines[head].split(","))
    rows: list[tuple[int, int, int, int]] = []
    i = head + 1
    while i < len(lines) and lines[i].strip():
        raw = lines[i]
        fields = raw.rstrip("\r\n").split(",")
        if len(fields) != want:
            raise DataError(_fields_error(path, lines, i, raw, len(fields), want))
        stamp = _PVGIS_STAMP.match(fields[0].strip())
        if stamp is None:
            raise DataError(
                f"{path}: line {i + 1}: time {fields[0].strip()!r} is not YYYYMMDD:HHMM; "
                "repair the line"
            )
        bad = next((f for f in fields[1:] if not _number(f.strip())), None)
        if bad is not None:
            raise DataError(f"{path}: line {i + 1}: {bad.strip()!r} is not a number; repair it")
        rows.append((i + 1, int(stamp[2]), int(stamp[3]), int(stamp[4])))
        i += 1
    if not rows:
        raise DataError(
            f"{path}: header only, no data rows after line {head + 1}; the file is truncated: "
            "download it again"
        )
    _sequence(path, rows, lambda t: f"{t:%m-%d %H}:00 UTC")
    if len(rows) != PVGIS_ROWS:
        line, m, d, h = rows[-1]
        raise DataError(
            f"{path}: the table has {len(rows)} rows, ending at line {line} "
            f"({m:02d}-{d:02d} {h:02d}:00 UTC); a PVGIS TMY has {PVGIS_ROWS}: the file is "
            "truncated, download it again"
        )
