"""Hypothesis strategies: random small catalogues, learner profiles and targets.

Everything is built through the public model constructors. Ids are ordered so that
prerequisites and award components always point to earlier credentials (acyclic).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from planner.catalogue.models import Catalogue, LearnerProfile, Target

TODAY = dt.date(2027, 1, 4)  # a Monday
COMPETENCIES = ["k0", "k1", "k2", "k3"]
COUNTRIES = ["SE", "DE", "ES"]
LANGUAGES = ["en", "sv", "de"]
AUDIENCES = ["in-state", "out-of-state", "member"]
RATES = {"SEK": 0.0875}
#: intake dates around TODAY: same day, next week, just passed (next year), later, 29 Feb
INTAKES = ["01-04", "01-10", "01-11", "01-03", "02-01", "03-15", "02-29", "09-01"]


@dataclass(frozen=True)
class Scenario:
    """One generated instance, with its raw data so that a failing case can be saved as JSON."""

    catalogue: dict[str, Any]
    profile: dict[str, Any]
    target: dict[str, Any]

    def build(self) -> tuple[Catalogue, LearnerProfile, Target]:
        return (Catalogue.model_validate(self.catalogue), LearnerProfile.model_validate(self.profile),
                Target.model_validate(self.target))


def _near(draw: st.DrawFn, day: dt.date, spread: list[int]) -> str:
    return (day + dt.timedelta(days=draw(st.sampled_from(spread)))).isoformat()


@st.composite
def scenarios(draw: st.DrawFn, max_plain: int = 6, max_awards: int = 2, complete: bool = False) -> Scenario:
    """A random catalogue (2–3 providers, plain credentials, 0–2 awards, agreements), profile and target.

    With ``complete`` every course gives its duration (≥ 1 week) and weekly hours, so
    that only selection, scheduling and award rules are exercised, not the effort rule.
    """
    providers = [{"id": f"p{i}", "name": f"P{i}", "country": draw(st.sampled_from(COUNTRIES)), "kind": "other"}
                 for i in range(draw(st.integers(2, 3)))]
    n_plain = draw(st.integers(2, max_plain))
    n_awards = draw(st.integers(0, max_awards))
    # awards sit among the plain credentials, so later courses may require them
    order: list[str] = []
    plain_left, award_left = n_plain, n_awards
    while plain_left or award_left:
        if award_left and len([o for o in order if o.startswith("c")]) >= 2 and (
                not plain_left or draw(st.integers(0, 2)) == 0):
            order.append(f"a{n_awards - award_left}")
            award_left -= 1
        else:
            order.append(f"c{n_plain - plain_left}")
            plain_left -= 1
    creds: list[dict[str, Any]] = []
    for idx, cid in enumerate(order):
        earlier = order[:idx]
        spec: dict[str, Any] = {"id": cid, "title": cid.upper(), "provider": draw(st.sampled_from(providers))["id"],
                                "type": "course" if cid.startswith("c") else "certificate"}
        priced = draw(st.integers(0, 5))
        if priced == 5:  # prices per audience: alternatives (docs/semantics.md, "Cost of a credential")
            audiences = draw(st.lists(st.sampled_from([None, *AUDIENCES]), min_size=1, max_size=3, unique=True))
            spec["costs"] = [{"audience": a, "price": draw(_price())} for a in audiences]
            spec["costs"] = [{k: v for k, v in o.items() if v is not None} for o in spec["costs"]]
        elif priced:
            spec["cost"] = draw(_price())
        if cid.startswith("c"):
            if draw(st.integers(0, 2)):
                spec["ects"] = draw(st.sampled_from([0, 1, 2.5, 5, 10]))
            if draw(st.integers(0, 2)) == 0:
                spec["hours"] = draw(st.sampled_from([0, 20, 40, 60]))
            if complete or draw(st.integers(0, 2)):
                spec["duration_weeks"] = draw(st.sampled_from([1, 2, 3, 4, 6] if complete else [0, 1, 2, 3, 4, 6]))
            if complete or draw(st.integers(0, 2)) == 0:
                spec["hours_per_week"] = draw(st.sampled_from([4, 5, 8] if complete else [4, 5, 8, 10, 15]))
            runs = draw(st.integers(0, 3))
            if runs == 1:
                spec["runs"] = {"rolling": True}
            elif runs >= 2:
                spec["runs"] = {"intakes": draw(st.lists(st.sampled_from(INTAKES), min_size=1, max_size=2,
                                                         unique=True))}
            if draw(st.integers(0, 2)) == 0:
                spec["credit_validity_years"] = draw(st.sampled_from([0.5, 1, 3]))
        else:
            spec["award"] = draw(_award(earlier))
        if not complete and draw(st.integers(0, 3)) == 0:
            spec["languages"] = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True))
        if not complete and draw(st.integers(0, 3)) == 0:
            spec["participation"] = draw(st.sampled_from(["online", "onsite", "blended", ["online", "onsite"],
                                                          ["onsite", "blended"]]))
        spec["teaches"] = [{"competency": k, "level": draw(st.sampled_from([1, 2, 2, 3, 3]))}
                           for k in draw(st.lists(st.sampled_from(COMPETENCIES), min_size=int(cid[0] == "c"),
                                                  max_size=2, unique=True))]
        groups = []
        # the time-focused mode favours OR groups that several courses of different speeds can meet
        comps, top = (COMPETENCIES[:2], 1) if complete else (COMPETENCIES, 3)
        for _ in range(draw(st.integers(0, 2)) if earlier or complete else 0):
            alts = []
            for _ in range(draw(st.integers(1, 2))):
                if earlier and draw(st.booleans()):
                    alts.append({"credential": draw(st.sampled_from(earlier))})
                else:
                    alts.append({"competency": draw(st.sampled_from(comps)), "level": draw(st.integers(1, top))})
            groups.append({"any_of": alts})
        spec["requires"] = groups
        creds.append(spec)
    awards = [c for c in creds if "award" in c]
    plain = [c["id"] for c in creds if "award" not in c]
    recognitions = []
    for i in range(draw(st.integers(0, 2)) if awards else 0):
        award = draw(st.sampled_from(awards))
        ids_in_tree = _tree_ids(award["award"]["rule"])
        pool_ids = _pool_ids(award["award"]["rule"])
        agreement: dict[str, Any] = {"id": f"r{i}", "provider": draw(st.sampled_from(providers))["id"],
                                     "credential": draw(st.sampled_from(plain)), "award": award["id"],
                                     "credits": draw(st.sampled_from([2.5, 5, 10]))}
        how = draw(st.integers(0, 2))
        if how == 1 and ids_in_tree:
            agreement["equivalent_to"] = draw(st.sampled_from(ids_in_tree))
        elif how == 2 and pool_ids:
            agreement["pool"] = draw(st.sampled_from(pool_ids))
        if draw(st.booleans()):
            agreement["valid_from"] = _near(draw, TODAY, [-30, -1, 0, 1])
        if draw(st.booleans()):
            agreement["valid_until"] = _near(draw, TODAY, [-1, 0, 1, 30])
        if agreement.get("valid_from") and agreement.get("valid_until") and \
                agreement["valid_until"] < agreement["valid_from"]:
            agreement["valid_until"] = agreement["valid_from"]
        recognitions.append(agreement)
    taught = sorted({t["competency"] for c in creds for t in c["teaches"]})
    pool = taught if complete and taught else COMPETENCIES  # time-focused: needs someone teaches
    needs = [{"competency": k, "level": draw(st.integers(1, 2)), "essential": True}
             for k in draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))]
    for k in draw(st.lists(st.sampled_from(COMPETENCIES), max_size=2, unique=True)):
        needs.append({"competency": k, "level": draw(st.integers(1, 3)), "essential": False})
    catalogue = {
        "meta": {"name": "generated", "base_currency": "EUR", "exchange_rates": dict(RATES)},
        "providers": providers,
        "competencies": [{"id": k, "label": k} for k in COMPETENCIES],
        "credentials": creds,
        "roles": [{"id": "role", "title": "Role", "needs": needs}],
        "recognitions": recognitions,
    }
    profile = draw(_profile(creds, complete))
    kind = draw(st.sampled_from(["role", "role", "award", "competencies"] if awards else ["role", "competencies"]))
    if kind == "role":
        target: dict[str, Any] = {"kind": "role", "id": "role"}
    elif kind == "award":
        target = {"kind": "award", "id": draw(st.sampled_from(awards))["id"]}
    else:
        target = {"kind": "competencies", "competencies": [
            {"competency": k, "level": draw(st.integers(1, 2))}
            for k in draw(st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=2, unique=True))]}
    return Scenario(catalogue, profile, target)


def _tree_ids(rule: dict[str, Any]) -> list[str]:
    if "credential" in rule:
        return [rule["credential"]]
    if "credits" in rule:
        return list(rule["from"])
    return [i for child in rule.get("all_of", rule.get("of", [])) for i in _tree_ids(child)]


def _pool_ids(rule: dict[str, Any]) -> list[str]:
    if "credits" in rule:
        return [rule["id"]] if rule.get("id") else []
    if "credential" in rule:
        return []
    return [i for child in rule.get("all_of", rule.get("of", [])) for i in _pool_ids(child)]


@st.composite
def _award(draw: st.DrawFn, earlier: list[str]) -> dict[str, Any]:
    counter = iter(range(100))

    def rule(depth: int) -> dict[str, Any]:
        kind = draw(st.integers(0, 3 if depth < 2 else 1))
        if kind == 0:
            return {"credential": draw(st.sampled_from(earlier))}
        if kind == 1:
            pool: dict[str, Any] = {"credits": draw(st.sampled_from([2.5, 5, 10, 15])),
                                    "from": draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=3,
                                                          unique=True))}
            if draw(st.booleans()):
                pool["id"] = f"pool{next(counter)}"
            return pool
        kids = [rule(depth + 1) for _ in range(draw(st.integers(1, 3)))]
        if kind == 2:
            return {"all_of": kids}
        return {"n_of": draw(st.integers(1, len(kids))), "of": kids}

    spec: dict[str, Any] = {"rule": rule(0)}
    if draw(st.booleans()):
        spec["rpl_cap"] = draw(st.sampled_from([0, 2.5, 5, 10]))
    if draw(st.integers(0, 3)) == 0:
        spec["credit_validity_years"] = draw(st.sampled_from([1, 2]))
    return spec


@st.composite
def _price(draw: st.DrawFn) -> dict[str, Any]:
    price = {"amount": draw(st.integers(0, 6)) * 50 * (10 if draw(st.booleans()) else 1),
             "currency": draw(st.sampled_from(["EUR", "EUR", "SEK"]))}
    if price["currency"] == "EUR":
        price["amount"] = min(price["amount"], 600)
    return price


@st.composite
def _profile(draw: st.DrawFn, creds: list[dict[str, Any]], timed: bool = False) -> dict[str, Any]:
    holdings = []
    for cid in draw(st.lists(st.sampled_from([c["id"] for c in creds]), max_size=2, unique=True)):
        cred = next(c for c in creds if c["id"] == cid)
        years = cred.get("credit_validity_years", draw(st.sampled_from([1, 2])))
        edge = TODAY - dt.timedelta(days=years * 365.25)
        holdings.append({"credential": cid, "earned": _near(draw, edge, [-1, 0, 1, 2, 200])})
    constraints: dict[str, Any] = {"start": TODAY.isoformat()}
    if draw(st.integers(0, 5 if timed else 2)) == 0:
        constraints["budget"] = {"amount": draw(st.sampled_from([300, 600, 1000, 2000])) *
                                 (10 if (cur := draw(st.sampled_from(["EUR", "SEK"]))) == "SEK" else 1),
                                 "currency": cur}
    if draw(st.booleans()):
        constraints["hours_per_week"] = draw(st.sampled_from([8, 10, 12, 16] if timed else [5, 8, 10, 15, 20]))
    if draw(st.integers(0, 1 if timed else 2)) == 0:
        constraints["deadline"] = (TODAY + dt.timedelta(days=draw(st.integers(1, 16 if timed else 40)) * 7 +
                                                        draw(st.sampled_from([-1, 0, 5, 6])))).isoformat()
    if not timed and draw(st.integers(0, 5)) == 0:
        constraints["modes"] = draw(st.lists(st.sampled_from(["online", "onsite", "blended"]), min_size=1,
                                             max_size=2, unique=True))
    if draw(st.integers(0, 3)) == 0:
        constraints["audiences"] = draw(st.lists(st.sampled_from(AUDIENCES), min_size=1, max_size=2, unique=True))
    if not timed and draw(st.integers(0, 5)) == 0:
        constraints["languages"] = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True))
    if not timed and draw(st.integers(0, 5)) == 0:
        constraints["countries"] = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2, unique=True))
    declared = [{"competency": k, "level": draw(st.integers(1, 3))}
                for k in draw(st.lists(st.sampled_from(COMPETENCIES), max_size=2, unique=True))]
    return {"holdings": holdings, "competencies": declared, "constraints": constraints}


@st.composite
def race_scenarios(draw: st.DrawFn) -> Scenario:
    """A course behind an OR group that several courses of different speed and price can open.

    Openers teach ``k0`` (the prerequisite); some also teach ``k2``, which the role needs,
    or ``k3``, an optional need. The cheapest or smallest set is then often not the
    fastest, and a deadline may need a dearer superset: where time-aware search breaks.
    """
    creds: list[dict[str, Any]] = []
    for i in range(draw(st.integers(2, 4))):
        teaches = [{"competency": "k0", "level": 1}]
        teaches += [{"competency": k, "level": 1} for k in draw(st.lists(st.sampled_from(["k2", "k3"]),
                                                                         max_size=1))]
        spec: dict[str, Any] = {"id": f"o{i}", "title": f"O{i}", "provider": "p0", "type": "course",
                                "cost": {"amount": draw(st.integers(0, 6)) * 25, "currency": "EUR"},
                                "duration_weeks": draw(st.integers(1, 8)),
                                "hours_per_week": draw(st.sampled_from([4, 6, 8])), "teaches": teaches}
        if draw(st.integers(0, 3)) == 0:
            spec["runs"] = {"intakes": draw(st.lists(st.sampled_from(INTAKES), min_size=1, max_size=2, unique=True))}
        creds.append(spec)
    openers = [c["id"] for c in creds]
    group = [{"competency": "k0", "level": 1}]
    if draw(st.booleans()):
        group.append({"credential": draw(st.sampled_from(openers))})
    creds.append({"id": "main", "title": "Main", "provider": "p1", "type": "course",
                  "cost": {"amount": draw(st.integers(1, 4)) * 100, "currency": draw(st.sampled_from(["EUR", "SEK"]))},
                  "duration_weeks": draw(st.integers(1, 4)), "hours_per_week": draw(st.sampled_from([4, 6, 8])),
                  "teaches": [{"competency": "k1", "level": 1}], "requires": [{"any_of": group}]})
    needs = [{"competency": "k1", "level": 1}]
    if any(t["competency"] == "k2" for c in creds for t in c["teaches"]) and draw(st.booleans()):
        needs.append({"competency": "k2", "level": 1})
    if draw(st.booleans()):
        needs.append({"competency": "k3", "level": 1, "essential": False})
    catalogue = {
        "meta": {"name": "race", "base_currency": "EUR", "exchange_rates": dict(RATES)},
        "providers": [{"id": "p0", "name": "P0", "country": "SE", "kind": "other"},
                      {"id": "p1", "name": "P1", "country": "DE", "kind": "other"}],
        "competencies": [{"id": k, "label": k} for k in COMPETENCIES],
        "credentials": creds,
        "roles": [{"id": "role", "title": "Role", "needs": needs}],
        "recognitions": [],
    }
    constraints: dict[str, Any] = {"start": TODAY.isoformat()}
    if draw(st.booleans()):
        constraints["hours_per_week"] = draw(st.sampled_from([8, 10, 12, 16]))
    if draw(st.booleans()):
        constraints["deadline"] = (TODAY + dt.timedelta(days=7 * draw(st.integers(2, 12)) +
                                                        draw(st.sampled_from([-1, 0, 6])))).isoformat()
    return Scenario(catalogue, {"constraints": constraints}, {"kind": "role", "id": "role"})
