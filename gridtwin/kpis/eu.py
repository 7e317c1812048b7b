"""The key performance indicators EU data centres report: PUE, WUE, ERF, REF and CER.

Data centres with 500 kW or more of installed IT power report these every year by 15 May
(Directive (EU) 2023/1791, art. 12; Commission Delegated Regulation (EU) 2024/1364, Annexes I
and II). Each KPI follows its EN 50600-4 / ISO/IEC 30134 standard:

======= ==================================== ==================================== =========
KPI     formula                              standard                             unit
======= ==================================== ==================================== =========
PUE     E_DC / E_IT                          EN 50600-4-2, ISO/IEC 30134-2        1
WUE     W_in / E_IT                          EN 50600-4-9, ISO/IEC 30134-9        L kWh-1
ERF     E_reuse / E_DC                       EN 50600-4-6, ISO/IEC 30134-6        1
REF     E_RES / E_DC, split into on-site,    EN 50600-4-3, ISO/IEC 30134-3        1
        PPA and certificates
CER     Q_removed / E_cooling                EN 50600-4-7                         1
======= ==================================== ==================================== =========

with, over the reporting year (the result's horizon, weighted by the snapshot weights):

* ``E_DC`` -- energy the data centre takes: the campus load served (after load shifting and
  curtailment; ``campus_load_served`` with heat reuse) less the cooling power heat recovery
  saves (``heat_rejection_saving``); the heat pumps that serve a district network are reported
  apart, as Germany's EnEfG PUE excludes them [MWh];
* ``E_IT`` -- energy of the IT equipment: each hour's campus load served times its IT share
  ``it_load / load`` [MWh];
* ``E_RES`` -- renewable energy consumed (Directive (EU) 2018/2001 art. 2(1); nuclear is
  carbon-free, not renewable): on-site renewable generation less what the POI exported,
  renewable contracts' output delivered through the POI (their share of each hour's
  deliveries: PPA), and guarantees of origin bought (``certificates``, when the study buys
  them) [MWh]. The grid mix is not counted: the regulation counts renewable energy the
  operator owns or contracts.
* ``W_in`` -- water input [m3]: ``water_use`` [m3 h-1] where the LP decided it, else the
  cooling design's withdrawal (``water_withdrawal``, :mod:`gridtwin.campus.water`) scaled to
  the load served. ``E_reuse`` needs heat reuse in the result (``heat_reused`` [MW]); without
  it ERF is ``nan`` and reported as not modelled (as WUE without any water variable).
* ``Q_removed`` -- heat the cooling system removes (IT load and electrical losses,
  ``heat_load``), over ``E_cooling``, the cooling system's electricity (``cooling_load``).

References
----------
Commission Delegated Regulation (EU) 2024/1364 of 14 March 2024 on the first phase of the
establishment of a common Union rating scheme for data centres, OJ L, 2024/1364.
EN 50600-4-2:2016 (PUE), EN 50600-4-3:2016 (REF), EN 50600-4-6:2020 (ERF), EN 50600-4-7:2020
(CER), EN 50600-4-9:2022 (WUE).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

#: KPI -> (result variable, unit, standard, long name).
KPIS: dict[str, tuple[str, str, str, str]] = {
    "PUE": ("kpi_pue", "1", "EN 50600-4-2 / ISO/IEC 30134-2", "power usage effectiveness"),
    "WUE": ("kpi_wue", "L kW-1 h-1", "EN 50600-4-9 / ISO/IEC 30134-9", "water usage effectiveness"),
    "ERF": ("kpi_erf", "1", "EN 50600-4-6 / ISO/IEC 30134-6", "energy reuse factor"),
    "REF": ("kpi_ref", "1", "EN 50600-4-3 / ISO/IEC 30134-3", "renewable energy factor"),
    "REF on-site": ("kpi_ref_onsite", "1", "EN 50600-4-3", "renewable energy factor: on-site"),
    "REF PPA": ("kpi_ref_ppa", "1", "EN 50600-4-3", "renewable energy factor: PPAs"),
    "REF certificates": (
        "kpi_ref_certificates",
        "1",
        "EN 50600-4-3",
        "renewable energy factor: guarantees of origin",
    ),
    "CER": ("kpi_cer", "1", "EN 50600-4-7", "cooling efficiency ratio"),
}


def campus_load_served(ds: xr.Dataset) -> xr.DataArray:
    """The campus's own load served [MW]: ``campus_load_served`` where heat reuse adds to the
    site's consumption (:mod:`gridtwin.results.heat`), else ``load_served``."""
    return ds["campus_load_served"] if "campus_load_served" in ds else ds["load_served"]


def _rejection_saving(ds: xr.Dataset) -> xr.DataArray | float:
    """Cooling power that heat recovery saves [MW] (0 without heat reuse)."""
    return ds["heat_rejection_saving"] if "heat_rejection_saving" in ds else 0.0


def _sum(w: xr.DataArray, x: xr.DataArray) -> float:
    return float((w * x).sum())


def energies(ds: xr.Dataset) -> dict[str, float]:
    """The energies the KPIs divide [MWh over the horizon]: ``E_DC``, ``E_IT``, ``E_RES`` by
    part (``onsite``, ``ppa``, ``certificates``), ``E_cooling`` and ``Q_removed``."""
    w = ds["snapshot_weight"] if "snapshot_weight" in ds else xr.ones_like(ds["load"])
    # the data centre's own consumption: its cooling net of what heat recovery saves; the heat
    # pumps for reuse are reported apart
    gross = campus_load_served(ds)
    saving = _rejection_saving(ds)
    served = gross - saving
    it_share = (ds["it_load"] / ds["load"]).where(ds["load"] > 0, 0.0)
    scale = (gross / ds["load"]).where(ds["load"] > 0, 0.0)  # curtailment and shifting
    renewable = ds["is_renewable"] if "is_renewable" in ds else xr.zeros_like(ds["is_clean"])
    offsite = ds["is_offsite"] if "is_offsite" in ds else xr.zeros_like(ds["is_clean"])
    p = ds["p"].clip(min=0.0)
    onsite = (renewable * (1 - offsite) * p).sum("technology")
    onsite_used = (onsite - ds["grid_export"]).clip(min=0.0)
    offsite_out = (offsite * p).sum("technology")
    offsite_ren = (renewable * offsite * p).sum("technology")
    delivered = ds["offsite_delivered"] if "offsite_delivered" in ds else 0.0 * served
    ppa = (delivered * offsite_ren / offsite_out).where(offsite_out > 0, 0.0)
    certificates = ds["certificates"] if "certificates" in ds else 0.0 * served
    out = {
        "E_DC": _sum(w, served),
        "E_IT": _sum(w, gross * it_share),
        "E_RES_onsite": _sum(w, onsite_used),
        "E_RES_ppa": _sum(w, ppa),
        "E_RES_certificates": _sum(w, certificates),
        "E_cooling": (
            _sum(w, ds["cooling_load"] * scale - saving) if "cooling_load" in ds else np.nan
        ),
        "Q_removed": _sum(w, ds["heat_load"] * scale) if "heat_load" in ds else np.nan,
        "E_reuse": _sum(w, ds["heat_reused"]) if "heat_reused" in ds else np.nan,
        "W_in_m3": _water_in(ds, w),
    }
    return out


def _water_in(ds: xr.Dataset, w: xr.DataArray) -> float:
    """Water input [m3]: ``water_use`` where the LP decided it, else the cooling design's
    withdrawal scaled to the load served (water follows the heat, hence the IT load)."""
    if "water_use" in ds:
        return _sum(w, ds["water_use"])
    if "water_withdrawal" not in ds:
        return np.nan
    ratio = (campus_load_served(ds) / ds["load"]).where(ds["load"] > 0, 0.0)
    return _sum(w, ds["water_withdrawal"] * ratio)


def eu_kpis(ds: xr.Dataset) -> dict[str, float]:
    """The reporting KPIs of a result, recomputed from its arrays (module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        A result with ``load``, ``load_served``, ``it_load``, ``p``, ``is_clean``,
        ``grid_export`` on ``time`` (and, when present, ``is_renewable``, ``is_offsite``,
        ``offsite_delivered``, ``certificates``, ``cooling_load``, ``heat_load``,
        ``heat_reused``, ``water_use``).

    Returns
    -------
    dict of str to float
        Keys of :data:`KPIS`; ``nan`` where the result lacks the model (WUE without water,
        ERF without heat reuse, CER without the cooling split) or a denominator is zero.
    """
    e = energies(ds)
    dc, it = e["E_DC"], e["E_IT"]

    def share(x: float, of: float) -> float:
        return x / of if of > 0 else float("nan")

    res = e["E_RES_onsite"] + e["E_RES_ppa"] + e["E_RES_certificates"]
    # W_in [m3] x 1000 L/m3 over E_IT [MWh] x 1000 kWh/MWh: L/kWh
    return {
        "PUE": share(dc, it),
        "WUE": share(e["W_in_m3"], it),
        "ERF": share(e["E_reuse"], dc),
        "REF": share(res, dc),
        "REF on-site": share(e["E_RES_onsite"], dc),
        "REF PPA": share(e["E_RES_ppa"], dc),
        "REF certificates": share(e["E_RES_certificates"], dc),
        "CER": share(e["Q_removed"], e["E_cooling"]),
    }


def add_eu_kpis(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with a scalar variable per KPI (:data:`KPIS`), each with ``units``,
    ``long_name``, ``standard`` and, where ``nan``, ``comment = "not modelled"``."""
    values = eu_kpis(ds)
    for kpi, (name, units, standard, long_name) in KPIS.items():
        ds[name] = ((), values[kpi])
        ds[name].attrs.update(units=units, long_name=long_name, standard=standard)
        if not np.isfinite(values[kpi]):
            ds[name].attrs["comment"] = "not modelled"
    return ds


__all__ = ["KPIS", "add_eu_kpis", "energies", "eu_kpis"]
