"""Leaders' own safety (towards their superiors) and the safety of their team (statistics.md §1.8).

Leaders answer a ``leader_own`` scale about how safe they feel themselves; their members answer
the team climate scale. Whether safe leaders have safe teams is a team-level question, answered
three ways here:

1. the correlation over teams between the leader's score L_j and the mean ȳ_j of the team's
   **members** (the leader must not be in ȳ_j: the caller passes members only), with a Fisher-z
   CI, and its Spearman disattenuation for the unreliability of ȳ_j (ICC(2)) and of L_j;
2. the cross-level random-intercept model y_ij = γ00 + γ01·L_j + u_j + e_ij (REML) with the
   share of between-team variance τ² that L explains;
3. Bliese's correction of a between-group correlation for two aggregated variables
   (:func:`correct_gcor`).

Leader and members are different raters, so there is no single-source bias by design.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats._distributions import norm_ppf, t_sf
from vrijuit.stats._labels import dense_groups, label_codes
from vrijuit.stats._validation import as_float_vector, check_confidence
from vrijuit.stats.icc import icc_anova
from vrijuit.stats.mixed import fit_random_intercept
from vrijuit.stats.results import Result

__all__ = ["LeaderTeamRelation", "correct_gcor", "leader_team_relation"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LeaderTeamRelation(Result):
    """How leaders' own safety relates to their members' safety.

    Attributes
    ----------
    labels, leader, member_mean, n_members
        The teams used (a leader score and at least one member score), per team.
    r, ci_low, ci_high, p_value, n_teams
        Pearson r of leader score and member mean over teams; Fisher-z CI; t-test p.
    r_weighted
        The same correlation with each team weighted by the reliability of its mean,
        λ_j = τ²/(τ² + σ²/n_j) (REML null model), so small teams count less; NaN when τ² = 0.
    icc2
        ICC(2) of the member scores over these teams (one-way ANOVA, k = N/J, Bliese 2000).
    leader_reliability
        α of the leader scale if given (else None: only the team means are corrected).
    disattenuated
        r / √(ICC(2)·α_L) (Spearman 1904); NaN when ICC(2) ≤ 0.
    exceeds_one
        True when |disattenuated| > 1: the corrected value is then not a correlation (sampling
        error in r or in the reliabilities) and ``disattenuated_clipped`` holds ±1.
    gamma01, gamma01_se, gamma01_ci_low, gamma01_ci_high, gamma01_p
        Effect of L_j on members' scores in y_ij = γ00 + γ01·L_j + u_j + e_ij (REML; normal
        CI, as statsmodels).
    tau2_null, tau2_model, sigma2_model
        τ² without and with L_j; σ² with L_j.
    tau2_explained
        (τ²_null − τ²_model)/τ²_null (Raudenbush & Bryk 2002); NaN when τ²_null = 0.
    latent_correlation
        γ01·SD(L)/√τ²_null, the correlation of L with the true team mean (§1.8).
    """

    labels: npt.NDArray[Any]
    leader: FloatArray
    member_mean: FloatArray
    n_members: npt.NDArray[np.int64]
    n_teams: int
    r: float
    ci_low: float
    ci_high: float
    p_value: float
    r_weighted: float
    icc2: float
    leader_reliability: float | None
    disattenuated: float
    disattenuated_clipped: float
    exceeds_one: bool
    gamma01: float
    gamma01_se: float
    gamma01_ci_low: float
    gamma01_ci_high: float
    gamma01_p: float
    tau2_null: float
    tau2_model: float
    sigma2_model: float
    tau2_explained: float
    latent_correlation: float
    confidence: float


def leader_team_relation(
    leader_scores: Mapping[Any, float],
    member_scores: Any,
    member_teams: Any,
    *,
    leader_reliability: float | None = None,
    confidence: float = 0.95,
) -> LeaderTeamRelation:
    """Relate each leader's own safety score to the mean safety of their team's members.

    Parameters
    ----------
    leader_scores
        Team label → the leader's own score L_j (NaN = missing).
    member_scores, member_teams
        The members' scale scores and team labels. **Members only**: leave the leader out, or
        their own answer inflates the correlation (statistics.md §1.8).
    leader_reliability
        Cronbach's α of the leader scale, for the disattenuation; None corrects only for the
        unreliability of the team means.
    confidence
        Level of the Fisher-z interval for r and the normal interval for γ01.

    Notes
    -----
    r_{L,ȳ} over the J teams with a leader score and members; Fisher (1921) z-interval
    tanh(atanh r ± z_{1−γ/2}/√(J − 3)), as ``cor.test`` in R and ``scipy.stats.pearsonr``.
    The disattenuated value is r/√(ICC(2)·α_L) with ICC(2) = 1 − MSW/MSB of the members (Bliese
    2000, ``multilevel::ICC2``). The cross-level model is R's
    ``nlme::lme(y ~ L, random = ~ 1 | team)``. At least 3 teams are needed (4 for the CI).

    Examples
    --------
    >>> leaders = {"a": 3.5, "b": 3.0, "c": 4.5, "d": 2.5}
    >>> members = [4.0, 4.5, 4.2, 3.0, 3.4, 2.8, 4.0, 3.6, 3.8, 2.6, 3.0, 2.4]
    >>> teams = list("aaabbbcccddd")
    >>> res = leader_team_relation(leaders, members, teams)
    >>> round(res.r, 3), res.n_teams, round(res.icc2, 3)
    (0.73, 4, 0.952)
    """
    confidence = check_confidence(confidence)
    if leader_reliability is not None and not 0.0 < leader_reliability <= 1.0:
        raise ValueError(f"leader_reliability must lie in (0, 1]; got {leader_reliability!r}.")
    scores = as_float_vector(member_scores, name="member_scores")
    codes, uniques = label_codes(member_teams, n_rows=scores.shape[0], name="member_teams")
    leaders = pd.Series(dict(leader_scores), dtype=np.float64).dropna()
    # Look the leader up once per distinct team, not once per member.
    has_leader = pd.Index(uniques).isin(leaders.index)
    keep = ~np.isnan(scores) & (codes >= 0)
    keep[keep] = has_leader[codes[keep]]
    if not keep.any():
        raise ValueError("no member belongs to a team with a leader score.")
    scores = scores[keep]
    groups = dense_groups(codes[keep], uniques)
    n_teams = groups.n_groups
    if n_teams < 3:
        raise ValueError(f"a team-level correlation needs at least 3 teams; got {n_teams}.")
    member_mean = groups.mean(scores)
    leader = np.asarray(leaders.reindex(pd.Index(groups.labels)), dtype=np.float64)

    r = float(np.corrcoef(leader, member_mean)[0, 1])
    z = float(norm_ppf(0.5 + confidence / 2.0))
    if n_teams > 3 and abs(r) < 1:
        half = z / np.sqrt(n_teams - 3)
        ci_low, ci_high = float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))
    else:
        ci_low = ci_high = float("nan")
    df = n_teams - 2
    with np.errstate(divide="ignore"):
        t = r * np.sqrt(df / (1.0 - r * r)) if abs(r) < 1 else np.inf
    p_value = float(2.0 * t_sf(abs(t), df))

    icc2 = icc_anova(scores, groups).icc2
    alpha = 1.0 if leader_reliability is None else float(leader_reliability)
    disattenuated = r / np.sqrt(icc2 * alpha) if icc2 > 0 else float("nan")
    exceeds = bool(abs(disattenuated) > 1.0)
    clipped = float(np.clip(disattenuated, -1.0, 1.0))

    null = fit_random_intercept(scores, groups, confidence=confidence)
    model = fit_random_intercept(
        scores,
        groups,
        covariates=groups.broadcast(leader),
        names=("leader",),
        confidence=confidence,
    )
    k = model.effect("leader")
    gamma = float(model.coef[k])
    r_weighted = float("nan")
    if null.tau2 > 0:
        weight = null.tau2 / (null.tau2 + null.sigma2 / groups.sizes())
        r_weighted = _weighted_correlation(leader, member_mean, weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        explained = (null.tau2 - model.tau2) / null.tau2 if null.tau2 > 0 else float("nan")
        latent = gamma * float(np.std(leader, ddof=1)) / np.sqrt(null.tau2)
    return LeaderTeamRelation(
        labels=groups.labels,
        leader=leader,
        member_mean=member_mean,
        n_members=groups.sizes(),
        n_teams=n_teams,
        r=r,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        r_weighted=r_weighted,
        icc2=float(icc2),
        leader_reliability=leader_reliability,
        disattenuated=float(disattenuated),
        disattenuated_clipped=clipped,
        exceeds_one=exceeds,
        gamma01=gamma,
        gamma01_se=float(model.se[k]),
        gamma01_ci_low=float(model.ci_low[k]),
        gamma01_ci_high=float(model.ci_high[k]),
        gamma01_p=float(model.p_value[k]),
        tau2_null=null.tau2,
        tau2_model=model.tau2,
        sigma2_model=model.sigma2,
        tau2_explained=float(explained),
        latent_correlation=float(latent) if null.tau2 > 0 else float("nan"),
        confidence=confidence,
    )


def _weighted_correlation(x: FloatArray, y: FloatArray, weight: FloatArray) -> float:
    """Pearson correlation with frequency-style weights (weighted means and co-moments)."""
    w = weight / weight.sum()
    dx, dy = x - w @ x, y - w @ y
    return float((w @ (dx * dy)) / np.sqrt((w @ (dx * dx)) * (w @ (dy * dy))))


def correct_gcor(*, w_corr: float, b_corr: float, icc2_x: float, icc2_y: float) -> float:
    """Bliese's correction of a between-group correlation for unreliable group means.

    r_corrected = r_w + (r_b − r_w)/√(ICC2_x·ICC2_y): the between-group correlation b_corr of two
    aggregated variables moves away from the within-group correlation w_corr in proportion to
    the reliabilities of the two sets of group means (``multilevel::correct.gcor``, version 2.8;
    Maltarich, Bliese & Carpenter 2026). Unlike Spearman's r_b/√(ICC2_x·ICC2_y) it accounts
    for the part of the group-mean correlation that is only the within-group relation showing
    through.

    Examples
    --------
    The documented example: .17 rather than .25.

    >>> round(correct_gcor(w_corr=0.35, b_corr=0.25, icc2_x=0.59, icc2_y=0.52), 4)
    0.1695
    """
    for name, value in (("w_corr", w_corr), ("b_corr", b_corr)):
        if not -1.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie between -1 and 1; got {value!r}.")
    for name, value in (("icc2_x", icc2_x), ("icc2_y", icc2_y)):
        if not 0.0 < value <= 1.0:
            raise ValueError(f"{name} must lie in (0, 1] for the correction; got {value!r}.")
    return float(w_corr + (b_corr - w_corr) / np.sqrt(icc2_x * icc2_y))
