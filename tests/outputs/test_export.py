"""Tests of planner.outputs.export: Markdown and PDF handouts, JSON plan files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from planner.catalogue.models import Catalogue, LearnerProfile, Objective, Target
from planner.engine.results import Diagnosis, Recommendation, Route, ScheduledStep, Step
from planner.outputs.export import (
    PlanFile,
    PlanFileError,
    pdf_safe,
    plan_from_json,
    plan_to_json,
    route_to_markdown,
    route_to_pdf,
)
from planner.outputs.handout import unicode_font

START = dt.date(2026, 9, 7)


@pytest.fixture()
def catalogue() -> Catalogue:
    return Catalogue.model_validate({
        "providers": [{"id": "uni", "name": "Université Côte – Data | Lab", "country": "FR",
                       "kind": "university"}],
        "competencies": [{"id": "sql", "label": "SQL"}],
        "credentials": [
            {"id": "m1", "title": "Données *avancées* (niveau 1) — Łódź ★", "provider": "uni",
             "type": "micro_credential"},
            {"id": "m2", "title": "Python [basics]", "provider": "uni", "type": "course"},
            {"id": "cert", "title": "Certificate in Data", "provider": "uni", "type": "certificate",
             "award": {"rule": {"all_of": [{"credential": "m1"}, {"credential": "m2"}]}}},
        ],
        "roles": [{"id": "analyst", "title": "Data analyst", "needs": [{"competency": "sql", "level": 2}]}],
    })


def _route(rank: int, ids: tuple[str, ...], cost: float) -> Route:
    steps = (
        Step("m1", "Données *avancées* (niveau 1) — Łódź ★", "uni", cost=400.0, cost_amount=500.0,
             cost_currency="USD", ects=5.0, hours=125.0, start=START, end=START + dt.timedelta(days=69),
             serves=("SQL at level 2",), unlocks=("m2",), explanation="Teaches SQL to level 2 → needed."),
        Step("m2", "Python [basics]", "uni", cost=cost - 400.0, cost_amount=cost - 400.0, cost_currency="EUR",
             ects=3.0, hours=75.0, start=START + dt.timedelta(days=70), end=START + dt.timedelta(days=111),
             completes=("cert",), explanation="Your 2nd micro-credential completes the Certificate in Data."),
    )[: len(ids)]
    schedule = tuple(ScheduledStep(s.credential_id, 0, 10, s.start, s.end, 12.5) for s in steps)
    return Route(rank=rank, credential_ids=ids, steps=steps, total_cost=cost, currency="EUR", total_hours=200.0,
                 total_ects=8.0, start=START, finish=START + dt.timedelta(days=111), weeks=16,
                 objective=Objective.COST, objective_value=cost, proved_optimal=rank == 1,
                 awards_completed=("cert",), schedule=schedule)


@pytest.fixture()
def recommendation() -> Recommendation:
    profile = LearnerProfile.model_validate({
        "name": "Zoë O'Brien",
        "holdings": [{"credential": "m2", "earned": "2024-05-01"}],
        "competencies": [{"competency": "sql", "level": 1}],
        "constraints": {"budget": "2000 EUR", "hours_per_week": 12.5, "start": "2026-09-07",
                        "deadline": "2027-06-30", "modes": ["online"], "avoid_providers": ["x"]},
    })
    return Recommendation(
        target=Target.parse("role:analyst"), profile=profile, objective=Objective.COST,
        routes=(_route(1, ("m1", "m2"), 900.0), _route(2, ("m1",), 1200.0)),
        diagnoses=(Diagnosis("budget", "Route 2 is 200 EUR above the cheapest."),),
    )


NOTES = "Ask about evening classes.\nBring the transcript | before 1 Oct."


# --------------------------------------------------------------------------- Markdown


def test_markdown_lists_steps_dates_costs_and_reasons(recommendation, catalogue):
    md = route_to_markdown(recommendation, recommendation.routes[0], catalogue, notes=NOTES)
    assert md.startswith("# Learning plan: Data analyst\n")
    assert "For Zoë O'Brien." in md
    assert "- **Total cost:** 900 EUR" in md
    assert "07 Sep 2026 to 27 Dec 2026 \\(16 weeks\\)" in md
    assert "proved optimal" in md and "1 of 2" in md
    rows = [line for line in md.splitlines() if line.startswith("| 1 |") or line.startswith("| 2 |")]
    assert len(rows) == 2
    # catalogue text is escaped: * [ ] | would otherwise become markup or split the table row
    assert r"Données \*avancées\* \(niveau 1\) — Łódź ★" in rows[0]
    assert r"Université Côte – Data \| Lab" in rows[0]
    assert len(re.findall(r"(?<!\\)\|", rows[0])) == 9  # 8 columns, escaped pipes do not split
    assert r"400 EUR \(500 USD\)" in rows[0] and "15 Nov 2026" in rows[0]
    assert r"Python \[basics\]" in rows[1]
    # why each step is there, once: the engine's explanation
    assert md.count("Teaches SQL to level 2 → needed.") == 1
    assert md.count("Your 2nd micro-credential completes the Certificate in Data.") == 1
    assert "Serves:" not in md
    assert "Route 2 is 200 EUR above the cheapest." in md
    # the advisor's notes keep their line breaks (a hard break) and show markup as typed
    assert md.rstrip().endswith("Ask about evening classes.\\\nBring the transcript \\| before 1 Oct.")


def _shown(md: str) -> str:
    """The text a Markdown renderer shows for escaped characters (backslashes dropped)."""
    return re.sub(r"\\(.)", r"\1", md)


def test_markdown_tells_the_learners_situation_in_titles(recommendation, catalogue):
    md = route_to_markdown(recommendation, recommendation.routes[0], catalogue)
    learner = _shown(md.split("## The learner")[1].split("## Constraints")[0])
    assert "Holds Python [basics] (earned 01 May 2024, self-declared)." in learner
    assert "Knows SQL at level 1." in learner
    constraints = md.split("## Constraints")[1].split("## Summary")[0]
    for line in ("- **Budget:** 2,000 EUR", "- **Weekly study hours:** at most 12.5", "- **Start:** 07 Sep 2026",
                 "- **Finish by:** 30 Jun 2027", "- **Modes:** online", "- **Languages:** any",
                 "- **Avoiding providers:** x", "- **Optimising for:** cost"):
        assert line in constraints, line
    assert "- **Awards completed:** Certificate in Data" in md  # a title, not the id "cert"
    assert "Target: role · Data analyst" in md and "role:analyst" not in md


def test_markdown_falls_back_to_the_parts_when_a_step_has_no_explanation(recommendation, catalogue):
    route = recommendation.routes[0]
    bare = dataclasses.replace(route, steps=tuple(dataclasses.replace(s, explanation="") for s in route.steps))
    md = _shown(route_to_markdown(recommendation, bare, catalogue))
    assert md.count("Serves: SQL at level 2.") == 1
    assert "Unlocks: Python [basics]." in md and "Completes: Certificate in Data." in md


def test_markdown_without_notes_and_for_second_route(recommendation, catalogue):
    md = route_to_markdown(recommendation, recommendation.routes[1], catalogue)
    assert "Advisor's notes" not in md
    assert "2 of 2" in md and "optimality not proved" in md
    assert "Python" not in md.split("## Steps")[1].split("## Why")[0]


# --------------------------------------------------------------------------- PDF


_PDF_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "(": "(", ")": ")", "\\": "\\"}


def _pdf_literal(body: str) -> str:
    return re.sub(r"\\([0-7]{1,3}|.)", lambda m: chr(int(m[1], 8)) if m[1][0] in "01234567"
                  else _PDF_ESCAPES.get(m[1], m[1]), body, flags=re.S)


def _pdf_text(data: bytes) -> str:
    """Text shown by the (uncompressed) PDF: the strings of its text operators.

    With an embedded Unicode font the strings are 2-byte glyph codes; each font's ToUnicode
    map (``bfchar`` pairs) turns them back into characters.
    """
    raw = data.decode("latin-1")
    objects = dict(re.findall(r"(?m)^(\d+) 0 obj(.*?)endobj", raw, flags=re.S))
    maps: dict[str, dict[int, str]] = {}
    for name, ref in re.findall(r"/(F\d+) (\d+) 0 R", raw):
        to_unicode = re.search(r"/ToUnicode (\d+) 0 R", objects.get(ref, ""))
        if to_unicode:
            pairs = re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})>", objects[to_unicode[1]])
            maps[name] = {int(a, 16): chr(int(b, 16)) for a, b in pairs}
    out, font = [], ""
    for tf, body in re.findall(r"/(F\d+) [\d.]+ Tf|\((.*?)(?<!\\)\)\s*Tj", raw, flags=re.S):
        if tf:
            font = tf
            continue
        text = _pdf_literal(body)
        if font in maps:
            codes = (ord(text[i]) << 8 | ord(text[i + 1]) for i in range(0, len(text) - 1, 2))
            text = "".join(maps[font].get(code, "?") for code in codes)
        out.append(text)
    return " ".join(out)


def test_pdf_keeps_the_euro_sign_and_every_letter_with_the_unicode_font(recommendation, catalogue):
    if unicode_font() is None:
        pytest.skip("DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
    route = dataclasses.replace(recommendation.routes[0], currency="€")
    data = route_to_pdf(recommendation, route, catalogue, notes="Fees in € — ask Łukasz.")
    text = _pdf_text(data)
    assert "900 €" in text and "Fees in € — ask Łukasz." in text
    assert "Données *avancées* (niveau 1) — Łódź ★" in text
    assert "Learning plan: Data analyst" in text
    assert "Holds Python [basics] (earned 01 May 2024, self-declared)." in text
    assert route_to_pdf(recommendation, route, catalogue, notes="Fees in € — ask Łukasz.") == data


def test_pdf_without_the_unicode_font_spells_what_helvetica_cannot_show(recommendation, catalogue, monkeypatch):
    from planner.outputs import handout
    monkeypatch.setattr(handout, "UNICODE_FONT_DIRS", ())
    monkeypatch.setattr(handout.unicode_font, "__defaults__", ((),))
    route = dataclasses.replace(recommendation.routes[0], currency="€")
    text = _pdf_text(route_to_pdf(recommendation, route, catalogue))
    assert "900 EUR" in text and "L\xf3dz" in text


def test_pdf_is_a_pdf_with_the_route_and_notes(recommendation, catalogue):
    data = route_to_pdf(recommendation, recommendation.routes[0], catalogue, notes=NOTES, font="core")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = _pdf_text(data)
    assert "Learning plan: Data analyst" in text
    assert "Donn\xe9es" in text and "L\xf3dz" in text  # é, ó kept (Latin-1), Ł → L, ź → z
    assert "07 Sep 2026 to 15 Nov 2026" in text
    assert "400 EUR" in text and "500 USD" in text
    assert "Ask about evening classes." in text
    assert "Teaches SQL to level 2 -> needed." in text
    # same input, same bytes
    assert route_to_pdf(recommendation, recommendation.routes[0], catalogue, notes=NOTES, font="core") == data


def test_pdf_safe_replaces_what_core_fonts_cannot_show():
    assert pdf_safe("a – b — c “q” ‘s’ … €5 → ok") == "a - b - c \"q\" 's' ... EUR5 -> ok"
    assert pdf_safe("Łódź, Ōsaka, naïve, œuvre") == "Lódz, Osaka, naïve, oeuvre"
    assert pdf_safe("数据 ★") == "?? *"
    assert all(ord(c) < 256 for c in pdf_safe("emoji 😀 and ✓"))


# --------------------------------------------------------------------------- JSON plan file


def test_plan_file_round_trips_exactly(recommendation):
    text = plan_to_json(recommendation, 1, notes=NOTES)
    plan = plan_from_json(text)
    assert isinstance(plan, PlanFile)
    assert plan.target == recommendation.target
    assert plan.profile == recommendation.profile
    assert plan.objective is Objective.COST
    assert plan.chosen == ["m1"]
    assert plan.notes == NOTES
    assert plan.alternatives == 2
    assert plan.summary is not None and plan.summary.rank == 2 and plan.summary.total_cost == 1200.0
    assert plan.summary.steps[0].start == START
    assert plan.to_json() == text  # loads back to exactly what was saved
    data = json.loads(text)
    assert data["format"] == "stackable-planner-plan" and data["version"] == 1
    assert data["target"] == {"kind": "role", "id": "analyst", "competencies": []}
    assert data["profile"]["constraints"]["budget"] == {"amount": 2000.0, "currency": "EUR"}


def test_plan_file_without_routes_and_with_asked_alternatives(recommendation):
    empty = Recommendation(target=recommendation.target, profile=recommendation.profile,
                           objective=Objective.TIME, routes=())
    plan = plan_from_json(plan_to_json(empty, alternatives=5))
    assert plan.chosen == [] and plan.summary is None and plan.alternatives == 5
    assert plan.objective is Objective.TIME


def test_plan_to_json_rejects_a_missing_route(recommendation):
    with pytest.raises(ValueError, match="route 3 does not exist"):
        plan_to_json(recommendation, 2)


def test_plan_from_json_locates_errors(recommendation):
    good = json.loads(plan_to_json(recommendation))
    with pytest.raises(PlanFileError, match="not a JSON file: line 1"):
        plan_from_json("{oops")
    with pytest.raises(PlanFileError, match="not a plan file"):
        plan_from_json(json.dumps({"target": good["target"]}))
    with pytest.raises(PlanFileError, match="version"):
        plan_from_json(json.dumps({**good, "version": 7}))
    bad = json.loads(json.dumps(good))
    bad["profile"]["constraints"]["hours_per_week"] = -3
    bad["profile"]["holdings"][0]["earned"] = "yesterday"
    bad["objective"] = "fastest"
    with pytest.raises(PlanFileError) as info:
        plan_from_json(json.dumps(bad))
    message = str(info.value)
    assert "profile.constraints.hours_per_week:" in message
    assert "profile.holdings[0].earned:" in message
    assert "objective:" in message
    assert isinstance(info.value, ValueError)  # callers catch ValueError
    with pytest.raises(PlanFileError, match="surprise"):
        plan_from_json(json.dumps({**good, "surprise": 1}))


def test_plan_file_keeps_the_what_ifs_and_refuses_a_broken_one(recommendation):
    from planner.engine.whatif import WhatIf

    what_ifs = (WhatIf(name="What if A", budget=900.0, hours_per_week=6.0),
                WhatIf(name="What if B", avoid_providers=("p1",), add_holdings=("m1",)))
    text = plan_to_json(recommendation, 0, notes=NOTES, what_ifs=what_ifs)
    plan = plan_from_json(text)
    assert tuple(plan.what_ifs) == what_ifs and plan.to_json() == text
    # no limit is the default, so it is left out of the file like every None
    assert json.loads(text)["what_ifs"][1] == {"name": "What if B", "avoid_providers": ["p1"], "add_holdings": ["m1"]}
    # a plan file written before what-ifs were kept still reads, with none
    old = json.loads(text)
    del old["what_ifs"]
    assert plan_from_json(json.dumps(old)).what_ifs == []
    bad = json.loads(text)
    bad["what_ifs"][0]["hours_per_week"] = 500
    with pytest.raises(PlanFileError, match=r"what_ifs\[0\]\.hours_per_week"):
        plan_from_json(json.dumps(bad))
    with pytest.raises(PlanFileError, match="what_ifs"):
        plan_from_json(json.dumps({**json.loads(text), "what_ifs": [json.loads(text)["what_ifs"][0]] * 3}))
