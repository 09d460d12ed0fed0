"""Turn a :class:`~vrijuit.stats.report_model.Report` into HTML or PDF, in Dutch or English.

One template serves both outputs: :func:`render_pdf` prints the page :func:`render_html` makes,
with WeasyPrint. The JSON output is simply ``json.dumps(report.to_dict())``.
"""

from __future__ import annotations

from pathlib import Path

from vrijuit.render.html import MEDIA, render_html
from vrijuit.stats.report_model import Report

__all__ = ["MEDIA", "render_html", "render_pdf"]


def render_pdf(report: Report, lang: str, path: str | Path) -> None:
    """Write the report as a PDF file at ``path`` (WeasyPrint's print of the HTML page)."""
    # Imported here: WeasyPrint takes a second to load and only the PDF needs it.
    from weasyprint import HTML

    HTML(string=render_html(report, lang, medium="print")).write_pdf(str(path))
