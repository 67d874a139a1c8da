"""The oracle's exact scheduler against plain enumeration of every start week (tiny instances).

The scheduler only tries start weeks at events (see ``tests/oracle/timing``); this checks
that argument: trying every week up to a safe horizon never finds an earlier finish, and
finds a schedule exactly when the scheduler does.
"""

from __future__ import annotations

import itertools
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.oracle.timing import AwardTask, Scheduler, Task, award_times

EXAMPLES = int(os.environ.get("PLANNER_ORACLE_EXAMPLES", "150"))


@st.composite
def instances(draw):
    n = draw(st.integers(1, 3))
    tasks = []
    for i in range(n):
        earlier = [f"t{j}" for j in range(i)] + (["award"] if i == n - 1 and n > 1 else [])
        groups = tuple(tuple(draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True)))
                       for _ in range(draw(st.integers(0, 1 if earlier else 0))))
        allowed = None if draw(st.booleans()) else tuple(sorted(draw(
            st.lists(st.integers(0, 8), min_size=1, max_size=3, unique=True))))
        tasks.append(Task(f"t{i}", draw(st.integers(0, 3)), float(draw(st.sampled_from([0, 4, 6, 10]))),
                          allowed, groups))
    awards = []
    if n > 1 and draw(st.booleans()):
        parts = frozenset(draw(st.lists(st.sampled_from([t.id for t in tasks[:-1]]), min_size=1, unique=True)))
        need = draw(st.integers(1, len(parts)))
        awards.append(AwardTask("award", (), lambda done, parts=parts, need=need: len(parts & done) >= need))
    else:
        tasks[-1] = Task(tasks[-1].id, tasks[-1].weeks, tasks[-1].load, tasks[-1].allowed,
                         tuple(tuple(s for s in g if s != "award") for g in tasks[-1].groups))
        tasks[-1] = Task(tasks[-1].id, tasks[-1].weeks, tasks[-1].load, tasks[-1].allowed,
                         tuple(g for g in tasks[-1].groups if g))
    capacity = draw(st.sampled_from([None, 10.0, 12.0]))
    deadline = draw(st.sampled_from([None, 3, 5, 8]))
    return tasks, awards, capacity, deadline


def naive(tasks, awards, capacity, deadline):
    horizon = 9 + sum(t.weeks for t in tasks)
    best = None
    for starts in itertools.product(range(horizon + 1), repeat=len(tasks)):
        if any(t.allowed is not None and s not in t.allowed for t, s in zip(tasks, starts, strict=True)):
            continue
        finish = {t.id: s + t.weeks for t, s in zip(tasks, starts, strict=True)}
        done = award_times(finish, awards)
        if len(done) < len(awards):
            continue
        ok = True
        for t, s in zip(tasks, starts, strict=True):
            known = {**finish, **done}
            if any(not any(known.get(x, 10**9) <= s for x in g) for g in t.groups):
                ok = False
                break
            if deadline is not None and (s + t.weeks > deadline if t.weeks else s > deadline):
                ok = False
                break
        if not ok or (deadline is not None and any(w > deadline for w in done.values())):
            continue
        if capacity is not None:
            load: dict[int, float] = {}
            for t, s in zip(tasks, starts, strict=True):
                for w in range(s, s + t.weeks):
                    load[w] = load.get(w, 0.0) + t.load
            if any(v > capacity + 1e-9 for v in load.values()):
                continue
        makespan = max([0, *finish.values(), *done.values()])
        best = makespan if best is None else min(best, makespan)
    return best


def test_weekly_hours_make_a_course_wait_for_another_to_finish() -> None:
    # the start after a wait is a finish week of another course, not a prerequisite or intake week
    a, b = Task("a", 1, 4.0, None, ()), Task("b", 1, 10.0, None, ())
    assert Scheduler([a, b], [], 10.0).solve().makespan == 2
    c = Task("c", 3, 6.0, (0, 2, 5), ())
    result = Scheduler([Task("a", 2, 6.0, None, ()), c], [], 10.0).solve()
    assert result.makespan == 5 and result.starts == {"a": 0, "c": 2}
    assert Scheduler([a, b], [], 10.0, 1, 1).solve() is None  # a deadline of week 1 leaves no room


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_event_driven_search_finds_the_true_earliest_finish(instance) -> None:
    tasks, awards, capacity, deadline = instance
    result = Scheduler(tasks, awards, capacity, deadline, deadline).solve()
    expected = naive(tasks, awards, capacity, deadline)
    assert (result.makespan if result else None) == expected
    if result is not None:
        feasible_only = Scheduler(tasks, awards, capacity, deadline, deadline).solve(first_only=True)
        assert feasible_only is not None and feasible_only.makespan >= result.makespan


def test_the_oracle_shares_no_code_with_the_engine() -> None:
    """From ``planner`` the oracle may import only the model classes (to read parsed data)."""
    import ast
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "oracle").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("planner", "tests"):
                assert node.module == "planner.catalogue.models" or node.module.startswith("tests.oracle"), (path.name,
                                                                                                  node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "planner" for a in node.names), path.name
            # raw fields only: no helper methods or properties of the models
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"awards", "is_award"}, (path.name, node.attr)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in {"is_valid_on", "to_base", "credential", "competency", "provider",
                                              "role", "has"}, (path.name, node.func.attr)
            if isinstance(node, ast.Name):
                assert node.id != "rule_credentials", path.name
