"""The site network of a study: read its pandapower file and turn it into the
:class:`~gridtwin.network.spec.NetworkSpec` of the sizing problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from gridtwin.config import NetworkConfig
from gridtwin.exceptions import ConfigError
from gridtwin.grid.network import load_network
from gridtwin.network.from_pandapower import network_spec
from gridtwin.network.spec import BASE_MVA, BranchSpec, NetworkSpec

#: Suffix of the fixed (brownfield) variant of a technology in the problem.
EXISTING = "_existing"


def read_site_network(cfg: NetworkConfig) -> Any:
    """The pandapower network of ``network.path`` with its parameters checked.

    Raises
    ------
    DataError
        Unreadable file, or an impossible network: a branch or element on a missing bus, a
        zero impedance, a NaN, negative or zero parameter or rating (the checks of
        :func:`gridtwin.grid.validate.check_network`, naming the element).
    """
    label = f"{Path(cfg.path).name} (study field network.path)"
    return load_network(Path(cfg.path), ratings=True, label=label)


def site_network(
    cfg: NetworkConfig,
    net: Any,
    technologies: Sequence[str],
    costs: pd.DataFrame,
    years: float,
) -> NetworkSpec:
    """The sizing problem's network from the study's ``network`` section.

    Parameters
    ----------
    cfg : NetworkConfig
    net : pandapowerNet
        From :func:`read_site_network`.
    technologies : sequence of str
        Names of the problem's technologies (``solar``, ``solar_existing``, ``ups``, ...).
    costs : pandas.DataFrame
        :func:`gridtwin.technologies.annualised_costs` including the ``network`` rows
        (``ac_line``, ``ac_cable`` [currency/MW/km/a], ``transformer`` [currency/MW/a]).
    years : float
        Horizon length [a]; upgrade costs are charged for it like every capital cost.

    Returns
    -------
    NetworkSpec

    Raises
    ------
    ConfigError
        ``network.buses`` or ``network.substations`` names a technology the study does not
        use, or a substation's bus is not in the network.
    DataError
        From :func:`gridtwin.network.from_pandapower.network_spec`.
    """
    base = {t: t.removesuffix(EXISTING) for t in technologies}
    for field, named in (("buses", cfg.buses), ("substations", cfg.substations)):
        unknown = sorted(set(named) - set(base.values()))
        if unknown:
            raise ConfigError(
                f"network.{field}: {unknown} are not technologies of this study "
                f"({sorted(set(base.values()))}); remove them or add them to "
                "technologies.extendable"
            )
    asset_bus = {t: cfg.buses[b] for t, b in base.items() if b in cfg.buses}
    spec = network_spec(
        net,
        load_bus=cfg.load_bus,
        asset_bus=asset_bus,
        line_cost=years * float(costs.at["ac_line", "capital_cost"]),
        cable_cost=years * float(costs.at["ac_cable", "capital_cost"]),
        trafo_cost=years * float(costs.at["transformer", "capital_cost"]),
        upgrades=cfg.upgrades,
        s_nom_max_factor=cfg.s_nom_max_factor,
        s_max_pu=cfg.s_max_pu,
        n1=cfg.n1,
        source=Path(cfg.path).name,
    )
    if not cfg.substations:
        return spec
    return with_substations(
        spec,
        {
            t: (cfg.substations[b].bus, cfg.substations[b].vn_kv)
            for t, b in base.items()
            if b in cfg.substations
        },
        trafo_cost=years * float(costs.at["transformer", "capital_cost"]),
        s_max_pu=cfg.s_max_pu,
    )


#: Reactance of a new collector transformer [p.u. of 100 MVA]: 12 % on 1,000 MVA (typical of
#: large power transformers, IEC 60076-5 asks at least 12.5 % above 100 MVA). The connection
#: is radial, so the value does not change any flow of the linear power flow.
SUBSTATION_X = 0.12 * BASE_MVA / 1000.0


def substation_bus(technology: str) -> str:
    """Name of the new bus of a technology's own collector substation."""
    return f"{technology.removesuffix(EXISTING)}_substation"


def with_substations(
    spec: NetworkSpec,
    placed: dict[str, tuple[str, float]],
    *,
    trafo_cost: float,
    s_max_pu: float,
) -> NetworkSpec:
    """The network with a new collector substation per technology of ``placed``
    (technology -> (existing bus, new bus voltage [kV])): a bus ``<tech>_substation`` and a
    transformer ``trafo:<tech>_substation`` of rating 0, upgradable at ``trafo_cost``
    [currency MVA-1]."""
    buses = list(spec.buses)
    branches = list(spec.branches)
    asset_bus = dict(spec.asset_bus)
    new_buses = dict(spec.new_buses)
    for tech, (to_bus, vn_kv) in placed.items():
        new = substation_bus(tech)
        if to_bus not in spec.buses:
            raise ConfigError(
                f"network.substations.{tech.removesuffix(EXISTING)}.bus: {to_bus!r} is not a "
                f"bus of network {spec.name}; buses: {sorted(spec.buses)}"
            )
        if new in spec.buses:
            raise ConfigError(
                f"network.substations.{tech.removesuffix(EXISTING)}: the network already has a "
                f"bus named {new!r}; rename that bus"
            )
        if new not in buses:
            buses.append(new)
            new_buses[new] = vn_kv
            branches.append(
                BranchSpec(
                    name=f"trafo:{new}",
                    bus0=to_bus,
                    bus1=new,
                    x=SUBSTATION_X,
                    s_nom=0.0,
                    kind="trafo",
                    extendable=True,
                    capital_cost=trafo_cost,
                    s_max_pu=s_max_pu,
                )
            )
        asset_bus[tech] = new
    return replace(
        spec,
        buses=tuple(buses),
        branches=tuple(branches),
        asset_bus=asset_bus,
        new_buses=new_buses,
    )


__all__ = ["read_site_network", "site_network", "substation_bus", "with_substations"]
