"""Study models of the campus's cooling: the cooling design, heat reuse into a district
heating network, and water."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from gridtwin.config.base import Energy, Fraction, NonNegative, Power, StrictModel


class CoolingConfig(StrictModel):
    """Facility overhead model (cooling + electrical losses); see :mod:`gridtwin.campus.pue`.

    The model is the component model of Lei & Masanet (2020) for a hyperscale data center with a
    water-side economiser on cooling towers (their "WEC" system). Unless said otherwise, each
    default is the **midpoint of the parameter range in Lei & Masanet (2020), Table A.1**
    (Lei, N., Masanet, E., Energy 201, 117556, doi:10.1016/j.energy.2020.117556; the ranges are
    also listed in the authors' tool, github.com/nuoaleon/Data-center-PUE-prediction-tool).

    Attributes
    ----------
    design : {"liquid", "air", "evaporative", "liquid_dry"}
        How the heat leaves the IT and the site (:data:`gridtwin.campus.pue.DESIGNS`):

        * ``"liquid"``: direct-to-chip (cold-plate) liquid cooling of ``liquid_capture`` of the
          IT heat with warm facility water, the rest air-cooled as in ``"air"``; both loops
          reject heat through evaporative cooling towers with a water-side economiser.
        * ``"air"``: all heat removed by air handlers (CRAH) on chilled water, with chillers
          and a water-side economiser on evaporative cooling towers (L&M's "WEC").
        * ``"evaporative"``: air-cooled halls supplied with outdoor air, cooled by direct
          evaporative media when warmer than ``supply_air_temp`` (the Open Compute / Meta
          design), with a compressor trim where the media cannot reach it.
        * ``"liquid_dry"``: as ``"liquid"`` but closed loop: both loops reject heat through
          dry coolers (no evaporation), with air-cooled chillers when the dry bulb is too high
          for free cooling.
    ups_efficiency : float
        UPS efficiency [-]; loss = P_IT (1/eta - 1). Default 0.945 (L&M range 0.90-0.99).
        L&M find it, with climate, the most influential parameter on PUE.
    distribution_loss : float
        Power distribution loss rate [-]; loss = P_IT (1/(1 - x) - 1). Default 0.01 (L&M 0-0.02).
    lighting_share : float
        Lighting and miscellaneous power per IT power [-]. Default 0.001 (L&M 0-0.002).
    supply_air_temp : float
        Air-handler supply air temperature [degC]. Default 27, the upper end of the ASHRAE
        TC 9.9 recommended envelope for classes A1-A4 (18-27 degC; ASHRAE TC 9.9, Thermal
        Guidelines for Data Processing Environments, 5th ed., 2021) and the lower end of the
        27-35 degC range of L&M.
    delta_t_air : float
        Air temperature rise across the IT equipment [K]. Default 16.7 K (30 F; L&M 25-35 F).
    hx_effectiveness : float
        Effectiveness of the air-handler coil [-], giving the chilled-water supply temperature
        T_ra - (T_ra - T_sa)/eff. Default 0.8 (L&M 0.7-0.9).
    delta_t_chilled_water : float
        Chilled (facility) water temperature rise in the air-cooled loop [K]. Default 7.5
        (L&M 5-10 K).
    sensible_heat_ratio : float
        Sensible heat ratio of the air-side cooling load [-]. Default 0.97 (L&M 0.95-0.99).
    liquid_capture : float
        Share of the IT power removed by the cold plates in the ``"liquid"`` design [-].
        Default 0.85: an assumption within the 70-95 % that vendors quote for cold-plate GPU
        racks (memory, NICs, power supplies stay air cooled).
    liquid_supply_temp : float
        Facility water supply temperature of the liquid loop [degC]. Default 32, the upper limit
        of the ASHRAE TC 9.9 liquid-cooling class W32 (ASHRAE TC 9.9, Emergence and Expansion of
        Liquid Cooling in Mainstream Data Centers, 2021). Warm water lets the towers reject
        the heat without chillers in all but the most humid hours.
    delta_t_liquid : float
        Facility water temperature rise in the liquid loop [K]. Default 10, the upper end of the
        L&M facility-water range (5-10 K); assumption (about 1.4 L/min per kW).
    tower_approach : float
        Cooling-tower approach to the outdoor wet bulb [K]. Default 4.75 (L&M 2.8-6.7 K).
    hx_approach : float
        Approach of the economiser plate heat exchanger [K]. Default 2.25 (L&M 1.7-2.8 K).
    delta_t_tower : float
        Condenser / tower water range [K]. Default 5 (L&M 4-6 K).
    liquid_to_gas_ratio : float
        Cooling-tower water-to-air mass flow ratio [-]. Default 2 (L&M 1-3).
    chiller_part_load : float
        Chiller part-load ratio used in the COP regression [-]. Default 0.5 (L&M 0.2-0.8).
    chiller_cop_adjust : float
        Relative change of the regression COP [-] (better or worse chillers). Default 0
        (L&M -0.11 to +0.11).
    fan_pressure_crah : float
        Air-handler fan pressure rise [Pa]. Default 500 (L&M 400-600).
    fan_pressure_tower : float
        Cooling-tower fan pressure rise [Pa]. Default 250 (L&M 100-400).
    fan_efficiency : float
        Fan (total) efficiency [-], air handlers and towers. Default 0.775 (L&M 0.65-0.90).
    pump_head_facility : float
        Facility / chilled water pump head [Pa]. Default 143658 (L&M, +-20 %). Also used for the
        secondary (technology cooling system) pump of the liquid loop, an assumption.
    pump_head_tower : float
        Condenser / tower water pump head [Pa]. Default 208660 (L&M, +-20 %).
    pump_efficiency : float
        Pump efficiency [-]. Default 0.7 (L&M 0.6-0.8).
    cycles_of_concentration : float
        Cycles of concentration of the evaporative water (towers, evaporative media) [-]:
        dissolved solids in the circulating water over the make-up water, so blowdown is
        ``evaporation / (cycles - 1)``. Default 5, within the 3-7 that the US DOE Federal
        Energy Management Program gives as typical for cooling towers (FEMP, "Cooling Towers:
        Understanding Key Components of Cooling Towers and How to Improve Water Efficiency",
        DOE/PNNL-SA-75820, 2011).
    drift_rate : float
        Tower drift, water carried away as droplets, per unit circulating water [-].
        Default 1e-5 (0.001 %), the rating of modern high-efficiency drift eliminators (US EPA
        AP-42, 5th ed., section 13.4 Wet Cooling Towers, 0.0005-0.001 %). Part of the
        consumption; counted within the blowdown for the withdrawal.
    evaporative_effectiveness : float
        Saturation effectiveness of the direct evaporative media of the ``"evaporative"``
        design [-]: ``T_out = T_db - eff (T_db - T_wb)``. Default 0.85, within the 70-95 % of
        rigid media (ASHRAE Handbook - HVAC Systems and Equipment 2020, ch. 41).
    dry_cooler_approach : float
        Approach of the dry coolers' leaving water to the dry bulb, and of the air-cooled
        condensers' water-equivalent temperature in the chiller COP regression, in the
        ``"liquid_dry"`` design [K]. Default 10, the median of the dry coolers among 6,730
        cooling-tower models of 27 manufacturers (University of Stuttgart IER, "Free cooling
        for saving energy: technical market analysis of dry, wet, and hybrid cooling based on
        manufacturer data", Energies 16 (2023) 3661, doi:10.3390/en16093661; their open wet
        towers' median is 5 K to the wet bulb, as ``tower_approach``).
    dry_cooler_air_rise : float
        Air temperature rise across the dry coolers [K]; sets their air flow. Default 10, an
        assumption (vendor data sheets, 8-12 K).
    fan_pressure_dry : float
        Dry-cooler fan pressure rise [Pa]. Default 150, an assumption (axial fans of V-type
        dry coolers, 100-200 Pa).
    """

    design: Literal["liquid", "air", "evaporative", "liquid_dry"] = "liquid"
    ups_efficiency: Annotated[float, Field(strict=True, gt=0.5, le=1.0)] = 0.945
    distribution_loss: Annotated[float, Field(strict=True, ge=0.0, lt=0.5)] = 0.01
    lighting_share: Annotated[float, Field(strict=True, ge=0.0, le=0.1)] = 0.001
    supply_air_temp: Annotated[float, Field(strict=True, ge=10.0, le=45.0)] = 27.0
    delta_t_air: Annotated[float, Field(strict=True, gt=0.0, le=40.0)] = 30.0 * 5.0 / 9.0
    hx_effectiveness: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.8
    delta_t_chilled_water: Annotated[float, Field(strict=True, gt=0.0, le=30.0)] = 7.5
    sensible_heat_ratio: Annotated[float, Field(strict=True, gt=0.5, le=1.0)] = 0.97
    liquid_capture: Fraction = 0.85
    liquid_supply_temp: Annotated[float, Field(strict=True, ge=5.0, le=60.0)] = 32.0
    delta_t_liquid: Annotated[float, Field(strict=True, gt=0.0, le=30.0)] = 10.0
    tower_approach: Annotated[float, Field(strict=True, ge=0.0, le=20.0)] = 4.75
    hx_approach: Annotated[float, Field(strict=True, ge=0.0, le=10.0)] = 2.25
    delta_t_tower: Annotated[float, Field(strict=True, gt=0.0, le=20.0)] = 5.0
    liquid_to_gas_ratio: Annotated[float, Field(strict=True, gt=0.0, le=10.0)] = 2.0
    chiller_part_load: Annotated[float, Field(strict=True, ge=0.1, le=1.0)] = 0.5
    chiller_cop_adjust: Annotated[float, Field(strict=True, gt=-0.5, le=0.5)] = 0.0
    fan_pressure_crah: Annotated[float, Field(strict=True, ge=0.0, le=3000.0)] = 500.0
    fan_pressure_tower: Annotated[float, Field(strict=True, ge=0.0, le=3000.0)] = 250.0
    fan_efficiency: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.775
    pump_head_facility: Annotated[float, Field(strict=True, ge=0.0, le=2.0e6)] = 143658.0
    pump_head_tower: Annotated[float, Field(strict=True, ge=0.0, le=2.0e6)] = 208660.0
    pump_efficiency: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.7
    cycles_of_concentration: Annotated[float, Field(strict=True, gt=1.0, le=50.0)] = 5.0
    drift_rate: Annotated[float, Field(strict=True, ge=0.0, le=0.01)] = 1.0e-5
    evaporative_effectiveness: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.85
    dry_cooler_approach: Annotated[float, Field(strict=True, ge=0.0, le=30.0)] = 10.0
    dry_cooler_air_rise: Annotated[float, Field(strict=True, gt=0.0, le=40.0)] = 10.0
    fan_pressure_dry: Annotated[float, Field(strict=True, ge=0.0, le=3000.0)] = 150.0


class HeatReuseConfig(StrictModel):
    """Waste heat sold to a district heating network (:mod:`gridtwin.campus.heat`).

    The campus's recoverable heat (the warm loop of its cooling design) feeds the network
    directly where it is hot enough and through heat pumps otherwise; a hot-water tank may
    store heat. The optimiser sizes the heat pumps and the tank with the electricity side.

    Attributes
    ----------
    annual_demand : float
        Heat the network can take from the campus over a year [MWh_th a-1], at the connection
        (network losses included), at least 1,000 (a network of about a hundred homes: a
        smaller value is a unit slip, GWh for MWh). Required: there is no general default;
        e.g. about 830 GWh a year for Lyon's Centre Metropole network by 2040
        (``studies/lyon.yaml``).
    supply_temp : float
        Network supply temperature [degC]. Default 70, an assumption between today's networks
        (supply 70-90 degC, return 40-50 degC; Werner, Energy 137 (2017) 617,
        doi:10.1016/j.energy.2017.04.045) and fourth-generation ones (50-60 / 25 degC; Lund et
        al., Energy 68 (2014) 1, doi:10.1016/j.energy.2014.02.089).
    return_temp : float
        Network return temperature [degC], below ``supply_temp``. Default 40 (sources as
        ``supply_temp``).
    hot_water_share : float
        Share of the annual demand that does not depend on the weather (domestic hot water)
        [-]. Default 0.19: water heating is 15.1 % and space heating 63.5 % of EU household
        final energy use (Eurostat, Energy consumption in households, 2022 data), 15.1/78.6.
    heating_base : float
        Base temperature of the heating degree-hours ``heating_base - temp_air`` [degC].
        Default 18, Eurostat's heating-degree-day definition applied hour by hour.
    heating_threshold : float
        Outdoor temperature at or below which an hour counts degree-hours [degC]. Default 15
        (Eurostat), at most ``heating_base``.
    price : float
        Price the network pays per MWh of heat [currency MWh_th-1] (the study currency), at
        most 1,000 (district heat sells to households at about 50-150 EUR/MWh).
    lorenz_efficiency : float
        Heat-pump COP over the Lorenz COP of its temperatures [-]. Default 0.5, an assumption
        in the 0.45-0.6 reported for large industrial heat pumps (Jensen et al. 2018, Heat pump
        COP, part 2: generalized COP estimation, 13th IIR Gustav Lorentzen Conference,
        doi:10.18462/iir.gl.2018.1386).
    pinch : float
        Temperature difference at the heat exchangers of the heat pumps and of direct heat
        transfer [K]. Default 5, PyPSA-Eur's ``heat_exchanger_pinch_point_temperature_
        difference``.
    heat_pump_max : float or None
        Largest heat-pump heat output to build [MW_th]; ``None``: no limit.
    storage : bool
        Whether a hot-water tank may be built (catalogue ``heat_storage``). Default true.
    """

    annual_demand: Energy
    supply_temp: Annotated[float, Field(strict=True, gt=0.0, le=150.0)] = 70.0
    return_temp: Annotated[float, Field(strict=True, gt=0.0, le=120.0)] = 40.0
    hot_water_share: Fraction = 0.19
    heating_base: Annotated[float, Field(strict=True, ge=0.0, le=30.0)] = 18.0
    heating_threshold: Annotated[float, Field(strict=True, ge=-20.0, le=30.0)] = 15.0
    price: Annotated[float, Field(strict=True, ge=0.0, le=1000.0)]
    lorenz_efficiency: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 0.5
    pinch: Annotated[float, Field(strict=True, ge=0.0, le=20.0)] = 5.0
    heat_pump_max: Power | None = None
    storage: bool = True

    @model_validator(mode="after")
    def _temperatures(self) -> HeatReuseConfig:
        if self.return_temp >= self.supply_temp:
            raise ValueError(
                f"return_temp ({self.return_temp} degC) must be below supply_temp "
                f"({self.supply_temp} degC)"
            )
        if self.heating_threshold > self.heating_base:
            raise ValueError(
                f"heating_threshold ({self.heating_threshold} degC) must not exceed "
                f"heating_base ({self.heating_base} degC)"
            )
        if self.annual_demand < 1000.0:
            raise ValueError(
                f"annual_demand {self.annual_demand:g} MWh_th a-1 is below 1,000 (a network of "
                "about a hundred homes); the field is in MWh: check the unit (GWh for MWh?)"
            )
        return self


class WaterConfig(StrictModel):
    """Water the cooling draws: its price and limits (:mod:`gridtwin.campus.water`).

    Attributes
    ----------
    basis : {"withdrawal", "consumption"}
        What the price and the limits apply to: water withdrawn (make-up water: evaporation,
        drift and blowdown, what a utility meters) or consumed (evaporation and drift).
        Default ``"withdrawal"``.
    price : float
        Price per m3 [currency m-3] (the study currency). Default 0.
    annual_limit : float or None
        Largest water use over a year [m3 a-1]; ``None``: none.
    peak_limit : float or None
        Largest water use in any hour [m3 h-1]; ``None``: none.
    """

    basis: Literal["withdrawal", "consumption"] = "withdrawal"
    price: Annotated[float, Field(strict=True, ge=0.0, le=1.0e3)] = 0.0
    annual_limit: NonNegative | None = None
    peak_limit: NonNegative | None = None
