"""The scenario form shared by the learner and advisor pages.

Widget values live in session state under the keys below (ids and choices only); the
scenario is rebuilt from them on each run, and a shareable link or a loaded plan file
writes them back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from pydantic import ValidationError

from planner.catalogue.models import (
    MAX_COST,
    MAX_DATE,
    MAX_HOURS_PER_WEEK,
    MIN_DATE,
    Catalogue,
    CompetencyLevel,
    Holding,
    LevelScale,
    Objective,
)
from planner.engine.scenario import Scenario, ScenarioError, fit_to_catalogue, read_link, to_query
from planner.outputs.dates import INPUT_FORMAT
from planner.outputs.names import country_name, language_name
from planner.ui.text import md_escape
from planner.ui.widgets import apply_commits, keep_in_range, keep_valid, kept

__all__ = [
    "apply_relaxation_to_state",
    "current_scenario",
    "keep_state",
    "link_problems",
    "page_catalogue",
    "question_catalogue",
    "restore_from_link",
    "scenario_form",
    "set_state",
    "share_link",
    "store_target_picker",
]

K = "sc_"  # prefix of every scenario widget key
# the date widgets cover exactly the dates the model accepts, so no valid scenario is refused
_MIN_DAY, _MAX_DAY = MIN_DATE, MAX_DATE
#: Every date input: the dates the model accepts, typed day first (the order the app shows dates in).
_DAYS: dict[str, Any] = {"min_value": _MIN_DAY, "max_value": _MAX_DAY, "format": INPUT_FORMAT}
_RESTORED = "sc_restored_from_link"
_UPLOADED = "sc_vc_found"  # planner.ui.credentials.FOUND (not imported: it pulls in the verifier)
OBJECTIVES = {
    Objective.COST.value: "Lowest cost",
    Objective.TIME.value: "Earliest finish",
    Objective.WORKLOAD.value: "Least workload",
    Objective.CREDIT.value: "Most credit towards the award",
}


def _targets(catalogue: Catalogue) -> dict[str, str]:
    out = {f"role:{r.id}": f"Role · {r.title}" for r in sorted(catalogue.roles, key=lambda r: r.title)}
    out.update({f"award:{a.id}": f"Award · {a.title}" for a in sorted(catalogue.awards, key=lambda a: a.title)})
    return out


def _clamp(day: dt.date) -> dt.date:
    # date widgets refuse values outside their range; a link may carry any date
    return min(max(day, _MIN_DAY), _MAX_DAY)


def set_state(scenario: Scenario) -> None:
    """Write a scenario into the form's widget state.

    Credentials uploaded for the scenario on screen are forgotten: they were someone's
    proof for that scenario, not for this one (its holdings are declared until re-verified).
    """
    s = st.session_state
    if _UPLOADED in s:
        from planner.ui.credentials import forget

        forget()
    s[K + "target"] = scenario.target
    s[K + "held"] = [h.credential for h in scenario.holdings]
    for h in scenario.holdings:
        s[f"{K}held_date_{h.credential}"] = _clamp(h.earned)
    s[K + "known"] = [c.competency for c in scenario.competencies]
    for c in scenario.competencies:
        s[f"{K}known_level_{c.competency}"] = c.level
    s[K + "use_budget"] = scenario.budget is not None
    if scenario.budget is not None:
        s[K + "budget"] = float(scenario.budget)
    s[K + "currency"] = scenario.currency
    s[K + "use_hours"] = scenario.hours_per_week is not None
    if scenario.hours_per_week is not None:
        s[K + "hours"] = float(scenario.hours_per_week)
    if scenario.start is not None:
        s[K + "start"] = _clamp(scenario.start)
    s[K + "use_deadline"] = scenario.deadline is not None
    if scenario.deadline is not None:
        s[K + "deadline"] = _clamp(scenario.deadline)
    s[K + "modes"] = [m.value for m in scenario.modes]
    s[K + "languages"] = list(scenario.languages)
    s[K + "countries"] = list(scenario.countries)
    s[K + "avoid_providers"] = list(scenario.avoid_providers)
    s[K + "audiences"] = list(scenario.audiences)
    s[K + "objective"] = scenario.objective.value
    s[K + "alternatives"] = scenario.alternatives


def restore_from_link(catalogue: Catalogue) -> list[str]:
    """On a session's first run, fill the form from the URL's query parameters.

    Returns at most one message for the user (plain text, to be escaped where it is shown):
    why a broken link could not be opened (the form keeps its defaults), or what of the link
    could not be applied and was left out.
    """
    if st.session_state.get(_RESTORED):
        return []
    st.session_state[_RESTORED] = True
    params = {k: st.query_params[k] for k in st.query_params}
    if "target" not in params:
        return []
    try:
        scenario, ignored = read_link(params)
        scenario, problems = fit_to_catalogue(scenario, catalogue)
    except ScenarioError as exc:
        return [f"The shared link could not be opened: {exc}"]
    set_state(scenario)
    left_out = [*ignored, *problems]
    if not left_out:
        return []
    more = f"; and {len(left_out) - 10} more" if len(left_out) > 10 else ""
    return ["Part of the shared link was left out: " + "; ".join(left_out[:10]) + more]


def share_link(scenario: Scenario, extra: dict[str, str] | None = None) -> str:
    """Put the scenario (and ``extra`` parameters, such as what-ifs) in the URL; return the query string for sharing."""
    query = {**to_query(scenario), **(extra or {})}
    if dict(st.query_params) != query:
        st.query_params.from_dict(query)
    from urllib.parse import urlencode

    return "?" + urlencode(query)


def apply_relaxation_to_state(relaxation: dict[str, Any]) -> None:
    """Apply a diagnosis's suggested change to the form (a button callback)."""
    s = st.session_state
    for key, value in relaxation.items():
        if key == "budget":
            s[K + "use_budget"] = value is not None
            if value is not None:
                s[K + "budget"] = float(value["amount"])
                s[K + "currency"] = value["currency"]
        elif key == "hours_per_week":
            s[K + "use_hours"] = value is not None
            if value is not None:
                s[K + "hours"] = min(float(value), MAX_HOURS_PER_WEEK)  # the widget's (and the engine's) ceiling
        elif key == "deadline":
            s[K + "use_deadline"] = value is not None
            if value is not None:
                s[K + "deadline"] = _clamp(dt.date.fromisoformat(value))
        elif key in ("modes", "languages", "countries", "avoid_providers", "audiences"):
            s[K + key] = list(value or [])


def _k(name: str) -> dict[str, Any]:
    # the widget's key, and the callback that keeps its committed values through a cut-off run
    return {"key": K + name, **kept(K + name)}


def _init(key: str, default: Any) -> None:
    # a widget given both a default and a session-state value warns; seed the state instead
    if key not in st.session_state:
        st.session_state[key] = default


def _store_target_title(store, target: str) -> str:  # type: ignore[no-untyped-def]
    """The "Role · Data analyst" of a target of a compiled catalogue: its title, never its id."""
    kind, _, item = target.partition(":")
    found = store.get("role" if kind == "role" else "credential", item)
    name = getattr(found, "title", None) or "(no longer in this catalogue)"
    return f"{'Role' if kind == 'role' else 'Award'} · {name}"


def store_target_picker(store) -> None:  # type: ignore[no-untyped-def]
    """Pick the target in a compiled catalogue by search: one page of roles and awards at a time."""
    from planner.ui.store_search import search_hits

    s = st.session_state
    hits = search_hits(store, K + "target_search", label="Find a target role or award", awards_only=True)
    options = {f"{'role' if h.kind == 'role' else 'award'}:{h.id}":
               f"{'Role' if h.kind == 'role' else 'Award'} · {h.title}" for h in hits.hits}
    current = s.get(K + "target")
    if current and current not in options:  # keep the chosen target while browsing other pages
        options = {current: _store_target_title(store, current), **options}
    if not options:
        st.warning("No role or award matches this search.")
        return
    if s.get(K + "target") not in options:
        s[K + "target"] = next(iter(options))
    st.selectbox("Target role or award", list(options), format_func=options.__getitem__, **_k("target"))


_LINK_TARGET = "sc_link_target_read"
#: What a shared link on a compiled catalogue could not restore (plain text, shown by the page).
LINK_PROBLEMS = "sc_link_problems"


def _link_target_on_store(store) -> None:  # type: ignore[no-untyped-def]
    """On a session's first run on a compiled catalogue, take the link's target before the picker is drawn.

    The rest of the link is restored on the target's sub-catalogue (:func:`restore_from_link`);
    a target the catalogue does not have is said, never replaced silently by another.
    """
    s = st.session_state
    if s.get(_LINK_TARGET):
        return
    s[_LINK_TARGET] = True
    target = st.query_params.get("target")
    if not target:
        return
    kind, _, item = str(target).partition(":")
    found = store.get("role" if kind == "role" else "credential", item) if kind in ("role", "award") and item \
        else None
    if found is None or (kind == "award" and not getattr(found, "award", None)):
        s[LINK_PROBLEMS] = [f"The shared link's target {str(target)[:120]!r} is not in this catalogue: choose a "
                            "target, the rest of the link was not applied."]
        s[_RESTORED] = True  # nothing of a plan for another target is applied to this one
        return
    from planner.ui.state import store_subcatalogue

    s[LINK_PROBLEMS] = restore_from_link(store_subcatalogue(store.url, str(target)))  # before the picker is drawn


def link_problems() -> list[str]:
    """What a shared link on a compiled catalogue could not restore (said once; plain text, to be escaped)."""
    return list(st.session_state.pop(LINK_PROBLEMS, None) or [])


@dataclass(frozen=True)
class QuestionCatalogue:
    """The catalogue a route question is answered on, and whether it came from a compiled store."""

    catalogue: Catalogue
    digest: str  # identifies it for caches
    on_store: bool


def question_catalogue() -> QuestionCatalogue | None:
    """The active folder catalogue, or with a compiled store the chosen target's sub-catalogue.

    With a store it draws the target picker first and returns None until a target is chosen.
    """
    from planner.ui.state import active_catalogue, active_store, store_subcatalogue

    store = active_store()
    if store is None:
        active = active_catalogue()
        return QuestionCatalogue(active.catalogue, active.digest, False)
    _link_target_on_store(store)
    store_target_picker(store)  # a compiled catalogue: search the target, answer on what it needs
    target = st.session_state.get(K + "target")
    if not target:
        return None
    return QuestionCatalogue(store_subcatalogue(store.url, target), f"{store.url}#{target}", True)


def page_catalogue() -> QuestionCatalogue | None:
    """The catalogue a planning page answers on, with the page's shared link applied.

    A catalogue that cannot be loaded is said on the page, and what a link could not restore
    is warned. None: the page has nothing more to draw (the catalogue failed, or a compiled
    catalogue's target is not chosen yet).
    """
    try:
        found = question_catalogue()
    except Exception as exc:  # a page reports its own failures
        st.error(f"The catalogue could not be loaded: {md_escape(exc)}")
        return None
    if found is None:
        return None
    for problem in restore_from_link(found.catalogue) if not found.on_store else link_problems():
        st.warning(md_escape(problem))
    return found


def scenario_form(catalogue: Catalogue, *, key_prefix: str = "", pick_target: bool = True,
                  uploaded: Sequence[Holding] = ()) -> Scenario | None:
    """Draw the scenario form and return the scenario, or None (with a message) when invalid.

    With ``pick_target=False`` the target was chosen already (:func:`store_target_picker`)
    and ``catalogue`` is what that target needs. ``uploaded`` are holdings from the learner's
    Open Badges 3.0 / CLR 2.0 files (:mod:`planner.ui.credentials`), verified or declared;
    they take the place of the same credentials typed in.
    """
    s = st.session_state
    targets = _targets(catalogue)
    if not targets:
        st.warning("This catalogue has no roles or awards to plan towards.")
        return None
    if pick_target:
        if s.get(K + "target") not in targets:
            s[K + "target"] = next(iter(targets))
        st.selectbox("Target role or award", list(targets), format_func=targets.__getitem__, **_k("target"),
                     help="Type to search.")
    creds = sorted(catalogue.credentials, key=lambda c: c.title)
    titles = {c.id: f"{c.title} ({c.provider})" for c in creds}
    # another catalogue (an upload) may not know what the form holds
    comps = {c.id: c.label for c in sorted(catalogue.competencies, key=lambda c: c.label)}
    langs = sorted({lang for c in catalogue.credentials for lang in c.languages})
    providers = {p.id: p.name for p in sorted(catalogue.providers, key=lambda p: p.name)}
    for key, options in (("held", titles), ("known", comps), ("languages", langs), ("avoid_providers", providers),
                         ("countries", {p.country for p in catalogue.providers})):
        keep_valid(K + key, options)
    today = dt.date.today()
    holdings = _holding_widgets(titles, today, uploaded)
    levels = _competency_widgets(comps, catalogue.meta.level_scale)
    constraints = _constraint_widgets(catalogue, today, langs, providers)
    objective, alternatives = _objective_widgets()
    try:
        return Scenario(target=s[K + "target"], holdings=holdings, competencies=levels, **constraints,
                        objective=objective, alternatives=alternatives)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            st.error(md_escape(f"{field}: {message}" if field else message.capitalize()))
        return None


def _holding_widgets(titles: dict[str, str], today: dt.date, uploaded: Sequence[Holding]) -> list[Holding]:
    """The credentials held, each with the day it was earned; ``uploaded`` replace the same ones typed in."""
    held = st.multiselect("Credentials you hold", list(titles), format_func=titles.__getitem__, **_k("held"))
    holdings = []
    for cid in held:
        _init(f"{K}held_date_{cid}", today)
        earned = st.date_input(f"Earned on — {md_escape(titles[cid])}", **_DAYS,
                               **_k(f"held_date_{cid}"))
        holdings.append(Holding(credential=cid, earned=earned))
    if uploaded:
        from planner.verify.review import merge_holdings

        holdings = merge_holdings(holdings, uploaded)
    return holdings


def _competency_widgets(comps: dict[str, str], scale: LevelScale) -> list[CompetencyLevel]:
    """The competencies the learner already has, each at a level of the catalogue's ``scale``."""
    known = st.multiselect("Competencies you already have", list(comps), format_func=comps.__getitem__,
                           **_k("known"))
    levels = []
    for comp in known:
        _init(f"{K}known_level_{comp}", scale.min)
        keep_in_range(f"{K}known_level_{comp}", scale.min, scale.max)
        level = st.slider(f"Level — {md_escape(comps[comp])}", scale.min, scale.max,
                          **_k(f"known_level_{comp}"))
        levels.append(CompetencyLevel(competency=comp, level=level))
    return levels


def _constraint_widgets(catalogue: Catalogue, today: dt.date, langs: list[str],
                        providers: dict[str, str]) -> dict[str, Any]:
    """The constraints section: the :class:`Scenario` fields for budget, time, place, language and audience."""
    s = st.session_state
    st.markdown("**Constraints**")
    c1, c2 = st.columns(2)
    currencies = sorted({catalogue.meta.base_currency, *catalogue.meta.exchange_rates})
    with c1:
        use_budget = st.checkbox("Budget limit", **_k("use_budget"))
        _init(K + "budget", 2000.0)
        budget = st.number_input("Budget", min_value=0.0, max_value=MAX_COST, step=100.0,
                                 **_k("budget"), disabled=not use_budget)
        if s.get(K + "currency") not in currencies:
            s[K + "currency"] = catalogue.meta.base_currency
        currency = st.selectbox("Currency", currencies, **_k("currency"), disabled=not use_budget)
        use_hours = st.checkbox("Weekly hours limit", **_k("use_hours"))
        _init(K + "hours", 10.0)
        hours = st.number_input("Hours per week", min_value=0.5, max_value=MAX_HOURS_PER_WEEK, step=1.0,
                                **_k("hours"), disabled=not use_hours)
    with c2:
        _init(K + "start", today)
        start = st.date_input("Start", **_DAYS, **_k("start"))
        use_deadline = st.checkbox("Deadline", **_k("use_deadline"))
        _init(K + "deadline", _clamp(start + dt.timedelta(days=365)))
        deadline = st.date_input("Finish by", **_DAYS, **_k("deadline"),
                                 disabled=not use_deadline)
        modes = st.multiselect("Modes (empty: any)", ["online", "blended", "onsite"], **_k("modes"))
        languages = st.multiselect("Languages (empty: any)", langs, format_func=language_name, **_k("languages"))
    countries = st.multiselect("Countries (empty: any)", sorted({p.country for p in catalogue.providers}),
                               format_func=country_name, **_k("countries"))
    avoid = st.multiselect("Providers to avoid", list(providers), format_func=providers.__getitem__,
                           **_k("avoid_providers"))
    audiences = _audience_widget(catalogue)
    return {"budget": budget if use_budget else None, "currency": currency,
            "hours_per_week": hours if use_hours else None, "start": start,
            "deadline": deadline if use_deadline else None, "modes": modes, "languages": languages,
            "countries": countries, "avoid_providers": avoid, "audiences": audiences}


def _objective_widgets() -> tuple[str, int]:
    """What to optimise for, and how many routes to show."""
    s = st.session_state
    c3, c4 = st.columns(2)
    with c3:
        # credit towards an award only means something when the target is an award
        choices = [o for o in OBJECTIVES if o != Objective.CREDIT.value or s[K + "target"].startswith("award:")]
        keep_valid(K + "objective", choices)
        _init(K + "objective", Objective.COST.value)
        objective = st.radio("Optimise for", choices, format_func=OBJECTIVES.__getitem__, **_k("objective"))
    with c4:
        _init(K + "alternatives", 3)
        alternatives = st.slider("Routes to show", 1, 10, **_k("alternatives"))
    return objective, alternatives


def _audience_widget(catalogue: Catalogue) -> list[str]:
    """The learner's audiences, for credentials priced per audience (in-state, member …).

    Offered only when the catalogue has such prices; audiences already chosen (a link, a
    plan file) stay selectable, so switching catalogues does not lose them.
    """
    s = st.session_state
    known = sorted({o.audience for c in catalogue.credentials for o in c.costs if o.audience})
    chosen = [a for a in s.get(K + "audiences", []) if isinstance(a, str)]
    options = sorted({*known, *chosen})
    if not options:
        return []
    return st.multiselect("Your audience, for prices per audience (empty: the lowest price)", options,
                          **_k("audiences"),
                          help="Some credentials publish one price per audience (in-state, out-of-state, member "
                          "…); the route uses yours, and says which price it used.")


def keep_state() -> None:
    """Keep the form's values when another page is shown.

    Streamlit forgets a widget's state on runs where the widget is not drawn; writing
    the values back marks them as user state, so the form survives page changes. Values
    committed in a run that a page change cut off come back first (:func:`apply_commits`).
    """
    apply_commits()
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(K) and key != _RESTORED:
            st.session_state[key] = st.session_state[key]


def current_scenario(catalogue: Catalogue) -> Scenario | None:
    """The scenario the form holds now, without drawing it (None when it is not valid yet)."""
    s = st.session_state
    targets = _targets(catalogue)
    target = s.get(K + "target")
    if target not in targets:
        if not targets:
            return None
        target = next(iter(targets))
    held = [h for h in s.get(K + "held", []) if catalogue.has("credential", h)]
    known = [c for c in s.get(K + "known", []) if catalogue.has("competency", c)]
    avoid = [p for p in s.get(K + "avoid_providers", []) if catalogue.has("provider", p)]
    objective = s.get(K + "objective", Objective.COST.value)
    if objective == Objective.CREDIT.value and not target.startswith("award:"):
        objective = Objective.COST.value
    today = dt.date.today()
    holdings = [Holding(credential=h, earned=s.get(f"{K}held_date_{h}", today)) for h in held]
    if _UPLOADED in s:  # credentials uploaded on the Plan page count here too, as verified or declared
        from planner.ui.credentials import uploaded_holdings
        from planner.verify.review import merge_holdings

        holdings = merge_holdings(holdings, uploaded_holdings(catalogue))
    try:
        return Scenario(
            target=target,
            holdings=holdings,
            competencies=[CompetencyLevel(competency=c, level=s.get(f"{K}known_level_{c}", 1)) for c in known],
            budget=s.get(K + "budget", 2000.0) if s.get(K + "use_budget") else None,
            currency=s.get(K + "currency", catalogue.meta.base_currency),
            hours_per_week=s.get(K + "hours", 10.0) if s.get(K + "use_hours") else None,
            start=s.get(K + "start", today),
            deadline=s.get(K + "deadline") if s.get(K + "use_deadline") else None,
            modes=s.get(K + "modes", []), languages=s.get(K + "languages", []),
            countries=s.get(K + "countries", []), avoid_providers=avoid,
            audiences=s.get(K + "audiences", []),
            objective=objective, alternatives=s.get(K + "alternatives", 3),
        )
    except ValidationError:
        return None
