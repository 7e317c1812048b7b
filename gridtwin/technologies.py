"""Technology catalogue: investment, O&M, lifetimes, efficiencies and annualised costs.

The catalogue is a long table, one row per (technology, parameter), with the columns
``technology, parameter, value, unit, currency, currency_year, source, note``. The package
ships ``gridtwin/data/technologies.csv`` (NREL ATB 2024 and Danish Energy Agency numbers, read
through PyPSA technology-data, USD of 2022); a study may point to its own file with the same
columns.

Parameters and their units (``<cur>`` is the row's ``currency``):

==================== ============================== ======================================
parameter            unit                           meaning
==================== ============================== ======================================
investment           <cur>/MW (battery_energy /MWh) overnight capital cost
fom                  %/year                         fixed O&M, share of investment per year
vom                  <cur>/MWh                      variable O&M per MWh produced
lifetime             years                          lifetime used for annualisation
discount_rate        per unit                       real discount rate (WACC)
efficiency_roundtrip per unit                       storage AC-AC round-trip efficiency
==================== ============================== ======================================

The study technology ``battery`` is two catalogue technologies: ``battery_energy`` (storage
energy ``e_nom``, per MWh) and ``battery_power`` (power conversion ``p_nom``, per MW, which also
carries the round-trip efficiency; optimisers use its square root for charge and discharge).
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

import pandas as pd

from gridtwin.exceptions import ConfigError, DataError

COLUMNS = "technology parameter value unit currency currency_year source note".split()
# Unit of each parameter; "{cur}" is replaced by the row's currency.
UNITS = {
    "investment": "{cur}/MW",
    "fom": "%/year",
    "vom": "{cur}/MWh",
    "lifetime": "years",
    "discount_rate": "per unit",
    "efficiency_roundtrip": "per unit",
}
MONETARY = {"investment", "vom"}
REQUIRED = {"investment", "fom", "lifetime", "discount_rate"}
EXTRA_REQUIRED = {
    "solar": {"vom"},
    "onwind": {"vom"},
    "battery_power": {"efficiency_roundtrip"},
}
ENERGY_CAPACITY = {"battery_energy"}
STUDY_TECHNOLOGIES = {
    "solar": ["solar"],
    "onwind": ["onwind"],
    "battery": ["battery_energy", "battery_power"],
}


def annuity(discount_rate: float, lifetime: float) -> float:
    """Capital recovery factor: the share of an investment paid back each year.

    .. math::

        CRF(r, n) = \\frac{r}{1 - (1 + r)^{-n}} = \\frac{r (1 + r)^n}{(1 + r)^n - 1},
        \\qquad CRF(0, n) = \\frac{1}{n}

    Parameters
    ----------
    discount_rate : float
        Real discount rate r [per unit/year], >= 0.
    lifetime : float
        Economic lifetime n [years], > 0.

    Returns
    -------
    float
        Capital recovery factor [1/year].

    Raises
    ------
    ConfigError
        If ``lifetime <= 0`` or ``discount_rate < 0`` (or either is not finite).

    References
    ----------
    .. [1] W. Short, D. J. Packey, T. Holt, "A Manual for the Economic Evaluation of Energy
       Efficiency and Renewable Energy Technologies", NREL/TP-462-5173, 1995.

    Examples
    --------
    >>> round(annuity(0.07, 20), 5)
    0.09439
    >>> annuity(0.0, 25)
    0.04
    """
    r, n = float(discount_rate), float(lifetime)
    if not (math.isfinite(n) and n > 0):
        raise ConfigError(f"lifetime must be a positive number of years, got {lifetime!r}")
    if not (math.isfinite(r) and r >= 0):
        raise ConfigError(f"discount_rate must be >= 0 (per unit), got {discount_rate!r}")
    if r == 0:
        return 1.0 / n
    return r / (1.0 - (1.0 + r) ** -n)


def _read(path: Path | None) -> tuple[pd.DataFrame, str]:
    if path is None:
        ref = resources.files("gridtwin") / "data" / "technologies.csv"
        with ref.open("r", encoding="utf-8") as fh:
            return pd.read_csv(fh, dtype=str, keep_default_na=False), str(ref)
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: technology catalogue not found; give the path of a CSV file")
    try:
        return pd.read_csv(p, dtype=str, keep_default_na=False), str(p)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{p}: cannot read technology catalogue as CSV ({exc})") from None


def load_catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a technology catalogue.

    Parameters
    ----------
    path : str or Path, optional
        CSV catalogue with the columns of :data:`COLUMNS`; default the one shipped with the
        package (``gridtwin/data/technologies.csv``).

    Returns
    -------
    pandas.DataFrame
        The rows, ``value`` as float, ``currency_year`` as nullable integer (``<NA>`` for
        non-monetary parameters), in file order. ``attrs["source"]`` holds the file name.

    Raises
    ------
    DataError
        Naming the file, the row (line number) or technology and the parameter when a column
        is missing, a value is not numeric or out of range, a unit or currency is wrong, a
        (technology, parameter) pair appears twice, or a required parameter is missing.
    """
    df, name = _read(None if path is None else Path(path))
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{name}: missing column(s) {missing}; expected columns {COLUMNS}")
    df = df[COLUMNS].reset_index(drop=True)
    if df.empty:
        raise DataError(f"{name}: technology catalogue has no rows")
    for col in ("technology", "parameter", "unit", "currency", "currency_year"):
        df[col] = df[col].str.strip()

    def fail(i: int, msg: str) -> DataError:
        row = df.loc[i]
        where = f"line {i + 2} ({row['technology']}, {row['parameter']})"
        return DataError(f"{name}: {where}: {msg}")

    values = pd.to_numeric(df["value"].str.strip(), errors="coerce")
    years: list[int | None] = []
    for i, row in enumerate(df.to_dict("records")):
        par, cur = row["parameter"], row["currency"]
        if not row["technology"]:
            raise fail(i, "empty technology name")
        if par not in UNITS:
            raise fail(i, f"unknown parameter {par!r}; use one of {sorted(UNITS)}")
        if not math.isfinite(values[i]):
            raise fail(i, f"value {row['value']!r} is not a finite number")
        if par in MONETARY and not (cur and row["currency_year"]):
            raise fail(i, "a monetary parameter needs currency and currency_year")
        try:
            years.append(int(row["currency_year"]) if row["currency_year"] else None)
        except ValueError:
            raise fail(i, f"currency_year {row['currency_year']!r} is not a year") from None
        unit = UNITS[par].format(cur=cur)
        if par == "investment" and row["technology"] in ENERGY_CAPACITY:
            unit += "h"
        if row["unit"] != unit:
            raise fail(i, f"unit {row['unit']!r} should be {unit!r} (convert the value)")
        v = values[i]
        bad = (
            (par == "lifetime" and v <= 0)
            or (par == "efficiency_roundtrip" and not 0 < v <= 1)
            or (par not in ("lifetime", "efficiency_roundtrip") and v < 0)
        )
        if bad:
            raise fail(i, f"value {v} is out of range for {par}")
    df["value"] = values.astype(float)
    df["currency_year"] = pd.array(years, dtype="Int64")
    dup = df.duplicated(["technology", "parameter"], keep="first")
    if dup.any():
        i = int(dup.idxmax())
        key = (df["technology"] == df.loc[i, "technology"]) & (
            df["parameter"] == df.loc[i, "parameter"]
        )
        first = int(key.idxmax()) + 2
        raise fail(i, f"duplicate row (same technology and parameter as line {first}); keep one")
    for tech, group in df.groupby("technology", sort=False):
        need = REQUIRED | EXTRA_REQUIRED.get(str(tech), set())
        absent = sorted(need - set(group["parameter"]))
        if absent:
            raise DataError(f"{name}: technology {tech!r}: missing required parameter(s) {absent}")
    df.attrs["source"] = name
    return df


def annualised_costs(
    catalogue: pd.DataFrame,
    technologies: list[str],
    currency: str,
    currency_year: int,
    discount_rate: float | None = None,
) -> pd.DataFrame:
    """Annualised capital and marginal costs of the study technologies.

    ``capital_cost = investment * (annuity(discount_rate, lifetime) + fom / 100)``.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        As returned by :func:`load_catalogue`.
    technologies : list of str
        Study technology names (``"solar"``, ``"onwind"``, ``"battery"``); ``"battery"``
        expands to ``battery_energy`` and ``battery_power``.
    currency : str
        Study currency, ``"USD"`` or ``"EUR"``.
    currency_year : int
        Study currency year.
    discount_rate : float, optional
        Overrides the catalogue's per-technology discount rate [per unit].

    Returns
    -------
    pandas.DataFrame
        Indexed by catalogue technology, columns:

        * ``capital_cost`` -- annualised investment + fixed O&M [currency/MW/a], or
          [currency/MWh/a] when ``capital_unit`` is ``"MWh"``
        * ``marginal_cost`` -- variable O&M [currency/MWh]; 0 when the catalogue has no ``vom``
        * ``efficiency_roundtrip`` -- [per unit]; NaN where not applicable
        * ``lifetime`` [years], ``discount_rate`` [per unit] (the one used)
        * ``investment`` [currency/MW or currency/MWh]
        * ``capital_unit`` -- ``"MW"`` or ``"MWh"``

        ``attrs`` holds ``currency`` and ``currency_year``.

    Raises
    ------
    ConfigError
        Unknown study technology or invalid ``discount_rate`` override.
    DataError
        A technology is absent from the catalogue, or its monetary rows are in another
        currency or currency year than the study.
    """
    source = catalogue.attrs.get("source", "technology catalogue")
    names: list[str] = []
    for tech in technologies:
        if tech not in STUDY_TECHNOLOGIES:
            raise ConfigError(
                f"technologies.extendable: unknown technology {tech!r}; "
                f"use one of {sorted(STUDY_TECHNOLOGIES)}"
            )
        names.extend(n for n in STUDY_TECHNOLOGIES[tech] if n not in names)
    if discount_rate is not None:
        annuity(discount_rate, 1.0)  # validates the override
    rows = []
    for tech in names:
        sub = catalogue[catalogue["technology"] == tech]
        if sub.empty:
            raise DataError(f"{source}: technology {tech!r} is not in the catalogue; add its rows")
        money = sub[sub["parameter"].isin(MONETARY)]
        for _, row in money.iterrows():
            if row["currency"] != currency or row["currency_year"] != currency_year:
                raise DataError(
                    f"{source}: {tech} {row['parameter']} is in {row['currency']} of "
                    f"{row['currency_year']} but the study uses {currency} of {currency_year}; "
                    "convert the catalogue to the study currency and year, or change the "
                    "study's currency / currency_year"
                )
        par = dict(zip(sub["parameter"], sub["value"], strict=True))
        rate = par["discount_rate"] if discount_rate is None else float(discount_rate)
        capital = par["investment"] * (annuity(rate, par["lifetime"]) + par["fom"] / 100.0)
        rows.append(
            {
                "technology": tech,
                "capital_cost": capital,
                "marginal_cost": par.get("vom", 0.0),
                "efficiency_roundtrip": par.get("efficiency_roundtrip", math.nan),
                "lifetime": par["lifetime"],
                "discount_rate": rate,
                "investment": par["investment"],
                "capital_unit": "MWh" if tech in ENERGY_CAPACITY else "MW",
            }
        )
    columns = [
        "technology",
        "capital_cost",
        "marginal_cost",
        "efficiency_roundtrip",
        "lifetime",
        "discount_rate",
        "investment",
        "capital_unit",
    ]
    out = pd.DataFrame(rows, columns=columns).set_index("technology")
    out.attrs.update(currency=currency, currency_year=currency_year)
    return out
