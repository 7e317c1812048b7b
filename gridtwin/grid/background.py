"""Hourly background of a network for hosting-capacity studies, read from a file.

Two sources:

* a gridtwin result (``.nc``): the campus's net draw (load ``"campus"``) and the on-site solar
  and wind output (sgens ``"solar"``, ``"onwind"``), mapped as in :mod:`gridtwin.grid.check`;
* a CSV file with a ``time`` column and one column per element, ``load:<name>`` or
  ``sgen:<name>``, in MW (loads consume, sgens inject; both >= 0). ``time`` holds time stamps
  (converted to UTC; naive stamps are taken as UTC) or integer hour numbers; either way unique
  and increasing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gridtwin.exceptions import DataError

_EXPECTED = "a header 'time,load:<name>,sgen:<name>' and one row per hour [MW]"


def read_background(
    path: Path,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], pd.Index]:
    """Read hourly load and sgen profiles [MW] and their time index from ``path``.

    Returns
    -------
    tuple
        ``(loads, sgens, times)``: dicts of element name to array of shape (time,) [MW], and
        the time index (UTC ``DatetimeIndex`` or integer hours).

    Raises
    ------
    DataError
        Unknown file type, unreadable or empty file, bad header, duplicated column, a value
        that is not a finite number >= 0, or times that are unparseable, repeated or not
        increasing; the message names the file, column and row.
    """
    path = Path(path)
    if path.suffix.lower() == ".nc":
        from gridtwin.grid.check import campus_profiles, require_hourly
        from gridtwin.results import open_results, single_run

        ds = single_run(open_results(path), path, "a campus profile")
        require_hourly(ds)
        campus, onsite = campus_profiles(ds)
        return campus, onsite, pd.DatetimeIndex(ds["time"].values, name="time")
    if path.suffix.lower() != ".csv":
        raise DataError(f"{path}: a background is a gridtwin result (.nc) or a CSV (.csv).")
    if not path.is_file():
        raise DataError(f"{path}: file not found.")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DataError(f"{path}: not a readable CSV ({first}); expected {_EXPECTED}.") from None
    with path.open(encoding="utf-8", errors="replace") as fh:
        header = [c.strip() for c in fh.readline().split(",")]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise DataError(f"{path}: column(s) {repeated} appear more than once; keep one each.")
    if frame.empty:
        raise DataError(f"{path}: has no data rows; expected {_EXPECTED}.")
    if "time" not in frame.columns:
        raise DataError(f"{path}: needs a 'time' column; expected {_EXPECTED}.")
    times = _times(path, frame["time"])
    loads: dict[str, np.ndarray] = {}
    sgens: dict[str, np.ndarray] = {}
    for col in frame.columns.drop("time"):
        kind, _, name = str(col).partition(":")
        if kind not in ("load", "sgen") or not name:
            raise DataError(f"{path}: column {col!r} must be 'load:<name>' or 'sgen:<name>' [MW].")
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = np.nonzero(~np.isfinite(values) | (values < 0))[0]
        if len(bad):
            row = int(bad[0])
            raise DataError(
                f"{path}: column {col!r} row {row + 2} (time {frame['time'].iloc[row]!s}) holds "
                f"{frame[col].iloc[row]!s}; give a finite number >= 0 [MW] ({len(bad)} such "
                "row(s)). Loads consume and sgens inject: put generation in an sgen column."
            )
        (loads if kind == "load" else sgens)[name] = values
    if not loads and not sgens:
        raise DataError(f"{path}: no 'load:<name>' or 'sgen:<name>' column; expected {_EXPECTED}.")
    return loads, sgens, times


def _times(path: Path, column: pd.Series) -> pd.Index:
    """Integer hours or UTC time stamps, unique and increasing."""
    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.notna().all() and (numeric == numeric.round()).all():
        index: pd.Index = pd.Index(numeric.astype(int), name="time")
    else:
        stamps = pd.to_datetime(column, errors="coerce", utc=True, format="ISO8601")
        if stamps.isna().any():
            row = int(np.nonzero(stamps.isna().to_numpy())[0][0])
            raise DataError(
                f"{path}: time {column.iloc[row]!s} in row {row + 2} is not a time stamp "
                "(ISO 8601, e.g. 2030-01-01 00:00, UTC unless an offset is given) or an hour."
            )
        index = pd.DatetimeIndex(stamps.dt.tz_convert("UTC").dt.tz_localize(None), name="time")
    if not index.is_unique:
        dup = index[index.duplicated()][0]
        raise DataError(f"{path}: time {dup} appears more than once; one row per hour.")
    if not index.is_monotonic_increasing:
        raise DataError(f"{path}: times are not increasing; sort the rows by time.")
    return index
