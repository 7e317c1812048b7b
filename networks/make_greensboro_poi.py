"""Build the point-of-interconnection (POI) screening network of the default Greensboro study.

Run ``python networks/make_greensboro_poi.py [OUTPUT.json]`` to (re)write
``networks/greensboro_poi.json`` (pandapower JSON). Every parameter and its source is listed in
``networks/README.md``. This is a screening model built from public typical values, not a
utility's planning model.

Topology (60 Hz)::

    grid_230kV (ext_grid "grid", 1.0 pu)
       | circuit_1, circuit_2: 2 x 30 km, 230 kV, twin-bundle 490-AL1/64-ST1A
    poi_230kV (substation)
       | T1, T2: 2 x 600 MVA 230/34.5 kV, vk 12 %, vkr 0.3 %
    campus_34.5kV ---- load "campus" (1000 MW)
       | collector: 2 km, 20 parallel 35 kV XLPE feeders
    collector_34.5kV -- sgen "solar", sgen "onwind" (p_mw 0: set by the study)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandapower as pp

from gridtwin.grid.network import bundled_line_type

#: Library line type each 230 kV circuit is derived from (pandapower standard type library).
BASE_LINE_TYPE = "490-AL1/64-ST1A 220.0"
#: Name of the derived twin-bundle type stored in the network's own type table.
LINE_TYPE = "2x490-AL1/64-ST1A 230.0"
CIRCUIT_LENGTH_KM = 30.0
TRAFO_SN_MVA = 600.0
CAMPUS_P_MW = 1000.0
SOLAR_SN_MVA = 400.0
ONWIND_SN_MVA = 300.0
BUS_VM_LIMITS_PU = (0.95, 1.05)

DEFAULT_OUTPUT = Path(__file__).resolve().with_name("greensboro_poi.json")


def build_network() -> pp.pandapowerNet:
    """The Greensboro POI screening network (voltages [kV], power [MW, MVA], lengths [km])."""
    net = pp.create_empty_network(name="greensboro_poi", f_hz=60.0, sn_mva=100.0)

    # Twin-bundle 230 kV circuit: two sub-conductors of the library type in parallel per phase.
    bundled_line_type(net, BASE_LINE_TYPE, LINE_TYPE, conductors=2, voltage_rating="HV")

    vmin, vmax = BUS_VM_LIMITS_PU
    bus_kw = {"min_vm_pu": vmin, "max_vm_pu": vmax, "type": "b"}
    grid = pp.create_bus(net, vn_kv=230.0, name="grid_230kV", zone="transmission", **bus_kw)
    poi = pp.create_bus(net, vn_kv=230.0, name="poi_230kV", zone="substation", **bus_kw)
    campus = pp.create_bus(net, vn_kv=34.5, name="campus_34.5kV", zone="campus", **bus_kw)
    collector = pp.create_bus(net, vn_kv=34.5, name="collector_34.5kV", zone="campus", **bus_kw)

    pp.create_ext_grid(net, grid, vm_pu=1.0, va_degree=0.0, name="grid")

    for k in (1, 2):
        pp.create_line(
            net,
            grid,
            poi,
            length_km=CIRCUIT_LENGTH_KM,
            std_type=LINE_TYPE,
            name=f"circuit_{k}",
            parallel=1,
            max_loading_percent=100.0,
        )

    for k in (1, 2):
        pp.create_transformer_from_parameters(
            net,
            hv_bus=poi,
            lv_bus=campus,
            sn_mva=TRAFO_SN_MVA,
            vn_hv_kv=230.0,
            vn_lv_kv=34.5,
            vk_percent=12.0,
            vkr_percent=0.3,
            pfe_kw=300.0,
            i0_percent=0.05,
            shift_degree=0.0,
            tap_side="hv",
            tap_neutral=0,
            tap_min=-16,
            tap_max=16,
            tap_step_percent=0.625,
            tap_pos=0,
            tap_changer_type="Ratio",
            name=f"T{k}",
            max_loading_percent=100.0,
        )

    # 20 parallel 35 kV XLPE feeders (1000 kcmil Al, ~0.6 kA each) from the plant collector.
    pp.create_line_from_parameters(
        net,
        collector,
        campus,
        length_km=2.0,
        r_ohm_per_km=0.06,
        x_ohm_per_km=0.12,
        c_nf_per_km=300.0,
        max_i_ka=0.6,
        parallel=20,
        type="cs",
        name="collector",
        max_loading_percent=100.0,
    )

    pp.create_load(net, campus, p_mw=CAMPUS_P_MW, q_mvar=0.0, name="campus")
    pp.create_sgen(
        net, collector, p_mw=0.0, q_mvar=0.0, sn_mva=SOLAR_SN_MVA, name="solar", type="PV"
    )
    pp.create_sgen(
        net, collector, p_mw=0.0, q_mvar=0.0, sn_mva=ONWIND_SN_MVA, name="onwind", type="WP"
    )
    return net


def main(argv: list[str] | None = None) -> Path:
    """Write the network to ``argv[0]`` (default ``networks/greensboro_poi.json``)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_OUTPUT
    pp.to_json(build_network(), str(out))
    return out


if __name__ == "__main__":
    print(f"wrote {main()}")
