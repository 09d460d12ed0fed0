"""Benchmark of disclosure planning with the analysts' unit × attribute cells.

For each size, bench data (make_data: teams of log-normal sizes in a four-level tree, gender and
position) gets the full lattice a report with unit gaps plans: every unit, organisation × value
and unit × value for gender and position. Both planners run on the same lattice in the same
process:

* **sparse** — the engine's ``plan_disclosure`` (sparse exact audit, residual levels);
* **dense** — the planner before it (``bench/dense_audit.py``), the baseline.

Printed per size: atoms, candidate cells, the sparse plan's minimum and median time over
``--repeat`` runs, the dense plan's time (one run: it takes long), their ratio, and the cells each
shows. The dense audit refuses beyond 4,000 atoms and then hides every unit × value cell as
unverified; that is printed as such. Both plans are checked with the engine's exact audit
(a plan that is not safe fails the run).

Usage::

    .venv/bin/python bench/bench_audit.py                      # 3,000, 10,000, 20,000 people
    .venv/bin/python bench/bench_audit.py --sizes 3000 --repeat 5
    .venv/bin/python bench/bench_audit.py --no-dense           # the sparse planner only
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dense_audit import dense_plan
from make_data import make_data
from vrijuit.stats._cells import release_atoms
from vrijuit.stats.disclosure import CellLattice, audit, cells_for_report, plan_disclosure

K = 5


def bench_lattice(size: int) -> CellLattice:
    """The lattice of a report on ``size`` bench respondents with unit gaps by both attributes."""
    data = make_data(size, n_items=5)
    units = data.units
    parents: dict[str, str | None] = {
        unit: parent if isinstance(parent, str) else None
        for unit, parent in zip(units["unit_id"], units["parent_id"], strict=True)
    }
    responses = data.responses
    attributes = {
        "gender": responses["gender"].to_numpy(dtype=object),
        "position": responses["position"].to_numpy(dtype=object),
    }
    return cells_for_report(
        responses["team"].to_numpy(dtype=object),
        parents,
        attributes,
        unit_attributes=("gender", "position"),
    )


def _timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def _describe(plan: Any) -> str:
    kinds = Counter(key.kind for key in plan.shown)
    unverified = sum(1 for reason in plan.suppressed.values() if reason.code == "unverified")
    text = (
        f"{len(plan.shown):,} shown (units {kinds['unit']:,}, organisation × value "
        f"{kinds['attribute']:,}, unit × value {kinds['unit_attribute']:,})"
    )
    return text + (f", {unverified:,} hidden unverified" if unverified else "")


def bench_size(size: int, repeat: int, dense: bool) -> bool:
    lattice = bench_lattice(size)
    candidates = frozenset(cell.key for cell in lattice.cells if cell.n >= K)
    atoms = int(release_atoms(lattice, candidates, ()).sizes.shape[0])
    print(
        f"\n{size:,} respondents: {len(lattice.cells):,} cells, {len(candidates):,} with at "
        f"least {K} people, {atoms:,} atoms"
    )
    times = []
    plan = None
    for _ in range(repeat):
        seconds, plan = _timed(lambda: plan_disclosure(lattice, k=K))
        times.append(seconds)
    assert plan is not None
    ok = audit(lattice, plan.shown, k=K).safe
    print(
        f"  sparse  min {min(times):7.3f} s  median {statistics.median(times):7.3f} s "
        f"({repeat} runs)  {_describe(plan)}; safe: {'yes' if ok else 'NO'}"
    )
    if dense:
        seconds, old = _timed(lambda: dense_plan(lattice, k=K))
        old_ok = audit(lattice, old.shown, k=K).safe
        refused = any(reason.code == "unverified" for reason in old.suppressed.values())
        ratio = (
            "it refused the exact audit (over 4,000 atoms or 400,000 halves), so no ratio"
            if refused
            else f"dense / sparse (min) = {seconds / min(times):.0f}x"
        )
        print(
            f"  dense   one run {seconds:7.3f} s  {_describe(old)}; safe: "
            f"{'yes' if old_ok else 'NO'}; {ratio}"
        )
        ok = ok and old_ok
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 10_000, 20_000])
    parser.add_argument("--repeat", type=int, default=5, help="sparse runs per size")
    parser.add_argument("--no-dense", action="store_true", help="skip the dense baseline")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(
        f"Disclosure planning with unit × value cells — {os.cpu_count()} CPUs, load average "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min) at the start"
    )
    ok = True
    for size in args.sizes:
        ok = bench_size(size, args.repeat, not args.no_dense) and ok
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
