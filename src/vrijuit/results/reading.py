"""How to read the results tables: what a mean and the share feeling unsafe are measured against.

A mean of 3.47 or a share of 27% says little to someone who does not know the scale runs from 1
to 5 and where its cut-off lies. The snapshot's report carries both per scale; this module turns
them into one sentence above the tables (page and PDF alike).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext


def _number(value: float) -> str:
    """A bound in the reader's language: 1 and 5 without decimals, 2.5 as 2.5 or 2,5."""
    return number_format(value, decimal_pos=0 if float(value).is_integer() else 1, use_l10n=True)


def reading_note(report: Mapping[str, Any]) -> str | None:
    """One sentence on the climate scales' range and cut-off, or None.

    Only when every climate scale shares one range and one cut-off (as in the Vrijuit
    instrument): a single sentence must not claim a range or cut-off that some row does not use.
    """
    scales = [scale for scale in report.get("scales", []) if scale.get("role") == "climate"]
    shared = {(scale.get("low"), scale.get("high"), scale.get("cutoff")) for scale in scales}
    if len(shared) != 1:
        return None
    low, high, cutoff = shared.pop()
    if low is None or high is None:
        return None
    if cutoff is None:
        return gettext(
            "How to read these figures: every scale runs from %(low)s to %(high)s; a higher "
            "mean means people feel safer."
        ) % {"low": _number(low), "high": _number(high)}
    return gettext(
        "How to read these figures: every scale runs from %(low)s to %(high)s; a higher mean "
        "means people feel safer. “Share feeling unsafe” is the share of people whose score on "
        "the scale lies below %(cutoff)s, the scale's cut-off."
    ) % {"low": _number(low), "high": _number(high), "cutoff": _number(cutoff)}
