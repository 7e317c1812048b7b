"""The site network of a study: read its pandapower file and turn it into the
:class:`~gridtwin.network.spec.NetworkSpec` of the sizing problem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gridtwin.config import NetworkConfig
from gridtwin.exceptions import ConfigError
from gridtwin.grid.network import check_parameters, load_network
from gridtwin.network.from_pandapower import network_spec
from gridtwin.network.spec import NetworkSpec

#: Suffix of the fixed (brownfield) variant of a technology in the problem.
EXISTING = "_existing"


def read_site_network(cfg: NetworkConfig) -> Any:
    """The pandapower network of ``network.path`` with its parameters checked.

    Raises
    ------
    DataError
        Unreadable file, NaN / non-positive impedances or ratings (naming the element).
    """
    net = load_network(Path(cfg.path))
    check_parameters(net, f"{Path(cfg.path).name} (study field network.path)", ratings=True)
    return net


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
        ``network.buses`` names a technology the study does not use.
    DataError
        From :func:`gridtwin.network.from_pandapower.network_spec`.
    """
    base = {t: t.removesuffix(EXISTING) for t in technologies}
    unknown = sorted(set(cfg.buses) - set(base.values()))
    if unknown:
        raise ConfigError(
            f"network.buses: {unknown} are not technologies of this study "
            f"({sorted(set(base.values()))}); remove them or add them to "
            "technologies.extendable"
        )
    asset_bus = {t: cfg.buses[b] for t, b in base.items() if b in cfg.buses}
    return network_spec(
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


__all__ = ["read_site_network", "site_network"]
