"""The scipy.special wrappers give exactly the numbers of scipy.stats (the oracle)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from vrijuit.stats import _distributions as dist

probabilities = st.floats(1e-9, 1 - 1e-9)
degrees = st.floats(0.5, 1e6)


@settings(max_examples=60, deadline=None)
@given(q=probabilities, df=degrees, x=st.floats(-50, 50))
def test_t_quantile_and_tail_equal_scipy_stats(q: float, df: float, x: float) -> None:
    assert dist.t_ppf(q, df) == pytest.approx(stats.t.ppf(q, df), rel=1e-12, abs=1e-12)
    assert dist.t_sf(x, df) == pytest.approx(stats.t.sf(x, df), rel=1e-12, abs=1e-300)


@settings(max_examples=60, deadline=None)
@given(q=probabilities, dfn=degrees, dfd=degrees, x=st.floats(0, 1e3))
def test_f_quantile_and_tail_equal_scipy_stats(q: float, dfn: float, dfd: float, x: float) -> None:
    assert dist.f_ppf(q, dfn, dfd) == pytest.approx(stats.f.ppf(q, dfn, dfd), rel=1e-12)
    assert dist.f_sf(x, dfn, dfd) == pytest.approx(stats.f.sf(x, dfn, dfd), rel=1e-12, abs=1e-300)


@settings(max_examples=60, deadline=None)
@given(q=probabilities, x=st.floats(-30, 30))
def test_normal_quantile_and_tail_equal_scipy_stats(q: float, x: float) -> None:
    assert dist.norm_ppf(q) == pytest.approx(stats.norm.ppf(q), rel=1e-12, abs=1e-15)
    assert dist.norm_sf(x) == pytest.approx(stats.norm.sf(x), rel=1e-12, abs=1e-300)


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-20, 20), df=st.floats(1, 1e4), nc=st.floats(-20, 20))
def test_noncentral_t_tails_equal_scipy_stats_nan_included(x: float, df: float, nc: float) -> None:
    np.testing.assert_allclose(dist.nct_cdf(x, df, nc), stats.nct.cdf(x, df, nc), rtol=1e-12)
    np.testing.assert_allclose(dist.nct_sf(x, df, nc), stats.nct.sf(x, df, nc), rtol=1e-12)


def test_arrays_broadcast_like_scipy_stats() -> None:
    q = np.array([0.025, 0.5, 0.975])
    df = np.array([[2.0], [30.0]])
    np.testing.assert_allclose(dist.t_ppf(q, df), stats.t.ppf(q, df), rtol=1e-12)
    np.testing.assert_allclose(dist.f_ppf(q, df, 5.0), stats.f.ppf(q, df, 5.0), rtol=1e-12)


def test_boundary_probabilities_give_the_support_bounds() -> None:
    assert dist.t_ppf(0.0, 5) == -np.inf and dist.t_ppf(1.0, 5) == np.inf
    assert dist.f_ppf(0.0, 3, 5) == 0.0
    assert dist.norm_ppf(1.0) == np.inf


def test_the_engine_modules_do_not_import_scipy_stats() -> None:
    # Importing scipy.stats costs about a second; the analysis must not pay it.
    code = (
        "import sys\n"
        "import vrijuit.stats.report, vrijuit.stats.icc, vrijuit.stats.gaps\n"
        "import vrijuit.stats.reliability, vrijuit.stats.dispersion, vrijuit.stats.trend\n"
        "import vrijuit.stats.leaders, vrijuit.stats.mixed, vrijuit.stats.agreement\n"
        "import vrijuit.stats.scoring, vrijuit.stats.rollup, vrijuit.stats.unit_gaps\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("q", [0.0, 1.0, -0.1, 1.1])
def test_quantiles_at_and_beyond_the_ends_equal_scipy_stats(q: float) -> None:
    np.testing.assert_equal(dist.t_ppf(q, 5), stats.t.ppf(q, 5))
    np.testing.assert_equal(dist.f_ppf(q, 3, 5), stats.f.ppf(q, 3, 5))
    np.testing.assert_equal(dist.norm_ppf(q), stats.norm.ppf(q))
