"""My plan (learner): the newest plan, its versions (open any, compare two), progress, re-plan, credentials.

A learner lands here. Everything is read through the store's access rules for the learner's
own record (:mod:`planner.store.history`); nothing of anyone else's is reachable. The single
user of a local run sees their own record here too.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.errors import StreamlitAPIException

from planner.catalogue.models import Catalogue
from planner.store.access import Capability
from planner.store.history import PlanHistory, compare_versions, plan_histories
from planner.store.planfiles import plan_file_of
from planner.store.records import SavedPlan
from planner.ui.boundary import page_boundary
from planner.ui.plan_view import credential_title, progress_editor, replan_panel, target_title, what_ifs_of
from planner.ui.records import acting_user, may, store, work_on
from planner.ui.state import active_catalogue
from planner.ui.text import md_escape, reported

__all__ = ["page"]

PLAN = "mp_plan"  # plan id shown
VERSION = "mp_version"  # version opened
COMPARE_A, COMPARE_B = "mp_cmp_a", "mp_cmp_b"
REPLAN = "mp_replan"


def _money(amount: float | None, currency: str | None) -> str:
    return "" if amount is None else f"{amount:,.0f} {currency or ''}".strip()


def _day(iso: str | None) -> str:
    return f"{dt.date.fromisoformat(iso):%d %b %Y}" if iso else "—"


def _version_label(saved: SavedPlan) -> str:
    return f"Version {saved.version} · saved by {saved.saved_by} on {saved.saved_at:%d %b %Y %H:%M}"


def _route(saved: SavedPlan, catalogue: Catalogue) -> None:
    summary = saved.route.summary if saved.route else None
    if summary is None:
        st.caption("No route was chosen in this version.")
        return
    a, b, c = st.columns(3)
    a.metric(f"Cost ({summary.currency})", f"{summary.total_cost:,.0f}")
    b.metric("Finish", f"{summary.finish:%d %b %Y}")
    c.metric("Steps", len(summary.steps))
    for i, step in enumerate(summary.steps, 1):
        when = f" · {step.start:%d %b %Y} → {step.end:%d %b %Y}" if step.start and step.end else ""
        st.markdown(f"{i}. {md_escape(credential_title(catalogue, step.credential_id))}{when}")


def _versions(history: PlanHistory, catalogue: Catalogue) -> None:
    st.subheader(f"Versions ({len(history.versions)})")
    rows = []
    for v in reversed(history.versions):
        summary = v.route.summary if v.route else None
        rows.append({"Version": v.version, "Saved by": v.saved_by, "Saved on": f"{v.saved_at:%d %b %Y %H:%M}",
                     "Steps": len(v.chosen), "Cost": _money(summary.total_cost if summary else None,
                                                              summary.currency if summary else None),
                     "Finish": f"{summary.finish:%d %b %Y}" if summary else "",
                     "What-ifs": len(v.whatifs), "Status": v.status})
    st.dataframe(rows, hide_index=True, width="stretch", key="mp_versions_table")
    numbers = [v.version for v in reversed(history.versions)]
    if st.session_state.get(VERSION) not in numbers:
        st.session_state[VERSION] = numbers[0]
    opened = st.selectbox("Open a version", numbers, key=VERSION, format_func=lambda n: f"Version {n}")
    saved = history.version(opened)
    with st.container(border=True):
        st.markdown(f"**{md_escape(_version_label(saved))}**")
        _route(saved, catalogue)
        st.markdown("**What-ifs**")
        what_ifs_of(saved, catalogue)
        if saved.notes.strip():
            st.markdown("**Advisor's notes**")
            st.text(saved.notes)
    if len(numbers) > 1:
        _compare(history, numbers, catalogue)


def _compare(history: PlanHistory, numbers: list[int], catalogue: Catalogue) -> None:
    st.subheader("Compare two versions")
    done = set(history.completed)
    for key, default in ((COMPARE_A, numbers[1]), (COMPARE_B, numbers[0])):
        if st.session_state.get(key) not in numbers:
            st.session_state[key] = default
    a, b = st.columns(2)
    first = a.selectbox("Version", numbers, key=COMPARE_A, format_func=lambda n: f"Version {n}")
    second = b.selectbox("with version", numbers, key=COMPARE_B, format_func=lambda n: f"Version {n}")
    diff = compare_versions(history.version(first), history.version(second))
    def title(cid: str) -> str:
        return md_escape(credential_title(catalogue, cid))

    lines = []  # Markdown: catalogue text escaped
    if diff.target_changed:
        lines.append(f"target: {md_escape(target_title(catalogue, diff.before.target))} → "
                     f"{md_escape(target_title(catalogue, diff.after.target))}")
    lines += [f"\\+ added: {title(c)}" for c in diff.added]
    lines += [f"✓ completed: {title(c)}" if c in done else f"− removed: {title(c)}" for c in diff.removed]
    if diff.same_route:
        lines.append("the same steps")
    currency = diff.after.route.summary.currency if diff.after.route and diff.after.route.summary else ""
    if diff.cost[0] != diff.cost[1]:
        lines.append(f"cost: {_money(diff.cost[0], currency) or '—'} → {_money(diff.cost[1], currency) or '—'}")
    if diff.finish[0] != diff.finish[1]:
        lines.append(f"finish: {_day(diff.finish[0])} → {_day(diff.finish[1])}")
    described = [tuple(w.describe(v.scenario, catalogue) for w in ws)
                 for v, ws in ((diff.before, diff.what_ifs[0]), (diff.after, diff.what_ifs[1]))]
    if described[0] != described[1]:
        lines.append(f"what-ifs: {len(described[0])} → {len(described[1])}")
    if diff.notes_changed:
        lines.append("the advisor's notes changed")
    st.markdown("\n".join(f"- {line}" for line in lines))


def _credentials(saved: SavedPlan, catalogue: Catalogue, done: tuple[str, ...]) -> None:
    """What counts as held: verified credentials, steps recorded as completed, and what was declared."""
    st.subheader("Credentials you hold")
    learner = store().learner(acting_user(), saved.learner_id)
    held = {h.credential: h for h in learner.profile.holdings}
    held.update({h.credential: h for h in saved.scenario.holdings})
    if not held:
        st.caption("None counted yet. On 'Plan a route' you can add the Open Badges 3.0 / CLR 2.0 files of "
                   "credentials you hold: verified ones count in your plan.")
        return

    def how(cid: str) -> tuple[int, str]:
        if held[cid].verification == "verified":
            return 0, "verified: its signed credential checked"
        if cid in done:
            return 1, "a completed step of this plan"
        return 2, "self-declared: on your word, not checked"

    for cid in sorted(held, key=lambda c: (how(c)[0], credential_title(catalogue, c))):
        st.markdown(f"- {md_escape(credential_title(catalogue, cid))} · since {held[cid].earned:%d %b %Y} · "
                    f"**{how(cid)[1]}**")


def _replanned(message: str, ok: bool) -> None:
    st.session_state["mp_message"] = (message, ok)
    if ok:
        st.session_state[REPLAN] = False
        st.session_state.pop(VERSION, None)


def _open_in_plan(learner_id: int) -> None:
    work_on(learner_id)  # the newest plan, its what-ifs and notes, into the form
    st.session_state["mp_go"] = True


@page_boundary("My plan")
def page() -> None:
    """Draw the learner's own plan."""
    st.header("My plan")
    if not may(Capability.OWN_PLANS):
        st.error("'My plan' is for learners: it shows the plans saved to your own record.")
        return
    s, actor = store(), acting_user()
    if st.session_state.pop("mp_go", False):
        from planner.ui import plan_page

        try:
            st.switch_page(st.Page(plan_page.page, url_path="plan"))
        except StreamlitAPIException:  # run outside the app's navigation (tests)
            st.success("The plan is open on 'Plan a route'.")
    own = s.own_learner_id(actor)
    histories = plan_histories(s, actor, own) if own is not None else []
    if not histories:
        st.info("You have no saved plan yet. Plan a route on 'Plan a route' and save it, or ask your advisor: "
                "a plan your advisor saves for you shows here.")
        return
    catalogue = active_catalogue().catalogue
    message = st.session_state.pop("mp_message", None)
    if message:
        (st.success if message[1] else st.error)(md_escape(message[0]))
    by_id = {h.plan_id: h for h in histories}
    if st.session_state.get(PLAN) not in by_id:
        st.session_state[PLAN] = histories[0].plan_id
    if len(histories) > 1:
        st.selectbox("Plan", list(by_id), key=PLAN, format_func=lambda pid: (
            f"{target_title(catalogue, by_id[pid].latest.target)} · version {by_id[pid].latest.version}"))
    history = by_id[st.session_state[PLAN]]
    latest = history.latest
    st.subheader(target_title(catalogue, latest.target))
    done, to_go = history.completed, history.to_go
    st.caption(f"{_version_label(latest)} · {latest.status} · {len(done)} step{'s' * (len(done) != 1)} completed, "
               f"{len(to_go)} to go")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown("**Your steps and where you are**")
        with reported("Your progress"):
            progress_editor(latest, catalogue, key="mp")
        a, b = st.columns(2)
        a.button("Re-plan from today", key="mp_replan_now", on_click=lambda: st.session_state.update({REPLAN: True}))
        b.button("Open on 'Plan a route'", key="mp_open", on_click=_open_in_plan, args=(latest.learner_id,),
                 help="Change the plan there and save it as its next version.")
        if st.session_state.get(REPLAN):
            with reported("Re-planning"):
                replan_panel(history.plan_id, catalogue, key="mp", on_saved=_replanned)
    with right:
        st.markdown("**What-ifs kept with this plan**")
        what_ifs_of(latest, catalogue)
        if latest.notes.strip():
            st.markdown("**Your advisor's notes**")
            st.text(latest.notes)
        st.download_button("Plan file (JSON)", plan_file_of(latest).to_json(), file_name="plan.json",
                           mime="application/json", key="mp_dl_json", on_click="ignore",
                           help="The plan with its what-ifs and notes, to keep or to open elsewhere.")
    with reported("The versions"):
        _versions(history, catalogue)
    with reported("Your credentials"):
        _credentials(latest, catalogue, done)
