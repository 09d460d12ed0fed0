"""Numbers as a Dutch or English reader expects them: decimal comma in Dutch, a dash for none."""

from __future__ import annotations

import math

__all__ = ["MISSING", "format_ci", "format_number", "format_percent", "format_share_band"]

# Shown where a statistic could not be computed (e.g. an SD of one person); the methods text
# explains it, so the dash is never the only cue.
MISSING = "–"


def format_number(value: float | None, lang: str, *, digits: int = 2) -> str:
    """Format ``value`` with ``digits`` decimals; Dutch uses a decimal comma.

    >>> format_number(3.14159, "nl"), format_number(-0.5, "en", digits=1), format_number(None, "en")
    ('3,14', '-0.5', '–')
    """
    if value is None or not math.isfinite(value):
        return MISSING
    text = f"{value:,.{digits}f}"
    if lang == "nl":
        # 1,234.5 → 1.234,5 (thousands dot, decimal comma)
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def format_percent(value: float | None, lang: str, *, digits: int = 0) -> str:
    """Format a share in 0..1 as a percentage.

    >>> format_percent(0.125, "nl", digits=1), format_percent(0.5, "en")
    ('12,5%', '50%')
    """
    if value is None or not math.isfinite(value):
        return MISSING
    return format_number(100.0 * value, lang, digits=digits) + "%"


def format_ci(low: float | None, high: float | None, lang: str, *, digits: int = 2) -> str:
    """A confidence interval; Dutch separates the bounds with a semicolon (the comma is taken).

    >>> format_ci(0.1, 0.25, "en"), format_ci(0.1, 0.25, "nl")
    ('[0.10, 0.25]', '[0,10; 0,25]')
    """
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return MISSING
    separator = "; " if lang == "nl" else ", "
    low_text = format_number(low, lang, digits=digits)
    high_text = format_number(high, lang, digits=digits)
    return f"[{low_text}{separator}{high_text}]"


def format_share_band(low: float | None, high: float | None, lang: str) -> str:
    """A share band ``(low, high]`` such as "25–50%" (never "0%" or "100%", R6).

    >>> format_share_band(0.0, 0.25, "en"), format_share_band(0.75, 1.0, "nl")
    ('≤ 25%', '> 75%')
    """
    if low is None or high is None:
        return MISSING
    if low <= 0.0:
        return "≤ " + format_percent(high, lang)
    if high >= 1.0:
        return "> " + format_percent(low, lang)
    return f"{format_percent(low, lang)[:-1]}–{format_percent(high, lang)}"
