"""Small argument checks shared by the engine: clear ValueError/TypeError, never ``assert``."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["as_float_matrix", "as_float_vector", "check_confidence", "check_option"]


def as_float_vector(values: Any, *, name: str) -> npt.NDArray[np.float64]:
    """Return ``values`` as a 1-D float array (missing values as NaN)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}.")
    return array


def as_float_matrix(values: Any, *, name: str) -> npt.NDArray[np.float64]:
    """Return ``values`` as a 2-D float array (rows = respondents, columns = items)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional, got shape {array.shape}.")
    return array


def check_confidence(confidence: float) -> float:
    """Check a confidence level such as 0.95."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}.")
    return float(confidence)


def check_option(value: str, *, name: str, allowed: tuple[str, ...]) -> str:
    """Check an option string exactly (no prefix matching, unlike statsmodels)."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}; got {value!r}.")
    return value
