"""Compare and what-if (advisor): scenarios side by side, trade-offs, notes and handouts.

On a compiled catalogue (``PLANNER_CATALOGUE=URL``) the target is found by searching the
store, and every scenario of the page is answered on that target's sub-catalogue, as on
'Plan a route'.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from planner.catalogue.models import Catalogue
from planner.engine.results import Recommendation, Route
from planner.engine.scenario import Scenario, fit_to_catalogue
from planner.engine.whatif import MAX_WHAT_IFS, PlanWork, WhatIf, WhatIfResult, what_ifs_from_query, what_ifs_to_query
from planner.outputs.plots.route import pareto_chart, pareto_rows
from planner.ui import workspace
from planner.ui.auth import acting_identity
from planner.ui.boundary import page_boundary
from planner.ui.compute import cached_pareto, cached_recommend
from planner.ui.plan_page import diagnoses, fewer_routes, route_card, route_details
from planner.ui.records import save_controls
from planner.ui.scenario_form import current_scenario, page_catalogue
from planner.ui.share import show_link
from planner.ui.text import md_escape, reported
from planner.ui.widgets import chart, keep_valid, kept

__all__ = ["page", "pareto_labels", "what_if"]

NOTES = workspace.NOTES
ROUTE = workspace.COMPARE_ROUTE
PARETO = "cmp_pareto"
LINK_READ = "cmp_link_read"


def _init(key: str, default: object) -> None:
    # a widget given both a default and a session-state value warns; seed the state instead
    if key not in st.session_state:
        st.session_state[key] = default


def what_if(base: Scenario, catalogue: Catalogue, index: int) -> Scenario:
    """Draw one what-if column's controls and return the changed scenario."""
    def key(field: str) -> str:
        return workspace.what_if_key(index, field)

    start = workspace.what_if_state(index, base)
    with st.expander("Change budget, hours, providers or holdings", expanded=True):
        _init(key("use_budget"), start.budget is not None)
        budget_on = st.checkbox("Budget", key=key("use_budget"), **kept(key("use_budget")))
        _init(key("budget"), float(start.budget or base.budget or 2000.0))
        st.number_input("Budget amount", 0.0, 1_000_000.0, step=100.0, key=key("budget"), disabled=not budget_on,
                        **kept(key("budget")))
        _init(key("use_hours"), start.hours_per_week is not None)
        hours_on = st.checkbox("Weekly hours limit", key=key("use_hours"), **kept(key("use_hours")))
        _init(key("hours"), float(start.hours_per_week or base.hours_per_week or 10.0))
        st.number_input("Hours per week", 0.5, 80.0, step=1.0, key=key("hours"), disabled=not hours_on,
                        **kept(key("hours")))
        providers = {p.id: p.name for p in sorted(catalogue.providers, key=lambda p: p.name)}
        keep_valid(key("avoid"), providers)
        _init(key("avoid"), list(start.avoid_providers))
        st.multiselect("Exclude providers", list(providers), format_func=providers.__getitem__, key=key("avoid"),
                       **kept(key("avoid")))
        creds = {c.id: c.title for c in sorted(catalogue.credentials, key=lambda c: c.title)}
        held_now = {h.credential for h in base.holdings}
        options = [c for c in creds if c not in held_now]
        keep_valid(key("add"), options)
        st.multiselect("Add held credentials", options, format_func=creds.__getitem__, key=key("add"),
                       **kept(key("add")))
    return workspace.what_if_state(index, base).apply(base)


def _differences(route: Route | None, base: Route | None, catalogue: Catalogue) -> None:
    if route is None or base is None:
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


def pareto_labels(front: Sequence[Route], ranked: Sequence[Route]) -> list[str]:
    """Names for the points of the cost × time chart, as on the route cards.

    A point that is one of the ranked routes takes its card's name ("Route 2"); the
    others are "Trade-off 1", "Trade-off 2", … from the cheapest.
    """
    by_set = {frozenset(r.credential_ids): f"Route {r.rank}" for r in ranked}
    labels, extra = [], 0
    for route in front:
        name = by_set.get(frozenset(route.credential_ids))
        if name is None:
            extra += 1
            name = f"Trade-off {extra}"
        labels.append(name)
    return labels


def _handouts(rec: Recommendation, route: Route, catalogue: Catalogue, scenario: Scenario, work: PlanWork,
              results: Sequence[WhatIfResult], *, key: str, label: str, plan_file: bool = True) -> None:
    try:
        from planner.outputs import export
    except ImportError:
        st.info("Exports are not available in this installation.")
        return
    columns = st.columns(3 if plan_file else 2)
    extra = {"notes": work.notes, "what_ifs": results, "label": label}
    with columns[0], reported("The Markdown handout"):
        st.download_button("Markdown handout", export.route_to_markdown(rec, route, catalogue, **extra),
                           file_name="plan.md", mime="text/markdown", key=f"{key}_dl_md", on_click="ignore")
    with columns[1], reported("The PDF handout"):
        # rendering a PDF takes a while: only when it is downloaded
        st.download_button("PDF handout", lambda: export.route_to_pdf(rec, route, catalogue, **extra),
                           file_name="plan.pdf", mime="application/pdf", key=f"{key}_dl_pdf", on_click="ignore")
    if plan_file:
        with columns[2], reported("The plan file"):
            plan = export.plan_to_json(rec, rec.routes.index(route), notes=work.notes,
                                       alternatives=scenario.alternatives,
                                       what_ifs=workspace.saved_work(scenario).what_ifs)
            st.download_button("Plan file (JSON)", plan, file_name="plan.json", mime="application/json",
                               key=f"{key}_dl_json", on_click="ignore")


def _load_plan(catalogue: Catalogue) -> None:
    upload = st.file_uploader("Open a plan file (JSON)", type=["json"], key="cmp_plan_upload", max_upload_size=1)
    if upload is None:
        return
    from planner.outputs import export
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
    st.button("Restore this plan", key="cmp_restore", on_click=workspace.restore_plan,
              args=(scenario, plan.notes or "", tuple(plan.chosen), tuple(plan.what_ifs)))
    if st.session_state.get(workspace.PENDING_ROUTE) == list(plan.chosen):
        st.success("Plan restored: the form on 'Plan a route' holds it, and the route above is the one chosen.")


def _target_title(catalogue: Catalogue, scenario: Scenario) -> str:
    target = scenario.to_target()
    if target.kind == "role" and catalogue.has("role", target.id or ""):
        return catalogue.role(target.id or "").title
    return _title(catalogue, target.id or "")


def _what_if_column(index: int, base: Scenario, base_best: Route | None, catalogue: Catalogue,
                    digest: str, per_row: int = 4) -> WhatIfResult | None:
    name = f"What if {chr(ord('A') + index - 1)}"
    st.subheader(name)
    card = st.container()  # the result sits level with the current plan's card, above its controls
    scenario = what_if(base, catalogue, index)
    state: WhatIf = workspace.what_if_state(index, base)
    with card, st.spinner("Finding routes…"):
        rec = cached_recommend(catalogue, digest, scenario)
        if rec.best:
            route_card(rec.best, catalogue, base=base_best, per_row=per_row)
            _differences(rec.best, base_best, catalogue)
        else:
            diagnoses(rec, catalogue, fix_buttons=False)
    return WhatIfResult(state, state.describe(base, catalogue), rec)


def _pareto(front: Sequence[Route], base_rec: Recommendation, catalogue: Catalogue, base: Scenario,
            work: PlanWork, results: Sequence[WhatIfResult]) -> None:
    routes = list(front) or list(base_rec.routes)
    if not routes:
        return
    labels = pareto_labels(routes, base_rec.routes)
    if len(routes) == 1:
        route = routes[0]
        st.info(f"Only one route is on the cost × time trade-off ({labels[0]}: {route.total_cost:,.0f} "
                f"{route.currency}, {route.weeks} weeks): no other route is cheaper or faster, so there is "
                "nothing to trade off.")
        return
    event = chart(pareto_chart(routes, labels=labels), key=PARETO, rows=pareto_rows(routes, labels),
                  on_select="rerun", selection_mode="points")
    st.caption("Each point is a route none of the others beats on both cost and time. Click a point to see it "
               "and hand it out.")
    picked = [p.get("customdata") for p in (event.selection.points if event else []) if "customdata" in p]
    picked = [int(p[0] if isinstance(p, list) else p) for p in picked if p is not None]
    if not picked or not 0 <= picked[0] < len(routes):
        return
    route, label = routes[picked[0]], labels[picked[0]]
    route_card(route, catalogue, title=label, base=base_rec.best)
    rec = base_rec if route in base_rec.routes else Recommendation(
        target=base_rec.target, profile=base_rec.profile, objective=base_rec.objective, routes=(route,))
    _handouts(rec, route, catalogue, base, work, results, key="cmp_pick", label=label, plan_file=False)


def _what_ifs_from_link() -> PlanWork | None:
    """On the first visit of a session, the what-ifs of a shared comparison link (None without any)."""
    if st.session_state.get(LINK_READ):
        return None
    st.session_state[LINK_READ] = True
    found, ignored = what_ifs_from_query({k: st.query_params[k] for k in st.query_params})
    for problem in ignored:
        st.warning(md_escape(f"Part of the shared link was left out: {problem}"))
    if not found:
        return None
    return PlanWork(notes=str(st.session_state.get(NOTES, "")), what_ifs=tuple(found))


@page_boundary("Compare and what-if")
def page() -> None:
    """Draw the advisor's comparison page."""
    st.header("Compare and what-if")
    found = page_catalogue()
    if found is None:
        return
    catalogue, digest = found.catalogue, found.digest
    base = current_scenario(catalogue)
    if base is None:
        st.info("Set up a scenario on 'Plan a route' first.")
        return
    key = workspace.plan_key(acting_identity(), base)
    workspace.enter(key, base, work=_what_ifs_from_link())
    st.markdown(f"**Current plan:** {md_escape(_target_title(catalogue, base))}")
    # the link restores the comparison: the plan and the what-ifs shown (notes stay out of links)
    show_link(base, extra=what_ifs_to_query(workspace.saved_work(base).what_ifs),
              label="Share this comparison")
    n = st.radio("Scenarios to compare", list(range(2, MAX_WHAT_IFS + 2)), horizontal=True, key=workspace.COLUMNS,
                 **kept(workspace.COLUMNS))
    try:
        with st.spinner("Finding routes for the current plan…"):
            base_rec = cached_recommend(catalogue, digest, base)
    except Exception as exc:
        st.error(f"The route search failed: {md_escape(exc)}")
        return
    base_best = base_rec.best
    columns = st.columns(n)
    per_row = 4 if n < 3 else 2  # three narrow columns: the figures two by two, never cut off
    with columns[0]:
        st.subheader("Current plan")
        if base_best:
            route_card(base_best, catalogue, per_row=per_row)
        else:
            diagnoses(base_rec, catalogue, fix_buttons=False)
    results: list[WhatIfResult] = []
    for i in range(1, n):
        with columns[i], reported(f"What-if {chr(ord('A') + i - 1)}"):
            result = _what_if_column(i, base, base_best, catalogue, digest, per_row)
            if result is not None:
                results.append(result)

    st.subheader("Cost × time")
    with reported("The cost × time chart"):
        with st.spinner("Tracing the trade-off…"):
            front = cached_pareto(catalogue, digest, base)
        _pareto(front, base_rec, catalogue, base, workspace.plan_work(base), results)

    st.subheader("The plan to hand out")
    st.text_area("Advisor's notes (go into the handout)", key=NOTES, **kept(NOTES))
    work = workspace.remember(key, base)
    if base_rec.routes:
        fewer_routes(base_rec, base.alternatives)
        ranks = [r.rank for r in base_rec.routes]
        pending = st.session_state.get(workspace.PENDING_ROUTE)
        if pending is not None and ROUTE not in st.session_state:
            # a restored plan: show the route it chose, when the engine finds it again
            match = [r.rank for r in base_rec.routes if list(r.credential_ids) == list(pending)
                     or sorted(r.credential_ids) == sorted(pending)]
            st.session_state[ROUTE] = match[0] if match else ranks[0]
        if st.session_state.get(ROUTE) not in ranks:
            st.session_state[ROUTE] = ranks[0]
        rank = st.radio("Route", ranks, horizontal=True, key=ROUTE, format_func=lambda r: f"Route {r}", **kept(ROUTE))
        route = next(r for r in base_rec.routes if r.rank == rank)
        _handouts(base_rec, route, catalogue, base, work, results, key="cmp", label=f"Route {rank}")
        with reported("Saving the plan"):
            save_controls(base_rec, route, base, catalogue, key="cmp_rec")
        with reported("Showing the route"):
            route_details(route, catalogue, base, key="cmp")

    with reported("Opening the plan file"):
        _load_plan(catalogue)
