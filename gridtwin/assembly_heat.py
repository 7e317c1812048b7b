"""The heat side and water of the sizing problem from the campus set, the study and the
catalogue (:mod:`gridtwin.optimize.heat`); part of :mod:`gridtwin.assembly`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from gridtwin.campus.heat import recovery
from gridtwin.config import StudyConfig
from gridtwin.optimize.heat import HeatSpec, WaterSpec
from gridtwin.technologies import load_catalogue


def _per_load(values: np.ndarray, load: np.ndarray) -> np.ndarray:
    """``values / load``, 0 in hours without load (nothing is online)."""
    out = np.zeros(len(load))
    np.divide(values, load, out=out, where=load > 0)
    return out


def _catalogue_value(costs: pd.DataFrame, tech: str, par: str) -> float:
    """A non-monetary catalogue value the annualised costs do not carry."""
    cat = load_catalogue(costs.attrs.get("catalogue"))
    hits = cat[(cat["technology"] == tech) & (cat["parameter"] == par)]
    return float(hits["value"].iloc[0])


def heat_spec(
    cfg: StudyConfig, campus: xr.Dataset, costs: pd.DataFrame, years: float
) -> HeatSpec | None:
    """Heat reuse of the study (``campus.heat_reuse``), ``None`` without it.

    The warm loop's heat per MW of site load, the recovery's electricity and direct share
    from the loop's temperatures (:func:`gridtwin.campus.heat.recovery`), the network demand
    of the campus set, heat-pump and tank costs of the catalogue (``heat_pump``,
    ``heat_storage``: DEA technology data) charged for the horizon's ``years``.
    """
    reuse = cfg.campus.heat_reuse
    if reuse is None:
        return None
    load = campus["load"].to_numpy()
    n = len(load)
    rec = recovery(
        float(campus.attrs["heat_source_temp_in"]),
        float(campus.attrs["heat_source_temp_out"]),
        reuse,
    )
    hp, tank = costs.loc["heat_pump"], costs.loc["heat_storage"]
    return HeatSpec(
        heat_per_load=_per_load(campus["heat_recoverable"].to_numpy(), load),
        power_per_heat=np.full(n, rec.power),
        source_per_heat=np.full(n, rec.source),
        heat_pump_share=np.full(n, rec.heat_pump_share),
        saving_per_source=campus["recovery_power"].to_numpy(),
        demand=campus["district_heat_demand"].to_numpy(),
        price=reuse.price,
        heat_pump_capital_cost=float(hp["capital_cost"]) * years,
        heat_pump_marginal_cost=float(hp["marginal_cost"]),
        heat_pump_p_nom_max=np.inf if reuse.heat_pump_max is None else reuse.heat_pump_max,
        storage=reuse.storage,
        storage_capital_cost=float(tank["capital_cost"]) * years,
        storage_standing_loss=_catalogue_value(costs, "heat_storage", "standing_loss") / 100.0,
        storage_hours=_catalogue_value(costs, "heat_storage", "energy_to_power"),
        heat_pump_fixed_om=float(hp["fixed_om"]) * years,
        storage_fixed_om=float(tank["fixed_om"]) * years,
    )


def water_spec(cfg: StudyConfig, campus: xr.Dataset, years: float) -> WaterSpec | None:
    """Water of the study (``campus.water``) on its basis, ``None`` when it is neither priced
    nor limited (the results still report the water)."""
    water = cfg.campus.water
    if not water.price and water.annual_limit is None and water.peak_limit is None:
        return None
    load = campus["load"].to_numpy()
    return WaterSpec(
        per_load=_per_load(campus[f"water_{water.basis}"].to_numpy(), load),
        per_source=campus[f"recovery_water_{water.basis}"].to_numpy(),
        price=water.price,
        annual_max=None if water.annual_limit is None else water.annual_limit * years,
        peak_max=water.peak_limit,
        basis=water.basis,
    )
