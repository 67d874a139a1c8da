"""Compare and what-if (advisor): scenarios side by side, trade-offs, notes and handouts."""

from __future__ import annotations

import streamlit as st

from planner.models import Catalogue, Holding
from planner.plot.route import pareto_chart
from planner.results import Recommendation, Route
from planner.scenario import Scenario, fit_to_catalogue
from planner.ui.boundary import page_boundary
from planner.ui.compute import cached_pareto, cached_recommend
from planner.ui.plan_page import route_card, route_details
from planner.ui.scenario_form import current_scenario, restore_from_link, set_state, share_link
from planner.ui.state import active_catalogue
from planner.ui.text import md_escape, reported

__all__ = ["page", "restore_plan", "what_if"]

NOTES = "cmp_notes"
ROUTE = "cmp_route"
_PENDING_ROUTE = "cmp_pending_route"  # credential ids of a restored plan's chosen route


def what_if(base: Scenario, catalogue: Catalogue, index: int) -> Scenario:
    """Draw one what-if column's controls and return the changed scenario."""
    key = f"cmp{index}_"
    with st.expander("Change budget, hours, providers or holdings", expanded=True):
        budget_on = st.checkbox("Budget", value=base.budget is not None, key=key + "use_budget")
        budget = st.number_input("Budget amount", 0.0, 1_000_000.0, float(base.budget or 2000.0), 100.0,
                                 key=key + "budget", disabled=not budget_on)
        hours_on = st.checkbox("Weekly hours limit", value=base.hours_per_week is not None, key=key + "use_hours")
        hours = st.number_input("Hours per week", 0.5, 80.0, float(base.hours_per_week or 10.0), 1.0,
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


def _differences(route: Route | None, base: Route | None, catalogue: Catalogue) -> None:
    if route is None:
        st.error("No route under this scenario.")
        return
    if base is None:
        return
    added = set(route.credential_ids) - set(base.credential_ids)
    dropped = set(base.credential_ids) - set(route.credential_ids)
    if added or dropped:
        st.caption("Differs from the current plan: " + "; ".join(
            [*(f"\\+ {md_escape(_title(catalogue, c))}" for c in sorted(added)),
             *(f"− {md_escape(_title(catalogue, c))}" for c in sorted(dropped))]))
    else:
        st.caption("The same credentials as the current plan.")


def _title(catalogue: Catalogue, cid: str) -> str:
    return catalogue.credential(cid).title if catalogue.has("credential", cid) else cid


def _exports(rec: Recommendation, route: Route, catalogue: Catalogue, scenario: Scenario) -> None:
    try:
        from planner import export
    except ImportError:
        st.info("Exports are not available in this installation.")
        return
    notes = st.session_state.get(NOTES, "")
    index = rec.routes.index(route)
    c1, c2, c3 = st.columns(3)
    with c1, reported("The Markdown handout"):
        st.download_button("Markdown handout", export.route_to_markdown(rec, route, catalogue, notes=notes),
                           file_name="plan.md", mime="text/markdown", key="cmp_dl_md", on_click="ignore")
    with c2, reported("The PDF handout"):
        # rendering a PDF takes a while: only when it is downloaded
        st.download_button("PDF handout", lambda: export.route_to_pdf(rec, route, catalogue, notes=notes),
                           file_name="plan.pdf", mime="application/pdf", key="cmp_dl_pdf", on_click="ignore")
    with c3, reported("The plan file"):
        plan = export.plan_to_json(rec, index, notes=notes, alternatives=scenario.alternatives)
        st.download_button("Plan file (JSON)", plan, file_name="plan.json", mime="application/json",
                           key="cmp_dl_json", on_click="ignore")


def restore_plan(scenario: Scenario, notes: str, chosen: tuple[str, ...]) -> None:
    """Put a loaded plan into the session: the scenario form, the notes and the chosen route.

    A button callback: it runs before the page draws its widgets, so it may set their values.
    """
    set_state(scenario)
    st.session_state[NOTES] = notes
    st.session_state[_PENDING_ROUTE] = list(chosen)
    st.session_state.pop(ROUTE, None)


def _load_plan(catalogue: Catalogue) -> None:
    upload = st.file_uploader("Open a plan file (JSON)", type=["json"], key="cmp_plan_upload", max_upload_size=1)
    if upload is None:
        return
    from planner import export

    try:
        plan = export.plan_from_json(upload.getvalue().decode("utf-8"))
        scenario = Scenario.from_parts(plan.target, plan.profile, objective=plan.objective,
                                       alternatives=plan.alternatives)
        scenario, problems = fit_to_catalogue(scenario, catalogue)
    except (ValueError, UnicodeDecodeError) as exc:  # pydantic's and the export's errors are ValueErrors
        st.error(f"That plan file could not be opened: {md_escape(exc)}")
        return
    if problems:
        st.error("The plan does not fit this catalogue: " + md_escape("; ".join(problems)))
        return
    st.button("Restore this plan", key="cmp_restore", on_click=restore_plan,
              args=(scenario, plan.notes or "", tuple(plan.chosen)))
    if st.session_state.get(_PENDING_ROUTE) == list(plan.chosen):
        st.success("Plan restored: the form on 'Plan a route' holds it, and the route above is the one chosen.")


def _target_title(catalogue: Catalogue, scenario: Scenario) -> str:
    target = scenario.to_target()
    if target.kind == "role" and catalogue.has("role", target.id or ""):
        return catalogue.role(target.id or "").title
    return _title(catalogue, target.id or "")


@page_boundary("Compare and what-if")
def page() -> None:
    """Draw the advisor's comparison page."""
    st.header("Compare and what-if")
    try:
        active = active_catalogue()
    except Exception as exc:  # a page reports its own failures
        st.error(f"The catalogue could not be loaded: {md_escape(exc)}")
        return
    catalogue = active.catalogue
    for problem in restore_from_link(catalogue):
        st.warning(md_escape(problem))
    base = current_scenario(catalogue)
    if base is None:
        st.info("Set up a scenario on 'Plan a route' first.")
        return
    st.caption(f"Current plan: {md_escape(_target_title(catalogue, base))} · share: `{share_link(base)}`")
    n = st.radio("Scenarios to compare", [2, 3], horizontal=True, key="cmp_n")
    try:
        with st.spinner("Finding routes for the current plan…"):
            base_rec = cached_recommend(catalogue, active.digest, base)
    except Exception as exc:
        st.error(f"The route search failed: {md_escape(exc)}")
        return
    base_best = base_rec.best
    columns = st.columns(n)
    with columns[0]:
        st.subheader("Current plan")
        if base_best:
            route_card(base_best, catalogue)
        else:
            st.error("No route under the current plan (see 'Plan a route' for why).")
    for i in range(1, n):
        with columns[i], reported(f"What-if {chr(ord('A') + i - 1)}"):
            st.subheader(f"What if {chr(ord('A') + i - 1)}")
            card = st.container()  # the result sits level with the current plan's card, above its controls
            scenario = what_if(base, catalogue, i)
            with card, st.spinner("Finding routes…"):
                rec = cached_recommend(catalogue, active.digest, scenario)
                if rec.best:
                    route_card(rec.best, catalogue, base=base_best)
                _differences(rec.best, base_best, catalogue)

    st.subheader("Cost × time")
    with reported("The cost × time chart"):
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
        pending = st.session_state.get(_PENDING_ROUTE)
        if pending is not None and ROUTE not in st.session_state:
            # a restored plan: show the route it chose, when the engine finds it again
            match = [r.rank for r in base_rec.routes if list(r.credential_ids) == list(pending)
                     or sorted(r.credential_ids) == sorted(pending)]
            st.session_state[ROUTE] = match[0] if match else ranks[0]
        if st.session_state.get(ROUTE) not in ranks:
            st.session_state[ROUTE] = ranks[0]
        rank = st.radio("Route", ranks, horizontal=True, key=ROUTE, format_func=lambda r: f"Route {r}")
        route = next(r for r in base_rec.routes if r.rank == rank)
        _exports(base_rec, route, catalogue, base)
        with reported("Showing the route"):
            route_details(route, catalogue, base, key="cmp")
    with reported("Opening the plan file"):
        _load_plan(catalogue)
