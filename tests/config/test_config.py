"""Study files: good ones load, bad ones fail with one line naming the field and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from gridtwin.config import load_study, parse_study
from gridtwin.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "studies" / "default.yaml"
POI = "poi:\n  p_nom: 100\n  import_price: 70\n  grid_cfe_share: 0.4\n"


def _study(tmp_path: Path, body: str) -> Path:
    weather = (ROOT / "weather" / "greensboro_tmy3.nc").as_posix()
    path = tmp_path / "study.yaml"
    poi = "" if body.startswith("poi:") else POI
    path.write_text(f"name: t\nweather:\n  path: {weather}\n{poi}{body}", encoding="utf-8")
    return path


def test_default_study_loads_and_resolves_paths() -> None:
    study = load_study(DEFAULT)
    cfg = study.config
    assert cfg.weather.path == (ROOT / "weather" / "greensboro_tmy3.nc").resolve()
    assert cfg.policy.cfe_target == 0.9
    assert cfg.campus.it_capacity == 1000.0
    assert study.text == DEFAULT.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("campus:\n  it_capacity: -5\n", r"campus\.it_capacity.*greater than 0"),
        ("policy:\n  cfe_target: 1.5\n", r"policy\.cfe_target.*less than or equal to 1"),
        ("policy:\n  cfe_target: -0.1\n", r"policy\.cfe_target.*greater than or equal to 0"),
        ("campus:\n  it_capcity: 100\n", r"unknown field 'campus\.it_capcity'"),
        ("polcy:\n  cfe_target: 0.9\n", r"unknown field 'polcy'"),
        ("poi:\n  p_nom: lots\n  import_price: 1\n  grid_cfe_share: 0\n", r"poi\.p_nom.*number"),
        ("campus:\n  it_capacity: true\n", r"campus\.it_capacity.*valid number.*True"),
        ("campus:\n  it_capacity: .inf\n", r"campus\.it_capacity.*finite"),
        (
            "poi:\n  p_nom: 1\n  import_price: -1.0e9\n  grid_cfe_share: 0\n",
            r"poi\.import_price': expected a number within \[-10000, 100000\].*\{path: FILE\.csv",
        ),
        (
            "poi:\n  p_nom: 1\n  import_price: cheap\n  grid_cfe_share: 0\n",
            r"poi\.import_price': expected a number.*'cheap'.*column: NAME\}$",
        ),
        ("poi:\n  p_nom: 1\n  import_price: 1\n", r"field 'poi\.grid_cfe_share' is required"),
        ("solver:\n  options:\n    bogus_option: 3\n", r"unknown HiGHS option.*bogus_option"),
        ("wind:\n  height_law: cubic\n", r"wind\.height_law"),
        ("technologies:\n  extendable: [solar, coal]\n", r"technologies\.extendable"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, body: str, pattern: str) -> None:
    path = _study(tmp_path, body)
    with pytest.raises(ConfigError, match=pattern) as info:
        load_study(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "\n" not in message


def test_missing_weather_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: t\nweather:\n  path: nowhere.nc\n" + POI, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"weather\.path.*file not found.*nowhere\.nc"):
        load_study(path)


def test_missing_required_section(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: t\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="field 'weather' is required"):
        load_study(path)


def test_malformed_yaml_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: t\nweather: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"malformed YAML at line \d+"):
        load_study(path)


def test_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        parse_study("- a\n- b\n")


def test_missing_study_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="study file not found"):
        load_study(tmp_path / "absent.yaml")


def test_series_file_must_exist(tmp_path: Path) -> None:
    body = "poi:\n  p_nom: 1\n  grid_cfe_share: 0\n  import_price: {path: p.csv, column: usd}\n"
    path = _study(tmp_path, body)
    with pytest.raises(ConfigError, match=r"poi\.import_price\.path.*file not found"):
        load_study(path)


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    path = _study(tmp_path, "policy:\n  cfe_target: 0.9\n  cfe_target: 0.5\n")
    with pytest.raises(
        ConfigError, match=r"malformed YAML at line \d+.*cfe_target' is given twice"
    ):
        load_study(path)


def test_poi_section_is_required(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    weather = (ROOT / "weather" / "greensboro_tmy3.nc").as_posix()
    path.write_text(f"name: t\nweather:\n  path: {weather}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="field 'poi' is required"):
        load_study(path)


def test_study_reads_any_supported_weather_file(tmp_path: Path, shared_data: Path) -> None:
    """A study may point straight at an EPW file; the stages before the solve accept it."""
    from gridtwin.study import prepare_problem

    epw = shared_data / "weather" / "NLD_Amsterdam062400_IWEC.epw"
    path = tmp_path / "s.yaml"
    path.write_text(
        f"name: ams\nweather:\n  path: {epw.as_posix()}\n  format: epw\n" + POI,
        encoding="utf-8",
    )
    problem, campus, weather = prepare_problem(load_study(path).config)
    assert len(problem.snapshots) == 8760
    assert weather.attrs["latitude"] == pytest.approx(52.3, abs=0.01)
    assert problem.snapshots[0] == pd.Timestamp("2018-12-31 23:00")  # UTC+1, hour-ending
    assert float(campus["pue"].mean()) < 1.3


def test_unknown_weather_format(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    weather = (ROOT / "weather" / "greensboro_tmy3.nc").as_posix()
    path.write_text(f"name: t\nweather:\n  path: {weather}\n  format: grib\n" + POI)
    with pytest.raises(ConfigError, match=r"weather\.format"):
        load_study(path)


def test_set_overrides_are_validated_like_the_file() -> None:
    study = load_study(DEFAULT, overrides=["policy.cfe_target=0.95", "solver.backend=cvxpy"])
    assert study.config.policy.cfe_target == 0.95
    assert study.config.solver.backend == "cvxpy"
    assert study.overrides == ("policy.cfe_target=0.95", "solver.backend=cvxpy")
    series = "poi.import_price={path: ../weather/README.md, column: x}"
    assert load_study(DEFAULT, overrides=[series]).config.poi.import_price.column == "x"


@pytest.mark.parametrize(
    ("item", "pattern"),
    [
        ("policy.cfe_target=1.5", r"with --set policy\.cfe_target=1\.5\).*policy\.cfe_target"),
        ("policy.cfe_targt=0.5", r"unknown field 'policy\.cfe_targt'"),
        ("policy.cfe_target", r"expected PATH=VALUE"),
        ("name.sub=1", r"'name' is a value, not a section"),
        ("policy.cfe_target=[1", r"not valid YAML"),
        ("solver.options.max_iter=-1", r"solver\.options\.max_iter'?: Clarabel needs a number"),
        ("policy.max_export_share=-0.1", r"policy\.max_export_share.*greater than or equal"),
        ("policy.matching=weekly", r"policy\.matching"),
        ("policy.emissions_cap=1000", r"emissions_cap needs poi\.grid_co2_intensity"),
    ],
)
def test_bad_overrides_name_the_field(item: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        load_study(DEFAULT, overrides=[item])


def test_backup_name_must_not_shadow_other_assets(tmp_path: Path) -> None:
    body = "campus:\n  backup:\n    - {name: battery, kind: diesel, p_nom: 10, fuel_cost: 100}\n"
    with pytest.raises(ConfigError, match=r"campus\.backup.*'battery'\] are taken"):
        load_study(_study(tmp_path, body))


def test_emissions_cap_with_grid_intensity_loads() -> None:
    study = load_study(
        DEFAULT, overrides=["poi.grid_co2_intensity=0.4", "policy.emissions_cap=100000"]
    )
    assert study.config.policy.emissions_cap == 100000
    assert study.config.poi.grid_co2_intensity == 0.4


@pytest.mark.parametrize(
    ("item", "pattern"),
    [
        ("technologies.assets.solar.p_nom_max=-1", r"technologies\.assets\.solar\.p_nom_max"),
        ("technologies.assets.solar.e_nom=10", r"apply to storage only"),
        ("technologies.assets.solar={p_nom: 500, p_nom_max: 100}", r"below the existing p_nom"),
        ("technologies.extendable=[solar, coal]", r"technologies\.extendable\.1"),
        ("aggregation.segments=0", r"aggregation\.segments"),
        ("poi.demand_charge=-5", r"poi\.demand_charge"),
        ("weather.path=[]", r"list of weather files is empty"),
        ("weather.path=[missing_2018.nc]", r"weather\.path\.0.*file not found"),
        ("offwind.weather=missing.nc", r"offwind\.weather.*file not found"),
    ],
)
def test_new_sections_are_validated(item: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        load_study(DEFAULT, [item])


def test_assets_and_technologies_reach_the_problem() -> None:
    """Brownfield capacity becomes a fixed asset without investment; the build limit counts
    it; iron-air gets its 100-h duration; firm and gas generators carry availability and CO2."""
    from gridtwin.study import prepare_problem

    overrides = [
        "technologies.extendable=[solar, battery, iron_air, hydrogen, nuclear, ccgt]",
        "technologies.assets.solar={p_nom: 300, p_nom_max: 2000}",
        "technologies.assets.battery={p_nom: 50, e_nom: 200}",
        "poi.demand_charge=10000",
    ]
    problem, _, _ = prepare_problem(load_study(DEFAULT, overrides).config)
    gens = {g.name: g for g in problem.generators}
    stores = {s.name: s for s in problem.storage}
    assert gens["solar_existing"].p_nom == 300 and not gens["solar_existing"].extendable
    assert gens["solar_existing"].capital_cost == 0
    assert gens["solar"].p_nom_max == pytest.approx(1700)
    assert stores["battery_existing"].e_nom == 200 and not stores["battery_existing"].extendable
    assert stores["iron_air"].max_hours == 100
    assert stores["hydrogen"].separate_discharge and stores["battery"].max_hours is None
    assert not gens["ccgt"].clean and gens["ccgt"].co2_intensity == pytest.approx(0.198 / 0.573)
    assert gens["nuclear"].clean and np.all(gens["nuclear"].capacity_factor == 0.93)
    assert problem.poi.demand_charge == 10000
    # billing months in local standard time (UTC-5): the typical year is exactly 12 months,
    # its last UTC hours do not form a 13th month of their own
    _, share = problem.billing_months()
    assert problem.poi.utc_offset_h == -5
    np.testing.assert_allclose(share, np.ones(12))


# --- YAML 1.2 floats (1e4), read by the study loader and by --set --------------------------


def test_exponent_floats_in_a_study_file(tmp_path: Path) -> None:
    body = (
        "poi:\n  p_nom: 1E+3\n  import_price: 7.5e1\n  grid_cfe_share: 4e-1\n"
        "  demand_charge: 1e4\nsolver:\n  tie_break_cost: 2.5E-3\n"
    )
    cfg = load_study(_study(tmp_path, body)).config
    assert (cfg.poi.p_nom, cfg.poi.import_price, cfg.poi.grid_cfe_share) == (1000.0, 75.0, 0.4)
    assert cfg.poi.demand_charge == 10000.0
    assert cfg.solver.tie_break_cost == 0.0025
    # a negative exponent float is read as the number -0.0025 (a range error, not a type error)
    with pytest.raises(ConfigError, match=r"tie_break_cost.*greater than or equal to 0"):
        load_study(_study(tmp_path, body.replace("2.5E-3", "-2.5E-3")))


def test_exponent_floats_in_set_overrides() -> None:
    overrides = ["poi.demand_charge=1e4", "solver.tie_break_cost=2.5E-3", "poi.p_nom=7.5e1"]
    cfg = load_study(DEFAULT, overrides=overrides).config
    assert cfg.poi.demand_charge == 10000.0
    assert cfg.solver.tie_break_cost == 0.0025
    assert cfg.poi.p_nom == 75.0
    with pytest.raises(ConfigError, match=r"tie_break_cost.*greater than or equal to 0"):
        load_study(DEFAULT, overrides=["solver.tie_break_cost=-2.5E-3"])


def test_yaml_1_2_floats_only_on_the_study_loader() -> None:
    # the resolver belongs to gridtwin's loader class; yaml.SafeLoader keeps YAML 1.1
    assert yaml.safe_load("[1e4, 7.5e1, 1E+4]") == ["1e4", "7.5e1", "1E+4"]
    assert yaml.safe_load("[10, 1.5, 1.0e+4]") == [10, 1.5, 1.0e4]


# --- one short line for errors of model validators -----------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        (["aggregation.check_full=true"], ["aggregation", "check_full", "aggregation.segments"]),
        (["technologies.extendable=[solar, solar, battery]"], ["technologies.extendable"]),
        (["policy.emissions_cap=1000"], ["policy.emissions_cap", "poi.grid_co2_intensity"]),
    ],
)
def test_model_validator_errors_are_short(overrides: list[str], fields: list[str]) -> None:
    text = DEFAULT.read_text(encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        parse_study(text, source="default.yaml", base=DEFAULT.parent, overrides=overrides)
    message = str(info.value)
    assert len(message) < 250, message
    assert all(field in message for field in fields), message
    for noise in ("Value error", "(top level)", "{"):
        assert noise not in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("item", "start"),
    [
        (
            "dispatch={mode: rolling, window_hours: 24, step_hours: 48}",
            "field 'dispatch': dispatch.step_hours 48 exceeds dispatch.window_hours 24",
        ),
        (
            "technologies.assets.battery={p_nom: 10, e_nom: 40, e_nom_max: 20}",
            "field 'technologies.assets.battery': e_nom_max 20.0 is below the existing e_nom 40.0",
        ),
        (
            "technologies.assets.solar.e_nom=10",
            "field 'technologies.assets.solar': ['e_nom'] apply to storage only",
        ),
    ],
)
def test_nested_validator_errors_name_their_section(item: str, start: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_study(DEFAULT, [item])
    message = str(info.value)
    assert message.startswith(f"{DEFAULT} (with --set {item}): {start}"), message
    assert "Value error" not in message and "got {" not in message


# --- HiGHS option values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ("{solver: foo}", r"'solver\.options\.solver': HiGHS rejects the value 'foo'; give a str"),
        ("{run_crossover: off}", r"run_crossover': HiGHS rejects the value False \(YAML reads"),
        ("{time_limit: -5}", r"'solver\.options\.time_limit': .* -5; give a number"),
        ("{threads: 2.5}", r"'solver\.options\.threads': .* 2\.5; give an integer"),
        ("{ipm_iteration_limit: [1]}", r"'solver\.options\.ipm_iteration_limit': .* \[1\]"),
    ],
)
def test_highs_option_values_are_checked_silently(
    capfd: pytest.CaptureFixture[str], options: str, pattern: str
) -> None:
    # capfd, not only capsys: HiGHS prints from C++ on file descriptor 1
    with pytest.raises(ConfigError, match=pattern) as info:
        load_study(DEFAULT, ["solver.name=highs", f"solver.options={options}"])
    assert "\n" not in str(info.value)
    assert capfd.readouterr().out == ""


def test_valid_highs_option_values_load_silently(capfd: pytest.CaptureFixture[str]) -> None:
    options = "{solver: ipm, run_crossover: 'off', time_limit: 600, mip_rel_gap: 1e-4, threads: 2}"
    cfg = load_study(DEFAULT, ["solver.name=highs", f"solver.options={options}"]).config
    assert cfg.solver.options["mip_rel_gap"] == 1e-4
    assert capfd.readouterr().out == ""


def test_highs_check_prints_nothing_in_a_fresh_process() -> None:
    # the first HiGHS instance of a process prints a banner; the check must swallow it
    code = (
        "from gridtwin.config import load_study; "
        f"load_study({str(DEFAULT)!r}, ['solver.name=highs', 'solver.options={{time_limit: 600}}'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == ""


# --- settings that would have no effect or contradict each other ---------------------------


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        (
            ["technologies.assets.battery={e_nom: 400}"],
            r"'technologies\.assets\.battery': existing storage has e_nom 400\.0 but no p_nom; "
            r".*give p_nom too or remove e_nom$",
        ),
        (
            ["technologies.assets.battery={p_nom: 100}"],
            r"'technologies\.assets\.battery': existing storage has p_nom 100\.0 but no e_nom",
        ),
        (
            ["technologies.assets.iron_air={max_hours: 150}"],
            r"'technologies\.assets\.iron_air': \['max_hours'\] limit new capacity, but "
            r"'iron_air' is not in technologies\.extendable.*add 'iron_air' to "
            r"technologies\.extendable or remove the limit$",
        ),
        (
            ["technologies.assets.nuclear={p_nom: 100, p_nom_max: 300}"],
            r"'technologies\.assets\.nuclear': \['p_nom_max'\] limit new capacity",
        ),
        (
            ["technologies.assets.hydrogen={e_nom_max: 50}"],
            r"'technologies\.assets\.hydrogen': \['e_nom_max'\] limit new capacity",
        ),
        (
            ["aggregation.check_full=true"],
            r"'aggregation': check_full: true needs aggregation\.segments.*set segments or "
            r"remove check_full$",
        ),
        (
            ["dispatch.mode=rolling", "dispatch.step_hours=12"],
            r"dispatch\.step_hours 12 is not a multiple of campus\.flexibility\.window_hours 24",
        ),
        (
            ["dispatch.mode=rolling", "campus.flexibility={shift_share: 0, window_hours: 48}"],
            r"dispatch\.step_hours 24 is not a multiple of campus\.flexibility\.window_hours 48",
        ),
    ],
)
def test_ineffective_or_contradictory_settings(overrides: list[str], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern) as info:
        load_study(DEFAULT, overrides)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "overrides",
    [
        ["technologies.assets.nuclear={p_nom: 100}"],  # existing, kept as it is
        ["technologies.assets.battery={p_nom: 100, e_nom: 400, e_nom_max: 800}"],
        ["technologies.extendable=[solar, iron_air]", "technologies.assets.iron_air.max_hours=150"],
        ["aggregation={segments: 730, check_full: true}"],
        ["dispatch={mode: rolling, step_hours: 48, window_hours: 72}"],
        # no flexibility: any step
        [
            "dispatch={mode: rolling, step_hours: 12}",
            "campus.flexibility={shift_share: 0, curtail_share: 0}",
        ],
        ["dispatch.step_hours=12"],  # sizing mode: the step is not used
    ],
)
def test_consistent_settings_load(overrides: list[str]) -> None:
    load_study(DEFAULT, overrides)


def test_solver_options_can_be_cleared_and_refilled_from_the_command_line() -> None:
    """Clarabel settings cannot go to HiGHS, nor HiGHS options to Clarabel; `=null` clears
    them and a later `--set` fills the cleared section."""
    clarabel = ["solver.options.max_iter=50"]
    with pytest.raises(ConfigError, match=r"unknown HiGHS option.*max_iter.*=null"):
        load_study(DEFAULT, [*clarabel, "solver.name=highs"])
    study = load_study(
        DEFAULT,
        [*clarabel, "solver.name=highs", "solver.options=null", "solver.options.solver=ipm"],
    )
    assert study.config.solver.options == {"solver": "ipm"}
    highs = ["solver.name=highs", "solver.options.solver=ipm"]
    with pytest.raises(ConfigError, match=r"solver\.options.*not Clarabel settings.*=null"):
        load_study(DEFAULT, [*highs, "solver.name=clarabel"])
    study = load_study(DEFAULT, [*highs, "solver.name=clarabel", "solver.options=null", *clarabel])
    assert study.config.solver.options == {"max_iter": 50}


def test_catalogue_money_is_converted_or_refused_when_the_study_loads() -> None:
    """Money in another currency or year is converted when the tables cover both years; a
    year outside them is refused at load, before any weather is read, naming the row."""
    load_study(DEFAULT, ["currency=EUR", "currency_year=2020"])
    load_study(DEFAULT, ["technologies.catalogue=eu"])
    with pytest.raises(ConfigError, match=r"'currency_year'.*2030 is outside"):
        load_study(DEFAULT, ["currency_year=2030"])


@pytest.mark.parametrize("name", ["..", ".hidden", "a/b"])
def test_study_names_that_make_odd_file_names_are_refused(name: str) -> None:
    """The name becomes results/<name>.nc: no hidden files, no '..', no paths."""
    with pytest.raises(ConfigError, match=r"field 'name': .*not starting with '\.'"):
        load_study(DEFAULT, [f"name={name}"])


def _alias_bomb(levels: int, key: str = "lol") -> str:
    """Nested YAML anchors, each used 9 times by the next: 9**levels values once expanded."""
    text = f"{key}0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, levels):
        text += f"{key}{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


@pytest.mark.parametrize("where", ["top", "sweep.grid"])
def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path, where: str) -> None:
    """Aliases that expand to 9**9 values (at the top or inside sweep.grid) are refused with
    the limit, before anything is built (the file itself is a few hundred bytes)."""
    import time

    bomb = _alias_bomb(9)
    body = (
        bomb
        if where == "top"
        else "sweep:\n  grid:\n"
        + "".join(
            f"    {line}\n" for line in bomb.replace("lol", "policy.cfe_target_").splitlines()
        )
    )
    path = _study(tmp_path, body)
    start = time.perf_counter()
    with pytest.raises(ConfigError, match=r"study\.yaml: the document expands to 4\.9e\+08 "
                       r"values .* more than the 100000"):  # fmt: skip
        load_study(path)
    assert time.perf_counter() - start < 5.0  # refused, not expanded
    with pytest.raises(ConfigError, match=r"--set policy: the document expands"):
        load_study(
            _study(tmp_path, ""),
            overrides=[f"policy={{{_alias_bomb(9).strip().replace(chr(10), ', ')}}}"],
        )


def test_a_few_aliases_still_read(tmp_path: Path) -> None:
    body = "poi: &poi\n  p_nom: 100\n  import_price: 70\n  grid_cfe_share: 0.4\nx: *poi\n"
    with pytest.raises(ConfigError, match=r"'x'"):  # the alias expands; x is unknown
        load_study(_study(tmp_path, body))


def test_huge_sweep_is_refused_before_expansion(tmp_path: Path) -> None:
    values = "[" + ", ".join(str(round(0.5 + i / 400, 4)) for i in range(200)) + "]"
    body = (
        f"sweep:\n  grid:\n    policy.cfe_target: {values}\n    poi.p_nom: {values}\n"
        f"    campus.utilisation: {values}\n"
    )
    with pytest.raises(ConfigError, match=r"sweep defines 8e\+06 scenarios, more than 10000"):
        load_study(_study(tmp_path, body))


@pytest.mark.parametrize(
    ("override", "unit"),
    [
        ("campus.it_capacity=1e12", "MW"),
        ("poi.p_nom=2e6", "MW"),
        ("technologies.assets.solar.p_nom_max=5e5", "MW"),
        ("technologies.assets.battery.e_nom_max=1e9", "MWh"),
        ("campus.backup=[{name: gen, kind: diesel, p_nom: 1.2e6, fuel_cost: 100}]", "MW"),
    ],
)
def test_absurd_magnitudes_are_refused(override: str, unit: str) -> None:
    """1e12 MW of IT (kW or W typed for MW) is refused naming the field and the unit."""
    field = override.split("=")[0]
    with pytest.raises(
        ConfigError, match=rf"'{field}.*is more than .* {unit} .*the field is in {unit}"
    ):
        load_study(DEFAULT, overrides=[override])


@pytest.mark.parametrize("date", ["2019-13-45", "2019-02-30", "2019-06-20 25:00:00"])
def test_impossible_dates_are_yaml_errors_at_their_line(tmp_path: Path, date: str) -> None:
    """YAML's timestamp pattern accepts 2019-13-45; the calendar does not (was a traceback)."""
    body = f"campus: {{buildout: [{{date: {date}, it_capacity: 500}}]}}\n"
    with pytest.raises(ConfigError, match=rf"malformed YAML at line 8, .*'{date}' is not a date"):
        load_study(_study(tmp_path, body))


def test_a_folder_given_for_a_file_is_named_as_a_folder(tmp_path: Path) -> None:
    """'weather.path: ..' or 'gridtwin run .' used to say 'file not found' for a folder."""
    with pytest.raises(ConfigError, match=r"field 'weather\.path': .* is a folder, not a file"):
        load_study(_study(tmp_path, ""), overrides=[f"weather.path={tmp_path.as_posix()}"])
    with pytest.raises(ConfigError, match=r": is a folder; give the path of a study YAML file"):
        load_study(tmp_path)


def test_yaml_merge_keys_work(tmp_path: Path) -> None:
    """'<<: *anchor' (YAML merge keys) failed with "could not determine a constructor"; the
    fields given next to it override the merged ones."""
    body = (
        "sweep:\n  scenarios:\n"
        "    - {name: a, set: &base {policy.cfe_target: 0.8, poi.p_nom: 1000}}\n"
        "    - {name: b, set: {<<: *base, poi.p_nom: 1200}}\n"
    )
    sweep = load_study(_study(tmp_path, body)).config.sweep
    assert sweep is not None and sweep.scenarios is not None
    assert sweep.scenarios[1].set == {"policy.cfe_target": 0.8, "poi.p_nom": 1200}
    # anchors kept under a top-level 'x-' key (not a study field), merged into a section
    weather = (ROOT / "weather" / "greensboro_tmy3.nc").as_posix()
    path = tmp_path / "held.yaml"
    path.write_text(
        f"name: t\nweather: {{path: {weather}}}\n"
        "x-defaults: &d {p_nom: 100, import_price: 70, grid_cfe_share: 0.4}\n"
        "poi: {<<: *d, p_nom: 1200}\n",
        encoding="utf-8",
    )
    poi = load_study(path).config.poi
    assert (poi.p_nom, poi.import_price) == (1200.0, 70.0)
    path.write_text(path.read_text().replace("x-defaults", "defaults"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown field 'defaults'.* must start with 'x-'"):
        load_study(path)


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("{path: p.csv, column: usd, utc_offset_h: 99}",
         r"field 'poi\.import_price\.utc_offset_h': Input should be less than or equal to 14"),
        ("{path: p.csv, colum: usd}", r"field 'poi\.import_price\.column' is required"),
        ("abc", r"field 'poi\.import_price': expected a number within"),
    ],
)  # fmt: skip
def test_a_bad_series_reference_names_its_own_field(value: str, pattern: str) -> None:
    """A file reference with a bad field was reported as 'expected a number'."""
    with pytest.raises(ConfigError, match=pattern):
        load_study(DEFAULT, overrides=[f"poi.import_price={value}"])


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        (["policy.eu.year=2027", "policy.eu.certificates=true"], r"needs certificate_price"),
        (["policy.eu={year: 2027, site: old}"], r"policy\.eu\.site"),
        (["policy.eu.year=2019"], r"policy\.eu\.year"),
        (["policy.eu.year=2025"], r"starting in 2025 is an existing one"),
        (["policy.eu={year: 2028, site: existing, start_year: 2027}"], r"a new one"),
        (["policy.eu={year: 2027, start_year: 2028}"], r"after the reporting year"),
        (["currency_year=2030"], r"currency_year.*2030 is outside .*\(2010-2024\)"),
        (["policy.eu.year=2027", "policy.eu.certificate_price=2"], r"certificates is false"),
    ],
)
def test_eu_policy_is_checked(overrides: list[str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_study(DEFAULT, overrides)


def test_eu_policy_sets_the_renewable_share_of_its_year() -> None:
    """EnEfG § 11(5): 50 % from 2024, 100 % from 2027; certificates at their price."""
    from gridtwin.assembly import _eu_limits

    cfg = load_study(DEFAULT, ["policy.eu.year=2025", "policy.eu.site=existing"]).config
    assert _eu_limits(cfg) == (0.5, None)
    cfg = load_study(
        DEFAULT,
        ["policy.eu.year=2030", "policy.eu.certificates=true", "policy.eu.certificate_price=2"],
    ).config
    assert _eu_limits(cfg) == (1.0, 2.0)
