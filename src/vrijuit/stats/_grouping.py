"""Accept either a :class:`Groups` or an array of team labels, and check it fits the data."""

from __future__ import annotations

from typing import Any

from vrijuit.stats.groups import Groups

__all__ = ["as_groups"]


def as_groups(groups: Groups | Any, *, n_rows: int) -> Groups:
    """Return ``groups`` as a :class:`Groups` with exactly ``n_rows`` rows."""
    grouping = groups if isinstance(groups, Groups) else Groups.from_labels(groups)
    if grouping.n_rows != n_rows:
        raise ValueError(f"the data have {n_rows} rows but the team labels have {grouping.n_rows}.")
    return grouping
