"""Hourly grid signals from published generation data: the carbon-free share and the CO2
intensity of a bidding zone's generation, hour by hour.

Readers turn three published layouts into one table, hourly, UTC interval starts, one column
per fuel in MW (:data:`FUELS`):

* RTE éCO2mix (France): the national annual files (``eCO2mix_RTE_Annuel-Definitif_<year>``,
  tab-separated, French headers, local time with ``Date`` and ``Heures``), the ODRÉ open-data
  export (``;``-separated, ``date_heure`` with its UTC offset) and the repackaged hourly files
  with ``time_utc`` and ``<fuel>_mw`` columns;
* ENTSO-E Transparency Platform, *Actual Generation per Production Type* (16.1.B&C) CSV export
  (``Area``, ``MTU`` as ``dd.mm.yyyy HH:MM - dd.mm.yyyy HH:MM (CET/CEST)`` or ``(UTC)``, one
  ``<type>  - Actual Aggregated [MW]`` column per production type);
* Electricity Maps hourly zone data CSV (``Datetime (UTC)``, ``Carbon Intensity gCO₂eq/kWh
  (direct)``, ``Low Carbon Percentage``): the signals directly, no fuel table.

:func:`grid_signals` then gives ``cfe_share`` [1] (nuclear, hydro, wind, solar, bioenergy,
geothermal and marine over all generation; pumped-storage output is stored energy and counts
on neither side) and ``co2_intensity`` [t CO2 MWh-1] (direct emissions of the fossil and
bioenergy plants over all generation), with :data:`EMISSION_FACTORS`.

These are shares of a zone's *generation*: imports and exports are not in the tables.

References
----------
RTE, éCO2mix, "Émissions de CO2 par kWh produit en France" (real-time factors per fuel: coal
0.96, oil 0.80, gas 0.36, bioenergies 0.98 t CO2/MWh), https://www.rte-france.com/eco2mix.
ENTSO-E Transparency Platform, Actual Generation per Production Type (article 16.1.B&C of
Commission Regulation (EU) No 543/2013).
Electricity Maps, data portal, hourly zone datasets (CSV columns as published).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from gridtwin.exceptions import DataError

logger = logging.getLogger(__name__)

#: Fuel columns of a generation table [MW].
FUELS = (
    "coal",
    "oil",
    "gas",
    "nuclear",
    "hydro",
    "wind",
    "solar",
    "bioenergy",
    "geothermal",
    "marine",
    "other",
    "pumped_storage",
)
#: Fuels counted as carbon-free (RTE's "production décarbonée", with geothermal and marine).
CARBON_FREE = frozenset({"nuclear", "hydro", "wind", "solar", "bioenergy", "geothermal", "marine"})
#: Direct CO2 per MWh of electricity [t CO2 MWh-1] (RTE éCO2mix real-time factors; "other"
#: plants are taken as gas-fired, the largest French fossil fleet).
EMISSION_FACTORS = {"coal": 0.96, "oil": 0.80, "gas": 0.36, "bioenergy": 0.98, "other": 0.36}

_ECO2MIX_FRENCH = {
    "Fioul": "oil",
    "Charbon": "coal",
    "Gaz": "gas",
    "Nucléaire": "nuclear",
    "Eolien": "wind",
    "Solaire": "solar",
    "Hydraulique": "hydro",
    "Pompage": "pumped_storage",
    "Bioénergies": "bioenergy",
}
_ODRE = {
    "fioul": "oil",
    "charbon": "coal",
    "gaz": "gas",
    "nucleaire": "nuclear",
    "eolien": "wind",
    "solaire": "solar",
    "hydraulique": "hydro",
    "pompage": "pumped_storage",
    "bioenergies": "bioenergy",
}
#: ENTSO-E production types -> fuels.
_ENTSOE = {
    "Biomass": "bioenergy",
    "Waste": "bioenergy",
    "Other renewable": "bioenergy",
    "Fossil Brown coal/Lignite": "coal",
    "Fossil Hard coal": "coal",
    "Fossil Peat": "coal",
    "Fossil Coal-derived gas": "gas",
    "Fossil Gas": "gas",
    "Fossil Oil": "oil",
    "Fossil Oil shale": "oil",
    "Geothermal": "geothermal",
    "Hydro Pumped Storage": "pumped_storage",
    "Hydro Run-of-river and poundage": "hydro",
    "Hydro Water Reservoir": "hydro",
    "Marine": "marine",
    "Nuclear": "nuclear",
    "Other": "other",
    "Solar": "solar",
    "Wind Offshore": "wind",
    "Wind Onshore": "wind",
}


def _hourly(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """UTC-indexed rows -> hourly means on a complete hourly index.

    A stamp given twice with the same values (a clock change handled twice upstream) is kept
    once; a gap of one hour (the clock change's other side) is filled by linear interpolation
    and logged; longer gaps, or one stamp with two different rows, are refused.
    """
    frame = frame.sort_index()
    dup = frame.index.duplicated(keep="first")
    if dup.any():
        twins = frame[frame.index.isin(frame.index[dup])]
        if (twins.groupby(level=0).nunique(dropna=False) > 1).any().any():
            first = frame.index[dup][0]
            raise DataError(
                f"{path}: time {first} (UTC) appears twice with different values; keep one row"
            )
        logger.info("%s: %d repeated time stamp(s) dropped: %s", path, dup.sum(),
                    list(frame.index[dup].strftime("%Y-%m-%d %H:%M")))  # fmt: skip
        frame = frame[~dup]
    hourly = frame.resample("1h").mean()
    missing = hourly.isna().all(axis=1)
    if missing.any():
        runs = (missing != missing.shift()).cumsum()[missing]
        longest = int(runs.value_counts().max())
        if longest > 2:
            start = hourly.index[missing][0]
            raise DataError(
                f"{path}: {int(missing.sum())} hour(s) without data, the longest run {longest} h "
                f"from {start} (UTC); give a complete year or fill the gap"
            )
        logger.info("%s: %d missing hour(s) interpolated: %s", path, int(missing.sum()),
                    list(hourly.index[missing].strftime("%Y-%m-%d %H:%M")))  # fmt: skip
        hourly = hourly.interpolate(limit=2, limit_area="inside")
    hourly.index = hourly.index.tz_convert("UTC").tz_localize(None)
    hourly.index.name = "time"
    return hourly


def _fuel_table(columns: dict[str, pd.Series], index: pd.DatetimeIndex, path: Path) -> pd.DataFrame:
    table = pd.DataFrame({fuel: 0.0 for fuel in FUELS}, index=index)
    for fuel, values in columns.items():
        numbers = pd.to_numeric(values, errors="coerce")
        table[fuel] = table[fuel] + numbers.fillna(0.0).to_numpy()
    if not table.notna().all().all():
        raise DataError(f"{path}: generation values that are not numbers")
    return table


def read_eco2mix(path: str | Path) -> pd.DataFrame:
    """Read RTE éCO2mix national generation by fuel.

    Parameters
    ----------
    path : str or Path
        A repackaged hourly file (``time_utc``, ``<fuel>_mw``), an ODRÉ export (``;``,
        ``date_heure``) or an éCO2mix annual download (tab-separated, ``Date``, ``Heures``
        in Paris local time, Latin-1).

    Returns
    -------
    pandas.DataFrame
        Hourly means on a complete UTC index (``time``, interval start), columns
        :data:`FUELS` [MW].

    Raises
    ------
    DataError
        Unknown layout, values that are not numbers, or a gap longer than two hours.
    """
    path = Path(path)
    raw = path.read_bytes()
    text_head = raw[:4000].decode("utf-8", errors="replace")
    if "time_utc" in text_head.splitlines()[0]:
        frame = pd.read_csv(path)
        index = pd.DatetimeIndex(pd.to_datetime(frame["time_utc"], utc=True))
        cols = {f[:-3]: frame[f] for f in frame.columns if f.endswith("_mw") and f[:-3] in FUELS}
    elif "date_heure" in text_head:
        frame = pd.read_csv(path, sep=";")
        index = pd.DatetimeIndex(pd.to_datetime(frame["date_heure"], utc=True))
        cols = {fuel: frame[col] for col, fuel in _ODRE.items() if col in frame.columns}
    elif "Heures" in raw[:4000].decode("latin-1"):
        frame = pd.read_csv(path, sep="\t", encoding="latin-1", index_col=False)
        frame = frame[frame["Heures"].notna() & frame["Consommation"].notna()]
        local = pd.to_datetime(frame["Date"] + " " + frame["Heures"], errors="coerce")
        if local.isna().any():
            raise DataError(
                f"{path}: unreadable Date/Heures at row {int(local.isna().argmax()) + 2}"
            )
        index = pd.DatetimeIndex(local).tz_localize(
            "Europe/Paris", ambiguous="infer", nonexistent="shift_forward"
        )
        cols = {fuel: frame[col] for col, fuel in _ECO2MIX_FRENCH.items() if col in frame.columns}
    else:
        raise DataError(
            f"{path}: not an RTE éCO2mix file (no time_utc, date_heure or Date/Heures column)"
        )
    if not cols:
        raise DataError(f"{path}: no generation column by fuel found")
    table = _fuel_table(cols, index, path)
    table.index = index
    return _hourly(table, path)


def read_entsoe_generation(path: str | Path) -> pd.DataFrame:
    """Read an ENTSO-E *Actual Generation per Production Type* CSV export.

    ``MTU`` intervals ``dd.mm.yyyy HH:MM - dd.mm.yyyy HH:MM`` in UTC or in ``CET/CEST`` (as the
    column header says); ``n/e`` (not expected) and empty cells count as 0; consumption of
    pumped storage is left out (only generation counts). 15-minute zones become hourly means.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_eco2mix`.

    Raises
    ------
    DataError
        No ``MTU`` column, an unknown time zone in its header, or a gap longer than two hours.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str)
    mtu = next((c for c in frame.columns if c.startswith("MTU")), None)
    if mtu is None:
        raise DataError(f"{path}: no 'MTU' column; is this an ENTSO-E generation export?")
    start = frame[mtu].str.split(" - ", n=1).str[0]
    naive = pd.to_datetime(start, format="%d.%m.%Y %H:%M", errors="coerce")
    if naive.isna().any():
        raise DataError(f"{path}: unreadable MTU at row {int(naive.isna().argmax()) + 2}")
    if "UTC" in mtu:
        index = pd.DatetimeIndex(naive).tz_localize("UTC")
    elif "CET" in mtu:
        index = pd.DatetimeIndex(naive).tz_localize(
            "Europe/Brussels", ambiguous="infer", nonexistent="shift_forward"
        )
    else:
        raise DataError(f"{path}: column {mtu!r} names no time zone (UTC or CET/CEST)")
    cols: dict[str, pd.Series] = {}
    for column in frame.columns:
        if "Actual Aggregated" not in column:
            continue
        kind = column.split(" - ")[0].strip()
        if kind not in _ENTSOE:
            raise DataError(f"{path}: unknown production type {kind!r} in column {column!r}")
        values = frame[column].replace({"n/e": "0", "": "0"}).fillna("0")
        fuel = _ENTSOE[kind]
        cols[fuel] = (
            cols[fuel] + pd.to_numeric(values, errors="coerce")
            if fuel in cols
            else (pd.to_numeric(values, errors="coerce"))
        )
    if not cols:
        raise DataError(f"{path}: no 'Actual Aggregated' generation column")
    table = _fuel_table(cols, index, path)
    table.index = index
    return _hourly(table, path)


def read_electricitymaps(path: str | Path) -> pd.DataFrame:
    """Read an Electricity Maps hourly zone CSV into grid signals.

    Returns
    -------
    pandas.DataFrame
        Hourly on a complete UTC index (``time``): ``cfe_share`` [1] from ``Low Carbon
        Percentage`` / 100, ``co2_intensity`` [t CO2 MWh-1] from the direct carbon intensity
        [g CO2eq kWh-1] / 1000.

    Raises
    ------
    DataError
        A missing column, a share outside 0-100 %, or a gap longer than two hours.
    """
    path = Path(path)
    frame = pd.read_csv(path)
    direct = next((c for c in frame.columns if "Carbon Intensity" in c and "direct" in c), None)
    needed = {"Datetime (UTC)": "Datetime (UTC)", "Low Carbon Percentage": "Low Carbon Percentage"}
    absent = [c for c in needed if c not in frame.columns] + ([] if direct else ["Carbon "
              "Intensity gCO₂eq/kWh (direct)"])  # fmt: skip
    if absent:
        raise DataError(f"{path}: missing column(s) {absent}; is this an Electricity Maps CSV?")
    share = pd.to_numeric(frame["Low Carbon Percentage"], errors="coerce")
    if not share.between(0.0, 100.0).all():
        raise DataError(f"{path}: 'Low Carbon Percentage' outside 0-100 or not a number")
    index = pd.DatetimeIndex(pd.to_datetime(frame["Datetime (UTC)"], utc=True))
    table = pd.DataFrame(
        {
            "cfe_share": share.to_numpy() / 100.0,
            "co2_intensity": pd.to_numeric(frame[direct], errors="coerce").to_numpy() / 1000.0,
        },
        index=index,
    )
    return _hourly(table, path)


def grid_signals(generation: pd.DataFrame) -> pd.DataFrame:
    """Carbon-free share and CO2 intensity of each hour's generation.

    Parameters
    ----------
    generation : pandas.DataFrame
        Generation by fuel [MW], columns among :data:`FUELS`, as the readers return. Negative
        values (pumping, small negative night-time solar metering) count as 0.

    Returns
    -------
    pandas.DataFrame
        Same index; ``cfe_share`` [1] = carbon-free generation / generation, and
        ``co2_intensity`` [t CO2 MWh-1] = sum(fuel x :data:`EMISSION_FACTORS`) / generation,
        pumped-storage output left out of both.

    Raises
    ------
    DataError
        An hour without any generation.
    """
    gen = generation.drop(columns=["pumped_storage"], errors="ignore").clip(lower=0.0)
    total = gen.sum(axis=1)
    if (total <= 0).any():
        raise DataError(f"no generation at {total.index[int(np.argmax(total <= 0))]} (UTC)")
    clean = gen[[c for c in gen.columns if c in CARBON_FREE]].sum(axis=1)
    co2 = sum(gen[f] * factor for f, factor in EMISSION_FACTORS.items() if f in gen.columns)
    return pd.DataFrame({"cfe_share": clean / total, "co2_intensity": co2 / total})


__all__ = [
    "CARBON_FREE",
    "EMISSION_FACTORS",
    "FUELS",
    "grid_signals",
    "read_eco2mix",
    "read_electricitymaps",
    "read_entsoe_generation",
]
