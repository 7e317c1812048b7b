"""Heat reuse by hand: the heat-pump COP and the direct share of warm water.

COP (network 40 -> 70 degC, liquid loop 42 -> 32 degC, pinch 5 K, Lorenz efficiency 0.5):
the condenser glide 45 -> 75 degC has the log-mean temperature (348.15 - 318.15) /
ln(348.15 / 318.15) = 332.925 K, the evaporator glide 37 -> 27 degC 305.123 K, so the Lorenz
COP is 332.925 / 27.802 = 11.975 and the COP 5.987. Electricity per MWh delivered 1/5.987 =
0.167, warm-loop heat 0.833.

Warm water (W45: 55 -> 45 degC): the plate exchanger heats the return water to 55 - 5 = 50 degC,
a third of the 30 K lift; the heat pumps lift 50 -> 70 degC (condenser 55 -> 75: 338.051 K)
from 50 -> 40 degC (318.124 K): COP 0.5 x 338.051 / 19.927 = 8.482, and (2/3) / 8.482 = 0.0786
MWh of electricity per MWh delivered.

ERF and heat sold from a result file: tests/optimize/test_heat.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from gridtwin.campus.heat import lorenz_cop, recovery
from gridtwin.config import HeatReuseConfig

NETWORK = HeatReuseConfig(annual_demand=1.0e5, price=30.0)


def test_heat_pump_cop_by_hand() -> None:
    assert lorenz_cop(40.0, 70.0, 42.0, 32.0, 0.5, 5.0) == pytest.approx(5.98741, rel=1e-5)
    r = recovery(42.0, 32.0, NETWORK)
    assert r.direct_share == 0.0
    assert r.power == pytest.approx(1.0 / 5.98741, rel=1e-5)
    assert r.source == pytest.approx(1.0 - 1.0 / 5.98741, rel=1e-5)


def test_warm_water_preheats_directly_by_hand() -> None:
    r = recovery(55.0, 45.0, NETWORK)
    assert r.direct_share == pytest.approx(1.0 / 3.0)
    assert r.cop == pytest.approx(8.48199, rel=1e-5)
    assert r.power == pytest.approx(0.0785979, rel=1e-5)
    assert recovery(80.0, 70.0, NETWORK).power == 0.0  # hot enough: no heat pump at all


def test_a_source_that_cannot_heat_is_refused() -> None:
    from gridtwin.exceptions import ConfigError

    cold = HeatReuseConfig(annual_demand=1.0e5, price=30.0, supply_temp=120.0, return_temp=90.0,
                           lorenz_efficiency=0.05)  # fmt: skip
    with pytest.raises(ConfigError, match="not above 1"):
        recovery(20.0, 10.0, cold)


def test_heat_demand_needs_a_year_of_weather() -> None:
    from gridtwin.campus.heat import district_heat_demand
    from gridtwin.exceptions import ConfigError

    with pytest.raises(ConfigError, match="less than a year"):
        district_heat_demand(np.full(24 * 70, 20.0), NETWORK)
    year = district_heat_demand(np.tile(np.linspace(-5.0, 25.0, 24), 365), NETWORK)
    assert year.sum() == pytest.approx(1.0e5)  # a year of weather carries the annual demand
