"""mkdocs hook: fills docs/reference/study.md with the study YAML reference generated from the
pydantic schema (gridtwin.config.reference.study_reference)."""

from __future__ import annotations

from typing import Any

MARKER = "<!-- study-reference -->"


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if MARKER not in markdown:
        return markdown
    from gridtwin.config.reference import study_reference

    return markdown.replace(MARKER, study_reference())
