"""Properties of disclosure control on random universities (Hypothesis).

P1 every shown cell has n ≥ k; P2 an independent exact checker finds no derivable group of
1..k−1 in the plan; P3 an independent attacker (±1 combinations of up to three shown cells) finds
nothing; P4 permuting respondents and renaming units consistently change nothing; P5 the plan is
deterministic; P6 the audit agrees exactly with the brute-force checker on arbitrary (also naive,
threshold-only) releases, so it does catch the leaks that P2 relies on; P8 each role's view of a
plan made on the union is safe; P9 a plan made with an earlier release is safe over both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _disclosure_oracles import attacker, cell_members, derivable_groups
from vrijuit.stats.disclosure import (
    CellKey,
    EarlierRelease,
    audit,
    cells_for_report,
    plan_disclosure,
)

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@dataclass
class University:
    teams: list[str]
    parent: dict[str, str | None]
    attributes: dict[str, list[Any]]
    unit_attributes: tuple[str, ...]


@st.composite
def universities(draw: Any, max_people: int = 45, analysts: bool | None = None) -> University:
    """org → faculties → departments → teams, with many small teams and random attributes."""
    parent: dict[str, str | None] = {"org": None}
    holders = ["org"]
    for f in range(draw(st.integers(1, 3))):
        fac = f"f{f}"
        parent[fac] = "org"
        holders.append(fac)
        for d in range(draw(st.integers(0, 2))):
            dep = f"{fac}d{d}"
            parent[dep] = fac
            holders.append(dep)
            for t in range(draw(st.integers(0, 3))):
                parent[f"{dep}t{t}"] = dep
                holders.append(f"{dep}t{t}")
    sizes = draw(
        st.lists(
            st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 8]),
            min_size=len(holders),
            max_size=len(holders),
        )
    )
    teams = [unit for unit, size in zip(holders, sizes, strict=True) for _ in range(size)]
    teams = teams[:max_people] or ["org"]
    n = len(teams)
    gender = draw(
        st.lists(st.sampled_from(["w", "w", "m", "m", "x", None]), min_size=n, max_size=n)
    )
    level = draw(st.lists(st.sampled_from(["phd", "staff", "prof"]), min_size=n, max_size=n))
    attributes = {"gender": gender, "level": level}
    use = draw(st.booleans()) if analysts is None else analysts
    return University(teams, parent, attributes, ("gender",) if use else ())


def lattice_of(u: University):
    return cells_for_report(u.teams, u.parent, u.attributes, unit_attributes=u.unit_attributes)


def views(u: University, keys) -> list[frozenset[int]]:
    return [cell_members(key, u.teams, u.parent, u.attributes) for key in keys]


@SETTINGS
@given(universities(), st.sampled_from([3, 4, 5]))
def test_a_plan_shows_only_cells_of_k_and_nothing_small_is_derivable(u: University, k: int) -> None:
    lattice = lattice_of(u)
    plan = plan_disclosure(lattice, k=k)
    shown = sorted(plan.shown)
    # P1
    assert all(lattice.cell(key).n >= k for key in shown)
    # The grand total is kept whenever it may be shown at all.
    assert (lattice.root in plan.shown) == (len(u.teams) >= k)
    assert set(plan.shown) | set(plan.suppressed) == set(lattice.keys)
    # P2, with our exact audit and the independent brute-force checker
    assert audit(lattice, shown, k=k).safe
    member_sets = views(u, shown)
    assert derivable_groups(member_sets, len(u.teams), k) == []
    # P3
    assert attacker(member_sets, len(u.teams), k) == []


@SETTINGS
@given(universities(max_people=35), st.sampled_from([3, 4, 5]), st.randoms(use_true_random=False))
def test_the_audit_agrees_with_brute_force_on_any_release(u: University, k: int, rnd) -> None:
    # P6: on threshold-only releases and random subsets of them, the audit says "unsafe" exactly
    # when the brute-force checker finds a small derivable group; a checker that never fired
    # would fail here.
    lattice = lattice_of(u)
    naive = [c.key for c in lattice.cells if c.n >= k]
    for shown in (naive, [key for key in naive if rnd.random() < 0.6]):
        result = audit(lattice, shown, k=k)
        brute = derivable_groups(views(u, shown), len(u.teams), k, limit=1)
        assert result.safe == (brute == []), (shown, result.leaks, brute)


def test_the_canary_naive_threshold_suppression_is_caught_leaking() -> None:
    # P6 on fixed cases: R1 alone leaves "department minus its teams" and "organisation minus a
    # value" open; the audit, the attacker and the brute-force checker all see it.
    cases = [
        (
            ["t1"] * 5 + ["t2"] * 5 + ["dep"],
            {"org": None, "dep": "org", "t1": "dep", "t2": "dep"},
            {},
        ),
        (["a"] * 6 + ["b"] * 6, {"org": None, "a": "org", "b": "org"}, {"g": ["w"] * 11 + ["m"]}),
    ]
    for teams, parent, attributes in cases:
        u = University(teams, parent, attributes, ())
        lattice = lattice_of(u)
        naive = [c.key for c in lattice.cells if c.n >= 5]
        assert not audit(lattice, naive, k=5).safe
        assert attacker(views(u, naive), len(teams), 5)
        assert derivable_groups(views(u, naive), len(teams), 5)
        assert audit(lattice, sorted(plan_disclosure(lattice, k=5).shown), k=5).safe


@SETTINGS
@given(universities(max_people=60), st.randoms(use_true_random=False))
def test_permuting_respondents_and_renaming_units_change_nothing(u: University, rnd) -> None:
    # P4 and P5. The renaming keeps the order of names, as names break the last ties.
    plan = plan_disclosure(lattice_of(u), k=5)
    assert plan.to_dict() == plan_disclosure(lattice_of(u), k=5).to_dict()
    order = list(range(len(u.teams)))
    rnd.shuffle(order)
    shuffled = University(
        [u.teams[i] for i in order],
        u.parent,
        {name: [labels[i] for i in order] for name, labels in u.attributes.items()},
        u.unit_attributes,
    )
    assert plan_disclosure(lattice_of(shuffled), k=5).to_dict() == plan.to_dict()
    renamed = University(
        ["unit-" + t for t in u.teams],
        {"unit-" + c: (None if p is None else "unit-" + p) for c, p in u.parent.items()},
        u.attributes,
        u.unit_attributes,
    )
    again = plan_disclosure(lattice_of(renamed), k=5)

    def back(key: CellKey) -> CellKey:
        return key._replace(unit=key.unit.removeprefix("unit-"))

    assert {back(key) for key in again.shown} == set(plan.shown)
    assert {back(key): r.code for key, r in again.suppressed.items()} == {
        key: r.code for key, r in plan.suppressed.items()
    }


@SETTINGS
@given(universities(analysts=False), st.randoms(use_true_random=False))
def test_each_role_sees_a_subset_of_a_plan_made_on_the_union_and_that_is_safe(
    u: University, rnd
) -> None:
    # P8: faculty leaders see their faculty's subtree, HR sees organisation × attribute cells.
    lattice = lattice_of(u)
    plan = plan_disclosure(lattice, k=5)
    roles: dict[str, list[CellKey]] = {"hr": [k for k in lattice.keys if k.kind == "attribute"]}
    for fac in (unit for unit, p in u.parent.items() if p == "org"):
        roles[fac] = [
            key for key in lattice.keys if key.kind == "unit" and key.unit.startswith(fac)
        ] + [lattice.root]
    for cells in roles.values():
        visible = sorted(set(cells) & plan.shown)
        assert audit(lattice, visible, k=5).safe
    # Any two roles colluding see a subset of the union, which is safe as well.
    names = sorted(roles)
    first, second = rnd.choice(names), rnd.choice(names)
    together = sorted((set(roles[first]) | set(roles[second])) & plan.shown)
    assert attacker(views(u, together), len(u.teams), 5) == []


@SETTINGS
@given(
    universities(max_people=30, analysts=False),
    st.integers(1, 12),
    st.randoms(use_true_random=False),
)
def test_a_release_planned_with_an_earlier_one_is_safe_over_both(
    u: University, extra: int, rnd
) -> None:
    # P9: the survey grows by ``extra`` respondents after a first release.
    before = University(u.teams, u.parent, u.attributes, ())
    first = lattice_of(before)
    released = plan_disclosure(first, k=5)
    units = sorted(u.parent)
    new_teams = [rnd.choice(units) for _ in range(extra)]
    after = University(
        u.teams + new_teams,
        u.parent,
        {
            name: labels + [rnd.choice(["w", "m", "phd", None]) for _ in range(extra)]
            for name, labels in u.attributes.items()
        },
        (),
    )
    now = lattice_of(after)
    plan = plan_disclosure(now, k=5, earlier=[EarlierRelease(first, released.shown)])
    earlier_sets = views(before, sorted(released.shown))
    current_sets = views(after, sorted(plan.shown))
    n = len(after.teams)
    assert audit(now, plan.shown, k=5, earlier=[EarlierRelease(first, released.shown)]).safe
    assert derivable_groups(earlier_sets + current_sets, n, 5) == []
    assert attacker(earlier_sets + current_sets, n, 5) == []
    for key in plan.shown & released.shown:
        gained = len(cell_members(key, after.teams, after.parent, after.attributes)) - len(
            cell_members(key, before.teams, before.parent, before.attributes)
        )
        assert gained == 0 or gained >= 5, (key, gained)
