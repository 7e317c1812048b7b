"""mkdocs hook: fills docs/reference/study.md with the study YAML reference generated from the
pydantic schema (gridtwin.config.reference.study_reference), and shows the reST roles of
docstrings (:func:`x`) as code on the API page."""

from __future__ import annotations

import re
from typing import Any

MARKER = "<!-- study-reference -->"


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if MARKER not in markdown:
        return markdown
    from gridtwin.config.reference import study_reference

    return markdown.replace(MARKER, study_reference())


_ROLE = re.compile(r":(?:py:)?(?:func|mod|class|meth|data|attr|obj|exc):(<code>)~?")


def on_page_content(html: str, page: Any, **kwargs: Any) -> str:
    """Docstrings use reST roles (:func:`x`) for Sphinx-style readers; show them as code here."""
    html = _ROLE.sub(r"\1", html)
    return html.replace("::</p>", ":</p>")
