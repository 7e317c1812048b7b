"""The pinned stack works together: pandapower's AC power flow in the same environment as PyPSA.

pandapower 3.1 crashed inside ``runpp`` under pandas 3; this guards the pin choice in
pyproject.toml by running a real power flow on pandapower's IEEE 9-bus case and comparing it
with the published solution (bus voltages of the MATPOWER ``case9`` base case).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

pp = pytest.importorskip("pandapower", reason="the 'grid' extra (pandapower) is not installed")


def test_pandas_line_is_the_pinned_one() -> None:
    import pypsa

    assert pd.__version__.startswith("2.")
    assert pypsa.__version__.startswith("1.2.")


def test_pandapower_runpp_matches_matpower_case9() -> None:
    import pandapower.networks as pn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba advisory printed by pandapower
        net = pn.case9()
        pp.runpp(net)
    vm = net.res_bus.vm_pu.to_numpy()
    # MATPOWER case9 solved base case, bus voltage magnitudes [p.u.]
    expected = [1.0, 1.0, 1.0, 0.987, 0.975, 1.003, 0.986, 0.996, 0.958]
    assert vm == pytest.approx(expected, abs=1.5e-3)
