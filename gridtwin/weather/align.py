"""Put a typical year on another site's UTC hours (a fleet of campuses works on one clock).

A typical year re-indexed to its ``reference_year`` starts at local midnight of 1 January, so
two sites in different time zones cover different UTC hours (Greensboro from 05:00 UTC,
Lyon from 23:00 UTC the day before). A typical year stands for any year and is cyclic, so its
hours are rotated onto the other's: every value keeps its UTC hour of the year, and the few
hours that fall outside the other's span are taken from the other end of the same year (the
night of 31 December for that of 1 January).
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from gridtwin.conventions import TIME
from gridtwin.exceptions import ConfigError


def _hour_of_year(t: pd.Timestamp) -> int:
    return int((t - pd.Timestamp(year=t.year, month=1, day=1)) / pd.Timedelta(hours=1))


def on_hours(ws: xr.Dataset, hours: pd.DatetimeIndex, what: str) -> xr.Dataset:
    """``ws`` on ``hours``: unchanged if it is on them already, else rotated (see the module).

    Parameters
    ----------
    ws : xarray.Dataset
        Canonical weather set, hourly on ``time`` (UTC).
    hours : pandas.DatetimeIndex
        The hours to put it on: a whole typical year (8760 h), hourly.
    what : str
        The set's name, for the message.

    Raises
    ------
    ConfigError
        The set is not on ``hours`` and is not a whole year of the same length: it cannot be
        rotated without inventing or dropping hours.
    """
    own = pd.DatetimeIndex(ws[TIME].to_numpy())
    if own.equals(hours):
        return ws
    n = len(own)
    if n != len(hours) or n != 8760 or len(pd.unique(hours.diff()[1:])) != 1:
        raise ConfigError(
            f"{what}: its weather covers {own[0]} to {own[-1]} ({n} h) and the first campus's "
            f"{hours[0]} to {hours[-1]} ({len(hours)} h); a fleet needs the same hours, or "
            "typical years of 8760 h that can be put on one clock"
        )
    shift = (_hour_of_year(hours[0]) - _hour_of_year(own[0])) % n
    out = ws.roll({TIME: -shift}, roll_coords=False).assign_coords({TIME: hours.to_numpy()})
    out.attrs = dict(ws.attrs)
    out.attrs["hours_rotated_by"] = int(shift)
    return out


__all__ = ["on_hours"]
