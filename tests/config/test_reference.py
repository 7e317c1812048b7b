"""The study YAML reference (docs/reference/study.md): committed, generated from the schema,
up to date, every field described on its own, defaults never shown as required, 80 columns."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from gridtwin.config.reference import WIDTH, _models, field_description, study_page
from gridtwin.config.study import StudyConfig

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reference" / "study.md"
REGENERATE = "python -m gridtwin.config.reference docs/reference/study.md"


def _fields() -> list[tuple[str, type[BaseModel], str]]:
    """(dotted path, model, field name) of every field of a study, nested sections too."""
    out: list[tuple[str, type[BaseModel], str]] = []
    seen: set[tuple[str, type[BaseModel]]] = set()

    def walk(prefix: str, model: type[BaseModel]) -> None:
        if (prefix, model) in seen:
            return
        seen.add((prefix, model))
        for name, field in model.model_fields.items():
            path = f"{prefix}.{name}" if prefix else name
            out.append((path, model, name))
            dict_valued = typing.get_origin(field.annotation) is dict
            for sub in _models(field.annotation):
                walk(f"{path}.<name>" if dict_valued else path, sub)

    walk("", StudyConfig)
    return out


def _blocks(text: str) -> dict[str, str]:
    """Definition block of each field in the page: ``### `path``` up to the next heading."""
    parts = re.split(r"^### ", text, flags=re.M)
    return {
        m.group(1): part.split("\n## ")[0]
        for part in parts
        if (m := re.match(r"`([^`]+)`\n", part))
    }


def test_committed_reference_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == study_page(), (
        f"docs/reference/study.md is out of date with the schema; run: {REGENERATE}"
    )


def test_every_field_has_its_own_description() -> None:
    fields = _fields()
    assert len(fields) > 150
    missing = [path for path, model, name in fields if not field_description(model, name)]
    assert not missing, f"fields without a description of their own: {missing}"
    blocks = _blocks(study_page())
    for path, model, name in fields:
        words = field_description(model, name).replace("``", "`").split()[:4]
        assert " ".join(words) in " ".join(blocks[path].split()), path


def test_defaults_are_not_shown_as_required() -> None:
    blocks = _blocks(study_page())
    for path, model, name in _fields():
        by_kind = getattr(model, "defaults_by_kind", {})
        has_default = not model.model_fields[name].is_required() or any(
            name in values for values in by_kind.values()
        )
        assert ("**required**" in blocks[path]) != has_default, path
    efficiency = blocks["campus.backup.efficiency"]
    assert "default by `kind`: diesel `0.38`" in " ".join(efficiency.split())
    assert "default `0.9`" in blocks["policy.cfe_target"]
    assert "**required**" in blocks["poi.p_nom"]


def test_reference_fits_80_columns() -> None:
    long = [line for line in study_page().splitlines() if len(line) > WIDTH]
    assert not long, long[:3]
    assert "|" not in "".join(line[:1] for line in study_page().splitlines())  # no tables
