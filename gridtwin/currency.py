"""Money of one currency and year in another: price indices and exchange rates, with sources.

A value in currency ``a`` of year ``y0`` becomes currency ``b`` of year ``y1`` in two steps:

1. **inflation in its own currency** from ``y0`` to ``y1`` with that currency's consumer price
   index (``value x index_a(y1) / index_a(y0)``);
2. **exchange** at the annual average rate of ``y1`` (ECB euro reference rate).

Inflation is applied in the currency the money was spent in, and the exchange at the rate of
the year the result is expressed in. The other order (exchange at ``y0``, inflate in ``b``)
differs by the two currencies' relative inflation, 1-3 % over the years of the catalogues. All
tables are annual averages.

Tables (annual averages):

* ``USD per EUR``: ECB euro foreign exchange reference rates, US dollar, annual average
  (ECB Data Portal, series EXR.A.USD.EUR.SP00.A).
* EUR: euro area HICP, all items, annual average rate of change (Eurostat ``prc_hicp_aind``,
  unit RCH_A, geo EA; ECB series ICP.A.U2.N.000000.4.AVR), chained into an index 2015 = 100.
* USD: US CPI-U, all items, U.S. city average, annual average, 1982-84 = 100 (US Bureau of
  Labor Statistics, series CUUR0000SA0).

Years outside the tables are refused: extrapolating inflation would be a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gridtwin.exceptions import ConfigError

CURRENCIES = ("EUR", "USD")

#: US dollars per euro, annual average of the ECB's daily reference rates.
USD_PER_EUR: dict[int, float] = {
    2010: 1.3257,
    2011: 1.3920,
    2012: 1.2848,
    2013: 1.3281,
    2014: 1.3285,
    2015: 1.1095,
    2016: 1.1069,
    2017: 1.1297,
    2018: 1.1810,
    2019: 1.1195,
    2020: 1.1422,
    2021: 1.1827,
    2022: 1.0530,
    2023: 1.0813,
    2024: 1.0824,
}

#: Euro area HICP, annual average rate of change [%] (Eurostat prc_hicp_aind, RCH_A, EA).
HICP_EURO_AREA_RATE: dict[int, float] = {
    2011: 2.7,
    2012: 2.5,
    2013: 1.3,
    2014: 0.4,
    2015: 0.2,
    2016: 0.2,
    2017: 1.5,
    2018: 1.8,
    2019: 1.2,
    2020: 0.3,
    2021: 2.6,
    2022: 8.4,
    2023: 5.4,
    2024: 2.4,
}

#: US CPI-U, all items, U.S. city average, annual average (1982-84 = 100), BLS CUUR0000SA0.
CPI_U: dict[int, float] = {
    2010: 218.056,
    2011: 224.939,
    2012: 229.594,
    2013: 232.957,
    2014: 236.736,
    2015: 237.017,
    2016: 240.007,
    2017: 245.120,
    2018: 251.107,
    2019: 255.657,
    2020: 258.811,
    2021: 270.970,
    2022: 292.655,
    2023: 304.702,
    2024: 313.689,
}


def _chained(rates: dict[int, float], base: int = 2015) -> dict[int, float]:
    """Index (``base`` = 100) from annual rates of change [%]; the first year of the table
    before the first rate is its start."""
    first = min(rates) - 1
    index = {first: 100.0}
    for year in range(first + 1, max(rates) + 1):
        index[year] = index[year - 1] * (1.0 + rates[year] / 100.0)
    scale = 100.0 / index[base]
    return {year: value * scale for year, value in index.items()}


#: Consumer price index of each currency by year (any base: only ratios are used).
PRICE_INDEX: dict[str, dict[int, float]] = {
    "EUR": _chained(HICP_EURO_AREA_RATE),
    "USD": CPI_U,
}

SOURCES = {
    "USD per EUR": "ECB euro foreign exchange reference rates, annual average "
    "(EXR.A.USD.EUR.SP00.A)",
    "EUR": "Eurostat HICP, euro area, annual average rate of change (prc_hicp_aind, RCH_A, EA)",
    "USD": "US BLS CPI-U, all items, U.S. city average, annual average (CUUR0000SA0)",
}


@dataclass(frozen=True)
class Conversion:
    """How one money value was converted: factor and the steps behind it.

    Attributes
    ----------
    source, target : tuple of (str, int)
        (currency, year) before and after.
    inflation : float
        Price index ratio in the source currency, ``index(target year) / index(source
        year)`` [-].
    exchange : float
        Target-currency units per source-currency unit in the target year [-] (1 for the
        same currency).
    """

    source: tuple[str, int]
    target: tuple[str, int]
    inflation: float
    exchange: float

    @property
    def factor(self) -> float:
        """Multiply a source value by this to get the target value [-]."""
        return self.inflation * self.exchange

    def describe(self) -> str:
        """One line: ``EUR 2020 -> USD 2022: x1.1378 (inflation 1.1123, exchange 1.0530)``."""
        (c0, y0), (c1, y1) = self.source, self.target
        return (
            f"{c0} {y0} -> {c1} {y1}: x{self.factor:.4f} (inflation {self.inflation:.4f} in "
            f"{c0}, exchange {self.exchange:.4f} {c1}/{c0} in {y1})"
        )


def _year(table: dict[int, float], year: int, what: str) -> float:
    if year not in table:
        raise ConfigError(
            f"{what} of {year} is not in gridtwin's tables ({min(table)}-{max(table)}); "
            "give the value in a year the tables cover, or convert it yourself"
        )
    return table[year]


def conversion(currency: str, year: int, to_currency: str, to_year: int) -> Conversion:
    """The conversion of money from ``currency`` of ``year`` to ``to_currency`` of ``to_year``.

    Parameters
    ----------
    currency, to_currency : {"EUR", "USD"}
    year, to_year : int
        Price base years (currency years).

    Returns
    -------
    Conversion
        ``factor`` = inflation in ``currency`` from ``year`` to ``to_year`` x the exchange rate
        of ``to_year`` (see the module docstring for the order and sources).

    Raises
    ------
    ConfigError
        An unknown currency, or a year outside the tables.

    Examples
    --------
    >>> round(conversion("USD", 2022, "USD", 2024).factor, 4)
    1.0719
    >>> round(conversion("EUR", 2024, "USD", 2024).factor, 4)
    1.0824
    """
    for cur in (currency, to_currency):
        if cur not in CURRENCIES:
            raise ConfigError(f"currency {cur!r} is not one of {list(CURRENCIES)}")
    index = PRICE_INDEX[currency]
    inflation = _year(index, int(to_year), f"the {currency} price index") / _year(
        index, int(year), f"the {currency} price index"
    )
    exchange = 1.0
    if currency != to_currency:
        rate = _year(USD_PER_EUR, int(to_year), "the USD/EUR exchange rate")
        exchange = rate if currency == "EUR" else 1.0 / rate
    if not (math.isfinite(inflation) and math.isfinite(exchange)):
        raise ConfigError(f"no conversion from {currency} {year} to {to_currency} {to_year}")
    return Conversion((currency, int(year)), (to_currency, int(to_year)), inflation, exchange)


def convert(value: float, currency: str, year: int, to_currency: str, to_year: int) -> float:
    """``value`` in ``currency`` of ``year`` expressed in ``to_currency`` of ``to_year``
    (:func:`conversion`) [to_currency]."""
    return float(value) * conversion(currency, year, to_currency, to_year).factor


__all__ = [
    "CPI_U",
    "CURRENCIES",
    "HICP_EURO_AREA_RATE",
    "PRICE_INDEX",
    "SOURCES",
    "USD_PER_EUR",
    "Conversion",
    "conversion",
    "convert",
]
