"""Figures of a gridtwin result, each returned as a :class:`matplotlib.figure.Figure`.

The functions take a result dataset (:func:`gridtwin.open_results`); the same figures are
methods of the ``ds.gridtwin`` accessor, which importing this module registers::

    ds = gridtwin.open_results("results/default.nc")
    fig = ds.gridtwin.dispatch()            # the week of highest grid import
    fig.savefig("dispatch.png")

* :func:`dispatch`: hourly supply stack and load over one week (a single run);
* :func:`capacity_mix`: installed ``p_nom`` [MW] and storage ``e_nom`` [MWh] (run or sweep);
* :func:`duration_curves`: load [MW] and PUE [-] sorted over the year (a single run);
* :func:`state_of_charge`: storage state of charge [% of ``e_nom``] (a single run);
* :func:`cost_curve`: system cost and LCOE against the CFE score (a sweep);
* :func:`poi_loading`: branch loading [%], hour of day x day of year (after
  ``gridtwin grid check``);
* :func:`cooling_tradeoff`: cost, PUE, WUE, ERF and heatwave water by scenario (a sweep);
* :func:`survival_curve`: probability of riding through a grid outage by duration (after
  ``gridtwin resilience``);
* :func:`capacity_by_period`: capacity in service and built by investment period (a study
  with investment periods);
* :func:`work_moved`: training work moved between the campuses of a fleet, hour by hour.

Signs follow docs/conventions.md: supply above zero, storage charging and export below.
Hours of day are local standard time when the result records the site's UTC offset
(``campus_local_time_utc_offset_h``), else UTC. Figures are drawn on the Agg backend objects
directly (no pyplot state), so they work in scripts, on servers and in Jupyter alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import xarray as xr

from gridtwin.plots.common import COLORS, _require, _single, color
from gridtwin.plots.cooling import cooling_tradeoff
from gridtwin.plots.fleet import work_moved
from gridtwin.plots.periods import capacity_by_period
from gridtwin.plots.resilience import survival_curve
from gridtwin.plots.run import (
    capacity_mix,
    dispatch,
    dispatch_frame,
    duration_curves,
    hardest_week,
    poi_loading,
    state_of_charge,
)
from gridtwin.plots.scenarios import capacity_mix_by_scenario, cost_curve

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURES = {
    "dispatch": dispatch,
    "capacity_mix": capacity_mix,
    "duration_curves": duration_curves,
    "state_of_charge": state_of_charge,
    "cost_curve": cost_curve,
    "poi_loading": poi_loading,
    "cooling_tradeoff": cooling_tradeoff,
    "survival_curve": survival_curve,
    "capacity_by_period": capacity_by_period,
    "work_moved": work_moved,
}


@xr.register_dataset_accessor("gridtwin")
class GridtwinAccessor:
    """``ds.gridtwin.<figure>(...)``: the figures of this module on a result dataset."""

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    def dispatch(self, start: str | pd.Timestamp | None = None, days: int = 7) -> Figure:
        """See :func:`gridtwin.plots.dispatch`."""
        return dispatch(self._ds, start=start, days=days)

    def capacity_mix(self) -> Figure:
        """See :func:`gridtwin.plots.capacity_mix`."""
        return capacity_mix(self._ds)

    def duration_curves(self) -> Figure:
        """See :func:`gridtwin.plots.duration_curves`."""
        return duration_curves(self._ds)

    def state_of_charge(self) -> Figure:
        """See :func:`gridtwin.plots.state_of_charge`."""
        return state_of_charge(self._ds)

    def cost_curve(self) -> Figure:
        """See :func:`gridtwin.plots.cost_curve`."""
        return cost_curve(self._ds)

    def cooling_tradeoff(self) -> Figure:
        """See :func:`gridtwin.plots.cooling_tradeoff`."""
        return cooling_tradeoff(self._ds)

    def poi_loading(self, branch: str | None = None) -> Figure:
        """See :func:`gridtwin.plots.poi_loading`."""
        return poi_loading(self._ds, branch=branch)

    def survival_curve(self) -> Figure:
        """See :func:`gridtwin.plots.survival_curve`."""
        return survival_curve(self._ds)

    def capacity_by_period(self) -> Figure:
        """See :func:`gridtwin.plots.capacity_by_period`."""
        return capacity_by_period(self._ds)

    def work_moved(self) -> Figure:
        """See :func:`gridtwin.plots.work_moved`."""
        return work_moved(self._ds)

    def summary(self) -> pd.DataFrame:
        """Capacity and energy table (:func:`gridtwin.results.summary`)."""
        from gridtwin.results import summary

        _single(self._ds, "summary")
        _require(self._ds, ("p_nom_opt", "e_nom_opt", "p", "storage_discharge"), "summary")
        return summary(self._ds)


__all__ = [
    "COLORS",
    "FIGURES",
    "GridtwinAccessor",
    "capacity_by_period",
    "capacity_mix",
    "capacity_mix_by_scenario",
    "color",
    "cooling_tradeoff",
    "cost_curve",
    "dispatch",
    "dispatch_frame",
    "duration_curves",
    "hardest_week",
    "poi_loading",
    "state_of_charge",
    "survival_curve",
    "work_moved",
]
