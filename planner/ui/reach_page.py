"""Where can I get? (learner): every role and award ranked by its best route, and the next best step.

Thin: the situation comes from the scenario form the Plan page shares; the answer is
:func:`planner.store.catalogue.reach.run_reach`; the chart and its table are
:mod:`planner.outputs.plots.reach`. "Open on Plan" puts the target in the form and switches
to the Plan page, where the route is shown and can be saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import streamlit as st

from planner.catalogue.models import (
    MAX_COST,
    MAX_WEEKS,
    Catalogue,
    CompetencyLevel,
    Constraints,
    Holding,
    LearnerProfile,
    Money,
    Objective,
)
from planner.engine.reach import Reach, ReachEntry, ReachOptions
from planner.engine.scenario import Scenario
from planner.outputs.plots.reach import reach_chart, reach_rows
from planner.ui.boundary import page_boundary
from planner.ui.scenario_form import K as FORM
from planner.ui.scenario_form import scenario_form
from planner.ui.text import md_escape, reported

__all__ = ["page"]

K = "reach_"  # prefix of this page's widget keys
_RESULTS = "reach_results"  # answers already computed this session: {key: Reach}
_KEEP = 4
_KINDS = {"all": "Roles and awards", "role": "Roles", "award": "Awards"}


def _scenario(catalogue: Catalogue) -> Scenario | None:
    """The learner's situation, drawn with the Plan page's form (the target is chosen below, not here)."""
    s = st.session_state
    if s.get(FORM + "target") is None:
        first = catalogue.roles[0].id if catalogue.roles else (catalogue.awards[0].id if catalogue.awards else None)
        if first is None:
            st.warning("This catalogue has no roles or awards.")
            return None
        s[FORM + "target"] = f"{'role' if catalogue.roles else 'award'}:{first}"
    with st.expander(_situation(), expanded=False):
        st.caption("The same form as on 'Plan a route': what you change here holds there too.")
        return scenario_form(catalogue, pick_target=False)


def _situation() -> str:
    """The form's summary, as the expander's label: what the ranking starts from."""
    s = st.session_state
    held, known = len(s.get(FORM + "held", [])), len(s.get(FORM + "known", []))
    parts = [f"{held} credential{'s' * (held != 1)} held" if held else "no credentials held",
             f"{known} competenc{'ies' if known != 1 else 'y'}" if known else "no competencies"]
    if s.get(FORM + "use_budget"):
        parts.append(f"budget {s.get(FORM + 'budget', 0):,.0f} {s.get(FORM + 'currency', '')}")
    if s.get(FORM + "use_hours"):
        parts.append(f"{s.get(FORM + 'hours', 0):g} h a week")
    if s.get(FORM + "use_deadline") and s.get(FORM + "deadline"):
        parts.append(f"finish by {s[FORM + 'deadline']}")
    return "Your situation: " + ", ".join(parts) + " (change it here)"


def _state_profile() -> tuple[LearnerProfile, Objective]:
    """The learner as the Plan page's form holds it, without drawing it (compiled catalogues)."""
    s = st.session_state
    today = dt.date.today()
    holdings = [Holding(credential=c, earned=s.get(f"{FORM}held_date_{c}", today)) for c in s.get(FORM + "held", [])]
    known = [CompetencyLevel(competency=c, level=s.get(f"{FORM}known_level_{c}", 1)) for c in s.get(FORM + "known", [])]
    budget = Money(amount=s.get(FORM + "budget", 2000.0), currency=s.get(FORM + "currency", "EUR")) \
        if s.get(FORM + "use_budget") else None
    hours = s.get(FORM + "hours") if s.get(FORM + "use_hours") else None
    constraints = Constraints(budget=budget, hours_per_week=hours, start=s.get(FORM + "start", today))
    return (LearnerProfile(holdings=holdings, competencies=known, constraints=constraints),
            Objective(s.get(FORM + "objective", Objective.COST.value)))


def _filters(sectors: list[str], providers: dict[str, str], currency: str) -> dict[str, Any]:
    """The filter row: kind, sector, provider, most cost, most weeks, how many to list."""
    a, b, c = st.columns(3)
    kind = a.radio("Show", list(_KINDS), format_func=_KINDS.__getitem__, horizontal=True, key=K + "kind")
    sector = b.selectbox("Sector", ["", *sectors], format_func=lambda x: x or "Any sector", key=K + "sector")
    provider = c.selectbox("Provider", ["", *providers], format_func=lambda x: providers.get(x, "Any provider"),
                           key=K + "provider")
    d, e, f = st.columns(3)
    max_cost = d.number_input(f"Most cost ({currency}, 0: any)", min_value=0.0, max_value=MAX_COST, step=100.0,
                              key=K + "max_cost")
    max_weeks = e.number_input("Most weeks (0: any)", min_value=0, max_value=MAX_WEEKS, step=4, key=K + "max_weeks")
    top = f.slider("Closest targets to list", 3, 50, 10, key=K + "top")
    return {"kind": None if kind == "all" else kind, "sector": sector or None, "provider": provider or None,
            "max_cost": max_cost or None, "max_weeks": int(max_weeks) or None, "top": top}


def _compute(source: Any, digest: str, profile: LearnerProfile, options: ReachOptions) -> Reach:
    """The answer, from this session's memory or computed with a progress bar."""
    from planner.store.catalogue.reach import run_reach

    key = hashlib.sha256(f"{digest}|{profile.model_dump_json()}|{options!r}".encode()).hexdigest()
    kept: dict[str, Reach] = st.session_state.setdefault(_RESULTS, {})
    if key in kept:
        return kept[key]
    bar = st.progress(0.0, text="Searching the best route to every target…")

    def progress(phase: str, done: int, total: int) -> None:
        what = "Searching the best route to every target" if phase == "ranking" else "Weighing the next step"
        bar.progress(done / total if total else 1.0, text=f"{what}: {done} of {total}")

    result = run_reach(source, profile, options, progress=progress)
    bar.empty()
    kept[key] = result
    while len(kept) > _KEEP:
        kept.pop(next(iter(kept)))
    return result


def _open_on_plan(target: str) -> None:
    from planner.ui import plan_page

    st.session_state[FORM + "target"] = target
    st.switch_page(st.Page(plan_page.page, url_path="plan"))


def _next_step(result: Reach) -> None:
    step = result.next_step
    with st.container(border=True, key="reach_next"):
        st.subheader("Your next best step", anchor=False)
        if step is None:
            st.write(result.next_step_note)
            return
        st.markdown(md_escape(step.headline()[0].upper() + step.headline()[1:]) + ".")
        unit = {"cost": f" {step.currency}", "weeks": " weeks", "hours": " study hours"}[step.measure]
        change = (f"Once you hold it, reaching those {step.considered} takes {step.after_total:,.0f}{unit} in all "
                  f"instead of {step.before_total:,.0f}{unit}." if abs(step.saving) >= 0.5
                  else f"Holding it does not change their total {step.measure}: it is simply on the way.")
        st.caption(f"{md_escape(step.title)}: {step.cost:,.0f} {md_escape(step.currency)}, {step.weeks} weeks, "
                   f"{step.hours:g} study hours. {change}"
                   + ("" if step.proved else " Not every search was proved within its time limit."))
        titles = {e.target: e.title for e in step.effects}
        st.caption("On the best route to: " + "; ".join(md_escape(titles[t]) for t in step.serves))


def _entry_card(entry: ReachEntry) -> None:
    with st.container(border=True):
        kind = "Role" if entry.kind == "role" else "Award"
        weeks = f"{'≥ ' if entry.lower_bound else ''}{entry.weeks} weeks"
        st.markdown(f"**{entry.rank}. {md_escape(entry.title)}** · {kind}"
                    + (" · proved optimal" if entry.proved else " · not proved"))
        facts = (f"{entry.cost:,.0f} {md_escape(entry.currency)} · {weeks} · {entry.hours:g} study hours · "
                 f"{entry.steps} step{'s' * (entry.steps != 1)} · already met: {md_escape(entry.met_text)}")
        if entry.outlook is not None:
            o = entry.outlook
            figures = [f"{o.openings:,} openings"] if o.openings is not None else []
            figures += [f"median wage {o.median_wage}"] if o.median_wage is not None else []
            facts += f" · {md_escape('; '.join(figures))} ({md_escape(o.source)}, {o.as_of:%b %Y})"
        st.caption(facts)
        if st.button(f"Open on Plan: {md_escape(entry.title)}", key=f"{K}open_{entry.target}",
                     help="Show this route on 'Plan a route', where you can save it."):
            _open_on_plan(entry.target)


def _results(result: Reach) -> None:
    if result.note:
        st.info(md_escape(result.note))
    if not result.ranked:
        st.warning("No target within your filters is reachable with these constraints.")
    else:
        _next_step(result)
        chart, table = st.columns([3, 2], gap="medium")
        with chart, reported("Drawing the chart"):
            st.plotly_chart(reach_chart(result), key=K + "chart")
        with table:
            st.caption("The chart as a table")
            st.table(reach_rows(result), hide_index=True,
                     alt="The reachable targets in rank order: the cost and weeks of each best route, as on the chart")
        st.subheader("Closest to you", anchor=False)
        for entry in result.ranked:
            _entry_card(entry)
        more = ([f"{result.beyond_top} more reachable beyond this list"] if result.beyond_top else []) + (
            [f"{result.hidden} left out by your most cost or weeks"] if result.hidden else [])
        if more:
            st.caption("; ".join(more).capitalize() + ".")
    if result.met:
        st.success("Already reached: " + "; ".join(md_escape(e.title) for e in result.met))
    if result.unreachable:
        with st.expander(f"Not reachable with your constraints ({len(result.unreachable)})"):
            for e in result.unreachable:
                st.markdown(f"- **{md_escape(e.title)}**: {md_escape(e.diagnosis)}")


@page_boundary("Where can I get?")
def page() -> None:
    """Draw the learner's "Where can I get?" page."""
    from planner.ui.state import active_catalogue, active_store

    st.header("Where can I get?")
    st.caption("Every role and award ranked by the best route from what you hold and know, with the one next "
               "step that opens the most.")
    store = active_store()
    if store is None:
        active = active_catalogue()
        catalogue, source, digest = active.catalogue, active.catalogue, active.digest
        scenario = _scenario(catalogue)
        if scenario is None:
            return
        profile, objective = scenario.to_profile(), scenario.objective
        sectors = sorted({r.sector for r in catalogue.roles if r.sector} | {a.sector for a in catalogue.awards if
                                                                             a.sector})
        providers = {p.id: p.name for p in sorted(catalogue.providers, key=lambda p: p.name)}
        currency = catalogue.meta.base_currency
    else:
        st.caption("On a compiled catalogue this page uses what you entered on 'Plan a route'.")
        profile, objective = _state_profile()
        source, digest, sectors, providers, currency = store, store.url, [], {}, store.meta.base_currency
    if objective == Objective.CREDIT:
        objective = Objective.COST  # credit towards one award does not compare across targets
    options = ReachOptions(objective=objective, today=profile.constraints.start,
                           **_filters(sectors, providers, currency))
    st.caption(f"Ranked by the {options.measure} of each target's best route (change it under 'Optimise for').")
    with reported("Finding where you can get"):
        _results(_compute(source, digest, profile, options))
