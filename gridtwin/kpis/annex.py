"""A result laid out like the EU data-centre report: the fields of Commission Delegated
Regulation (EU) 2024/1364, Annex I, that a sizing result can fill, and the KPIs of Annex II.

Each row is ``(field, value, unit, note)``, grouped in sections as the annex groups them:
the data centre, its energy, renewable energy, waste heat and water, and the KPIs
(:mod:`gridtwin.kpis.eu`). Fields a sizing study cannot know (floor area, data traffic, the
operator) are not listed; fields of a model gridtwin does not have are marked "not modelled".
A result with ``policy.eu`` also gets the legal limits and whether each holds
(:mod:`gridtwin.kpis.compliance`).

The field list follows the regulation's annex as summarised in the text above its tables;
check the exact wording in the Official Journal (OJ L, 2024/1364, 17.5.2024) before filing.
"""

from __future__ import annotations

import math

import xarray as xr

from gridtwin.kpis.compliance import STATUS
from gridtwin.kpis.eu import KPIS, energies, eu_kpis

Row = tuple[str, str, str, str]

NOT_MODELLED = "not modelled"


def _kwh(mwh: float) -> str:
    return NOT_MODELLED if not math.isfinite(mwh) else f"{mwh * 1000.0:,.0f}"


def _value(x: float, digits: int = 3) -> str:
    return NOT_MODELLED if not math.isfinite(x) else f"{x:.{digits}f}"


def annex_sections(ds: xr.Dataset) -> list[tuple[str, list[Row]]]:
    """The report's sections and rows (module docstring). Energies are per year of the
    horizon [kWh], as the annex asks for one reporting year."""
    years = float(ds["horizon_years"]) if "horizon_years" in ds else 1.0
    e = {k: v / years for k, v in energies(ds).items()}
    kpis = eu_kpis(ds)
    it_mw = ds.attrs.get("campus_it_capacity_mw", float("nan"))
    site = ", ".join(
        str(ds.attrs[k]) for k in ("weather_site_name", "weather_latitude", "weather_longitude")
        if k in ds.attrs
    )  # fmt: skip
    res = e["E_RES_onsite"] + e["E_RES_ppa"] + e["E_RES_certificates"]
    sections: list[tuple[str, list[Row]]] = [
        (
            "Data centre",
            [
                ("Location (weather site, latitude, longitude)", site or "?", "", ""),
                (
                    "Installed information technology power demand",
                    _kwh(float(it_mw)),
                    "kW",
                    "above the 500 kW threshold of reporting" if float(it_mw) >= 0.5 else "",
                ),
                ("Reporting period", f"{years:g} year(s) of weather", "", "per year below"),
            ],
        ),
        (
            "Energy",
            [
                (
                    "Total energy consumption (E_DC)",
                    _kwh(e["E_DC"]),
                    "kWh",
                    "campus load served (heat pumps for reuse apart)",
                ),
                ("Energy consumption of IT equipment (E_IT)", _kwh(e["E_IT"]), "kWh", ""),
                ("Energy consumption of cooling", _kwh(e["E_cooling"]), "kWh", ""),
            ],
        ),
        (
            "Renewable energy",
            [
                ("Total renewable energy consumption", _kwh(res), "kWh", "EN 50600-4-3"),
                ("from guarantees of origin", _kwh(e["E_RES_certificates"]), "kWh", ""),
                ("from power purchase agreements", _kwh(e["E_RES_ppa"]), "kWh", "delivered"),
                ("from on-site renewable sources", _kwh(e["E_RES_onsite"]), "kWh", ""),
            ],
        ),
        (
            "Waste heat and water",
            [
                (
                    "Waste heat reused",
                    _kwh(e["E_reuse"]),
                    "kWh",
                    "sold to a district heating network"
                    if math.isfinite(e["E_reuse"])
                    else "the study sells no heat (campus.heat_reuse)",
                ),
                (
                    "Total water input",
                    NOT_MODELLED if not math.isfinite(e["W_in_m3"]) else f"{e['W_in_m3']:,.0f}",
                    "m3",
                    "cooling make-up water, recovered heat deducted"
                    if math.isfinite(e["W_in_m3"])
                    else "no water variable in the file",
                ),
            ],
        ),
        (
            "Key performance indicators",
            [
                (kpi, _value(kpis[kpi]), units, standard)
                for kpi, (_name, units, standard, _long) in KPIS.items()
            ],
        ),
    ]
    if "eu_rule" in ds.dims:
        rows = []
        for rule in ds["eu_rule"].values:
            limit = float(ds["eu_limit"].sel(eu_rule=rule))
            value = float(ds["eu_value"].sel(eu_rule=rule))
            status = STATUS[int(ds["eu_status"].sel(eu_rule=rule))]
            rows.append((str(rule), _value(value), _value(limit), status.replace("_", " ")))
        rows.append(
            (
                "note",
                "",
                "",
                "the renewable share is balance-sheet: renewable output on site and in contracts, "
                "delivered or sold, plus certificates; REF counts only what the campus consumed",
            )
        )
        law = str(ds.attrs.get("eu_law", ""))
        title = f"Limits: {law}, {ds.attrs.get('eu_site', '')} site, {ds.attrs.get('eu_year', '')}"
        sections.append((title, rows))
    return sections


__all__ = ["NOT_MODELLED", "annex_sections"]
