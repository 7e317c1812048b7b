"""The documentation: the notebooks run as shipped, and the site builds with no warning.

The notebooks write into ``results/`` of the repository (git-ignored), as a user running them
from Jupyter would; each is executed with a fresh kernel and any error fails the test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


def test_notebooks_are_listed() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert names == {"default_study.ipynb", "cfe_curve.ipynb", "grid_check.ipynb"}
    page = (ROOT / "docs" / "notebooks.md").read_text()
    for name in names:
        assert f"(notebooks/{name})" in page


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    book = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in book.cells if c.cell_type == "code"), (
        f"{path.name}: ship notebooks without outputs"
    )
    client = nbclient.NotebookClient(
        book, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    images = [
        o for c in book.cells if c.cell_type == "code" for o in c.outputs
        if "image/png" in o.get("data", {})
    ]  # fmt: skip
    assert images, f"{path.name}: no figure was shown"


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    res = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    log = res.stdout + res.stderr
    assert res.returncode == 0, log
    assert "WARNING" not in log, log
    study = (tmp_path / "site" / "reference" / "study" / "index.html").read_text()
    assert "campus.flexibility.shift_share" in study and "poi.p_nom" in study
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text()
    assert "open_results" in api and "hosting_capacity" in api
