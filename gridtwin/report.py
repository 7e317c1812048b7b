"""``gridtwin report RESULT.nc -o DIR``: the figures of :mod:`gridtwin.plots` as PNG files and
an ``index.html`` summary page that shows the key numbers and links every figure.

A single run gives the dispatch week, capacity mix, load and PUE duration curves, storage state
of charge and, after ``gridtwin grid check``, the POI loading heatmap; a sweep gives the cost
curve against the CFE score, the capacity mix by scenario and a table of scenarios.

The folder is written atomically: everything goes to a temporary sibling folder first, which
then replaces ``DIR``. An existing ``DIR`` is replaced only if it is an earlier gridtwin report
(it holds the marker file ``.gridtwin-report``) or empty, and a failure leaves it as it was.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gridtwin.conventions import display_units
from gridtwin.exceptions import DataError
from gridtwin.network.summary import network_lines
from gridtwin.results import weights

MARKER = ".gridtwin-report"
#: The page laid out like the EU data-centre report (Delegated Regulation (EU) 2024/1364).
EU_PAGE = "eu_reporting.html"
_STYLE = (
    "<style>body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
    "padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}"
    "img{max-width:100%;border:1px solid #eee}figure{margin:2em 0}"
    "figcaption{color:#444}</style>"
)

#: Every figure a report may hold (file stems).
FIGURE_NAMES = (
    "dispatch",
    "capacity_mix",
    "duration_curves",
    "state_of_charge",
    "poi_loading",
    "cost_curve",
    "cooling_tradeoff",
    "capacity_by_period",
    "work_moved",
)


@dataclass(frozen=True)
class ReportFigure:
    """One figure of a report: file stem, caption, and how to draw it."""

    name: str
    caption: str
    draw: Callable[[xr.Dataset], Any]


def figures_for(ds: xr.Dataset, start: str | None = None) -> list[ReportFigure]:
    """The figures a result supports, in report order.

    Parameters
    ----------
    ds : xarray.Dataset
        A single-run or sweep result.
    start : str, optional
        First day of the dispatch week (UTC date); default the week of most grid import.
    """
    from gridtwin import plots

    if "scenario" in ds.dims:
        return [
            ReportFigure(
                "cost_curve",
                "System cost and LCOE against the achieved hourly CFE score, one line per "
                "combination of the other swept fields.",
                plots.cost_curve,
            ),
            ReportFigure(
                "capacity_mix",
                "Installed power and storage energy of every scenario.",
                plots.capacity_mix,
            ),
            ReportFigure(
                "cooling_tradeoff",
                "System cost, PUE, WUE (water input per IT energy), ERF (heat reused per "
                "energy consumed) and the peak hourly water of the hottest days, every "
                "scenario (n/m: not modelled).",
                plots.cooling_tradeoff,
            ),
        ]
    if "site" in ds.dims:
        return [
            ReportFigure(
                "work_moved",
                "Training work moved between the campuses, hour by hour, and each campus's IT "
                "energy moved away and taken in.",
                plots.work_moved,
            )
        ]
    if "period" in ds.dims:
        last = int(ds["period"].values[-1])
        return [
            ReportFigure(
                "capacity_by_period",
                "Capacity in service in each investment period, stacked by technology; the "
                "hatched part was built in the period itself.",
                plots.capacity_by_period,
            ),
            ReportFigure(
                "dispatch",
                f"Hourly dispatch of the last period ({last}), the week with the most grid import.",
                lambda d: plots.dispatch(d.sel(period=last), start=start),
            ),
        ]
    week = "the week with the most grid import" if start is None else f"from {start}"
    out = [
        ReportFigure(
            "dispatch",
            f"Hourly dispatch, {week}: supply above zero, storage charging and export below; "
            "the stack sums to the load served every hour.",
            lambda d: plots.dispatch(d, start=start),
        ),
        ReportFigure(
            "capacity_mix",
            "Installed power and storage energy (hours of storage at full power).",
            plots.capacity_mix,
        ),
        ReportFigure(
            "duration_curves",
            "Load before and after flexibility, IT load, and PUE, sorted over the horizon.",
            plots.duration_curves,
        ),
    ]
    if "e_nom_opt" in ds and bool((ds["e_nom_opt"] > 1e-6).any()):
        out.append(
            ReportFigure(
                "state_of_charge",
                "State of charge of each built storage, in % of its energy capacity.",
                plots.state_of_charge,
            )
        )
    if "survival_probability" in ds:
        out.append(
            ReportFigure(
                "survival_curve",
                "Probability of riding through a grid outage against its duration (every "
                "start hour, the hottest three days, each month), its complement on a log "
                "axis, and the hours ridden through with every generator unit running "
                "(gridtwin resilience).",
                plots.survival_curve,
            )
        )
    if "loading_percent" in ds:
        out.append(
            ReportFigure(
                "poi_loading",
                "Loading of the most loaded branch of the POI network (AC power flow of "
                "gridtwin grid check), hour of day x day of year.",
                plots.poi_loading,
            )
        )
    return out


def write_report(
    ds: xr.Dataset, directory: str | Path, *, source: str = "", start: str | None = None
) -> list[Path]:
    """Draw every figure of ``ds`` to ``directory`` as PNG and write ``index.html``.

    Parameters
    ----------
    ds : xarray.Dataset
        A result (:func:`gridtwin.open_results`).
    directory : str or Path
        Report folder; replaced atomically (see the module docstring).
    source : str
        Name of the result file, shown on the page.
    start : str, optional
        First day of the dispatch week.

    Returns
    -------
    list of Path
        The files written (figures, then ``index.html``).

    Raises
    ------
    DataError
        ``directory`` is a file or a folder that is not an earlier report, cannot be written,
        or a figure cannot be drawn (e.g. ``start`` outside the horizon).
    """
    dest = _check_destination(Path(directory))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    except OSError as exc:
        raise DataError(
            f"{dest}: cannot write here ({exc.strerror or exc}); choose another folder"
        ) from None
    try:
        written = []
        shown = []
        for fig in figures_for(ds, start=start):
            figure = fig.draw(ds)
            figure.savefig(tmp / f"{fig.name}.png", dpi=110)
            written.append(f"{fig.name}.png")
            shown.append(fig)
        (tmp / "index.html").write_text(_page(ds, shown, source), encoding="utf-8")
        if not {"scenario", "period", "site"} & set(ds.dims):
            (tmp / EU_PAGE).write_text(_eu_page(ds, source), encoding="utf-8")
            written.append(EU_PAGE)
        listing = "\n".join([*written, "index.html"])
        (tmp / MARKER).write_text(
            "written by gridtwin report; the folder is replaced on rerun. Files:\n" + listing + "\n"
        )
        os.chmod(tmp, 0o777 & ~_umask())
        _swap(tmp, dest)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DataError(f"{dest}: writing the report failed ({exc}); nothing was changed") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [dest / name for name in [*written, "index.html"]]


def _title(ds: xr.Dataset) -> str:
    return str(ds.attrs.get("study_name") or ds.attrs.get("title") or "gridtwin result")


def _head(title: str, heading: str) -> list[str]:
    """The start of a report page: document head with its title, and the page heading."""
    return [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        f"{_STYLE}</head><body>",
        f"<h1>{html.escape(heading)}</h1>",
    ]


def _eu_page(ds: xr.Dataset, source: str) -> str:
    """The result as the EU data-centre report lays it out (:mod:`gridtwin.kpis.annex`)."""
    from gridtwin.kpis.annex import annex_sections

    title = f"EU data-centre reporting: {_title(ds)}"
    parts = [
        *_head(title, title),
        "<p>Laid out like Commission Delegated Regulation (EU) 2024/1364, Annexes I and II "
        "(reporting by 15 May of the year after, for 500 kW of IT power or more; Directive "
        "(EU) 2023/1791, art. 12), from the sizing result "
        f"<code>{html.escape(source or '?')}</code>. Every value is recomputed from the "
        "result's arrays; check the annex's exact fields before filing.</p>",
    ]
    for heading, rows in annex_sections(ds):
        header = (
            ["rule", "value", "limit", "status"]
            if heading.startswith("Limits")
            else ["field", "value", "unit", "note"]
        )
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(_table(header, [list(r) for r in rows]))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_destination(dest: Path) -> Path:
    if dest.exists() and not dest.is_dir():
        raise DataError(f"{dest}: is a file; give a folder for the report (-o DIR)")
    if dest.is_dir() and any(dest.iterdir()):
        marker = dest / MARKER
        if not marker.is_file():
            raise DataError(
                f"{dest}: folder exists and is not a gridtwin report; give a new or empty folder"
            )
        lines = marker.read_text().splitlines()
        if lines and lines[0].endswith("Files:"):
            ours = {MARKER, *lines[1:]}
        else:  # a report written before the marker listed its files
            ours = {MARKER, "index.html", EU_PAGE, *(f"{name}.png" for name in FIGURE_NAMES)}
        foreign = sorted(p.name for p in dest.iterdir() if p.name not in ours)
        if foreign:
            raise DataError(
                f"{dest}: the earlier report there now also holds {', '.join(foreign[:5])}, "
                "which a new report would delete; move them or give another folder"
            )
    if dest.parent.exists() and not os.access(dest.parent, os.W_OK):
        raise DataError(f"{dest.parent}: cannot write here; choose another folder")
    return dest


def _swap(new: Path, dest: Path) -> None:
    """Put ``new`` in place of ``dest``; the old folder is removed only once the new is in."""
    if not dest.exists():
        os.replace(new, dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
    os.rmdir(old)
    os.replace(dest, old)
    try:
        os.replace(new, dest)
    except OSError:
        os.replace(old, dest)
        raise
    with contextlib.suppress(OSError):
        shutil.rmtree(old)


def _fmt(value: float, digits: int = 1) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{0.0 if abs(value) < 0.5 * 10.0**-digits else value:,.{digits}f}"


def _key_numbers(ds: xr.Dataset) -> list[tuple[str, str]]:
    cost = ds["system_cost"]
    cur = display_units(cost).replace(" yr-1", "")
    year = cost.attrs.get("currency_year", ds.attrs.get("currency_year", ""))
    w = weights(ds)
    years = float(ds["horizon_years"]) if "horizon_years" in ds else 1.0
    rows = [
        ("hourly CFE score", f"{100 * float(ds['cfe_score']):.2f} %"),
        ("CFE target", f"{100 * float(ds['cfe_target']):.1f} %" if "cfe_target" in ds else "–"),
        (f"system cost [M{cur} {year} per year]", _fmt(float(cost) / 1e6)),
        (f"LCOE [{cur} {year} per MWh of load]", _fmt(float(ds["lcoe"]), 2)),
        ("campus load [GWh per year]", _fmt(float((w * ds["load"]).sum()) / 1e3 / years, 0)),
        ("grid import [GWh per year]", _fmt(float((w * ds["grid_import"]).sum()) / 1e3 / years, 0)),
        ("grid export [GWh per year]", _fmt(float((w * ds["grid_export"]).sum()) / 1e3 / years, 0)),
    ]
    if "co2_emissions" in ds:
        co2 = _fmt(float(ds["co2_emissions"]) / 1e3, 1)
        no_grid_co2 = "grid_co2_intensity" in ds and not bool((ds["grid_co2_intensity"] > 0).any())
        if no_grid_co2 and float((w * ds["grid_import"]).sum()) > 0:
            co2 += " (on-site only: the study gives no poi.grid_co2_intensity for imports)"
        rows.append(("CO2 emissions [kt per year]", co2))
    if "poi_p_nom" in ds:
        rows.append(("POI limit [MW]", _fmt(float(ds["poi_p_nom"]), 0)))
    if "grid_violations" in ds.attrs:  # gridtwin grid check ran on this file
        hours = ds.attrs.get("grid_hours", "?")
        rows.append(
            (
                f"grid check: limit violations (N-0, element-hours of {hours} h)",
                str(ds.attrs["grid_violations"]),
            )
        )
        if "n1_max_loading_percent" in ds:
            worst = int(np.nanargmax(ds["n1_max_loading_percent"].to_numpy()))
            rows.append(
                (
                    "grid check: worst N-1 loading [%]",
                    f"{float(ds['n1_max_loading_percent'][worst]):.0f} "
                    f"({ds['contingency'].values[worst]} out)",
                )
            )
        notes = str(ds.attrs.get("grid_rating_warnings", "none"))
        if notes != "none":
            rows.append(("grid check: rating warnings", notes))
    # site network, land, offsite contracts and the AC loop (rich markup dropped)
    rows += [(label, re.sub(r"\[/?[a-z ]+\]", "", text)) for label, text in network_lines(ds)]
    return rows


def _plan_parts(ds: xr.Dataset) -> list[str]:
    """The tables of a result with investment periods."""
    from gridtwin.periods.tables import capacity_by_period_rows, period_rows

    cur = ds.attrs.get("currency", "")
    weights = ", ".join(
        f"{int(y)}: {float(w):.3f}"
        for y, w in zip(ds["period"].values, ds["period_weight"].values, strict=True)
    )
    return [
        "<h2>Investment periods</h2>",
        _table(*period_rows(ds)),
        f"<p>Plan cost {_fmt(float(ds.attrs['plan_objective']) / 1e6)} M{html.escape(cur)} of "
        f"{ds.attrs.get('currency_year', '')}: each period's annual system cost times its "
        f"discounted years ({weights}; discount rate "
        f"{100 * float(ds.attrs['discount_rate']):g} %/a).</p>",
        "<h2>Capacity by period</h2>",
        "<p>In service in each period, and in brackets what was built in it. A vintage stays "
        "in service until its lifetime ends (<code>lifetime</code> in the file).</p>",
        _table(*capacity_by_period_rows(ds)),
    ]


def _fleet_parts(ds: xr.Dataset) -> list[str]:
    """The tables of a fleet result."""
    from gridtwin.fleet.tables import site_rows, transfer_rows

    cur = ds.attrs.get("currency", "")
    years = float(ds["horizon_years"].max())
    return [
        "<h2>Campuses</h2>",
        _table(*site_rows(ds)),
        f"<p>Fleet cost {_fmt(float(ds.attrs['fleet_objective']) / years / 1e6)} "
        f"M{html.escape(cur)} per year, moving costs included. Each campus's numbers are on "
        "the load it served after the moves.</p>",
        "<h2>Where the work went</h2>",
        _table(*transfer_rows(ds)),
    ]


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(ds: xr.Dataset, shown: list[ReportFigure], source: str) -> str:
    from gridtwin import __version__
    from gridtwin.tables import capacity_rows, cost_rows, curtailment_rows, scenario_rows

    title = _title(ds)
    parts = [
        *_head(f"gridtwin report: {title}", title),
        f"<p>Result file <code>{html.escape(source or '?')}</code>; "
        f"{html.escape(str(ds.attrs.get('history', '')))}; report by gridtwin {__version__}. "
        "Times are UTC and label the start of each hour; supply is positive (conventions: "
        "docs/conventions.md in the gridtwin repository).</p>",
    ]
    if "period" in ds.dims:
        parts += _plan_parts(ds)
    elif "site" in ds.dims:
        parts += _fleet_parts(ds)
    elif "scenario" in ds.dims:
        header, rows = scenario_rows(ds)
        parts.append(f"<h2>Scenarios ({len(rows)})</h2>")
        parts.append(_table(header, rows))
        parts.append(
            "<p>Scenarios are labelled by their swept values; the full names and values are "
            "the <code>scenario</code> dimension and its coordinates in the result file.</p>"
        )
    else:
        parts.append("<h2>Key numbers</h2>")
        parts.append(_table(["quantity", "value"], [list(r) for r in _key_numbers(ds)]))
        parts.append("<h2>Capacities and energy</h2>")
        parts.append(_table(*capacity_rows(ds)))
        header, rows = curtailment_rows(ds)
        if rows:
            parts.append("<h2>Curtailment of clean generators</h2>")
            parts.append(
                "<p>Available energy is capacity factor x installed power over the horizon, "
                "per year; curtailed is what of it was not produced.</p>"
            )
            parts.append(_table(header, rows))
        parts.append("<h2>Annual system cost by part</h2>")
        parts.append(
            "<p>Capital is the investment annuity; grid is energy bought at the POI less export "
            "revenue, plus demand charges and any guarantees of origin bought; network is the "
            "site-network upgrades; load flexibility is the cost of shifting and curtailing "
            "campus load.</p>"
        )
        parts.append(_table(*cost_rows(ds)))
        parts.append(
            f"<p>The EU data-centre reporting KPIs (PUE, WUE, ERF, REF, CER) and any legal "
            f"limits: <a href='{EU_PAGE}'>{EU_PAGE}</a>.</p>"
        )
    parts.append("<h2>Figures</h2>")
    for fig in shown:
        parts.append(
            f"<figure><a href='{fig.name}.png'><img src='{fig.name}.png' "
            f"alt='{html.escape(fig.name)}'></a><figcaption><b>{fig.name}</b>: "
            f"{html.escape(fig.caption)}</figcaption></figure>"
        )
    parts.append("</body></html>\n")
    return "\n".join(parts)
