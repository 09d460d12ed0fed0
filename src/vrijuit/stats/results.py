"""The base of every result the engine returns: frozen dataclasses that turn into plain JSON.

statsmodels' newer results are dataclasses too; unlike its older attribute bags they are
immutable and serialise the same way everywhere. ``to_dict()`` gives JSON-safe values: numpy
scalars become Python numbers, arrays become lists, NaN becomes ``None``.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["Result", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert a value (result, array, numpy scalar, container) into JSON-safe Python.

    >>> to_jsonable(np.array([1.5, np.nan]))
    [1.5, None]
    >>> to_jsonable({"n": np.int64(3)})
    {'n': 3}
    """
    if isinstance(value, Result):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [to_jsonable(v) for v in items]
    return value


@dataclasses.dataclass(frozen=True)
class Result:
    """Base class for engine results. Subclasses are ``@dataclass(frozen=True)``."""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-safe nested dicts and lists."""
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
