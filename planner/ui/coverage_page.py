"""Coverage (institution): how well a provider's or award's offer stacks, and what would help.

The quick analyses (stacking coverage, gaps, orphans, quality) run on every visit; the two
that re-run the route engine (role reachability, recognition what-if) run when asked, with
progress, and are cached per catalogue digest and choice. Session state keeps only which
scope and roles were asked for; results live in the cache.

On a compiled catalogue (``PLANNER_CATALOGUE=URL``) the page asks for a provider, found by
searching the store, and analyses that provider's analysis sub-catalogue
(:meth:`planner.store.catalogue.CatalogueStore.analysis_scope`): the figures are the
folder's for that provider and the roles needing what it teaches. The whole store is
offered too when it is small.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import streamlit as st

from planner.analysis import (
    CoverageResult,
    GapsResult,
    OrphansResult,
    QualityResult,
    ReachabilityResult,
    WhatIfResult,
    recognition_whatif,
    role_reachability,
)
from planner.analysis.quality import ELEMENT_LABELS
from planner.analysis.reachability import RoleReach, StartReach
from planner.catalogue.models import Catalogue
from planner.outputs.plots.coverage import (
    competency_heatmap,
    gap_bars,
    heatmap_data,
    heatmap_rows,
    quality_bars,
    stacking_bars,
)
from planner.outputs.report import CoverageReport, build_report, to_html, to_markdown
from planner.ui.boundary import page_boundary
from planner.ui.state import active_catalogue, active_store, store_analysis_scope
from planner.ui.text import md_escape, reported
from planner.ui.widgets import chart, keep_valid

__all__ = [
    "coverage_rows",
    "dead_end_rows",
    "gap_rows",
    "orphan_rows",
    "page",
    "quality_rows",
    "reach_rows",
    "scope_report",
    "whatif_rows",
]

SCOPE = "cov_scope"
REACH_ASKED = "cov_reach_asked"  # role ids whose reachability was asked for (ids only)
REACH_FASTEST = "cov_reach_fastest"  # whether that search included the fastest routes
WHATIF_ASKED = "cov_whatif_asked"  # scope keys whose what-if ranking was asked for
ALL, PROVIDER, AWARD = "All awards and providers", "One provider", "One award"


# ----------------------------------------------------------------------------- cached computations


@st.cache_data(max_entries=64, show_spinner=False)
def _quick_report(digest: str, provider: str | None, award: str | None, as_of: dt.date,
                  _catalogue: Catalogue, _scope: dict[str, Any] | None = None) -> CoverageReport:
    # _scope: a store scope's roles, counts and entry credentials (the digest names the scope)
    return build_report(_catalogue, provider=provider, award=award, as_of=as_of, reachability=False,
                        whatif=False, **(_scope or {}))


@st.cache_data(max_entries=1024, show_spinner=False)
def _reach_role(digest: str, role_id: str, as_of: dt.date, fastest: bool,
                _catalogue: Catalogue, _scope: dict[str, Any] | None = None) -> ReachabilityResult:
    # one role per cache entry: a progress bar can advance role by role, and roles asked
    # for earlier come back at once
    return role_reachability(_catalogue, roles=[role_id], as_of=as_of, fastest=fastest, time_limit=10.0,
                             entry=(_scope or {}).get("entry_credentials"))


@st.cache_data(max_entries=64, show_spinner=False)
def _whatif(digest: str, provider: str | None, award: str | None, as_of: dt.date,
            _catalogue: Catalogue) -> WhatIfResult:
    # the bar is made here so the cache can replay it; the library reports each finished task
    bar = st.progress(0.0, text="Measuring candidate agreements…")

    def advance(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Measuring candidate agreements ({done}/{total})…")

    result = recognition_whatif(_catalogue, provider=provider, award=award, as_of=as_of, progress=advance)
    bar.empty()
    return result


@st.cache_data(max_entries=16, show_spinner=False)
def _html(digest: str, provider: str | None, award: str | None, as_of: dt.date, roles: tuple[str, ...],
          fastest: bool, whatif: bool, _catalogue: Catalogue, _scope: dict[str, Any] | None = None) -> str:
    report = scope_report(_catalogue, digest, provider, award, as_of, roles, fastest, whatif, scope=_scope)
    return to_html(report, catalogue=_catalogue)


def scope_report(catalogue: Catalogue, digest: str, provider: str | None, award: str | None, as_of: dt.date,
                 roles: tuple[str, ...], fastest: bool, whatif: bool, *,
                 scope: dict[str, Any] | None = None) -> CoverageReport:
    """The report for a scope, with the route-engine parts that were computed (from the cache).

    Parameters
    ----------
    catalogue : Catalogue
        The active catalogue.
    digest : str
        Its content digest (the cache key).
    provider, award : str or None
        The scope.
    as_of : datetime.date
        Analysis date.
    roles : tuple of str
        Roles whose reachability goes into the report (none: the section is left out).
    fastest : bool
        Whether the reachability searches included the fastest route.
    whatif : bool
        Include the recognition what-if ranking.
    scope : dict, optional
        A compiled catalogue's scope keywords (``roles``, ``counts``, ``entry_credentials``)
        when ``catalogue`` is its analysis sub-catalogue.

    Returns
    -------
    CoverageReport

    """
    report = _quick_report(digest, provider, award, as_of, catalogue, scope)
    reach = None
    if roles:
        parts = [_reach_role(digest, r, as_of, fastest, catalogue, scope) for r in roles]
        reach = dataclasses.replace(parts[0], roles=tuple(p for part in parts for p in part.roles))
    what = _whatif(digest, provider, award, as_of, catalogue) if whatif else None
    return dataclasses.replace(report, reachability=reach, whatif=what)


# ----------------------------------------------------------------------------- table rows


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _names(catalogue: Catalogue | None, kind: str, ids: Any) -> str:
    """Titles (credentials, roles) or names (providers) for ids, joined; the ids without a catalogue."""
    def one(x: str) -> str:
        if catalogue is None or not catalogue.has(kind, x):
            return x
        return catalogue.provider(x).name if kind == "provider" else \
            catalogue.role(x).title if kind == "role" else catalogue.credential(x).title
    return ", ".join(one(x) for x in ([ids] if isinstance(ids, str) else ids))


def coverage_rows(cov: CoverageResult, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """One row per award: can it be earned by stacking, and how much credit stacking reaches."""
    return [{
        "award": a.title, "provider": _names(catalogue, "provider", a.provider_id),
        "stackable": "yes" if a.stackable else "no",
        "ECTS reachable by stacking": a.max_stackable_credits, "award ECTS": a.award_ects,
        "recognised ECTS (counted)": a.recognised_credits_counted,
        "requirements without a route": ", ".join(a.no_route) or "—",
    } for a in cov.awards]


def _reach_text(s: StartReach) -> tuple[str, str, str]:
    if s.reachable is None:
        return "not searched", "—", "; ".join(s.reasons)
    if not s.reachable:
        return "no", "—", "; ".join(s.reasons)
    cheap = f"{s.cheapest.cost:,.0f} {s.cheapest.currency}, {s.cheapest.weeks} weeks" if s.cheapest else "—"
    fast = f"{s.fastest.weeks} weeks, {s.fastest.cost:,.0f} {s.fastest.currency}" if s.fastest else "—"
    return "yes", cheap, fast


def reach_rows(roles: list[RoleReach] | tuple[RoleReach, ...]) -> list[dict[str, Any]]:
    """One row per role: reachable from zero / from a typical start, cheapest and fastest routes."""
    rows = []
    for r in roles:
        z_ok, z_cheap, z_fast = _reach_text(r.from_zero)
        t_ok, t_cheap, _ = _reach_text(r.from_typical)
        rows.append({"role": r.title, "from zero": z_ok, "cheapest from zero": z_cheap,
                     "fastest from zero": z_fast, "from a typical start": t_ok, "cheapest (typical)": t_cheap})
    return rows


def gap_rows(gaps: GapsResult, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """One row per competency gap, most roles blocked first."""
    return [{
        "competency": g.label, "gap": "not taught" if g.kind == "not_taught" else "level too low",
        "needed level": g.needed_level, "best taught level": g.best_taught_level,
        "roles blocked": len(g.roles_blocked), "roles affected (optional)": len(g.roles_optional),
        "blocked roles": _names(catalogue, "role", g.roles_blocked),
    } for g in gaps.gaps]


def orphan_rows(orphans: OrphansResult, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """Credentials that stack into nothing and serve no role's essential need."""
    return [{"credential": o.title, "provider": _names(catalogue, "provider", o.provider_id),
             "unlocks": _names(catalogue, "credential", o.unlocks) or "—"} for o in orphans.orphans]


def dead_end_rows(orphans: OrphansResult, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """Credentials nobody can earn, with why."""
    return [{"credential": d.title, "provider": _names(catalogue, "provider", d.provider_id),
             "why": "; ".join(d.reasons)} for d in orphans.dead_ends]


def quality_rows(quality: QualityResult) -> list[dict[str, Any]]:
    """One row per provider: completeness of the EU standard elements."""
    return [{
        "provider": p.name, "credentials": p.credentials, "mean completeness": _pct(p.mean_completeness),
        "complete": _pct(p.share_complete), "external QA": _pct(p.share_external_qa),
        "workload flags": p.workload_flags,
        "most often missing": ", ".join(f"{ELEMENT_LABELS.get(m, m)} ({n})" for m, n in p.most_missing[:3]) or "—",
    } for p in quality.providers]


def whatif_rows(whatif: WhatIfResult, catalogue: Catalogue) -> list[dict[str, Any]]:
    """Candidate recognition agreements that change something, best first, with their measured effect.

    Candidates that would unlock nothing and save nothing are left out (the page counts them).
    """
    def title(cid: str) -> str:
        return catalogue.credential(cid).title if catalogue.has("credential", cid) else cid

    def money(x: float | None) -> str:
        return "unreachable" if x is None else f"{x:,.0f} {whatif.currency}"

    def target(text: str) -> str:  # "role:ID" or "award:ID"
        kind, _, item = text.partition(":")
        return _names(catalogue, "role" if kind == "role" else "credential", item)

    return [{
        "rank": i, "recognise": title(c.credential_id),
        "from provider": _names(catalogue, "provider", c.credential_provider_id),
        "towards award": title(c.award_id), "ECTS": c.credits, "targets unlocked": c.unlocked,
        f"total saving ({whatif.currency})": round(c.saving, 2),
        "effects": "; ".join(f"{target(e.target)}: {money(e.before)} → {money(e.after)}"
                             for e in c.effects if e.unlocked or e.saving),
    } for i, c in enumerate((c for c in whatif.candidates if c.helps), 1)]


def _table(rows: list[dict[str, Any]], empty: str) -> None:
    # dataframes show cell values as text, never as markup
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    else:
        st.caption(empty)


# ----------------------------------------------------------------------------- the page


def _scope(catalogue: Catalogue) -> tuple[str | None, str | None, str]:
    kind = st.radio("Scope", [ALL, PROVIDER, AWARD], horizontal=True, key=SCOPE)
    if kind == PROVIDER and catalogue.providers:
        names = {p.id: p.name for p in sorted(catalogue.providers, key=lambda p: p.name)}
        keep_valid("cov_provider", names)
        pid = st.selectbox("Provider", list(names), format_func=names.__getitem__, key="cov_provider")
        return pid, None, f"provider:{pid}"
    if kind == AWARD and catalogue.awards:
        titles = {a.id: a.title for a in sorted(catalogue.awards, key=lambda a: a.title)}
        keep_valid("cov_award", titles)
        aid = st.selectbox("Award", list(titles), format_func=titles.__getitem__, key="cov_award")
        return None, aid, f"award:{aid}"
    if kind != ALL:
        st.info("This catalogue has none to choose from; showing everything.")
    return None, None, "all"


def _reachability(catalogue: Catalogue, digest: str, as_of: dt.date,
                  scope: dict[str, Any] | None = None) -> tuple[tuple[str, ...], bool]:
    roles = {r.id: r.title for r in sorted(catalogue.roles, key=lambda r: r.title)}
    if not roles:
        st.caption("This catalogue has no roles.")
        return (), False
    st.caption("Searches routes to each role from zero and from a typical starting profile. "
               "This re-runs the route engine, so it runs when you ask.")
    keep_valid("cov_roles", roles)
    chosen = st.multiselect("Roles (empty: all)", list(roles), format_func=roles.__getitem__, key="cov_roles")
    fastest = st.checkbox("Also find the fastest route (slower)", key="cov_fastest")
    wanted = tuple(chosen or roles)
    if st.button(f"Search routes to {len(wanted)} role(s)", key="cov_reach_go", type="primary"):
        st.session_state[REACH_ASKED] = wanted
        st.session_state[REACH_FASTEST] = fastest
    # what was asked for, not what the widgets say now: changing them does not start a long search
    asked = tuple(r for r in st.session_state.get(REACH_ASKED, ()) if r in roles)
    fastest = bool(st.session_state.get(REACH_FASTEST, False))
    if not asked:
        return (), fastest
    results: list[RoleReach] = []
    bar = st.progress(0.0, text="Searching routes…")
    for i, rid in enumerate(asked):
        bar.progress(i / len(asked), text=f"Searching routes to {md_escape(roles[rid])} ({i + 1}/{len(asked)})…")
        results.extend(_reach_role(digest, rid, as_of, fastest, catalogue, scope).roles)
    bar.empty()
    reached = sum(r.from_zero.reachable is True for r in results)
    st.markdown(f"**{reached} of {len(results)} roles** can be reached from zero.")
    _table(reach_rows(results), "No roles searched.")
    return asked, fastest


def _whatif_section(catalogue: Catalogue, digest: str, provider: str | None, award: str | None,
                    scope_key: str, as_of: dt.date) -> bool:
    st.caption("Tries single new recognition agreements towards the awards in scope and measures, with the "
               "route engine, which targets each would open or make cheaper.")
    asked = list(st.session_state.get(WHATIF_ASKED, []))
    if st.button("Rank recognition agreements", key="cov_whatif_go", type="primary") and scope_key not in asked:
        asked.append(scope_key)
        st.session_state[WHATIF_ASKED] = asked
    if scope_key not in asked:
        return False
    with st.status("Measuring candidate agreements…", expanded=False) as status:
        result = _whatif(digest, provider, award, as_of, catalogue)
        status.update(label=f"Measured with {result.searches} route searches", state="complete")
    if result.note:
        st.info(md_escape(result.note))
    rows = whatif_rows(result, catalogue)
    idle = len(result.candidates) - len(rows)
    if result.candidates:
        st.markdown(f"**{len(rows)} of {len(result.candidates)} candidate agreements would change a route**"
                    + (f"; the other {idle} would change nothing and are not listed." if idle else "."))
    _table(rows, "No candidate agreement in scope." if not result.candidates
           else "None of them would open a target or make a route cheaper.")
    return True


def _store_scope(store: Any) -> tuple[Catalogue, str, dict[str, Any], str | None, str] | None:
    """Choose a provider by searching the store (or the whole small store); its analysis scope."""
    from planner.store.catalogue.scope import MAX_WHOLE_CREDENTIALS

    total = store.counts()["credential"]
    kinds = [PROVIDER, ALL] if total <= MAX_WHOLE_CREDENTIALS else [PROVIDER]
    kind = st.radio("Scope", kinds, horizontal=True, key="cov_store_scope")
    provider = None
    if kind == PROVIDER:
        text = st.text_input("Find a provider", key="cov_store_provider_q", max_chars=200,
                             help="Every word is looked for in the provider's id and name.")
        hits = store.search_providers(text, 1, 25)
        options = {h.id: h.title for h in hits.hits}
        current = st.session_state.get("cov_store_provider")
        if current and current not in options:  # keep the chosen provider while searching others
            known = store.get("provider", current)
            options = {current: known.name if known is not None else current, **options}
        if not options:
            st.warning("No provider matches this search.")
            return None
        if hits.total > len(hits.hits):
            st.caption(f"The first {len(hits.hits)} of {hits.total:,} matching providers: type more of the name.")
        if current not in options:
            st.session_state["cov_store_provider"] = next(iter(options))
        provider = st.selectbox("Provider", list(options), format_func=options.__getitem__,
                                key="cov_store_provider")
    elif total > MAX_WHOLE_CREDENTIALS:
        return None
    with st.spinner("Collecting what the analyses need…"):
        scope = store_analysis_scope(store.url, provider)
    if provider is not None:
        st.caption(f"Analysed on {len(scope.catalogue.credentials):,} of {total:,} credentials: this provider's, "
                   "what they require and what teaches the same; roles: the "
                   f"{len(scope.roles or ()):,} that need what it teaches.")
    kwargs = scope.report_kwargs()
    kwargs.pop("provider")
    key = f"provider:{provider}" if provider else "all"
    return scope.catalogue, f"{store.url}#{key}", kwargs, provider, key


@page_boundary("Coverage")
def page() -> None:
    """Draw the institution's coverage page."""
    st.header("Coverage")
    picked = _pick_scope()
    if picked is None:
        return
    catalogue, digest, scope, provider, award, scope_key = picked
    as_of = dt.date.today()
    try:
        with st.spinner("Analysing the catalogue…"):
            report = _quick_report(digest, provider, award, as_of, catalogue, scope)
    except Exception as exc:
        st.error(f"The analysis failed: {md_escape(exc)}")
        return
    cov, gaps, orph, quality = report.coverage, report.gaps, report.orphans, report.quality
    a, b, c, d = st.columns(4)
    a.metric("Awards stackable", f"{sum(x.stackable for x in cov.awards)} of {len(cov.awards)}")
    b.metric("Competency gaps", len(gaps.gaps))
    c.metric("Orphans / dead ends", f"{len(orph.orphans)} / {len(orph.dead_ends)}")
    d.metric("EU elements complete", _pct(quality.mean_completeness))

    tabs = st.tabs(["Stacking", "Heatmap", "Roles", "Gaps", "Orphans", "Quality", "Recognition what-if",
                    "Report"])
    with tabs[0], reported("The stacking coverage"):
        rows = coverage_rows(cov, catalogue)
        if cov.awards:
            chart(stacking_bars(cov), key="cov_stacking", rows=rows)
        else:
            st.caption("No awards in scope.")
    with tabs[1], reported("The heatmap"):
        _heatmap_tab(catalogue, cov)
    roles_done: tuple[str, ...] = ()
    fastest = False
    with tabs[2], reported("The role reachability search"):
        roles_done, fastest = _reachability(catalogue, digest, as_of, scope)
    with tabs[3], reported("The gap analysis"):
        if gaps.gaps:
            chart(gap_bars(gaps), key="cov_gaps", rows=gap_rows(gaps, catalogue))
        else:
            st.caption("No gaps: every competency roles need is taught at the needed level.")
    with tabs[4], reported("The orphan analysis"):
        st.markdown("**Orphans** — stack into no award and serve no role's essential need")
        _table(orphan_rows(orph, catalogue), "None.")
        st.markdown("**Dead ends** — nobody can earn them")
        _table(dead_end_rows(orph, catalogue), "None.")
    with tabs[5], reported("The quality report"):
        if quality.providers:
            chart(quality_bars(quality), key="cov_quality", rows=quality_rows(quality))
        else:
            st.caption("No credentials in scope.")
    whatif_done = False
    with tabs[6], reported("The recognition what-if"):
        whatif_done = _whatif_section(catalogue, digest, provider, award, scope_key, as_of)
    with tabs[7], reported("The report"):
        _report_tab(catalogue, digest, provider, award, as_of, roles_done, fastest, whatif_done, scope, scope_key)


def _pick_scope() -> tuple[Catalogue, str, dict[str, Any], str | None, str | None, str] | None:
    """(catalogue, digest, store scope, provider, award, scope key) to analyse, from the scope widgets.

    None when there is nothing to show: no scope picked in a compiled catalogue, or the
    catalogue could not be loaded (the page says so).
    """
    scope: dict[str, Any] = {}
    try:
        store = active_store()
        if store is not None:
            picked = _store_scope(store)
            if picked is None:
                return None
            catalogue, digest, scope, provider, scope_key = picked
            return catalogue, digest, scope, provider, None, scope_key
        active = active_catalogue()
        catalogue, digest = active.catalogue, active.digest
    except Exception as exc:  # a page reports its own failures
        st.error(f"The catalogue could not be loaded: {md_escape(exc)}")
        return None
    provider, award, scope_key = _scope(catalogue)
    return catalogue, digest, scope, provider, award, scope_key


def _heatmap_tab(catalogue: Catalogue, cov: CoverageResult) -> None:
    """The competency heatmap of the awards in scope, or of every role."""
    rows_kind = st.radio("Rows", ["awards", "roles"], horizontal=True, key="cov_heat_rows")
    ids = [x.award_id for x in cov.awards] if rows_kind == "awards" else None
    if rows_kind == "awards" and not ids:
        st.caption("No awards in scope.")
        return
    # the same cells twice: as colours and numbers, and as a table a screen reader can read
    cells = heatmap_rows(heatmap_data(catalogue, kind=rows_kind, ids=ids))
    chart(competency_heatmap(catalogue, kind=rows_kind, ids=ids), key="cov_heatmap", rows=cells)


def _report_tab(catalogue: Catalogue, digest: str, provider: str | None, award: str | None, as_of: dt.date,
                roles_done: tuple[str, ...], fastest: bool, whatif_done: bool, scope: dict[str, Any],
                scope_key: str) -> None:
    """The report's downloads, with what has been run on the page so far."""
    st.caption("The report holds every table above; role reachability and the what-if ranking are "
               "included once you have run them.")
    full = scope_report(catalogue, digest, provider, award, as_of, roles_done, fastest, whatif_done,
                        scope=scope)
    name = f"coverage-{scope_key.replace(':', '-')}"
    c1, c2 = st.columns(2)
    c1.download_button("Markdown report", to_markdown(full), file_name=f"{name}.md", mime="text/markdown",
                       key="cov_dl_md", on_click="ignore")
    # the HTML page embeds plotly.js (several MB): build it only when downloaded
    c2.download_button(
        "HTML report", lambda: _html(digest, provider, award, as_of, roles_done, fastest, whatif_done,
                                     catalogue, scope),
        file_name=f"{name}.html", mime="text/html", key="cov_dl_html", on_click="ignore")
