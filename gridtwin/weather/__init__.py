"""Weather: readers to the canonical weather set and resource conversions (PV, wind).

Readers map each source to one canonical :class:`xarray.Dataset` (UTC, interval start, hourly,
SI units; see :mod:`gridtwin.weather.canonical`). Resource functions turn a weather set into
capacity factors [p.u.] (see :mod:`gridtwin.weather.resources`).
"""

from __future__ import annotations

from gridtwin.weather.canonical import open_weather, validate_weather, write_weather
from gridtwin.weather.resources import (
    pv_capacity_factor,
    pvwatts_chain,
    wind_capacity_factor,
)
from gridtwin.weather.tmy3 import read_tmy3

__all__ = [
    "open_weather",
    "pv_capacity_factor",
    "pvwatts_chain",
    "read_tmy3",
    "validate_weather",
    "wind_capacity_factor",
    "write_weather",
]
