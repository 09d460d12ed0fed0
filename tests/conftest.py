"""Shared test fixtures: the reference datasets with their published/independent values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).parent / "fixtures" / "reference"


def load_reference(name: str) -> pd.DataFrame:
    """Read one reference dataset from tests/fixtures/reference (see its README for origin)."""
    return pd.read_csv(REFERENCE / name)


@pytest.fixture(scope="session")
def expected() -> pd.DataFrame:
    """expected.csv indexed by id (R01, R02, ...)."""
    return pd.read_csv(REFERENCE / "expected.csv").set_index("id")
