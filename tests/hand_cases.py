"""Small builders of hand-made test problems, shared by the optimisation test modules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridtwin.optimize.problem import FlexSpec, PoiSpec


def index(n: int) -> pd.DatetimeIndex:
    """``n`` hours from 1 January 2019 (UTC)."""
    return pd.date_range("2019-01-01", periods=n, freq="h")


def poi(n: int, p_nom: float, price: float, cfe: float, export_price: float = 0.0) -> PoiSpec:
    """A POI with constant price [USD/MWh], grid CFE share [-] and export price."""
    return PoiSpec(
        p_nom=p_nom,
        import_price=np.full(n, price),
        export_price=np.full(n, export_price),
        grid_cfe_share=np.full(n, cfe),
    )


def flex(
    n: int,
    shift: float = 0.0,
    ramp: float = 1e6,
    curtail: float = 0.0,
    curtail_energy: float = 0.0,
    window: int | None = None,
    shift_cost: float = 0.0,
    curtail_cost: float = 0.0,
) -> FlexSpec:
    """Constant flexibility bounds [MW]; one window over the horizon unless ``window`` [h]."""
    w = window or n
    return FlexSpec(
        shift_max=np.full(n, shift),
        ramp_max=np.full(n, ramp),
        window_hours=w,
        shift_cost=shift_cost,
        curtail_max=np.full(n, curtail),
        curtail_energy_max=curtail_energy,
        curtail_window_energy_max=np.full(-(-n // w), curtail_energy),
        curtail_cost=curtail_cost,
    )
