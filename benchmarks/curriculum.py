"""Seeded degree curricula for balanced term plans (benchmarks and tests).

A curriculum of ``n`` courses for ``terms`` semesters of 26 weeks (starting on Monday
31 August, so semesters start about 31 August and 1 March):

* courses sit on year-like **levels** (``terms // 2 + 1`` of them, so the prerequisite
  chains leave room to balance); a course above level 0 requires one or two courses of
  the two levels below, one requirement in six being "either of two courses";
* modules of standard sizes: 5 ECTS mostly, some 7.5 and 10 (25 study hours an ECTS); most
  run a semester, about one in seven is a half-semester block and one in ten a
  two-semester project of twice the credit;
* about one course in five starts only on some dates of the year: a semester start, or for
  a block the start or the middle of a semester (12 October, 12 April);
* a certificate is earned by four early courses (``all_of``), and the degree by the credit
  of every course (a ``credits`` pool), so award rules are part of the model;
* the learner studies at most about 1.35 times, and at least about half, the average
  weekly load, and takes at most ``ceil(n / terms) + 2`` courses a semester.

The generator is deterministic for a given ``(n, terms, seed)``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from planner.catalogue.models import Catalogue, LearnerProfile

__all__ = ["START", "TERM_WEEKS", "curriculum"]

#: Week 0 of every generated plan (a Monday).
START = dt.date(2026, 8, 31)
#: Length of a term (a semester).
TERM_WEEKS = 26
#: Module sizes in ECTS, as often: mostly 5, some 7.5 and 10.
_MODULE_ECTS = (5.0, 5.0, 5.0, 5.0, 7.5, 10.0)
_INTAKES = (("08-31",), ("03-01",), ("03-01", "08-31"))
_BLOCK_INTAKES = (("08-31", "03-01"), ("10-12",), ("04-12",), ("08-31", "10-12"))


def curriculum(n: int, terms: int, seed: int = 0) -> tuple[Catalogue, list[str], LearnerProfile]:
    """Generate a degree of ``n`` courses meant to be spread over ``terms`` terms.

    Parameters
    ----------
    n
        Number of courses (awards not counted).
    terms
        Number of terms the plan is meant to use; sets the depth of the prerequisite chains
        and the learner's loads.
    seed
        Random seed.

    Returns
    -------
    tuple of (Catalogue, list of str, LearnerProfile)
        The catalogue, the route (every course, the certificate and the degree) and a
        learner with a minimum and maximum weekly load and a cap on courses per term.

    """
    rng = random.Random(f"curriculum-{n}-{terms}-{seed}")
    levels = max(2, terms // 2 + 1)
    by_level: list[list[str]] = [[] for _ in range(levels)]
    creds: list[dict[str, Any]] = []
    total = 0.0
    for i in range(n):
        cid = f"c{i:02d}"
        level = min(levels - 1, i * levels // n)
        ects = rng.choice(_MODULE_ECTS)
        kind = rng.random()
        if kind < 0.1 and level < levels - 1:
            weeks, ects = 2 * TERM_WEEKS, 2 * ects  # a two-semester project
        elif kind < 0.25:
            weeks = TERM_WEEKS // 2
        else:
            weeks = TERM_WEEKS
        data: dict[str, Any] = {"id": cid, "title": f"Course {i}", "provider": "uni", "type": "course",
                                "duration_weeks": weeks, "hours": 25 * ects, "ects": ects}
        total += 25 * ects
        if rng.random() < 0.2:
            data["runs"] = {"intakes": list(rng.choice(_BLOCK_INTAKES if weeks < TERM_WEEKS else _INTAKES))}
        if level > 0:
            lower = [c for lv in by_level[max(0, level - 2):level] for c in lv]
            groups = []
            for p in rng.sample(lower, min(len(lower), rng.choice([1, 1, 2]))):
                other = rng.choice(lower)
                if rng.random() < 1 / 6 and other != p:
                    groups.append({"any_of": [{"credential": p}, {"credential": other}]})
                else:
                    groups.append({"credential": p})
            data["requires"] = groups
        by_level[level].append(cid)
        creds.append(data)
    course_ids = [c["id"] for c in creds]
    creds.append({"id": "cert", "title": "Certificate", "provider": "uni", "type": "certificate",
                  "award": {"rule": {"all_of": [{"credential": c} for c in course_ids[:4]]}}})
    degree_credit = min(300, math.floor(0.9 * sum(c["ects"] for c in creds if "ects" in c)))
    creds.append({"id": "degree", "title": "Degree", "provider": "uni", "type": "bachelor",
                  "award": {"rule": {"credits": degree_credit, "from": course_ids}}})
    cat = Catalogue.model_validate({
        "providers": [{"id": "uni", "name": "University", "country": "DE", "kind": "university"}],
        "credentials": creds,
    })
    avg = total / terms / TERM_WEEKS
    prof = LearnerProfile.model_validate({"constraints": {
        "start": START.isoformat(),
        "hours_per_week": min(80, math.ceil(1.35 * avg)),  # the model allows at most 80
        "min_hours_per_week": math.floor(0.5 * avg),
        "max_credentials_per_term": math.ceil(n / terms) + 2,
    }})
    return cat, [*course_ids, "cert", "degree"], prof
