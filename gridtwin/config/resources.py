"""Study models of the resource conversions: PV plant and wind farm."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from gridtwin.config.base import Fraction, StrictModel


class SolarConfig(StrictModel):
    """Utility PV plant, fixed tilt or single-axis tracking (PVWatts-style chain through pvlib).

    Attributes
    ----------
    mounting : {"fixed", "single_axis"}
        ``"fixed"``: modules at ``tilt`` / ``azimuth``. ``"single_axis"``: modules on a
        one-axis tracker (``axis_tilt``, ``axis_azimuth``, ``max_angle``, ``backtrack``,
        ``gcr``); ``tilt`` and ``azimuth`` are then unused. Default ``"fixed"``. Note that the
        NREL ATB utility-scale PV reference plant, whose costs the default technology catalogue
        uses, is a one-axis tracking system (ATB 2020 onwards, inverter loading ratio 1.34).
    tilt : float
        Module tilt from horizontal [deg] (fixed mounting). Default 25 deg, a common fixed-tilt
        utility value at mid latitudes (close to latitude x 0.76 + 3.1 of Jacobson & Jadhav 2018,
        Solar Energy 169, doi:10.1016/j.solener.2018.04.030, for 36.1 N: 30.5 deg, reduced for
        row spacing).
    azimuth : float
        Module azimuth [deg east of north] (fixed mounting); 180 = facing south.
    axis_tilt : float
        Tilt of the tracker axis from horizontal [deg]. Default 0: horizontal single-axis
        tracker (HSAT), the design of the US utility fleet and of the tracking cases of
        Drury et al. (2014), Prog. Photovolt. 22(12), 1302-1315, doi:10.1002/pip.2373.
    axis_azimuth : float
        Direction of the tracker axis [deg east of north]. Default 180: north-south axis, the
        modules rotate east to west (pvlib convention; positive rotation faces west).
    max_angle : float
        Rotation limit of the tracker either side of horizontal [deg]. Default 60, the range of
        current utility trackers (e.g. NEXTracker NX Horizon, +-60 deg); PVWatts v5 assumes 45.
    backtrack : bool
        Whether the tracker backtracks to avoid row-to-row shading at low sun (Lorenzo et al.
        2011, Prog. Photovolt. 19(6), 747-753, doi:10.1002/pip.1085; Anderson & Mikofski 2020,
        NREL/TP-5K00-76626, doi:10.2172/1660126). Default True, as in PVWatts.
    gcr : float
        Ground coverage ratio: module width across the axis over row pitch [-]. Default 0.35,
        within the 0.3-0.6 range the PVWatts v5 manual gives as typical for one-axis trackers
        (Dobos 2014, NREL/TP-6A20-62641, whose default is 0.4); used only for backtracking.
    dc_ac_ratio : float
        DC array rating over AC inverter rating [-]. Default 1.3, the median inverter loading
        ratio of US utility PV (LBNL, Utility-Scale Solar 2023 edition).
    losses_percent : float
        DC system losses [%]. Default 14.08, the PVWatts default (Dobos 2014, NREL/TP-6A20-62641).
    inverter_efficiency : float
        Nominal inverter efficiency [-]. Default 0.96 (PVWatts, Dobos 2014).
    gamma_pdc : float
        Temperature coefficient of DC power [1/degC]. Default -0.0037, PVWatts v8 "standard"
        module (NREL PVWatts v8 documentation).
    albedo : float
        Ground albedo used when the weather set has none [-]. Default 0.2.
    """

    mounting: Literal["fixed", "single_axis"] = "fixed"
    tilt: Annotated[float, Field(strict=True, ge=0.0, le=90.0)] = 25.0
    azimuth: Annotated[float, Field(strict=True, ge=0.0, lt=360.0)] = 180.0
    axis_tilt: Annotated[float, Field(strict=True, ge=0.0, le=45.0)] = 0.0
    axis_azimuth: Annotated[float, Field(strict=True, ge=0.0, lt=360.0)] = 180.0
    max_angle: Annotated[float, Field(strict=True, gt=0.0, le=90.0)] = 60.0
    backtrack: Annotated[bool, Field(strict=True)] = True
    gcr: Annotated[float, Field(strict=True, gt=0.0, lt=1.0)] = 0.35
    dc_ac_ratio: Annotated[float, Field(strict=True, gt=0.0, le=3.0)] = 1.3
    losses_percent: Annotated[float, Field(strict=True, ge=0.0, lt=100.0)] = 14.08
    inverter_efficiency: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.96
    gamma_pdc: Annotated[float, Field(strict=True, ge=-0.02, le=0.0)] = -0.0037
    albedo: Fraction = 0.2


class WindConfig(StrictModel):
    """Onshore wind farm (windpowerlib).

    Attributes
    ----------
    turbine : str
        Turbine type as named in windpowerlib's turbine library (OpenEnergy Database copy shipped
        with windpowerlib), e.g. ``"V126/3450"``.
    hub_height : float
        Hub height [m].
    height_law : {"hellman", "logarithmic"}
        Law to extrapolate the measured wind speed to hub height.
    hellman_exponent : float
        Exponent of the power law [-]; default 1/7 (Peterson & Hennessey 1978,
        doi:10.1175/1520-0450(1978)017<0390:OTUOPL>2.0.CO;2).
    roughness_length : float
        Surface roughness length [m] for the logarithmic law; default 0.1 (open farmland with
        hedges and scattered buildings, Wieringa 1992 / WMO-No. 8 roughness classes).
    losses : float
        Wake, availability, electrical and environmental losses [-], applied to the power curve
        output. Default 0.15: the order of the total losses assumed for land-based wind in NREL's
        Annual Technology Baseline and Cost of Wind Energy Review (about 15-17 %).
    """

    turbine: str = "V126/3450"
    hub_height: Annotated[float, Field(strict=True, gt=10.0, le=250.0)] = 117.0
    height_law: Literal["hellman", "logarithmic"] = "hellman"
    hellman_exponent: Annotated[float, Field(strict=True, gt=0.0, lt=1.0)] = 1.0 / 7.0
    roughness_length: Annotated[float, Field(strict=True, gt=0.0, le=3.0)] = 0.1
    losses: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)] = 0.15


class OffwindConfig(WindConfig):
    """Offshore wind farm (windpowerlib), used when ``offwind`` is in
    ``technologies.extendable``.

    Attributes
    ----------
    weather : Path or None
        Weather file of the offshore site (any format :func:`gridtwin.weather.read` reads,
        relative to the study file), covering the same hours as the study's weather; ``None``:
        the study's own weather (only sensible for a coastal site).
    turbine : str
        Turbine type in windpowerlib's turbine library; default the Vestas V164/9500.
    hub_height : float
        Hub height [m]; default 120 m.
    height_law : {"hellman", "logarithmic"}
        Law to extrapolate the measured wind speed to hub height; default logarithmic.
    hellman_exponent : float
        Exponent of the power law [-] (with ``height_law: hellman``); default 1/7 as onshore.
    roughness_length : float
        Surface roughness length [m] for the logarithmic law; default 0.0002 m (open sea,
        WMO-No. 8 Davenport-Wieringa class 1).
    losses : float
        Wake, availability and electrical losses [-]; default 0.15 (as onshore; ATB offshore
        wake and electrical losses are of the same order).
    """

    weather: Path | None = None
    turbine: str = "V164/9500"
    hub_height: Annotated[float, Field(strict=True, gt=10.0, le=250.0)] = 120.0
    height_law: Literal["hellman", "logarithmic"] = "logarithmic"
    hellman_exponent: Annotated[float, Field(strict=True, gt=0.0, lt=1.0)] = 1.0 / 7.0
    roughness_length: Annotated[float, Field(strict=True, gt=0.0, le=3.0)] = 0.0002
