"""Legal limits on data centres, and whether a result meets them.

Germany's Energy Efficiency Act (Energieeffizienzgesetz, EnEfG, of 13 November 2023), § 11
"Klimaneutrale Rechenzentren":

* (1) data centres in operation before 1 July 2026: PUE <= 1.5 from 1 July 2027 and <= 1.3
  from 1 July 2030, as an annual average;
* (2) data centres starting operation from 1 July 2026: PUE <= 1.2 and an energy reuse
  factor (DIN EN 50600-4-6) of at least 10 %; 15 % for a start from 1 July 2027, 20 % from
  1 July 2028; to be reached at the latest two years after start of operation;
* (5) electricity: 50 % from 1 January 2024 and 100 % from 1 January 2027 covered on a
  balance-sheet basis by renewable electricity.

``year`` is the reporting year; a new site's limits hold from two years after its start
year, and its reuse factor is that of its start year. A limit that starts on 1 July applies
from the next full calendar year (the PUE limits are annual averages); one that starts on 1
January, from that year. The
renewable share is an LP constraint (``SystemProblem.renewable_share_min``); PUE follows from
the cooling design and the weather (checked, as the design is not a choice of the LP); the
reuse factor needs a heat-reuse model, and is reported as not modelled without one.

References
----------
Gesetz zur Steigerung der Energieeffizienz in Deutschland (Energieeffizienzgesetz - EnEfG),
BGBl. 2023 I Nr. 309, § 11.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from gridtwin.kpis.eu import campus_load_served

#: Rules of the compliance table, in report order.
RULES = ("pue_max", "erf_min", "renewable_share_min")
#: Status codes of ``eu_status`` (CF flag_values / flag_meanings).
STATUS = ("fails", "holds", "not_modelled", "no_limit")
LAW = "Energieeffizienzgesetz (EnEfG) of 13 Nov 2023, section 11"


def enefg_limits(year: int, site: str, start_year: int | None = None) -> dict[str, float]:
    """The EnEfG § 11 limits of a reporting year for a new or an existing data centre.

    Parameters
    ----------
    year : int
        Reporting year.
    site : {"new", "existing"}
        ``new``: starting operation from 1 July 2026; ``existing``: before.
    start_year : int, optional
        Year a new site starts operation (default ``year``): its PUE and reuse limits hold
        from two years after it, and its reuse factor is that of its start year.

    Returns
    -------
    dict of str to float
        ``pue_max`` [1], ``erf_min`` [1], ``renewable_share_min`` [1]; ``nan`` where the year
        has no limit (yet).

    Examples
    --------
    >>> enefg_limits(2029, "new", start_year=2027)
    {'pue_max': 1.2, 'erf_min': 0.15, 'renewable_share_min': 1.0}
    >>> enefg_limits(2028, "existing")["pue_max"]
    1.5
    """
    nan = float("nan")
    renewable = 1.0 if year >= 2027 else 0.5 if year >= 2024 else nan
    if site == "new":
        start = year if start_year is None else start_year
        if year < start + 2:  # "spätestens zwei Jahre nach Inbetriebnahme"
            return {"pue_max": nan, "erf_min": nan, "renewable_share_min": renewable}
        erf = 0.20 if start >= 2028 else 0.15 if start >= 2027 else 0.10
        return {"pue_max": 1.2, "erf_min": erf, "renewable_share_min": renewable}
    pue = 1.3 if year >= 2031 else 1.5 if year >= 2028 else nan  # from 1 July 2030 / 2027
    return {"pue_max": pue, "erf_min": nan, "renewable_share_min": renewable}


def renewable_share(ds: xr.Dataset) -> float:
    """Balance-sheet renewable share of a result [-]: renewable output (on-site and
    contracted, delivered or sold) plus certificates bought, over the load served."""
    w = ds["snapshot_weight"] if "snapshot_weight" in ds else xr.ones_like(ds["load"])
    renewable = ds["is_renewable"] if "is_renewable" in ds else xr.zeros_like(ds["is_clean"])
    output = (renewable * ds["p"].clip(min=0.0)).sum("technology")
    if "certificates" in ds:
        output = output + ds["certificates"]
    served = float((w * campus_load_served(ds)).sum())
    return float((w * output).sum()) / served if served > 0 else float("nan")


def add_compliance(
    ds: xr.Dataset, year: int, site: str, start_year: int | None = None
) -> xr.Dataset:
    """``ds`` with the EnEfG table on dimension ``eu_rule`` (:data:`RULES`): ``eu_limit``,
    ``eu_value`` (recomputed from the result: ``kpi_pue``, ``kpi_erf``,
    :func:`renewable_share`) and ``eu_status`` (flags :data:`STATUS`)."""
    limits = enefg_limits(year, site, start_year)
    values = {
        "pue_max": float(ds["kpi_pue"]),
        "erf_min": float(ds["kpi_erf"]),
        "renewable_share_min": renewable_share(ds),
    }
    status = []
    tolerance = 1e-6
    for rule in RULES:
        limit, value = limits[rule], values[rule]
        if not np.isfinite(limit):
            status.append(STATUS.index("no_limit"))
        elif not np.isfinite(value):
            status.append(STATUS.index("not_modelled"))
        elif rule == "pue_max":
            status.append(int(value <= limit + tolerance))
        else:
            status.append(int(value >= limit - tolerance))
    ds = ds.assign_coords(eu_rule=list(RULES))
    ds["eu_limit"] = (("eu_rule",), [limits[r] for r in RULES])
    ds["eu_value"] = (("eu_rule",), [values[r] for r in RULES])
    ds["eu_status"] = (("eu_rule",), np.array(status, dtype=np.int64))
    ds["eu_limit"].attrs.update(units="1", long_name=f"limit of {LAW}")
    ds["eu_value"].attrs.update(units="1", long_name="value of the result, recomputed")
    ds["eu_status"].attrs.update(
        long_name="whether the limit holds",
        flag_values=np.arange(len(STATUS), dtype=np.int64),
        flag_meanings=" ".join(STATUS),
    )
    ds["eu_rule"].attrs["long_name"] = "legal limit on the data centre"
    ds.attrs.update(eu_law=LAW, eu_year=int(year), eu_site=site)
    if start_year is not None:
        ds.attrs["eu_start_year"] = int(start_year)
    return ds


__all__ = ["LAW", "RULES", "STATUS", "add_compliance", "enefg_limits", "renewable_share"]
