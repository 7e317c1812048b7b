"""Sweeps: dask workers give the numbers of single runs, failures are isolated, runs resume.

The studies are three April days of the default campus (fast solves); each test has its own
folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

pytest.importorskip("distributed")

from gridtwin.cli import app
from gridtwin.config import load_study, parse_study
from gridtwin.exceptions import ConfigError, DataError
from gridtwin.study import run_study
from gridtwin.sweep import run_sweep, scenario_folder, scenarios
from gridtwin.weather import open_weather, write_weather

ROOT = Path(__file__).resolve().parents[1]
HEAD = (
    "name: swp\nweather: {path: days.nc}\n"
    "poi: {p_nom: 1500, import_price: 75, grid_cfe_share: 0.45}\n"
)
GRID = HEAD + textwrap.dedent(
    """\
    sweep:
      grid:
        policy.cfe_target: [0.5, 0.8]
        campus.flexibility.shift_share: [0.0, 0.2]
    """
)
runner = CliRunner()


@pytest.fixture(scope="module")
def weather(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sweep_weather")
    ds = open_weather(ROOT / "weather" / "greensboro_tmy3.nc").isel(time=slice(2160, 2232))
    return write_weather(ds, folder / "days.nc")


def study_file(folder: Path, weather: Path, text: str) -> Path:
    (folder / "days.nc").symlink_to(weather)
    path = folder / "study.yaml"
    path.write_text(text)
    return path


def test_two_workers_give_the_numbers_of_single_runs(tmp_path: Path, weather: Path) -> None:
    path = study_file(tmp_path, weather, GRID)
    study = load_study(path)
    outcome = run_sweep(study, tmp_path / "out.nc", workers=2)
    assert set(outcome.status.values()) == {"ok"}
    ds = xr.open_dataset(tmp_path / "out.nc")
    assert ds.sizes["scenario"] == 4
    np.testing.assert_array_equal(ds["policy.cfe_target"], [0.5, 0.5, 0.8, 0.8])
    np.testing.assert_array_equal(ds["campus.flexibility.shift_share"], [0.0, 0.2, 0.0, 0.2])
    for sc in scenarios(study):
        alone = run_study(parse_study(path.read_text(), base=tmp_path, overrides=sc.overrides))
        row = ds.sel(scenario=sc.name)
        for var in ("system_cost", "cfe_score"):
            assert float(row[var]) == pytest.approx(float(alone[var]), rel=1e-6), var
        techs = [str(t) for t in alone["technology"].values]
        np.testing.assert_allclose(
            row["p_nom_opt"].sel(technology=techs), alone["p_nom_opt"], rtol=1e-6, atol=1e-3
        )
    ds.close()
    # flexibility lowers the cost at the binding 80 % target (reference behaviour)
    costs = outcome.dataset["system_cost"]
    assert float(costs.sel(scenario="cfe_target-0.8_shift_share-0.2")) < float(
        costs.sel(scenario="cfe_target-0.8_shift_share-0.0")
    )


def test_failing_scenario_is_recorded_and_the_rest_land(tmp_path: Path, weather: Path) -> None:
    text = HEAD + textwrap.dedent(
        """\
        sweep:
          scenarios:
            - {name: fine, set: {policy.cfe_target: 0.6}}
            - name: impossible
              set: {policy.cfe_target: 0.99, technologies.assets.solar.p_nom_max: 0,
                    technologies.assets.onwind.p_nom_max: 0}
        """
    )
    path = study_file(tmp_path, weather, text)
    res = runner.invoke(app, ["sweep", str(path), "-o", str(tmp_path / "out.nc"), "--workers", "1"])
    assert res.exit_code == 1
    assert "1 scenario(s) failed: impossible" in res.output
    ds = xr.open_dataset(tmp_path / "out.nc")
    assert list(ds.scenario_status.values) == ["ok", "failed"]
    assert "InfeasibleError" in str(ds.scenario_error.sel(scenario="impossible").values)
    assert np.isnan(float(ds.cfe_score.sel(scenario="impossible")))
    assert float(ds.cfe_score.sel(scenario="fine")) >= 0.6 - 1e-6
    # the verifier's verdict per scenario (none for the one that failed), not one for all
    assert float(ds.verify_passed.sel(scenario="fine")) == 1.0
    assert np.isnan(float(ds.verify_passed.sel(scenario="impossible")))
    assert "verify_passed" not in ds.attrs
    ds.close()
    assert (scenario_folder(tmp_path / "out.nc") / "fine.nc").is_file()
    assert not (scenario_folder(tmp_path / "out.nc") / "impossible.nc").exists()


def test_interrupted_sweep_resumes_without_recomputing(tmp_path: Path, weather: Path) -> None:
    text = HEAD + "sweep:\n  zip:\n    policy.cfe_target: [0.5, 0.6, 0.7, 0.8, 0.85, 0.9]\n"
    path = study_file(tmp_path, weather, text)
    out = tmp_path / "out.nc"
    folder = scenario_folder(out)
    script = (
        "from gridtwin.config import load_study\nfrom gridtwin.sweep import run_sweep\n"
        f"run_sweep(load_study({str(path)!r}), {str(out)!r}, workers=1)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(folder.glob("*.nc"))) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its dask workers, mid-run
    proc.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.nc")}
    assert 2 <= len(finished) < 6 and not out.exists()

    outcome = run_sweep(load_study(path), out, workers=1)
    cached = {f"{n}.nc" for n, s in outcome.status.items() if s == "cached"}
    assert cached == set(finished)
    assert all(s in ("ok", "cached") for s in outcome.status.values())
    for name, mtime in finished.items():
        assert (folder / name).stat().st_mtime_ns == mtime  # not rewritten
    # a changed value reruns only the scenarios it touches
    changed = text.replace("0.9]", "0.95]")
    path.write_text(changed)
    again = run_sweep(load_study(path), out, workers=1)
    assert [n for n, s in again.status.items() if s == "ok"] == ["cfe_target-0.95"]


def test_bad_sweep_sections_are_config_errors(tmp_path: Path, weather: Path) -> None:
    cases = {
        "sweep: {}\n": "exactly one of",
        "sweep:\n  zip: {policy.cfe_target: [0.5, 0.6], poi.p_nom: [1]}\n": "equal lengths",
        "sweep:\n  grid: {policy.cfe_target: [2.0]}\n": "cfe_target",
        "sweep:\n  grid: {policy.nonsense: [1]}\n": "nonsense",
    }
    for i, (section, match) in enumerate(cases.items()):
        folder = tmp_path / str(i)
        folder.mkdir()
        path = study_file(folder, weather, HEAD + section)
        with pytest.raises(ConfigError, match=match):
            scenarios(load_study(path))


def test_shipped_sweep_studies_expand() -> None:
    curve = scenarios(load_study(ROOT / "studies" / "cfe_curve.yaml"))
    assert len(curve) == 12
    assert "cfe_target-1.0_extendable-solar.onwind.battery.iron_air.hydrogen.nuclear" in {
        s.name for s in curve
    }
    assert len(scenarios(load_study(ROOT / "studies" / "flexibility.yaml"))) == 6


def test_european_site_from_an_epw_file(tmp_path: Path, shared_data: Path) -> None:
    epw = shared_data / "weather" / "NLD_Amsterdam062400_IWEC.epw"
    out = tmp_path / "eu.nc"
    res = runner.invoke(
        app,
        ["sweep", str(ROOT / "studies" / "europe_epw.yaml"), "--set", f"weather.path={epw}",
         "-o", str(out), "--workers", "2"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out)
    assert list(ds.scenario_status.values) == ["ok", "ok", "ok"]
    np.testing.assert_allclose(ds["cfe_score"], ds["policy.cfe_target"], atol=1e-4)
    cost = ds["system_cost"].to_numpy()
    assert cost[0] < cost[1] < cost[2]  # 80 % < 90 % < 100 %
    ds.close()


def test_killed_worker_on_a_running_scheduler_is_recorded_then_resumed(
    tmp_path: Path, weather: Path
) -> None:
    """A scheduler started beforehand (``--scheduler ADDRESS``) and a worker killed mid-run.

    With ``allowed-failures: 0`` dask gives up on a task at its first lost worker, so the
    scenarios on the killed worker (the running one and any queued behind it there) are
    recorded as failed while the others land; a rerun computes only those.
    """
    import threading

    import dask
    from distributed import Client

    from gridtwin.cluster import local_cluster

    text = HEAD + "sweep:\n  zip:\n    policy.cfe_target: [0.5, 0.6, 0.7, 0.8]\n"
    path = study_file(tmp_path, weather, text)
    out = tmp_path / "out.nc"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        local_cluster(2) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        result: dict[str, object] = {}
        thread = threading.Thread(
            target=lambda: result.update(
                outcome=run_sweep(load_study(path), out, scheduler=cluster.scheduler_address)
            )
        )
        thread.start()
        victim, lost = None, []
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:
            busy = {w: keys for w, keys in client.processing().items() if keys}
            if busy:  # a scenario is running on this worker: kill its process
                victim, keys = next(iter(busy.items()))
                os.kill(pids[victim], signal.SIGKILL)
                lost = sorted(str(k).split("-", 1)[1].rsplit("-", 1)[0] for k in keys)
            time.sleep(0.05)
        thread.join(240)
    assert victim is not None and not thread.is_alive()
    outcome = result["outcome"]
    failed = outcome.failed  # type: ignore[attr-defined]
    # the scenario running on the killed worker failed; one the scheduler had queued behind it
    # there may have failed with it (it is assigned between the snapshot and the kill), the
    # others landed
    assert set(lost) <= set(failed) and len(failed) < 4, outcome.status  # type: ignore[attr-defined]
    assert all("worker lost" in outcome.errors[n] for n in failed)  # type: ignore[attr-defined]
    ds = xr.open_dataset(out)
    assert list(ds.scenario_status.sel(scenario=failed).values) == ["failed"] * len(failed)
    assert int((ds.scenario_status == "ok").sum()) == 4 - len(failed)
    ds.close()

    again = run_sweep(load_study(path), out, workers=1)
    assert sorted(n for n, s in again.status.items() if s == "ok") == sorted(failed)
    assert sum(s == "cached" for s in again.status.values()) == 4 - len(failed)


def test_solver_banner_stays_off_the_terminal(tmp_path: Path, weather: Path) -> None:
    """HiGHS prints its banner from C++ on file descriptor 1 in each process (workers too)."""
    text = HEAD + "sweep:\n  zip:\n    policy.cfe_target: [0.5]\n"
    path = study_file(tmp_path, weather, text)
    commands = (["run", str(path), "-o", "one.nc"], ["sweep", str(path), "-o", "all.nc"])
    for args in commands:
        res = subprocess.run(
            [sys.executable, "-m", "gridtwin", *args],
            capture_output=True, text=True, cwd=tmp_path, check=False,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
        assert "Running HiGHS" not in res.stdout + res.stderr, args[0]


def test_combined_file_keeps_names_units_and_provenance(tmp_path: Path, weather: Path) -> None:
    """Longer technology names in a later scenario survive (no fixed string width from the
    first file), variables keep units, each scenario's validated config is stored, and a
    scenario's unset swept field shows the value it ran with."""
    text = HEAD + textwrap.dedent(
        """\
        sweep:
          scenarios:
            - {name: short, set: {technologies.extendable: [solar, battery]}}
            - name: long
              set: {technologies.extendable: [solar, battery, iron_air], policy.cfe_target: 0.7}
        """
    )
    path = study_file(tmp_path, weather, text)
    out = tmp_path / "out.nc"
    outcome = run_sweep(load_study(path), out, workers=1, scheduler=None)
    assert set(outcome.status.values()) == {"ok"}
    ds = xr.open_dataset(out)
    assert "iron_air" in [str(t) for t in ds["technology"].values]
    assert float(ds["p_nom_opt"].sel(scenario="long", technology="iron_air")) >= 0
    assert ds["system_cost"].attrs["units"] == "yr-1" and ds["system_cost"].attrs["currency"]
    assert ds["p_nom_opt"].attrs["units"] == "MW"
    assert "iron_air" in str(ds["study_resolved"].sel(scenario="long").values)
    # the 'short' scenario did not set cfe_target: the coordinate holds the value it ran with
    np.testing.assert_allclose(ds["policy.cfe_target"], [0.9, 0.7])
    assert ds.attrs["study_overrides"] == "[]"
    ds.close()


def test_cache_survives_moving_the_folder(tmp_path: Path, weather: Path) -> None:
    text = HEAD + "sweep:\n  zip:\n    policy.cfe_target: [0.5, 0.6]\n"
    first = tmp_path / "a"
    first.mkdir()
    path = study_file(first, weather, text)
    run_sweep(load_study(path), first / "out.nc", workers=1)
    moved = tmp_path / "b"
    moved.mkdir()
    (moved / "days.nc").write_bytes(weather.read_bytes())  # a copy, not the same path
    (moved / "study.yaml").write_text(text)
    (moved / "out.scenarios").mkdir()
    for file in (first / "out.scenarios").glob("*.nc"):
        (moved / "out.scenarios" / file.name).write_bytes(file.read_bytes())
    again = run_sweep(load_study(moved / "study.yaml"), moved / "out.nc", workers=1)
    assert set(again.status.values()) == {"cached"}


def test_damaged_scenario_file_is_recomputed(tmp_path: Path, weather: Path) -> None:
    text = HEAD + "sweep:\n  zip:\n    policy.cfe_target: [0.5]\n"
    path = study_file(tmp_path, weather, text)
    out = tmp_path / "out.nc"
    run_sweep(load_study(path), out, workers=1)
    file = scenario_folder(out) / "cfe_target-0.5.nc"
    data = file.read_bytes()
    file.write_bytes(data[: len(data) * 7 // 10])  # a disk that filled up, say
    (scenario_folder(out) / ".cfe_target-0.5.nc.x1.tmp").write_bytes(b"half")
    again = run_sweep(load_study(path), out, workers=1)
    assert again.status == {"cfe_target-0.5": "ok"}
    assert xr.open_dataset(file).attrs["scenario_key"] == scenarios(load_study(path))[0].key
    assert not list(scenario_folder(out).glob(".*.tmp"))


def test_names_overrides_and_duplicates_are_checked(tmp_path: Path, weather: Path) -> None:
    grid = HEAD + "sweep:\n  zip:\n    policy.cfe_target: [0.5, 0.6]\n"
    path = study_file(tmp_path, weather, grid)
    with pytest.raises(ConfigError, match="is swept by the study's sweep section"):
        scenarios(load_study(path, overrides=["policy.cfe_target=0.95"]))
    with pytest.raises(ConfigError, match="is swept"):
        scenarios(load_study(path, overrides=["policy={cfe_target: 0.95}"]))
    path.write_text(HEAD + "sweep:\n  zip:\n    poi.p_nom: [1500, 1500.0]\n")
    with pytest.raises(ConfigError, match="are the same study"):
        scenarios(load_study(path))
    path.write_text(
        HEAD
        + "sweep:\n  grid:\n"
        + "".join(
            f"    technologies.assets.{t}.p_nom_max: [1000.1234567890123, 2000.0]\n"
            for t in ("solar", "onwind", "battery")
        )
        + "    poi.p_nom: [1500.1234567890123, 1600.0]\n"
    )
    names = [s.name for s in scenarios(load_study(path))]
    assert len(names) == 16 and len(set(names)) == 16
    assert max(len(n) for n in names) == 120  # cut, with a hash of the values at the end
    assert names[-1].startswith("solar.p_nom_max-2000.0_onwind.p_nom_max-2000.0_")
    for bad in ("..", "x" * 121, "a/b"):
        path.write_text(HEAD + f"sweep:\n  scenarios:\n    - {{name: '{bad}', set: {{}}}}\n")
        with pytest.raises(ConfigError, match="name"):
            scenarios(load_study(path))


def test_ctrl_c_prints_the_interrupted_line_and_nothing_else(tmp_path: Path, weather: Path) -> None:
    """Ctrl-C in a terminal reaches every process of the foreground group, dask's workers
    included: only the gridtwin process may answer, with its one line and exit code 130."""
    text = HEAD + "sweep:\n  zip:\n    policy.cfe_target: [0.5, 0.6, 0.7]\n"
    path = study_file(tmp_path, weather, text)
    out = tmp_path / "out.nc"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gridtwin", "sweep", str(path), "-o", str(out), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not list(scenario_folder(out).glob("*.nc")):
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert stderr.decode() == ""
    lines = " ".join(stdout.decode().split())
    assert lines.startswith("interrupted: ") and lines.endswith(
        "run the same command again to resume"
    )
    assert lines.count("interrupted") == 1


LABELLED = HEAD + textwrap.dedent(
    """\
    sweep:
      grid:
        policy.cfe_target: [0.8, 0.9, 0.95, 1.0]
        poi.p_nom: [1200, 1500, 1800]
    """
)


def _twelve(names: list[str]) -> xr.Dataset:
    """A sweep result of 12 scenarios (cfe_target x poi.p_nom) with made-up capacities."""
    cfe = np.repeat([0.8, 0.9, 0.95, 1.0], 3)
    poi = np.tile([1200.0, 1500.0, 1800.0], 4)
    rng = np.random.default_rng(1)
    ds = xr.Dataset(
        {
            "p_nom_opt": (("scenario", "technology"), rng.uniform(100, 3000, (12, 3))),
            "e_nom_opt": (("scenario", "storage"), rng.uniform(0, 9000, (12, 1))),
            "cfe_score": (("scenario",), cfe),
            "system_cost": (("scenario",), rng.uniform(5e8, 2e9, 12), {"currency": "USD"}),
            "lcoe": (("scenario",), rng.uniform(60, 250, 12)),
        },
        coords={
            "scenario": names,
            "technology": ["solar", "onwind", "battery"],
            "storage": ["battery"],
            "policy.cfe_target": ("scenario", cfe, {"long_name": "swept policy.cfe_target"}),
            "poi.p_nom": ("scenario", poi, {"long_name": "swept poi.p_nom"}),
        },
    )
    return ds


def test_scenario_labels_are_short_unique_and_readable(tmp_path: Path, weather: Path) -> None:
    from gridtwin.labels import MAX_LABEL, scenario_labels, short_labels
    from gridtwin.sweep import combine

    study = load_study(study_file(tmp_path, weather, LABELLED))
    todo = scenarios(study)
    labels = short_labels([sc.values for sc in todo], [sc.name for sc in todo])
    assert len(labels) == 12 and len(set(labels)) == 12
    assert all(len(label) <= MAX_LABEL for label in labels)
    assert "cfe 0.95 · poi 1200" in labels
    assert all(len(label) < len(sc.name) for label, sc in zip(labels, todo, strict=True))
    # the combined file keeps the full names and values, and stores the labels
    ds = combine(todo, tmp_path, {}, {sc.name: "not run" for sc in todo})
    assert list(ds["scenario"].values) == [sc.name for sc in todo]
    assert list(ds["scenario_label"].values) == labels == scenario_labels(ds)
    assert float(ds["poi.p_nom"][0]) == 1200.0
    # files written before the label coordinate: labels made from the swept coordinates
    assert scenario_labels(_twelve([sc.name for sc in todo])) == labels
    # names given in the study are their own labels; long lists are cut and numbered
    assert short_labels([{"a": 1}, {"a": 2}], ["base", "high"], named=True) == ["base", "high"]
    many = [{"technologies.extendable": ["solar", "onwind", "battery", "iron_air", x]}
            for x in ("hydrogen_storage_a", "hydrogen_storage_b")]  # fmt: skip
    cut = short_labels(many, ["x", "y"])
    assert len(set(cut)) == 2 and all(len(c) <= MAX_LABEL for c in cut)


def test_capacity_mix_of_12_scenarios_has_legible_labels() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from gridtwin import plots

    names = [f"cfe_target-{c}_p_nom-{p}_shift_share-0.25" for c in (0.8, 0.9, 0.95, 1.0)
             for p in (1200, 1500, 1800)]  # fmt: skip
    fig = plots.capacity_mix(_twelve(names))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ticks = [t for t in fig.axes[0].get_yticklabels() + fig.axes[0].get_xticklabels()
             if t.get_visible() and t.get_text()]  # fmt: skip
    labels = [t for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert len(labels) == 12 and "cfe 0.95 · poi 1200" in [t.get_text() for t in labels]
    boxes = [t.get_window_extent(renderer) for t in ticks]
    page = fig.bbox
    for i, a in enumerate(boxes):
        assert page.x0 <= a.x0 and a.x1 <= page.x1 and page.y0 <= a.y0 and a.y1 <= page.y1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    # the figure grows with the number of scenarios
    assert fig.get_figheight() > plots.capacity_mix(_twelve(names).isel(scenario=[0, 1]))\
        .get_figheight()  # fmt: skip


def test_sweep_table_labels_fit_80_columns() -> None:
    import io

    from rich.console import Console

    from gridtwin.tables import rich_table, scenario_rows

    names = [f"cfe_target-{c}_p_nom-{p}" for c in (0.8, 0.9, 0.95, 1.0) for p in (1200, 1500, 1800)]
    ds = _twelve(names)
    rows = scenario_rows(ds, errors={names[0]: "infeasible: the POI limit " * 4})
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(rich_table("sweep", rows, text=(0, 1, -1)))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    for header in rows[0]:
        assert any(header in line for line in lines), header
    assert sum("cfe 0.95" in line for line in lines) == 3


def test_a_second_sweep_to_the_same_output_is_refused(tmp_path: Path, weather: Path) -> None:
    """Two sweeps to one output would take each other's scenario files as their own (same
    names) and race on the combined file: while one holds the folder, the other is refused."""
    import fcntl

    path = study_file(tmp_path, weather, GRID)
    out = tmp_path / "out.nc"
    folder = scenario_folder(out)
    folder.mkdir()
    with open(folder / ".lock", "a+") as held:  # what a running sweep holds
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(DataError, match=r"out\.nc: another gridtwin sweep is writing this"):
            run_sweep(load_study(path), out, workers=1)
    assert not out.exists() and not list(folder.glob("*.nc"))
