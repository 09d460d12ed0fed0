"""The audit benchmark measures two real planners: both give safe plans on bench data.

bench/bench_audit.py compares the engine's sparse planner with the dense one it replaced
(bench/dense_audit.py). The ratio means something only if the baseline is a working planner: it
must show cells, and every plan it makes must pass the engine's exact audit and the independent
brute-force checker.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_audit
from _disclosure_oracles import derivable_groups
from dense_audit import dense_plan
from vrijuit.stats.disclosure import audit, cells_for_report, plan_disclosure


def test_the_dense_baseline_and_the_engine_both_plan_safe_releases_with_unit_cells() -> None:
    lattice = bench_audit.bench_lattice(400)
    old, new = dense_plan(lattice, k=5), plan_disclosure(lattice, k=5)
    for plan in (old, new):
        assert any(key.kind == "unit_attribute" for key in plan.shown)
        assert audit(lattice, plan.shown, k=5).safe
    # Both hide the same cells below k; they differ only in which cells close differences.
    below = {key for key, r in old.suppressed.items() if r.code == "below_k"}
    assert below == {key for key, r in new.suppressed.items() if r.code == "below_k"}


def test_the_dense_baseline_is_checked_by_brute_force_on_a_small_organisation() -> None:
    tree = {"org": None, "d": "org", "a": "d", "b": "d", "c": "org"}
    teams = ["a"] * 6 + ["b"] * 7 + ["c"] * 9 + ["d"] * 2
    gender = (["w", "m"] * 12)[: len(teams)]
    lattice = cells_for_report(teams, tree, {"g": gender}, unit_attributes=["g"])
    plan = dense_plan(lattice, k=5)
    members = [frozenset(map(int, lattice.members(key).nonzero()[0])) for key in sorted(plan.shown)]
    assert derivable_groups(members, len(teams), 5) == []


def test_the_benchmark_runs_and_reports_both_planners(capsys) -> None:
    assert bench_audit.main(["--sizes", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "sparse" in out and "dense" in out and "safe: NO" not in out
