"""Plan a route (learner): target, situation and constraints in; ranked routes out."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from planner.catalogue.models import Catalogue, Holding
from planner.engine.results import Recommendation, Route
from planner.engine.rules import HEAVY_WEEKLY_HOURS, peak_weekly_load
from planner.engine.scenario import Scenario
from planner.outputs.dates import day, real_start
from planner.outputs.plots.route import (
    pathway_graph,
    pathway_sentences,
    stacking_flows,
    stacking_rows,
    stacking_sankey,
    timeline,
    timeline_rows,
)
from planner.ui.boundary import page_boundary
from planner.ui.compute import cached_recommend
from planner.ui.records import save_controls
from planner.ui.scenario_form import (
    apply_relaxation_to_state,
    page_catalogue,
    scenario_form,
)
from planner.ui.share import show_link
from planner.ui.text import md_escape, reported
from planner.ui.widgets import chart
from planner.verify.words import holding_words

__all__ = ["counted_holdings", "diagnoses", "fewer_routes", "heavy_load", "page", "route_card", "route_details"]

CHOSEN = "plan_chosen_rank"


def route_card(route: Route, catalogue: Catalogue, *, title: str | None = None, base: Route | None = None,
               per_row: int = 4) -> None:
    """One route's headline figures in a bordered card; with ``base``, the differences from it.

    ``per_row`` figures side by side (4, or 2 in a narrow column, so no number is cut off).
    """
    def delta(now: float, then: float | None, fmt: str) -> str | None:
        return None if then is None or now == then else format(now - then, fmt)

    with st.container(border=True):
        st.markdown(f"**{title or f'Route {route.rank}'}**" + ("  ✓ proved optimal" if route.proved_optimal else "")
                    + ("" if route.schedule_proved_optimal else " · finish date: best found in time"))
        top = st.columns(per_row)
        a, b, c, d = (*top, *st.columns(per_row)) if per_row < 4 else top
        a.metric(f"Cost ({route.currency})", f"{route.total_cost:,.0f}",
                 delta(route.total_cost, base and base.total_cost, "+,.0f"), delta_color="inverse")
        if route.duration_unknown:
            b.metric("Weeks", "unknown" if route.weeks == 0 else f"≥ {route.weeks}")
        else:
            b.metric("Weeks", route.weeks, delta(route.weeks, base and base.weeks, "+d"), delta_color="inverse")
        c.metric("ECTS", f"{route.total_ects:g}", delta(route.total_ects, base and base.total_ects, "+g"))
        d.metric("Optional fit", f"{route.fit:.0%}", delta(100 * route.fit, base and 100 * base.fit, "+.0f"))
        steps = len(route.steps)
        when = (f"{day(route.start)} → {day(route.finish)}" if not route.duration_unknown
                else f"from {day(route.start)}, {route.duration_text}")
        st.caption(f"{when} · {steps} step{'s' * (steps != 1)} · {route.total_hours:g} study hours")
        if route.awards_completed:
            st.caption("Completes: " + ", ".join(md_escape(catalogue.credential(a).title)
                                                 for a in route.awards_completed))
        stacks: dict[str, list[float]] = {}
        for _, award, credit in stacking_flows(route, catalogue):
            if award:
                stacks.setdefault(award, []).append(credit)
        for award, credits in stacks.items():
            st.caption(f"Stacks: {len(credits)} credential{'s' * (len(credits) != 1)} ({sum(credits):g} ECTS) → "
                       f"{md_escape(catalogue.credential(award).title)}")


def counted_holdings(scenario: Scenario, catalogue: Catalogue) -> None:
    """What the routes count as already held, each marked verified or self-declared."""
    if not scenario.holdings:
        return
    with st.container(border=True, key="plan_counted"):
        st.markdown("**Counted from what you hold**")
        for h in sorted(scenario.holdings, key=lambda h: (h.verification != "verified", h.credential)):
            title = catalogue.credential(h.credential).title if catalogue.has("credential", h.credential) \
                else h.credential
            how = holding_words(h.verification)  # the words every output uses (planner.verify.words)
            st.markdown(f"- {md_escape(title)} · earned {day(h.earned)} · **{how}**")
        if any(h.verification == "verified" for h in scenario.holdings):
            st.caption("A shared link lists these holdings as self-declared: verification does not travel in a "
                       "link. Whoever opens it uploads the credentials again to have them verified.")


def _handout(rec: Recommendation, route: Route, catalogue: Catalogue, scenario: Scenario, digest: str) -> None:
    """The handout and the plan file, with the plan's what-ifs and notes (as a save keeps them)."""
    from planner.engine.whatif import WhatIfResult
    from planner.outputs import export
    from planner.ui.workspace import saved_work

    work = saved_work(scenario)
    results = [WhatIfResult(w, w.describe(scenario, catalogue), cached_recommend(catalogue, digest, w.apply(scenario)))
               for w in work.what_ifs]
    a, b = st.columns(2)
    a.download_button("Markdown handout", export.route_to_markdown(rec, route, catalogue, notes=work.notes,
                                                                   what_ifs=results),
                      file_name="plan.md", mime="text/markdown", key="plan_dl_md", on_click="ignore",
                      help="The chosen route with what you hold, each marked verified or self-declared, and the "
                           "plan's what-ifs and notes.")
    b.download_button("Plan file (JSON)", export.plan_to_json(rec, rec.routes.index(route), notes=work.notes,
                                                              alternatives=scenario.alternatives,
                                                              what_ifs=work.what_ifs),
                      file_name="plan.json", mime="application/json", key="plan_dl_json", on_click="ignore",
                      help="The question, the chosen route, the what-ifs and the notes: open it on 'Compare and "
                           "what-if' or save it with 'planner plans save'.")


def route_details(route: Route, catalogue: Catalogue, scenario: Scenario, *, key: str) -> None:
    """The chosen route: steps with explanations, timeline, pathway graph, stacking Sankey."""
    steps_tab, time_tab, graph_tab, sankey_tab = st.tabs(["Steps", "Timeline", "Pathway", "Credit stacking"])
    with steps_tab:
        for i, step in enumerate(route.steps, 1):
            with st.container(border=True):
                when = (f"{day(real_start(step.credential_id, step.start, catalogue))} → {day(step.end)}"
                        if step.start and step.end else "")
                st.markdown(f"**{i}. {md_escape(step.title)}** · {when}")
                st.text(step.explanation)
    with time_tab, reported("Drawing the timeline"):
        by = st.radio("Show", ["date", "week"], horizontal=True, key=f"{key}_timeline_by",
                      format_func={"date": "by date", "week": "by week from the start"}.__getitem__)
        chart(timeline(route, catalogue, by=by), key=f"{key}_timeline", rows=timeline_rows(route, catalogue))
    with graph_tab, reported("Drawing the pathway graph"):
        chart(pathway_graph(route, catalogue, scenario.to_target()), key=f"{key}_graph",
              sentences=pathway_sentences(route, catalogue, scenario.to_target()))
    with sankey_tab, reported("Drawing the credit Sankey"):
        flows = stacking_rows(route, catalogue)
        if flows:
            chart(stacking_sankey(route, catalogue), key=f"{key}_sankey", rows=flows)
        else:
            st.caption("No step of this route carries credit (ECTS).")


def diagnoses(rec: Recommendation, catalogue: Catalogue, *, fix_buttons: bool = True) -> None:
    """Why no route reaches the target, each reason with the change that fixes it.

    With ``fix_buttons`` each change is a button that applies it to the scenario form;
    without (a what-if column), the change is only named.
    """
    st.error("No route reaches this target with these constraints.")
    for i, diag in enumerate(rec.diagnoses):
        with st.container(border=True):
            st.text(diag.message)
            if diag.relaxation:
                change = ", ".join(_describe(k, v, catalogue) for k, v in diag.relaxation.items())
                if fix_buttons:
                    st.button("Apply: " + md_escape(change), key=f"relax_{i}", on_click=apply_relaxation_to_state,
                              args=(diag.relaxation,))
                else:
                    st.caption("Would fix it: " + md_escape(change))


def fewer_routes(rec: Recommendation, asked: int) -> None:
    """Say so when the engine found fewer routes than were asked for."""
    found = len(rec.routes)
    if 0 < found < asked:
        st.info(f"Only {found} route{'s' * (found != 1)} reach{'es' * (found == 1)} this target with these "
                f"constraints (you asked for {asked}): there are no other ways to get there.")


def heavy_load(route: Route, scenario: Scenario) -> None:
    """Warn when a route with no weekly-hours limit piles parallel courses past a full-time week."""
    if scenario.hours_per_week is not None:
        return  # the schedule keeps to the limit the learner set
    hours, week, running = peak_weekly_load(route.schedule)
    if hours <= HEAVY_WEEKLY_HOURS:
        return
    st.warning(f"Heavy weekly load: from {day(route.start + dt.timedelta(weeks=week))} this route asks "
               f"{hours:g} study hours a week ({running} credentials at once), more than a full-time "
               f"{HEAVY_WEEKLY_HOURS:g}-hour week. Tick 'Weekly hours limit' to spread them out.")


_NO_LIMIT = {"budget": "no budget limit", "hours_per_week": "no weekly hours limit", "deadline": "no deadline"}
#: How a list-valued change reads: (with some values, with none).
_LISTS = {"avoid_providers": ("avoid only {}", "avoid no provider"), "avoid_credentials": ("avoid only {}",
                                                                                           "avoid no credential"),
          "modes": ("modes: {}", "any mode"), "languages": ("languages: {}", "any language"),
          "countries": ("countries: {}", "any country")}


def _describe(key: str, value: object, catalogue: Catalogue) -> str:
    """A diagnosis's suggested change in words: names, not ids; dates as "27 Aug 2027"."""
    if value is None:
        return _NO_LIMIT.get(key, f"no {key.replace('_', ' ')} limit")
    if key == "budget" and isinstance(value, dict):
        return f"budget {value['amount']:,.0f} {value['currency']}"
    if key == "hours_per_week" and isinstance(value, (int, float)):
        return f"{value:g} hours a week"
    if key == "deadline" and isinstance(value, str):
        try:
            return f"finish by {day(dt.date.fromisoformat(value))}"
        except ValueError:
            return f"finish by {value}"
    if isinstance(value, list):
        kind = {"avoid_providers": "provider", "avoid_credentials": "credential"}.get(key)
        names = [catalogue.provider(v).name if kind == "provider" and catalogue.has("provider", v)
                 else catalogue.credential(v).title if kind == "credential" and catalogue.has("credential", v)
                 else str(v) for v in value]
        some, none = _LISTS.get(key, (key.replace("_", " ") + ": {}", f"any {key.replace('_', ' ')}"))
        return some.format(", ".join(names)) if names else none
    if isinstance(value, float):
        return f"{key.replace('_', ' ')} {value:g}"
    return f"{key.replace('_', ' ')}: {value}"


@page_boundary("Plan a route")
def page() -> None:
    """Draw the learner's planning page."""
    st.header("Plan a route")
    found = page_catalogue()
    if found is None:
        return
    catalogue, digest, on_store = found.catalogue, found.digest, found.on_store
    uploaded: tuple[Holding, ...] = ()
    with reported("Reading the uploaded credentials"):
        from planner.ui.credentials import credentials_section  # the verifier loads only on this page

        uploaded = credentials_section(catalogue, st.session_state.get("sc_start") or dt.date.today())
    left, right = st.columns([2, 3], gap="large")
    with left:
        scenario = scenario_form(catalogue, pick_target=not on_store, uploaded=uploaded)
    if scenario is None:
        return
    with right:
        try:
            with st.spinner("Finding the best routes…"):
                rec = cached_recommend(catalogue, digest, scenario)
        except Exception as exc:
            st.error(f"The route search failed: {md_escape(exc)}")
            return
        show_link(scenario)
        counted_holdings(scenario, catalogue)
        if not rec.feasible:
            diagnoses(rec, catalogue)
            return
        if rec.diagnoses and rec.diagnoses[0].code == "already_met":
            st.success(md_escape(rec.diagnoses[0].message))
            return
        fewer_routes(rec, scenario.alternatives)
        for route in rec.routes:
            route_card(route, catalogue)
            heavy_load(route, scenario)
        ranks = [r.rank for r in rec.routes]
        if st.session_state.get(CHOSEN) not in ranks:
            st.session_state[CHOSEN] = ranks[0]
        rank = st.radio("Show route", ranks, horizontal=True, key=CHOSEN, format_func=lambda r: f"Route {r}")
        route = next(r for r in rec.routes if r.rank == rank)
        with reported("Showing the route"):
            route_details(route, catalogue, scenario, key="plan")
        with reported("The handout"):
            _handout(rec, route, catalogue, scenario, digest)
        with reported("Saving the plan"):
            save_controls(rec, route, scenario, catalogue)
