"""Build the point-of-interconnection (POI) screening network of the Lyon study.

Run ``python networks/make_lyon_poi.py [OUTPUT.json]`` to (re)write ``networks/lyon_poi.json``
(pandapower JSON). Every parameter and its source is listed in ``networks/README.md``. This is a
screening model built from public typical values of the French 400/225 kV grid, not RTE's
planning model.

Topology (50 Hz)::

    grid_400kV (ext_grid "grid", 1.0 pu): an RTE 400 kV substation
       | circuit_1, circuit_2: 2 x 20 km, 400 kV, twin-bundle 490-AL1/64-ST1A
    poi_400kV (campus substation, 400 kV side)
       | AT1, AT2, AT3: 3 x 600 MVA 400/225 kV autotransformers (RTE's standard unit)
    campus_225kV ---- load "campus" (1000 MW)
       | solar_link: 3 km, 225 kV XLPE cable, 2 circuits
    solar_225kV ----- sgen "solar" (p_mw 0: set by the study)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandapower as pp

from gridtwin.grid.network import bundled_line_type

#: Library line type each 400 kV circuit is derived from (pandapower standard type library).
BASE_LINE_TYPE = "490-AL1/64-ST1A 380.0"
LINE_TYPE = "2x490-AL1/64-ST1A 400.0"
CIRCUIT_LENGTH_KM = 20.0
TRAFO_SN_MVA = 600.0
N_TRAFOS = 3
CAMPUS_P_MW = 1000.0
SOLAR_SN_MVA = 500.0
BUS_VM_LIMITS_PU = (0.95, 1.05)

DEFAULT_OUTPUT = Path(__file__).resolve().with_name("lyon_poi.json")


def build_network() -> pp.pandapowerNet:
    """The Lyon POI screening network (voltages [kV], power [MW, MVA], lengths [km])."""
    net = pp.create_empty_network(name="lyon_poi", f_hz=50.0, sn_mva=100.0)

    bundled_line_type(net, BASE_LINE_TYPE, LINE_TYPE, conductors=2, voltage_rating="EHV")

    vmin, vmax = BUS_VM_LIMITS_PU
    bus_kw = {"min_vm_pu": vmin, "max_vm_pu": vmax, "type": "b"}
    grid = pp.create_bus(net, vn_kv=400.0, name="grid_400kV", zone="transmission", **bus_kw)
    poi = pp.create_bus(net, vn_kv=400.0, name="poi_400kV", zone="substation", **bus_kw)
    campus = pp.create_bus(net, vn_kv=225.0, name="campus_225kV", zone="campus", **bus_kw)
    solar = pp.create_bus(net, vn_kv=225.0, name="solar_225kV", zone="campus", **bus_kw)

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
    for k in range(1, N_TRAFOS + 1):
        pp.create_transformer_from_parameters(
            net,
            hv_bus=poi,
            lv_bus=campus,
            sn_mva=TRAFO_SN_MVA,
            vn_hv_kv=400.0,
            vn_lv_kv=225.0,
            vk_percent=12.0,
            vkr_percent=0.25,
            # no-load losses left out: lightsim2grid places the magnetising branch otherwise
            # than pandapower (3e-5 p.u. apart with 200 kW / 0.05 %), which would force the
            # hourly AC check onto pandapower hour by hour
            pfe_kw=0.0,
            i0_percent=0.0,
            shift_degree=0.0,
            tap_side="hv",
            tap_neutral=0,
            tap_min=-10,
            tap_max=10,
            tap_step_percent=1.0,
            tap_pos=0,
            tap_changer_type="Ratio",
            name=f"AT{k}",
            max_loading_percent=100.0,
        )
    # 225 kV XLPE cable, 1,200 mm2 Cu class (typical data sheet values), two circuits.
    pp.create_line_from_parameters(
        net,
        solar,
        campus,
        length_km=3.0,
        r_ohm_per_km=0.02,
        x_ohm_per_km=0.12,
        c_nf_per_km=200.0,
        max_i_ka=1.1,
        parallel=2,
        type="cs",
        name="solar_link",
        max_loading_percent=100.0,
    )
    pp.create_load(net, campus, p_mw=CAMPUS_P_MW, q_mvar=0.0, name="campus")
    pp.create_sgen(net, solar, p_mw=0.0, q_mvar=0.0, sn_mva=SOLAR_SN_MVA, name="solar", type="PV")
    return net


def main(argv: list[str] | None = None) -> Path:
    """Write the network to ``argv[0]`` (default ``networks/lyon_poi.json``)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_OUTPUT
    pp.to_json(build_network(), str(out))
    return out


if __name__ == "__main__":
    print(f"wrote {main()}")
