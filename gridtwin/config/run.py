"""How a study is run: the solver and its settings, time aggregation, and dispatch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, model_validator

from gridtwin.config.base import (
    StrictModel,
)
from gridtwin.highs import check_clarabel_options, check_options


class SolverConfig(StrictModel):
    """Solver and its settings.

    Attributes
    ----------
    backend : {"pypsa", "cvxpy"}
        Model builder: PyPSA + linopy (default) or cvxpy. Both state the same LP and reach the
        same optimum (checked in tests/optimize/test_backends.py).
    name : {"highs", "clarabel"}
        The solver, with either backend. HiGHS (simplex, interior point with crossover) gives
        a vertex solution; Clarabel (interior point, direct factorisation) stops at a point
        within its tolerances (relative gap 1e-8) and was 7x faster than HiGHS on the
        default study's full-year LP (:mod:`gridtwin.optimize.clarabel_lp`).
    options : dict
        Solver options by the solver's own names. For HiGHS (e.g. ``solver: ipm``,
        ``run_crossover: "off"``, ``time_limit: 600``) unknown names and values HiGHS refuses
        (wrong type, out of range, not among the choices) are rejected when the study loads
        (``off`` unquoted is a YAML boolean: write ``"off"``). For Clarabel, names must be
        Clarabel settings (``max_iter``, ``time_limit``, ``tol_gap_rel`` ...) and numbers >= 0.
        ``null`` clears the options (``--set solver.options=null`` before switching solver).
    tie_break_cost : float
        Cost per MWh of storage discharge and of grid export [currency/MWh], default 0.01.
        Where renewable energy is curtailed it is free, and the LP then has many equally cheap
        optima that cycle the battery (charge and discharge in the same hour) or export at zero
        value instead of curtailing; this tiny cost selects the optimum without them. On the
        default study it adds about 3e-5 of the annual cost and leaves the capacities unchanged
        (measured: 0 hours of simultaneous charge and discharge with it, 1926 hours without).
        It is part of the objective and of ``system_cost``. Set 0 to disable.
    verify : bool
        Stop the run, writing nothing, when the solution fails the verifier
        (:mod:`gridtwin.optimize.verify`: every constraint family recomputed from the
        solution, tolerance 1e-6 of each family's scale); ``gridtwin run --verify`` sets it.
        Off (default): every run is still verified, the result records it (``verify_passed``,
        ``verify_report``) and a failure is logged as a warning.
    """

    backend: Literal["pypsa", "cvxpy"] = "pypsa"
    name: Literal["highs", "clarabel"] = "highs"
    options: dict[str, Any] = Field(default_factory=dict)
    tie_break_cost: Annotated[float, Field(strict=True, ge=0.0, le=1.0)] = 0.01
    verify: StrictBool = False

    @model_validator(mode="before")
    @classmethod
    def _null_options(cls, raw: Any) -> Any:
        """``options: null`` clears them (``--set solver.options=null``)."""
        if isinstance(raw, dict) and "options" in raw and raw["options"] is None:
            return {**raw, "options": {}}
        return raw

    @model_validator(mode="after")
    def _solver_fits(self) -> SolverConfig:
        if self.name == "highs":
            check_options(self.options)
        else:
            check_clarabel_options(self.options)
        return self


class AggregationConfig(StrictModel):
    """Time-series aggregation of the sizing problem (for sweeps and quick looks).

    Attributes
    ----------
    segments : int or None
        Number of time segments of variable length the horizon is reduced to (tsam
        segmentation, chronology kept; :mod:`gridtwin.optimize.aggregate`). ``None``: full
        hourly resolution. On the default study 1095 segments (a mean of 8 h) solved about 19x
        faster at -1.0 % cost error and 730 segments 24x faster at -1.9 % (bench/aggregation.py);
        365 segments lose the daily cycle (-22 %).
    check_full : bool
        Also solve the full-resolution problem and report the cost error of the aggregated one
        (``aggregation_cost_error`` in the result); doubles the work, so use it on one scenario
        of a sweep. Needs ``segments``.
    """

    segments: Annotated[int, Field(strict=True, ge=1)] | None = None
    check_full: Annotated[bool, Field(strict=True)] = False

    @model_validator(mode="after")
    def _check_needs_segments(self) -> AggregationConfig:
        if self.check_full and self.segments is None:
            raise ValueError(
                "check_full: true needs aggregation.segments (it compares the aggregated solve "
                "with the full one); set segments or remove check_full"
            )
        return self


class DispatchConfig(StrictModel):
    """Operational dispatch of the capacities with limited foresight (after sizing).

    Attributes
    ----------
    mode : {"sizing", "rolling"}
        ``sizing`` (default): the result is the perfect-foresight dispatch of the sizing LP.
        ``rolling``: the sized capacities (or those of ``capacities``) are dispatched again in
        cvxpy with a rolling horizon, windows of ``window_hours`` committed ``step_hours`` at a
        time, the hourly CFE target priced at ``cfe_price``
        (:func:`gridtwin.optimize.dispatch.rolling_dispatch`); the result file holds that
        dispatch in the same schema, with the CFE score it actually reaches. With
        ``aggregation.segments`` the capacities are sized on the segments and then operated
        hour by hour (the result is hourly): a quick check of an aggregated design.
    window_hours : int
        Foresight of each window [h]; default 48 h, a day-ahead operator with a day of
        look-ahead.
    step_hours : int
        Hours each window commits before the next starts [h]; default 24 (daily), at most
        ``window_hours``. When the campus has flexibility (a nonzero
        ``campus.flexibility.shift_share`` or ``curtail_share``), ``step_hours`` must be a
        multiple of ``campus.flexibility.window_hours``, so that no step cuts a shift window.
    cfe_price : float or None
        Price of clean shortfall [currency/MWh]; ``None``: the sizing's shadow price of the
        CFE constraint (with perfect foresight the priced and the constrained problems then
        have the same optimum).
    capacities : Path or None
        A gridtwin result file whose capacities (``p_nom_opt``, ``e_nom_opt``,
        ``p_nom_discharge_opt``) are dispatched instead of sizing anew; it must have the same
        technologies and weather hours as the study (an aggregated result is fine).
    """

    mode: Literal["sizing", "rolling"] = "sizing"
    window_hours: Annotated[int, Field(strict=True, ge=1, le=8784)] = 48
    step_hours: Annotated[int, Field(strict=True, ge=1, le=8784)] = 24
    cfe_price: Annotated[float, Field(strict=True, ge=0.0, le=1.0e5)] | None = None
    capacities: Path | None = None

    @model_validator(mode="after")
    def _step_in_window(self) -> DispatchConfig:
        if self.step_hours > self.window_hours:
            raise ValueError(
                f"dispatch.step_hours {self.step_hours} exceeds dispatch.window_hours "
                f"{self.window_hours}: a window can only commit hours it has seen; lower "
                "step_hours or raise window_hours"
            )
        if self.capacities is not None and self.mode != "rolling":
            raise ValueError(
                "dispatch.capacities needs dispatch.mode: rolling; set it or remove capacities"
            )
        return self


__all__ = ["AggregationConfig", "DispatchConfig", "SolverConfig"]
