"""Shared time logic of every weather reader: any source table -> the canonical weather set.

A reader maps its file to a :class:`pandas.DataFrame` whose columns carry canonical names in SI
units (``ghi`` [W m-2], ``pressure`` [Pa], ...) and whose index holds the file's own time labels.
:func:`normalise` then does, in this order, everything that concerns time and data quality:

1. Label convention -> interval start: ``"end"`` labels (EPW, TMY2, TMY3: hour-ending) move
   back by one step; ``"instant"`` labels (NSRDB PSM: satellite instants) are the centre of a
   window of one step; ``"start"`` labels stay.
2. Typical year (months of different years) -> one ``reference_year``, keeping the rows in file
   order, so the year stays contiguous in UTC (a site at UTC-5 runs from 05:00 to 04:00).
   Leap days are kept when present; nothing assumes 8760 rows.
3. Local standard time -> UTC with the file's fixed offset. An index with several UTC offsets
   (daylight saving time) is an error, not something to guess about.
4. Checks: duplicated stamps, long gaps, negative irradiance, all-NaN variables raise
   :class:`~gridtwin.exceptions.DataError` naming the file, the variable and the time span; short
   gaps are interpolated linearly and counted in the variable attribute ``gaps_filled``.
5. Sub-hourly -> hourly means weighted by the overlap of each sample window with the hour, so
   ``sum(hourly) * 1 h`` equals ``sum(samples) * step`` (energy preserving).
"""

from __future__ import annotations

import calendar
import logging
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.conventions import CF_CONVENTIONS, annotate
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.weather.canonical import validate_weather

logger = logging.getLogger(__name__)

Label = Literal["start", "end", "instant"]

#: Canonical variables a reader may hand over, in output order.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "ghi",
    "dni",
    "dhi",
    "temp_air",
    "temp_dew",
    "relative_humidity",
    "pressure",
    "wind_speed",
    "albedo",
)
IRRADIANCE: tuple[str, ...] = ("ghi", "dni", "dhi")

#: Longest run of missing values [h] that is filled by linear interpolation. Three hours is the
#: longest gap over which temperature, pressure and humidity stay close to linear and over which
#: a sunrise or sunset ramp is at most half resolved; it is also the limit the TMY3 and
#: PVGIS producers themselves fill by interpolation. Longer gaps need a source decision.
MAX_GAP_HOURS = 3.0

#: Negative irradiance down to this value [W m-2] is sensor/model noise at night and is clipped to
#: 0 (and counted); anything more negative is an error in the file.
NEGATIVE_IRRADIANCE_TOLERANCE = 1.0

_HOUR = pd.Timedelta(hours=1)
_LABEL_TEXT: dict[str, str] = {
    "start": "{unit}-beginning",
    "end": "{unit}-ending",
    "instant": "instantaneous {unit} samples",
}
#: Shift from a label to the start of the interval it stands for, in units of the time step.
_LABEL_SHIFT: dict[str, float] = {"start": 0.0, "end": -1.0, "instant": -0.5}


def _fmt(t: pd.Timestamp | np.datetime64) -> str:
    return str(pd.Timestamp(t))


def span_text(times: pd.DatetimeIndex, first: int, last: int) -> str:
    if first == last:
        return f"at {_fmt(times[first])}"
    return f"from {_fmt(times[first])} to {_fmt(times[last])}"


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Return the (first, last) index of each contiguous run of ``True`` in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _local_labels(
    df: pd.DataFrame, utc_offset_h: float | None, source: str
) -> tuple[pd.DatetimeIndex, float]:
    """Return the labels as tz-naive local standard time and the UTC offset [h]."""
    index = df.index
    if not isinstance(index, pd.DatetimeIndex):
        try:  # an object index of timestamps with different offsets lands here
            offsets = {pd.Timestamp(t).utcoffset() for t in index}
        except (TypeError, ValueError):
            raise DataError(f"{source}: time labels are not dates ({index.dtype})") from None
        raise DataError(
            f"{source}: variable 'time': mixed UTC offsets "
            f"({', '.join(sorted(str(o) for o in offsets))}) from {_fmt(index[0])} to "
            f"{_fmt(index[-1])}; a weather file must use one fixed offset (standard time or UTC)"
        )
    if index.tz is None:
        if utc_offset_h is None:
            raise DataError(f"{source}: time labels have no UTC offset and none was given")
        return index, float(utc_offset_h)
    offsets = pd.Series(index.map(lambda t: t.utcoffset()))
    distinct = offsets.unique()
    if len(distinct) > 1:
        change = int(np.flatnonzero(offsets.to_numpy() != offsets.iloc[0])[0])
        raise DataError(
            f"{source}: variable 'time': mixed UTC offsets ({', '.join(map(str, distinct))}); "
            f"the offset changes at {_fmt(index[change])} (daylight saving time?); a weather "
            "file must use one fixed offset (standard time or UTC)"
        )
    offset = distinct[0].total_seconds() / 3600.0
    if utc_offset_h is not None and not math.isclose(offset, utc_offset_h):
        raise DataError(
            f"{source}: variable 'time': mixed UTC offsets: labels are at UTC{offset:+g} but the "
            f"header says UTC{utc_offset_h:+g}; correct the header or the labels"
        )
    return index.tz_localize(None), offset


def _resolution(labels: pd.DatetimeIndex, source: str) -> pd.Timedelta:
    steps = pd.Series(np.diff(labels.sort_values().unique().asi8))
    steps = steps[steps > 0]
    if steps.empty:
        raise DataError(f"{source}: variable 'time': fewer than two distinct time labels")
    step = pd.Timedelta(int(steps.mode().iloc[0]), unit="ns")
    if step > _HOUR or _HOUR % step != pd.Timedelta(0):
        raise DataError(
            f"{source}: variable 'time': time step {step} does not divide one hour; "
            "resample the file to 60, 30, 20, 15, 10, 5 or 1 minute(s)"
        )
    return step


def _reindex_typical(
    starts: pd.DatetimeIndex, step: pd.Timedelta, year: int, source: str
) -> pd.DatetimeIndex:
    """Move each interval to ``year`` keeping month, day and time of its midpoint."""
    mid = starts + step / 2
    leap_rows = (mid.month == 2) & (mid.day == 29)
    if leap_rows.any() and not calendar.isleap(year):
        raise ConfigError(
            f"{source}: the typical year has 29 February but reference year {year} is not a "
            "leap year: choose a leap reference year (e.g. 2020)"
        )
    if not leap_rows.any() and calendar.isleap(year) and (mid.month == 3).any():
        raise ConfigError(
            f"{source}: reference year {year} is a leap year but the typical year has no "
            "29 February: choose a non-leap reference year (e.g. 2019)"
        )
    moved = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year,
                "month": mid.month,
                "day": mid.day,
                "hour": mid.hour,
                "minute": mid.minute,
                "second": mid.second,
            }
        )
    )
    return pd.DatetimeIndex(moved) - step / 2


def _check_stamps(
    starts: pd.DatetimeIndex, labels: pd.DatetimeIndex, step: pd.Timedelta, source: str
) -> None:
    """Raise for clock changes, duplicated stamps, disorder and off-grid stamps."""
    diff = np.diff(starts.asi8)
    hour = _HOUR.value
    forward = np.flatnonzero(diff == step.value + hour)
    back = np.flatnonzero(diff == step.value - hour)
    if forward.size == 1 and back.size == 1:
        i, j = int(forward[0]), int(back[0])
        raise DataError(
            f"{source}: variable 'time': mixed UTC offsets: the labels jump forward by 1 h "
            f"after {_fmt(labels[i])} and back by 1 h after {_fmt(labels[j])}, as a switch to "
            "daylight saving time does; export the file in standard time or UTC"
        )
    dup = starts.duplicated(keep=False)
    if dup.any():
        first = int(np.argmax(dup))
        raise DataError(
            f"{source}: variable 'time': duplicated time stamp(s): {int(dup.sum())} rows share "
            f"labels, first {_fmt(labels[first])}; remove the repeated rows"
        )
    if (diff < 0).any():
        i = int(np.argmax(diff < 0))
        raise DataError(
            f"{source}: variable 'time': labels out of order at {_fmt(labels[i + 1])} "
            f"(after {_fmt(labels[i])}); sort the file by time"
        )
    off_grid = (starts - starts[0]) % step != pd.Timedelta(0)
    if off_grid.any():
        i = int(np.argmax(off_grid))
        raise DataError(
            f"{source}: variable 'time': label {_fmt(labels[i])} is off the {step} grid"
        )


def _optional_albedo(
    frame: pd.DataFrame, step: pd.Timedelta, source: str
) -> tuple[pd.DataFrame, str]:
    """Keep the file's albedo where it is usable: every value present a fraction in (0, 1]
    and no gap longer than :data:`MAX_GAP_HOURS` (short gaps are filled like any variable).
    Otherwise (missing codes such as EPW's 999 or empty fields, TMY3's zeros, long gaps) it is
    dropped and the PV model uses its configured albedo (``solar.albedo``, default 0.2).
    Returns the frame and a note for the weather set's ``albedo_source`` attribute."""
    if "albedo" not in frame:
        return frame, "not in the file: the PV model's solar.albedo is used"
    values = frame["albedo"].to_numpy(dtype=float)
    present = np.isfinite(values)
    fractions = present & (values > 0.0) & (values <= 1.0)
    longest = max((b - a + 1 for a, b in _runs(~present)), default=0)
    if present.any() and (fractions == present).all():
        if longest <= round(MAX_GAP_HOURS * _HOUR / step):
            return frame, "the file"
    note = (
        f"missing or outside (0, 1] in {int((~fractions).sum())} of {len(values)} rows of the "
        "file: the PV model's solar.albedo is used"
    )
    # a file without albedo in any row (most EPW and PVGIS files) is the common case: said
    # in the albedo_source attribute and at INFO; a partly unusable column is warned
    level = logging.INFO if not fractions.any() else logging.WARNING
    logger.log(level, "%s: albedo %s", source, note)
    return frame.drop(columns="albedo"), note


def _clean(
    frame: pd.DataFrame, step: pd.Timedelta, source: str, times: pd.DatetimeIndex, clock: str
) -> tuple[pd.DataFrame, dict[str, int], dict[str, int]]:
    """Check values; clip small negative irradiance; fill short gaps. Return counts.

    ``times`` are the rows' labels on the file's clock (named by ``clock``) for messages.
    """
    max_run = round(MAX_GAP_HOURS * _HOUR / step)
    filled: dict[str, int] = {}
    clipped: dict[str, int] = {}
    out = frame.copy()
    for name in out.columns:
        values = out[name].to_numpy(dtype=float).copy()
        nan = np.isnan(values)  # infinite values are not gaps: the range check names them
        if nan.all():
            raise DataError(
                f"{source}: variable '{name}' has no values (all NaN) "
                f"{span_text(times, 0, len(times) - 1)} ({clock}); the file lacks this variable"
            )
        if name in IRRADIANCE:
            negative = np.zeros_like(nan)
            negative[~nan] = np.isfinite(values[~nan]) & (values[~nan] < 0.0)
            bad = negative & (values < -NEGATIVE_IRRADIANCE_TOLERANCE)
            if bad.any():
                first, last = _runs(bad)[0]
                raise DataError(
                    f"{source}: variable '{name}' is negative (down to "
                    f"{np.nanmin(values):g} W m-2) {span_text(times, first, last)} ({clock}; "
                    f"{int(bad.sum())} value(s)); irradiance below "
                    f"-{NEGATIVE_IRRADIANCE_TOLERANCE:g} W m-2 is not noise"
                )
            clipped[name] = int(negative.sum())
            values[negative] = 0.0
        for first, last in _runs(nan):
            length = last - first + 1
            if first == 0 or last == len(values) - 1:
                raise DataError(
                    f"{source}: variable '{name}' is missing {span_text(times, first, last)} "
                    f"({clock}) at the edge of the record; a gap there cannot be interpolated"
                )
            if length > max_run:
                raise DataError(
                    f"{source}: variable '{name}' has a gap of {length * step} "
                    f"{span_text(times, first, last)} ({clock}), longer than {MAX_GAP_HOURS:g} h "
                    "(gridtwin.weather.normalise.MAX_GAP_HOURS); fill it from another source"
                )
        if nan.any():
            x = np.arange(values.size)
            values[nan] = np.interp(x[nan], x[~nan], values[~nan])
        filled[name] = int(nan.sum())
        out[name] = values
    return out, filled, clipped


def _to_hourly(frame: pd.DataFrame, step: pd.Timedelta) -> pd.DataFrame:
    """Average windows of length ``step`` starting at the index to hourly interval means.

    Each sample is spread over sub-slots (the largest duration dividing the step, the hour and
    the offset of the windows from the hour), then every hour takes the mean of its slots. An
    hour at an edge of the record is kept when more than half of it is covered (the last one
    from exactly half), so a record of N hours that is offset from the hour yields N hours.
    """
    starts = pd.DatetimeIndex(frame.index)
    phase = (starts[0] - starts[0].floor("h")).value
    slot = math.gcd(step.value, _HOUR.value, phase) if phase else math.gcd(step.value, _HOUR.value)
    if step == _HOUR and phase == 0:
        return frame
    repeat = step.value // slot
    slot_times = np.repeat(starts.asi8, repeat) + np.tile(np.arange(repeat) * slot, len(starts))
    slots = pd.DataFrame(
        np.repeat(frame.to_numpy(dtype=float), repeat, axis=0),
        index=pd.DatetimeIndex(slot_times),
        columns=frame.columns,
    )
    hours = slots.index.floor("h")
    hourly = slots.groupby(hours).mean()
    cover = slots.groupby(hours).size() * slot / _HOUR.value
    keep = cover >= 1.0
    keep.iloc[0] = cover.iloc[0] > 0.5
    keep.iloc[-1] = cover.iloc[-1] >= 0.5
    return hourly[keep.to_numpy()]


def normalise(
    df: pd.DataFrame,
    *,
    source: str,
    label: Label,
    utc_offset_h: float | None,
    typical_year: bool,
    reference_year: int = 2019,
    wind_height_m: float,
    attrs: Mapping[str, Any],
) -> xr.Dataset:
    """Turn a reader's table into the canonical weather set (UTC, interval start, hourly).

    Parameters
    ----------
    df : pandas.DataFrame
        Columns with canonical names in canonical units (irradiance [W m-2], temperatures [degC],
        ``relative_humidity`` [%], ``pressure`` [Pa], ``wind_speed`` [m s-1], ``albedo`` [1]);
        other columns are ignored. Index: the file's time labels, tz-naive local standard time
        or tz-aware with one fixed offset. Rows in file order.
    source : str
        File name used in attributes and error messages.
    label : {"start", "end", "instant"}
        What a label stands for: the start or the end of an interval of one time step, or an
        instantaneous sample taken as the mean over one step centred on the label.
    utc_offset_h : float or None
        Offset of tz-naive labels from UTC [h] (``-5`` for US Eastern standard time).
    typical_year : bool
        True if the rows are months of different years; they are then moved to
        ``reference_year`` keeping file order.
    reference_year : int
        Year of a re-indexed typical year.
    wind_height_m : float
        Height of the wind speed measurement [m].
    attrs : Mapping
        Global attributes: at least ``latitude``, ``longitude`` [deg]; usually ``altitude`` [m],
        ``site_name``, ``source``. ``original_time_convention`` is filled in when absent.

    Returns
    -------
    xarray.Dataset
        Canonical weather set; every variable has ``gaps_filled`` (values interpolated, counted
        at the source resolution), irradiance also ``negative_clipped``.

    Raises
    ------
    DataError
        Naming ``source``, the variable and the time span, for mixed UTC offsets, duplicated or
        disordered stamps, gaps longer than :data:`MAX_GAP_HOURS`, irradiance below
        ``-NEGATIVE_IRRADIANCE_TOLERANCE``, or a variable without any value.
    ConfigError
        If ``reference_year`` and the leap day of a typical year disagree.
    """
    columns = [c for c in CANONICAL_COLUMNS if c in df.columns]
    labels, offset_h = _local_labels(df, utc_offset_h, source)
    step = _resolution(labels, source)
    local_starts = labels + step * _LABEL_SHIFT[label]
    if typical_year:
        local_starts = _reindex_typical(local_starts, step, reference_year, source)
    starts = local_starts - pd.Timedelta(hours=offset_h)
    _check_stamps(starts, labels, step, source)

    frame = pd.DataFrame(df[columns].to_numpy(dtype=float), index=starts, columns=columns)
    grid = pd.date_range(starts[0], starts[-1], freq=step)
    frame = frame.reindex(grid)
    file_clock = grid + pd.Timedelta(hours=offset_h) - step * _LABEL_SHIFT[label]
    zone = "UTC" if offset_h == 0 else f"local standard time, UTC{offset_h:+g}"
    clock = f"file labels, {zone}"
    frame, albedo_note = _optional_albedo(frame, step, source)
    frame, filled, clipped = _clean(frame, step, source, file_clock, clock)
    hourly = _to_hourly(frame, step)

    time = pd.DatetimeIndex(hourly.index).as_unit("ns")
    ds = xr.Dataset({name: ("time", hourly[name].to_numpy()) for name in hourly.columns},
                    coords={"time": time})  # fmt: skip
    for name in ds.data_vars:
        ds[name].attrs["gaps_filled"] = filled.get(str(name), 0)
        if name in clipped:
            ds[name].attrs["negative_clipped"] = clipped[str(name)]
    if "wind_speed" in ds:
        ds["wind_speed"].attrs["height_m"] = float(wind_height_m)
    ds["time"].attrs.update(long_name="start of the hourly interval (UTC)", standard_name="time")
    minutes = step / pd.Timedelta(minutes=1)
    ds.attrs.update(Conventions=CF_CONVENTIONS)
    ds.attrs.update(attrs)
    unit = "hour" if step == _HOUR else f"{minutes:g}-min"
    text = _LABEL_TEXT[label].format(unit=unit)
    ds.attrs.setdefault("original_time_convention", f"{text} {zone}")
    ds.attrs.update(
        original_utc_offset_h=offset_h,
        original_resolution=f"{minutes:g} min",
        time_convention="UTC, interval start",
        albedo_source=albedo_note,
    )
    if step != _HOUR or label == "instant":
        ds.attrs["aggregation"] = f"{minutes:g}-min values averaged to hourly means by overlap"
    if typical_year:
        ds.attrs["reference_year"] = int(reference_year)
        expected = 8784 if calendar.isleap(int(reference_year)) else 8760
        if ds.sizes["time"] != expected:
            raise DataError(
                f"{source}: a typical-year file must cover a whole year ({expected} hours) but "
                f"has {ds.sizes['time']} hours from {_fmt(time[0])} to {_fmt(time[-1])} (UTC); "
                "is it truncated? Use the complete file"
            )
    annotate(ds)
    logger.debug("normalised %s: %d hours from %s", source, ds.sizes["time"], _fmt(time[0]))
    return validate_weather(ds, source=source)
