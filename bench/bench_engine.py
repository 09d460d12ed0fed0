"""Benchmark of the Vrijuit engine against the issue's performance requirements.

(a) The full analysis held in memory (scores, reliability, agreement, ICC, dispersion, gaps,
    roll-up, disclosure control) on 1,000,000 respondents × 30 items in 20,000 teams:
    within 3 s and 3 GB peak memory.
(b) From a 1,000,000-row CSV on disk to the finished JSON report: within 10 s.
(c) At least 50 times faster than the straightforward pandas groupby-apply / pingouin baseline
    (bench/baseline.py) on 100,000 respondents, in the same run, with both giving the same
    numbers (checked here; the check itself is tested in tests/test_bench_baseline.py).

Usage::

    .venv/bin/python bench/bench_engine.py            # the full benchmark (a few minutes)
    .venv/bin/python bench/bench_engine.py --quick    # small sizes: a smoke run in seconds
    .venv/bin/python bench/bench_engine.py --parts c --compare-size 20000

Exit status 1 when a stage fails or the engine and the baseline disagree; missed time targets
are reported (they depend on the machine and its load) but do not fail the run.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import baseline_figures, baseline_scores, compare
from make_data import BenchData, instrument_yaml, make_data, write_csv
from pipeline import ALL_FIGURES, engine_figures, engine_scores, full_analysis
from vrijuit.stats.instruments import load_instrument
from vrijuit.stats.io import read_responses
from vrijuit.stats.report import build_report

TARGET_ANALYSIS_SECONDS = 3.0
TARGET_PEAK_GB = 3.0
TARGET_CSV_SECONDS = 10.0
TARGET_RATIO = 50.0


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def current_rss_gb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**3
    except OSError:
        return float("nan")


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux ≥ 4.0), so a later peak belongs to one phase."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def median_time(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def heading(text: str) -> None:
    print()
    print(text)
    print("-" * len(text))


# --- (a) ------------------------------------------------------------------------------------


def bench_full_analysis(size: int, teams: int, items: int, repeat: int) -> bool:
    heading(
        f"(a) Full analysis in memory: {size:,} respondents × {items} items, {teams:,} teams "
        f"(median of {repeat})"
    )
    data = make_data(size, n_items=items, n_teams=teams)
    gc.collect()
    data_gb = current_rss_gb()
    exact_peak = reset_peak_rss()
    runs = []
    for _ in range(repeat):
        timings, outputs = full_analysis(data)
        runs.append(timings)
        del outputs
        gc.collect()
    peak = peak_rss_gb()
    ok = True
    total = 0.0
    print(f"  {'stage':<12} {'seconds':>8}  detail")
    for index, first in enumerate(runs[0]):
        if first.status != "ok":
            ok = False
            print(f"  {first.name:<12} {'—':>8}  {first.status}: {first.detail}")
            continue
        seconds = statistics.median(run[index].seconds for run in runs)
        total += seconds
        print(f"  {first.name:<12} {seconds:8.3f}  {first.detail}")
    missing = [t.name for t in runs[0] if t.status != "ok"]
    print(
        f"  {'total':<12} {total:8.3f}  target < {TARGET_ANALYSIS_SECONDS:g} s: "
        f"{verdict(total < TARGET_ANALYSIS_SECONDS)}"
        + (f" (without: {', '.join(missing)})" if missing else "")
    )
    label = "peak RSS" if exact_peak else "peak RSS (process, incl. data generation)"
    print(
        f"  {label:<12} {peak:8.2f}  GB, target < {TARGET_PEAK_GB:g} GB: "
        f"{verdict(peak < TARGET_PEAK_GB)} (the data alone: {data_gb:.2f} GB)"
    )
    # The product's own path on the same in-memory data: build_report (which also plans
    # disclosure and assembles every section), timed as one figure.
    with tempfile.TemporaryDirectory(prefix="vrijuit-bench-") as folder:
        instrument_path = Path(folder) / "bench.yaml"
        instrument_path.write_text(instrument_yaml(data.scales), encoding="utf-8")
        try:
            reset_peak_rss()
            seconds, (_, how) = median_time(
                lambda: _report(data.responses, instrument_path, data), repeat
            )
        except Exception as error:  # report the failure, keep the other figures
            print(f"  build_report FAILED: {type(error).__name__}: {error}")
            return False
        print(
            f"  {'report':<12} {seconds:8.3f}  {how} on the same data, in memory; "
            f"peak RSS {peak_rss_gb():.2f} GB; target < {TARGET_ANALYSIS_SECONDS:g} s: "
            f"{verdict(seconds < TARGET_ANALYSIS_SECONDS)}"
        )
    return ok


# --- (b) ------------------------------------------------------------------------------------


def _read(csv_path: Path, instrument_path: Path) -> tuple[pd.DataFrame, str]:
    imported = read_responses(
        csv_path,
        instrument=load_instrument(instrument_path),
        team_column="team",
        attribute_columns=("gender", "position"),
    )
    return imported.data, "vrijuit.stats.io.read_responses"


def _report(
    responses: pd.DataFrame, instrument_path: Path, data: BenchData
) -> tuple[dict[str, Any], str]:
    units = data.units
    tree: Any = {
        unit: parent if isinstance(parent, str) else None
        for unit, parent in zip(units["unit_id"], units["parent_id"], strict=True)
    }
    # build_report takes the unit tree as a parent mapping too, so (b) needs no UnitTree.
    report = build_report(
        responses,
        load_instrument(instrument_path),
        team_column="team",
        tree=tree,
        by=("gender",),
        levels={"position": ("phd", "postdoc", "assistant", "associate", "full")},
    )
    return report.to_dict(), "vrijuit.stats.report.build_report"


def bench_csv_to_json(size: int, teams: int, items: int) -> bool:
    heading(f"(b) CSV on disk → JSON report: {size:,} rows, {items} items, {teams:,} teams")
    data = make_data(size, n_items=items, n_teams=teams)
    with tempfile.TemporaryDirectory(prefix="vrijuit-bench-") as folder:
        csv_path = Path(folder) / "responses.csv"
        instrument_path = Path(folder) / "bench.yaml"
        instrument_path.write_text(instrument_yaml(data.scales), encoding="utf-8")
        write_csv(data, csv_path)
        megabytes = csv_path.stat().st_size / 1024**2
        # Keep only the tree and the scales: the responses must come from the file.
        data = BenchData(responses=data.responses.iloc[:0], units=data.units, scales=data.scales)
        gc.collect()
        reset_peak_rss()
        start = time.perf_counter()
        responses, read_how = _read(csv_path, instrument_path)
        read_seconds = time.perf_counter() - start
        try:
            start = time.perf_counter()
            document, report_how = _report(responses, instrument_path, data)
            report_seconds = time.perf_counter() - start
            start = time.perf_counter()
            out = Path(folder) / "report.json"
            out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            json_seconds = time.perf_counter() - start
        except Exception as error:  # report the failure, keep the other figures
            print(f"  read {read_seconds:.2f} s; report FAILED: {type(error).__name__}: {error}")
            return False
        total = read_seconds + report_seconds + json_seconds
        print(f"  {'read CSV':<14} {read_seconds:8.3f}  {read_how} ({megabytes:.0f} MB)")
        print(f"  {'build report':<14} {report_seconds:8.3f}  {report_how}")
        print(f"  {'write JSON':<14} {json_seconds:8.3f}  {out.stat().st_size / 1024**2:.1f} MB")
        print(
            f"  {'total':<14} {total:8.3f}  target < {TARGET_CSV_SECONDS:g} s: "
            f"{verdict(total < TARGET_CSV_SECONDS)}; peak RSS {peak_rss_gb():.2f} GB"
        )
    return True


# --- (c) ------------------------------------------------------------------------------------


def bench_against_baseline(size: int, teams: int, items: int, repeat: int) -> bool:
    heading(
        f"(c) Engine vs straightforward baseline: {size:,} respondents × {items} items, "
        f"{teams:,} teams (engine: median of {repeat}; baseline: one run)"
    )
    data = make_data(size, n_items=items, n_teams=teams)
    warm_up = make_data(200, n_items=items, n_teams=10)
    print(f"  {'figures':<10} {'engine s':>9} {'baseline s':>11} {'ratio':>8}  same numbers")
    # Scoring is shared by every other figure group, so it is timed once, as its own row.
    engine_scores(warm_up)
    ours_prepared_seconds, ours_prepared = median_time(lambda: engine_scores(data), repeat)
    start = time.perf_counter()
    theirs_prepared = baseline_scores(data)
    theirs_prepared_seconds = time.perf_counter() - start
    engine_total = baseline_total = 0.0
    all_agree = True
    for part in ALL_FIGURES:
        engine_figures(warm_up, include=[part])  # imports and first-call costs, untimed
        run = functools.partial(engine_figures, data, include=[part], prepared=ours_prepared)
        ours_seconds, ours = median_time(run, repeat)
        start = time.perf_counter()
        theirs = baseline_figures(data, include=[part], scored=theirs_prepared)
        theirs_seconds = time.perf_counter() - start
        if part == "scores":
            ours_seconds += ours_prepared_seconds
            theirs_seconds += theirs_prepared_seconds
        problems = compare(ours, theirs)
        all_agree = all_agree and not problems
        engine_total += ours_seconds
        baseline_total += theirs_seconds
        same = f"yes ({len(ours)} figures)" if not problems else f"NO: {problems[0]}"
        print(
            f"  {part:<10} {ours_seconds:9.3f} {theirs_seconds:11.2f} "
            f"{theirs_seconds / ours_seconds:7.0f}×  {same}"
        )
        for problem in problems[1:6]:
            print(f"  {'':<42}{problem}")
    if engine_total > 0:
        ratio = baseline_total / engine_total
        print(
            f"  {'total':<10} {engine_total:9.3f} {baseline_total:11.2f} {ratio:7.0f}×  "
            f"target ≥ {TARGET_RATIO:g}×: {verdict(ratio >= TARGET_RATIO)}; "
            f"numbers agree: {'yes' if all_agree else 'NO'}"
        )
    return all_agree


# --- (f) ------------------------------------------------------------------------------------


def _function_calls(data: BenchData) -> list[tuple[str, Callable[[], Any]]]:
    """One call of each engine function on the first scale (for the owners of each module)."""
    import numpy as np

    from make_data import CUTOFF, HIGH, LOW, MIN_ITEMS
    from vrijuit.stats import agreement, dispersion, gaps, icc, reliability, rollup, scoring
    from vrijuit.stats.groups import Groups

    scale = data.scales[0]
    keyed = data.items(scale)
    flip = np.asarray(scale.reverse)
    keyed[:, flip] = scoring.reverse_key(keyed[:, flip], low=LOW, high=HIGH)
    teams = data.responses["team"].to_numpy(dtype=object)
    groups = Groups.from_labels(teams)
    score = scoring.scale_scores(keyed, low=LOW, high=HIGH, min_items=MIN_ITEMS).scores
    null = agreement.null_variance(HIGH - LOW + 1)
    gender = data.responses["gender"].to_numpy(dtype=object)
    levels = data.responses["position"].to_numpy(dtype=object)
    order = ["phd", "postdoc", "assistant", "associate", "full"]
    tree = rollup.UnitTree.from_frame(data.units, unit="unit_id", parent="parent_id")
    return [
        ("Groups.from_labels", lambda: Groups.from_labels(teams)),
        (
            "scale_scores",
            lambda: scoring.scale_scores(keyed, low=LOW, high=HIGH, min_items=MIN_ITEMS),
        ),
        ("cronbach_alpha", lambda: reliability.cronbach_alpha(keyed)),
        ("mcdonald_omega", lambda: reliability.mcdonald_omega(keyed)),
        ("item_rest_correlations", lambda: reliability.item_rest_correlations(keyed)),
        ("rwg_j", lambda: agreement.rwg_j(keyed, groups, null_variance=null)),
        ("rwg_j_lindell", lambda: agreement.rwg_j_lindell(keyed, groups, null_variance=null)),
        ("awg", lambda: agreement.awg(keyed, groups, low=LOW, high=HIGH)),
        ("average_deviation", lambda: agreement.average_deviation(keyed, groups)),
        ("icc_anova", lambda: icc.icc_anova(score, groups)),
        ("icc_reml", lambda: icc.icc_reml(score, groups)),
        ("shrunken_means", lambda: icc.shrunken_means(score, groups)),
        ("team_spread", lambda: dispersion.team_spread(score, groups)),
        ("share_below", lambda: dispersion.share_below(score, groups, cutoff=CUTOFF)),
        (
            "polarisation",
            lambda: dispersion.polarisation(score, groups, cutoff=CUTOFF, null_variance=null),
        ),
        ("subgroup_gaps (raw)", lambda: gaps.subgroup_gaps(score, gender)),
        ("subgroup_gaps (teams)", lambda: gaps.subgroup_gaps(score, gender, teams=teams)),
        ("ordered_level_trend", lambda: gaps.ordered_level_trend(score, levels, order)),
        ("UnitTree.from_frame", lambda: rollup.UnitTree.from_frame(data.units)),
        ("rollup", lambda: rollup.rollup(score, teams, tree, cutoff=CUTOFF)),
    ]


def bench_functions(size: int, teams: int, items: int, repeat: int) -> bool:
    heading(
        f"(f) One call per engine function, first scale (5 items): {size:,} respondents, "
        f"{teams:,} teams (median of {repeat})"
    )
    data = make_data(size, n_items=items, n_teams=teams)
    calls = _function_calls(data)
    ok = True
    for name, call in calls:
        try:
            seconds, _ = median_time(call, repeat)
        except Exception as error:  # report the failure, keep the other figures
            print(f"  {name:<24} FAILED: {type(error).__name__}: {error}")
            ok = False
            continue
        print(f"  {name:<24} {seconds:8.3f}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="respondents for (a), (b)")
    parser.add_argument("--teams", type=int, default=None, help="teams (default size / 50)")
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--compare-size", type=int, default=100_000, help="respondents for (c)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument(
        "--parts", default="abc", help="which parts to run, e.g. 'ac'; 'f' = per function"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.compare_size, args.repeat = 20_000, 5_000, 1
    teams = args.teams or max(2, args.size // 50)
    compare_teams = max(2, round(teams * args.compare_size / args.size))
    load = os.getloadavg()
    print(
        f"Vrijuit engine benchmark — {os.cpu_count()} CPUs, load average "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min) at the start"
    )
    ok = True
    if "a" in args.parts:
        ok = bench_full_analysis(args.size, teams, args.items, args.repeat) and ok
        gc.collect()
    if "b" in args.parts:
        ok = bench_csv_to_json(args.size, teams, args.items) and ok
        gc.collect()
    if "c" in args.parts:
        ok = (
            bench_against_baseline(args.compare_size, compare_teams, args.items, args.repeat) and ok
        )
    if "f" in args.parts:
        ok = bench_functions(args.size, teams, args.items, args.repeat) and ok
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
