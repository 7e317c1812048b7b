"""Study fields of the site network inside the sizing problem (``network:``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from gridtwin.config.base import StrictModel


class AcLoopConfig(StrictModel):
    """The AC feasibility loop after each solve (:mod:`gridtwin.study_grid`).

    Attributes
    ----------
    rounds : int
        Largest number of solves [-] (1: solve once and report the AC check; default 4). Each
        further round derates the branches the hourly AC power flow and N-1 found over a limit
        and solves again.
    margin : float
        Share of a limit kept free when a branch is derated [-] (default 0.01: a branch whose AC
        loading was 104 % of the limit gets ``s_max_pu`` x 0.99 / 1.04).
    """

    rounds: Annotated[int, Field(strict=True, ge=1, le=20)] = 4
    margin: Annotated[float, Field(strict=True, ge=0.0, le=0.2)] = 0.01


class SubstationConfig(StrictModel):
    """A new collector substation of one technology: a bus of its own and a new transformer
    to an existing bus, its rating sized by the optimiser at the catalogue's ``transformer``
    cost (per MVA, one 230 kV position per 600 MVA included).

    Attributes
    ----------
    bus : str
        Existing bus the new transformer connects to (its high-voltage side).
    vn_kv : float
        Nominal voltage of the new collector bus [kV] (e.g. 34.5).
    """

    bus: Annotated[str, Field(min_length=1)]
    vn_kv: Annotated[float, Field(strict=True, gt=0.0, le=1200.0)] = 34.5


class NetworkConfig(StrictModel):
    """The site network the sizing problem carries (linearised power flow, N-1, upgrades).

    Attributes
    ----------
    path : Path
        pandapower JSON (``pandapower.to_json``) of the site network: buses, lines and
        two-winding transformers with ratings, and one ``ext_grid`` where the POI exchange
        enters. Relative to the study file.
    load_bus : str
        Bus of the campus load (pandapower bus name).
    buses : dict
        Bus of each on-site technology (``{solar: collector_34.5kV}``); technologies not named
        (storage, backup, UPS included) sit at ``load_bus``.
    n1 : bool
        Security-constrained sizing: after the outage of any line or transformer that does not
        split the network, the other branches stay within their ratings (default true).
    upgrades : bool
        Whether branch ratings may be reinforced at the catalogue's ``ac_line`` (per MVA-km)
        and ``transformer`` (per MVA) costs (default true).
    s_nom_max_factor : float or None
        Largest rating after reinforcement as a multiple of today's rating [-]; ``None``: no
        limit.
    s_max_pu : float
        Share of every branch rating the linear power flow may use [-] (default 1.0). The LP
        sees active power only; reactive power and losses load the branches a few per cent more
        in the AC check (2.6 % on the default network under N-1), which the AC loop corrects
        with another solve. A headroom of a few per cent (the default study uses 0.95) saves
        that solve. Not an N-1 proxy: N-1 is modelled (``n1``).
    ac_loop : AcLoopConfig
        The AC power-flow check after each solve and the derating rounds.
    substations : dict
        Technologies that get a new collector substation of their own
        (:class:`SubstationConfig`), e.g. ``{solar: {bus: poi_230kV, vn_kv: 34.5}}``: the
        technology sits at a new bus ``<tech>_substation`` joined to ``bus`` by a new
        transformer ``trafo:<tech>_substation`` whose rating the optimiser sizes from 0.
    """

    path: Path
    load_bus: Annotated[str, Field(min_length=1)]
    buses: dict[str, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)
    n1: Annotated[bool, Field(strict=True)] = True
    upgrades: Annotated[bool, Field(strict=True)] = True
    s_nom_max_factor: Annotated[float, Field(strict=True, ge=1.0, le=100.0)] | None = None
    s_max_pu: Annotated[float, Field(strict=True, gt=0.0, le=1.0)] = 1.0
    ac_loop: AcLoopConfig = Field(default_factory=AcLoopConfig)
    substations: dict[str, SubstationConfig] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _placed_once(self) -> NetworkConfig:
        both = sorted(set(self.buses) & set(self.substations))
        if both:
            raise ValueError(
                f"{both} are given a bus in network.buses and a substation of their own in "
                "network.substations; keep one"
            )
        return self

    @field_validator("path")
    @classmethod
    def _json_only(cls, value: Path) -> Path:
        if value.suffix.lower() != ".json":
            raise ValueError(
                f"{value}: the sizing network must be a pandapower JSON file (.json); convert "
                "a MATPOWER case with `gridtwin.grid.network.load_network` and "
                "`pandapower.to_json`"
            )
        return value


class SiteConfig(StrictModel):
    """The campus site.

    Attributes
    ----------
    land_area_ha : float or None
        Land available for on-site generation and storage [ha] (the data halls' own land
        excluded); on-site assets take ``land_use`` ha per MW (catalogue: NREL's land-use
        studies for solar and wind, Ong et al. 2013, Denholm et al. 2009). ``None``: no limit.
    """

    land_area_ha: Annotated[float, Field(strict=True, ge=0.0, le=1.0e7)] | None = None


class OffsiteConfig(StrictModel):
    """Contracts with plants elsewhere in the same grid zone (``solar_offsite``,
    ``onwind_offsite`` in ``technologies.extendable``).

    Their output reaches the campus through the POI and counts as clean only up to the
    campus's import in each hour; the excess is sold at the export price. They are costed like
    an owned plant of the catalogue (a proxy of a PPA at cost) and need a size limit,
    ``technologies.assets.<tech>.p_nom_max`` [MW].

    Attributes
    ----------
    weather : Path or None
        Weather file of the contracted plants' area (any format :func:`gridtwin.weather.read`
        reads, same hours as the study's weather); ``None``: the study's own weather.
    """

    weather: Path | None = None


__all__ = ["AcLoopConfig", "NetworkConfig", "OffsiteConfig", "SiteConfig", "SubstationConfig"]
