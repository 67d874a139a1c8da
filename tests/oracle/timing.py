"""Exact earliest-finish scheduling of one credential set by exhaustive search.

Method: a depth-first search that places the set's (non-award) credentials in order of
start week. A credential's start candidates are the first allowed week (intake) at or
after the current week, its prerequisite-ready week, or a week at which an
already-placed credential finishes. Every optimum can be turned, by moving single
credentials to earlier allowed weeks, into a schedule in which no credential can start
earlier with the others fixed; in such a schedule every start is one of these candidates
(an earlier allowed week is blocked by a prerequisite, or by hours used by a credential
that started earlier and finishes at the candidate week). So the search is complete.
Awards are events: each completes at the first week its rule tree is met. States are
memoised; branches whose lower bound cannot beat the incumbent are cut.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

INTAKE_WEEKS = 520
EPS = 1e-9


def intake_weeks(intakes: Sequence[str], today: dt.date) -> tuple[int, ...]:
    """Weeks (from ``today``) containing a yearly ``MM-DD`` date on or after ``today``, 520 weeks ahead."""
    weeks: set[int] = set()
    for year in range(today.year, today.year + INTAKE_WEEKS // 52 + 2):
        for text in intakes:
            month, day = int(text[:2]), int(text[3:])
            day = min(day, calendar.monthrange(year, month)[1])  # 02-29 in a common year: 28 Feb
            date = dt.date(year, month, day)
            if date >= today:
                week = (date - today).days // 7
                if week < INTAKE_WEEKS:
                    weeks.add(week)
    return tuple(sorted(weeks))


@dataclass(frozen=True)
class Task:
    """A non-award credential to place: duration, weekly load, allowed start weeks, prerequisite groups.

    ``groups`` holds only the groups not met at week 0, each as the ids in the set that
    could meet it (never the task itself).
    """

    id: str
    weeks: int
    load: float
    allowed: tuple[int, ...] | None  # None: any week
    groups: tuple[tuple[str, ...], ...]

    def next_allowed(self, week: int) -> int | None:
        if self.allowed is None:
            return week
        i = bisect.bisect_left(self.allowed, week)
        return self.allowed[i] if i < len(self.allowed) else None


@dataclass(frozen=True)
class AwardTask:
    """An award in the set: its unmet prerequisite groups and a test of its rule tree."""

    id: str
    groups: tuple[tuple[str, ...], ...]
    met: Callable[[frozenset[str]], bool] = field(compare=False)


def award_times(finish: dict[str, int], awards: Sequence[AwardTask]) -> dict[str, int]:
    """First week each award's rules and prerequisites are met by what finished by then (absent: never)."""
    done: dict[str, int] = {}
    if not awards:
        return done
    for week in sorted({0, *finish.values()}):
        finished = {i for i, e in finish.items() if e <= week} | set(done)
        changed = True
        while changed:
            changed = False
            for a in awards:
                if a.id in done:
                    continue
                if all(any(s in finished for s in g) for g in a.groups) and a.met(frozenset(finished)):
                    done[a.id] = week
                    finished.add(a.id)
                    changed = True
        if len(done) == len(awards):
            break
    return done


@dataclass(frozen=True)
class Result:
    """A schedule: start and finish week of every task, completion week of every award."""

    makespan: int
    starts: dict[str, int]
    finishes: dict[str, int]
    award_weeks: dict[str, int]


class Scheduler:
    """Exhaustive earliest-finish search for one set.

    Parameters
    ----------
    tasks, awards
        What to place.
    capacity
        The learner's weekly hours (``None``: unlimited).
    last_finish, last_instant
        Deadline bounds: a task of ≥ 1 week must finish by week ``last_finish``; a zero-week
        task or an award by week ``last_instant`` (``None``: no deadline).
    """

    def __init__(self, tasks: Sequence[Task], awards: Sequence[AwardTask], capacity: float | None,
                 last_finish: int | None = None, last_instant: int | None = None) -> None:
        self.tasks = {t.id: t for t in tasks}
        self.award_tasks = list(awards)
        self.capacity = capacity
        self.last_finish = last_finish
        self.last_instant = last_instant
        self.best: Result | None = None
        self.seen: set[tuple[int, frozenset[tuple[str, int]]]] = set()
        self.first_only = False
        self.nodes = 0

    def _fits_deadline(self, task: Task, start: int) -> bool:
        if self.last_finish is None:
            return True
        if task.weeks >= 1:
            return start + task.weeks <= self.last_finish
        return start <= (self.last_instant if self.last_instant is not None else start)

    def _fits_hours(self, load: dict[int, float], task: Task, start: int) -> bool:
        if self.capacity is None or task.weeks == 0 or task.load <= 0:
            return True
        return all(load.get(week, 0.0) + task.load <= self.capacity + EPS
                   for week in range(start, start + task.weeks))

    def solve(self, first_only: bool = False) -> Result | None:
        """Earliest-finish schedule (or, with ``first_only``, any schedule), or ``None`` when none exists."""
        self.first_only = first_only
        self._dfs({}, {}, 0, {})
        return self.best

    def _bound(self) -> int:
        return self.best.makespan if self.best is not None else 10**9

    def _dfs(self, starts: dict[str, int], finish: dict[str, int], now: int, load: dict[int, float]) -> bool:
        """Return True to stop the whole search (first_only found one)."""
        self.nodes += 1
        if len(starts) == len(self.tasks):
            return self._leaf(starts, finish)
        key = (now, frozenset(starts.items()))
        if key in self.seen:
            return False
        self.seen.add(key)
        done = award_times(finish, self.award_tasks)
        ready_of: dict[str, int] = {}
        for tid, task in self.tasks.items():
            if tid in starts:
                continue
            ready = now
            for group in task.groups:
                times = [finish[s] for s in group if s in finish] + [done[s] for s in group if s in done]
                if not times:
                    ready = -1
                    break
                ready = max(ready, min(times))
            if ready >= 0:
                ready_of[tid] = ready
        # lower bound: every unplaced task starts no earlier than its next allowed week from now
        current = max(finish.values(), default=0)
        floor = current
        for tid, task in self.tasks.items():
            if tid in starts:
                continue
            first = task.next_allowed(now)
            if first is None:
                return False
            floor = max(floor, first + task.weeks)
        if floor >= self._bound():
            return False
        for tid, ready in ready_of.items():
            task = self.tasks[tid]
            # without a weekly-hours conflict only the first allowed week after ready can be semi-active
            uses_hours = self.capacity is not None and task.weeks > 0 and task.load > 0
            points = {ready, *(e for e in finish.values() if e > ready and uses_hours)}
            candidates = sorted({s for p in points if (s := task.next_allowed(p)) is not None})
            for start in candidates:
                if not self._fits_deadline(task, start):
                    break
                if max(current, start + task.weeks) >= self._bound():
                    break
                if not self._fits_hours(load, task, start):
                    continue
                new_load = dict(load)
                if task.weeks and task.load > 0:
                    for week in range(start, start + task.weeks):
                        new_load[week] = new_load.get(week, 0.0) + task.load
                starts[tid] = start
                finish[tid] = start + task.weeks
                stop = self._dfs(starts, finish, start, new_load)
                del starts[tid], finish[tid]
                if stop:
                    return True
        return False

    def _leaf(self, starts: dict[str, int], finish: dict[str, int]) -> bool:
        done = award_times(finish, self.award_tasks)
        if len(done) < len(self.award_tasks):
            return False
        if self.last_instant is not None and any(t > self.last_instant for t in done.values()):
            return False
        makespan = max([0, *finish.values(), *done.values()])
        if makespan < self._bound():
            self.best = Result(makespan, dict(starts), dict(finish), done)
        return self.first_only
