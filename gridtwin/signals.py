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
#: Negative generation below this [MW] is an error (not metering noise at night).
NEGATIVE_TOLERANCE_MW = 50.0
#: Fuel columns every RTE éCO2mix file has: one missing or misspelt is refused.
ECO2MIX_FUELS = ("oil", "coal", "gas", "nuclear", "wind", "solar", "hydro", "bioenergy")
#: Fuels counted as carbon-free (RTE's "production décarbonée", with geothermal and marine).
CARBON_FREE = frozenset({"nuclear", "hydro", "wind", "solar", "bioenergy", "geothermal", "marine"})
#: Direct CO2 per MWh of electricity [t CO2 MWh-1] (RTE éCO2mix real-time factors; "other"
#: plants are taken as gas-fired, the largest French fossil fleet).
EMISSION_FACTORS = {"coal": 0.96, "oil": 0.80, "gas": 0.36, "bioenergy": 0.98, "other": 0.36}

#: éCO2mix column of pumped-storage turbining, part of ``Hydraulique``.
STEP = "Hydraulique - STEP turbinage"
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
    frame.index = pd.DatetimeIndex(frame.index).tz_convert("UTC")
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


def _numbers(values: pd.Series, path: Path, column: str, blank_is_zero: bool) -> pd.Series:
    """A column as floats; a cell that is not a number is refused, naming its row (ENTSO-E's
    ``n/e``, "not expected", and empty cells are 0 where ``blank_is_zero``)."""
    text = values.astype("string").str.strip()
    if blank_is_zero:
        text = text.mask(text.isna() | text.isin(["", "n/e"]), "0")
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna()
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"{path}: column {column!r}, row {row + 2}: {values.iloc[row]!r} is not a number "
            "[MW]; give plain numbers (no thousands separators, no text)"
        )
    return numbers.astype(float)


def _fuel_table(
    columns: dict[str, list[tuple[str, pd.Series]]],
    index: pd.DatetimeIndex,
    path: Path,
    blank_is_zero: bool = False,
) -> pd.DataFrame:
    """Generation by fuel [MW] from the file's columns (fuel -> [(column, values)]);
    negative values beyond metering noise (-50 MW) are refused except for pumped storage."""
    table = pd.DataFrame({fuel: np.zeros(len(index)) for fuel in FUELS}, index=index)
    for fuel, parts in columns.items():
        for column, values in parts:
            numbers = _numbers(values, path, column, blank_is_zero).to_numpy()
            table[fuel] = table[fuel].to_numpy() + numbers
        low = table[fuel].to_numpy() < -NEGATIVE_TOLERANCE_MW
        if fuel != "pumped_storage" and low.any():
            row = int(np.argmax(low))
            names = ", ".join(repr(c) for c, _ in parts)
            raise DataError(
                f"{path}: {names}, row {row + 2}: {table[fuel].iloc[row]:g} MW of {fuel} "
                f"generation; only pumped storage may be negative (metering noise down to "
                f"-{NEGATIVE_TOLERANCE_MW:g} MW counts as 0)"
            )
    logger.info(
        "%s: generation columns read: %s",
        path,
        "; ".join(f"{fuel} <- {', '.join(c for c, _ in parts)}" for fuel, parts in columns.items()),
    )
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
    cols: dict[str, list[tuple[str, pd.Series]]] = {}
    if "time_utc" in text_head.splitlines()[0]:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        index = _utc_stamps(frame["time_utc"], path, "time_utc")
        for fuel in FUELS:
            if f"{fuel}_mw" in frame.columns:
                cols[fuel] = [(f"{fuel}_mw", frame[f"{fuel}_mw"])]
    elif "date_heure" in text_head:
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        index = _utc_stamps(frame["date_heure"], path, "date_heure")
        cols = {fuel: [(col, frame[col])] for col, fuel in _ODRE.items() if col in frame}
    elif "Heures" in raw[:4000].decode("latin-1"):
        frame = pd.read_csv(path, sep="\t", encoding="latin-1", index_col=False, dtype=str)
        for column in ("Date", "Heures", "Consommation"):
            if column not in frame.columns:
                raise DataError(f"{path}: no {column!r} column; is this an éCO2mix annual file?")
        frame = frame[frame["Heures"].notna() & frame["Consommation"].notna()]
        local = pd.to_datetime(frame["Date"] + " " + frame["Heures"], errors="coerce")
        if local.isna().any():
            bad = int(local.isna().argmax()) + 2
            raise DataError(f"{path}: unreadable Date/Heures at row {bad}")
        index, keep = _localised(pd.DatetimeIndex(local), "Europe/Paris", path)
        frame = frame[keep]
        cols = {fuel: [(col, frame[col])] for col, fuel in _ECO2MIX_FRENCH.items() if col in frame}
        if STEP in frame.columns:  # pumped-storage turbining is inside Hydraulique
            turbined = _numbers(frame[STEP], path, STEP, False)
            cols["hydro"].append((STEP, -turbined))
            cols.setdefault("pumped_storage", []).append((STEP, turbined))
    else:
        raise DataError(
            f"{path}: not an RTE éCO2mix file (no time_utc, date_heure or Date/Heures column)"
        )
    absent = [fuel for fuel in ECO2MIX_FUELS if fuel not in cols]
    if absent:
        raise DataError(
            f"{path}: no generation column for {absent}; every éCO2mix file has them (check "
            "the column names)"
        )
    table = _fuel_table(cols, index, path)
    return _hourly(table, path)


def _utc_stamps(values: pd.Series, path: Path, column: str) -> pd.DatetimeIndex:
    """Time stamps with a zone (or UTC) as UTC; an unreadable one is refused by row."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    if stamps.isna().any():
        row = int(stamps.isna().argmax())
        raise DataError(
            f"{path}: column {column!r}, row {row + 2}: {values.iloc[row]!r} is not an ISO 8601 "
            "time"
        )
    return pd.DatetimeIndex(stamps)


def _localised(
    naive: pd.DatetimeIndex, zone: str, path: Path
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Local wall-clock stamps in ``zone`` and which rows to keep. The autumn clock change's
    repeated hour is resolved by order when the file gives it twice; given once, it cannot be
    placed and is dropped (logged; the hour is then interpolated)."""
    try:
        return naive.tz_localize(zone, ambiguous="infer", nonexistent="shift_forward"), (
            np.ones(len(naive), dtype=bool)
        )
    except Exception:  # pytz's AmbiguousTimeError: the repeated hour appears once
        stamps = naive.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
        keep = ~np.asarray(stamps.isna())
        logger.info(
            "%s: %d row(s) in the autumn clock change's repeated hour given once; dropped and "
            "interpolated: %s", path, int((~keep).sum()),
            list(naive[~keep].strftime("%Y-%m-%d %H:%M")),
        )  # fmt: skip
        return stamps[keep], keep


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
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    mtu = next((c for c in frame.columns if c.startswith("MTU")), None)
    if mtu is None:
        raise DataError(f"{path}: no 'MTU' column; is this an ENTSO-E generation export?")
    start = frame[mtu].str.split(" - ", n=1).str[0]
    naive = pd.to_datetime(start, format="%d.%m.%Y %H:%M", errors="coerce")
    if naive.isna().any():
        row = int(naive.isna().argmax())
        raise DataError(
            f"{path}: unreadable MTU at row {row + 2} ({frame[mtu].iloc[row]!r}); expected "
            "'dd.mm.yyyy HH:MM - dd.mm.yyyy HH:MM'"
        )
    keep = np.ones(len(frame), dtype=bool)
    if "UTC" in mtu:
        index = pd.DatetimeIndex(naive).tz_localize("UTC")
    elif "CET" in mtu:
        index, keep = _localised(pd.DatetimeIndex(naive), "Europe/Brussels", path)
    else:
        raise DataError(f"{path}: column {mtu!r} names no time zone (UTC or CET/CEST)")
    frame = frame[keep]
    cols: dict[str, list[tuple[str, pd.Series]]] = {}
    for column in frame.columns:
        if "Actual Aggregated" not in column:
            continue
        kind = column.split(" - ")[0].strip()
        if kind not in _ENTSOE:
            raise DataError(f"{path}: unknown production type {kind!r} in column {column!r}")
        cols.setdefault(_ENTSOE[kind], []).append((column, frame[column]))
    if not cols:
        raise DataError(f"{path}: no 'Actual Aggregated' generation column")
    table = _fuel_table(cols, index, path, blank_is_zero=True)
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
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    direct = next((c for c in frame.columns if "Carbon Intensity" in c and "direct" in c), None)
    needed = {"Datetime (UTC)": "Datetime (UTC)", "Low Carbon Percentage": "Low Carbon Percentage"}
    absent = [c for c in needed if c not in frame.columns] + ([] if direct else ["Carbon "
              "Intensity gCO₂eq/kWh (direct)"])  # fmt: skip
    if absent:
        raise DataError(f"{path}: missing column(s) {absent}; is this an Electricity Maps CSV?")
    share = _numbers(frame["Low Carbon Percentage"], path, "Low Carbon Percentage", False)
    if not share.between(0.0, 100.0).all():
        raise DataError(f"{path}: 'Low Carbon Percentage' outside 0-100")
    if len(share) > 24 and share.max() <= 1.0:
        raise DataError(
            f"{path}: 'Low Carbon Percentage' is at most {share.max():g} all along: fractions, "
            "not percent; multiply by 100"
        )
    assert direct is not None  # absent columns were refused above
    intensity = _numbers(frame[direct], path, direct, False)
    if (intensity < 0).any():
        row = int(np.argmax(intensity.to_numpy() < 0))
        raise DataError(f"{path}: column {direct!r}, row {row + 2}: negative carbon intensity")
    index = _utc_stamps(frame["Datetime (UTC)"], path, "Datetime (UTC)")
    table = pd.DataFrame(
        {
            "cfe_share": share.to_numpy() / 100.0,
            "co2_intensity": intensity.to_numpy() / 1000.0,
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
