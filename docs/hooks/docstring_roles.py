"""mkdocs hook: shows the reST roles of docstrings (:func:`x`) as code on the API page.

The study YAML reference (docs/reference/study.md) is a committed file generated from the
pydantic schema (``python -m gridtwin.config.reference docs/reference/study.md``); a test fails
when it is out of date.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:py:)?(?:func|mod|class|meth|data|attr|obj|exc):(<code>)~?")


def on_page_content(html: str, page: Any, **kwargs: Any) -> str:
    """Docstrings use reST roles (:func:`x`) for Sphinx-style readers; show them as code here."""
    html = _ROLE.sub(r"\1", html)
    return html.replace("::</p>", ":</p>")
