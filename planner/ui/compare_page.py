"""Compare and what-if (advisor): scenarios side by side, trade-offs, notes and handouts."""

from __future__ import annotations

import streamlit as st

from planner.models import Catalogue, Holding
from planner.plot.route import pareto_chart
from planner.results import Recommendation, Route
from planner.scenario import Scenario
from planner.ui.compute import cached_pareto, cached_recommend
from planner.ui.plan_page import route_card, route_details
from planner.ui.scenario_form import current_scenario, set_state, share_link
from planner.ui.state import active_catalogue

__all__ = ["page", "what_if"]

NOTES = "cmp_notes"


def what_if(base: Scenario, catalogue: Catalogue, index: int) -> Scenario:
    """Draw one what-if column's controls and return the changed scenario."""
    key = f"cmp{index}_"
    with st.expander("Change", expanded=True):
        budget_on = st.checkbox("Budget", value=base.budget is not None, key=key + "use_budget")
        budget = st.number_input("Budget amount", 0.0, 1_000_000.0, float(base.budget or 2000.0), 100.0,
                                 key=key + "budget", disabled=not budget_on)
        hours_on = st.checkbox("Weekly hours limit", value=base.hours_per_week is not None, key=key + "use_hours")
        hours = st.number_input("Hours per week", 1.0, 80.0, float(base.hours_per_week or 10.0), 1.0,
                                key=key + "hours", disabled=not hours_on)
        providers = {p.id: p.name for p in sorted(catalogue.providers, key=lambda p: p.name)}
        avoid = st.multiselect("Exclude providers", list(providers), default=base.avoid_providers,
                               format_func=providers.__getitem__, key=key + "avoid")
        creds = {c.id: c.title for c in sorted(catalogue.credentials, key=lambda c: c.title)}
        held_now = [h.credential for h in base.holdings]
        add = st.multiselect("Add held credentials", [c for c in creds if c not in held_now],
                             format_func=creds.__getitem__, key=key + "add")
    start = base.start
    holdings = [*base.holdings, *(Holding(credential=c, earned=start) for c in add)] if start else base.holdings
    return base.model_copy(update={
        "budget": budget if budget_on else None, "hours_per_week": hours if hours_on else None,
        "avoid_providers": avoid, "holdings": holdings,
    })


def _delta(route: Route | None, base: Route | None) -> None:
    if route is None:
        st.error("No route under this scenario.")
        return
    if base is None:
        return
    a, b, c = st.columns(3)
    a.metric("Cost", f"{route.total_cost:,.0f}", f"{route.total_cost - base.total_cost:+,.0f}", delta_color="inverse")
    b.metric("Weeks", route.weeks, f"{route.weeks - base.weeks:+d}", delta_color="inverse")
    c.metric("ECTS", f"{route.total_ects:g}", f"{route.total_ects - base.total_ects:+g}")
    added = set(route.credential_ids) - set(base.credential_ids)
    dropped = set(base.credential_ids) - set(route.credential_ids)
    if added or dropped:
        st.caption("Differs from the current plan: "
                   + "; ".join([*(f"+ {c}" for c in sorted(added)), *(f"− {c}" for c in sorted(dropped))]))


def _exports(rec: Recommendation, route: Route, catalogue: Catalogue) -> None:
    try:
        from planner import export
    except ImportError:  # pragma: no cover - export module ships with the package
        return
    notes = st.session_state.get(NOTES, "")
    index = rec.routes.index(route)
    c1, c2, c3 = st.columns(3)
    c1.download_button("Markdown handout", export.route_to_markdown(rec, route, catalogue, notes=notes),
                       file_name="plan.md", mime="text/markdown", key="cmp_dl_md")
    c2.download_button("PDF handout", export.route_to_pdf(rec, route, catalogue, notes=notes),
                       file_name="plan.pdf", mime="application/pdf", key="cmp_dl_pdf")
    c3.download_button("Plan file (JSON)", export.plan_to_json(rec, index, notes=notes),
                       file_name="plan.json", mime="application/json", key="cmp_dl_json")


def _load_plan(catalogue: Catalogue) -> None:
    upload = st.file_uploader("Open a plan file (JSON)", type=["json"], key="cmp_plan_upload")
    if upload is None:
        return
    from planner import export

    try:
        plan = export.plan_from_json(upload.getvalue().decode("utf-8"))
        scenario = Scenario.from_parts(plan.target, plan.profile, objective=plan.objective,
                                       alternatives=plan.alternatives)
    except (ValueError, UnicodeDecodeError) as exc:
        st.error(f"That plan file could not be opened: {exc}")
        return
    missing = [h.credential for h in scenario.holdings if not catalogue.has("credential", h.credential)]
    if missing:
        st.error(f"The plan names credentials this catalogue lacks: {', '.join(missing)}")
        return
    if st.button("Restore this plan", key="cmp_restore"):
        set_state(scenario)
        st.session_state[NOTES] = plan.notes
        st.success("Plan restored: the form on 'Plan a route' now holds it.")


def page() -> None:
    """Draw the advisor's comparison page."""
    st.header("Compare and what-if")
    try:
        active = active_catalogue()
    except Exception as exc:  # a page reports its own failures
        st.error(f"The catalogue could not be loaded: {exc}")
        return
    catalogue = active.catalogue
    base = current_scenario(catalogue)
    if base is None:
        st.info("Set up a scenario on 'Plan a route' first.")
        return
    st.caption(f"Current plan: {base.target} · share: `{share_link(base)}`")
    n = st.radio("Scenarios to compare", [2, 3], horizontal=True, key="cmp_n")
    with st.spinner("Comparing scenarios…"):
        base_rec = cached_recommend(catalogue, active.digest, base)
    base_best = base_rec.best
    columns = st.columns(n)
    with columns[0]:
        st.subheader("Current plan")
        if base_best:
            route_card(base_best, catalogue)
        else:
            st.error("No route under the current plan.")
    for i in range(1, n):
        with columns[i]:
            st.subheader(f"What if {chr(ord('A') + i - 1)}")
            scenario = what_if(base, catalogue, i)
            rec = cached_recommend(catalogue, active.digest, scenario)
            if rec.best:
                route_card(rec.best, catalogue)
            _delta(rec.best, base_best)

    st.subheader("Cost × time")
    with st.spinner("Tracing the trade-off…"):
        front = cached_pareto(catalogue, active.digest, base)
    routes = list(front) or list(base_rec.routes)
    if routes:
        st.plotly_chart(pareto_chart(routes), key="cmp_pareto")
        st.caption("Each point is a route none of the others beats on both cost and time.")

    st.subheader("The plan to hand out")
    st.text_area("Advisor's notes (go into the handout)", key=NOTES)
    if base_rec.routes:
        ranks = [r.rank for r in base_rec.routes]
        rank = st.radio("Route", ranks, horizontal=True, key="cmp_route", format_func=lambda r: f"Route {r}")
        route = next(r for r in base_rec.routes if r.rank == rank)
        _exports(base_rec, route, catalogue)
        route_details(route, catalogue, base, key="cmp")
    _load_plan(catalogue)
