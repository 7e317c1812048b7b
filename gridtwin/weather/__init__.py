"""Weather: readers to the canonical weather set and resource conversions (PV, wind).

Readers map each source to one canonical :class:`xarray.Dataset` (UTC, interval start, hourly,
SI units; see :mod:`gridtwin.weather.canonical`). :func:`read` is the entry point for every
supported file format (:data:`FORMATS`); the shared time logic is
:func:`gridtwin.weather.normalise.normalise`. Resource functions turn a weather set into
capacity factors [p.u.] (see :mod:`gridtwin.weather.resources`).
"""

from __future__ import annotations

from gridtwin.weather.canonical import open_weather, validate_weather, write_weather
from gridtwin.weather.epw import read_epw
from gridtwin.weather.nsrdb import read_nsrdb
from gridtwin.weather.pvgis import read_pvgis
from gridtwin.weather.readers import FORMATS, detect_format, read, stack_years
from gridtwin.weather.resources import (
    pv_capacity_factor,
    pvwatts_chain,
    wind_capacity_factor,
)
from gridtwin.weather.tmy3 import read_tmy2, read_tmy3

__all__ = [
    "FORMATS",
    "detect_format",
    "open_weather",
    "pv_capacity_factor",
    "pvwatts_chain",
    "read",
    "read_epw",
    "read_nsrdb",
    "read_pvgis",
    "read_tmy2",
    "read_tmy3",
    "stack_years",
    "validate_weather",
    "wind_capacity_factor",
    "write_weather",
]
