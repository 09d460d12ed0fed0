"""CSV and PDF of a role's view: the same tables the page shows, nothing more."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string

from vrijuit.results.presentation import View

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with an apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def view_csv(view: View) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for table in view.tables:
        if not table.rows:
            continue
        writer.writerow([escape_cell(table.caption)])
        writer.writerow([escape_cell(h) for h in table.headers])
        for row in table.rows:
            writer.writerow([escape_cell(cell) for cell in row])
        writer.writerow([])
    return out.getvalue()


def view_pdf(context: dict[str, object]) -> bytes:
    # Imported here: WeasyPrint takes a second to load and only the PDF needs it.
    from weasyprint import HTML

    html = render_to_string("results/print.html", context)
    return bytes(HTML(string=html).write_pdf())
