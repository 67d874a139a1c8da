"""Explore the catalogue: search and filter credentials, see every EU element and the neighbourhood."""

from __future__ import annotations

from typing import Any

import streamlit as st

from planner.catalogue.models import Catalogue, Credential, Role
from planner.engine.rules import credential_cost
from planner.outputs.names import country_name, language_name
from planner.outputs.plots.catalogue import neighbourhood, neighbourhood_sentences
from planner.ui.boundary import page_boundary
from planner.ui.state import active_catalogue
from planner.ui.text import md_escape, reported
from planner.ui.widgets import chart, keep_in_range, keep_valid

__all__ = ["EU_ELEMENTS", "ROLE_SORTS", "credential_rows", "element_text", "page", "role_rows"]


def _words(value: object) -> str:
    """An enumeration value as words ("micro_credential" -> "micro-credential")."""
    text = str(value or "")
    return text.replace("_", "-") if text.endswith("_credential") else text.replace("_", " ")

EU_ELEMENTS = (
    ("Title", lambda c, cat: c.title),
    ("Awarding body", lambda c, cat: cat.provider(c.provider).name),
    ("Country", lambda c, cat: country_name(cat.provider(c.provider).country)),
    ("Learning outcomes", lambda c, cat: "\n".join(f"- {o}" for o in c.learning_outcomes)),
    ("Workload (ECTS)", lambda c, cat: f"{c.ects:g}" if c.ects is not None else ""),
    ("Notional hours", lambda c, cat: f"{c.hours:g}" if c.hours is not None else ""),
    ("EQF level", lambda c, cat: str(c.eqf_level or "")),
    ("Assessment", lambda c, cat: ", ".join(_words(a) for a in c.assessment)),
    ("Form of participation", lambda c, cat: ", ".join(_words(m) for m in c.participation)),
    ("Quality assurance", lambda c, cat: _qa(c, cat)),
    ("Language(s)", lambda c, cat: ", ".join(language_name(x) for x in c.languages)),
    ("Supervision and identity check", lambda c, cat: _words(c.supervision)),
    ("Prerequisites", lambda c, cat: _requires(c, cat)),
    ("Stackability", lambda c, cat: c.stackability or ""),
)

#: What an empty optional element says (the EU recommendation makes these optional; an
#: empty mandatory element is "— missing —", which the quality report counts).
_WHEN_EMPTY = {
    "Prerequisites": "None: open to anyone",
    "Supervision and identity check": "Not stated (optional)",
    "Stackability": "Not stated (optional)",
}


def element_text(label: str, value: str) -> str:
    """An EU element's value as shown: the value, or what its absence means."""
    return value or _WHEN_EMPTY.get(label, "— missing —")


def _qa(c: Credential, cat: Catalogue) -> str:
    qa = c.quality_assurance or cat.provider(c.provider).quality_assurance
    if qa is None:
        return ""
    return f"{qa.type}" + (f" — {qa.body}" if qa.body else "") + ("" if c.quality_assurance else " (provider's)")


def _requires(c: Credential, cat: Catalogue) -> str:
    groups = []
    for group in c.requires:
        alts = []
        for alt in group.any_of:
            if alt.credential:
                alts.append(cat.credential(alt.credential).title if cat.has("credential", alt.credential)
                            else alt.credential)
            else:
                label = cat.competency(alt.competency).label if cat.has("competency", alt.competency or "") \
                    else alt.competency
                alts.append(f"{label} at level {alt.level}")
        groups.append(" or ".join(alts))
    return "; and ".join(groups)


def credential_rows(catalogue: Catalogue) -> list[dict[str, object]]:
    """One flat row per credential, in the catalogue's order and base currency, for the table and its filters.

    Titles and names only (the credentials' ids are in the same order in ``catalogue.credentials``).
    """
    rows = []
    for c in catalogue.credentials:
        price = credential_cost(catalogue, c).base  # the lowest of its published prices
        rows.append({
            "title": c.title, "provider": catalogue.provider(c.provider).name,
            "type": _words(c.type), "sector": c.sector or "", "eqf": c.eqf_level, "ects": c.ects,
            "mode": ", ".join(_words(m) for m in c.participation),
            f"price ({catalogue.meta.base_currency})": round(price, 2),
        })
    return rows


#: How the roles table can be sorted: label → (key of a row, largest first). Rows without the figure go last.
ROLE_SORTS = {"title": ("role", False), "openings": ("openings", True),
              "median wage a year": ("_wage_per_year", True)}


def _yearly_in_base(catalogue: Catalogue, role: Role) -> float | None:
    """A role's median wage a year in the base currency, when the figure and a rate exist (none is made up)."""
    wage = role.outlook.median_wage if role.outlook else None
    per_year = wage.per_year() if wage else None
    if wage is None or per_year is None:
        return None
    rate = 1.0 if wage.currency == catalogue.meta.base_currency else catalogue.meta.exchange_rates.get(wage.currency)
    return None if rate is None else per_year * rate


def role_rows(catalogue: Catalogue, sort: str = "title") -> list[dict[str, object]]:
    """One row per role with its labour-market figures as the source gives them, sorted by ``sort``.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    sort : str
        A key of :data:`ROLE_SORTS`; roles without that figure come last, by title.

    Returns
    -------
    list of dict
        ``role``, ``sector``, ``codes``, ``openings``, ``median wage`` (as given),
        ``median wage a year (BASE)`` (only for yearly or monthly wages with a rate),
        ``source``, ``as of``.
    """
    base = catalogue.meta.base_currency
    rows = []
    for role in catalogue.roles:
        o = role.outlook
        yearly = _yearly_in_base(catalogue, role)
        rows.append({
            "role": role.title, "sector": role.sector or "",
            "codes": ", ".join(c for c in (role.isco_code and f"ISCO {role.isco_code}",
                                             role.soc_code and f"SOC {role.soc_code}") if c),
            "openings": o.openings if o else None,
            "median wage": str(o.median_wage) if o and o.median_wage else None,
            f"median wage a year ({base})": round(yearly) if yearly is not None else None,
            "source": o.source if o else None, "as of": o.as_of.isoformat() if o else None,
            "_wage_per_year": yearly,
        })
    key, descending = ROLE_SORTS[sort]
    rows.sort(key=lambda r: (r["role"] or "").lower())
    if key != "role":
        rows.sort(key=lambda r: (r[key] is None, -(r[key] or 0) if descending else (r[key] or 0)))
    for row in rows:
        row.pop("_wage_per_year")
    return rows


def _roles_section(cat: Catalogue) -> None:
    """The roles with their labour-market figures, sortable; only figures a source gives are shown."""
    with_figures = sum(1 for r in cat.roles if r.outlook is not None)
    with st.expander(f"Roles and their labour market ({len(cat.roles)} roles)"):
        _roles_table(cat, with_figures)


def _roles_table(cat: Catalogue, with_figures: int) -> None:
    st.caption(f"{with_figures} of {len(cat.roles)} roles have labour-market figures "
               "(import them with 'planner import labour-market'); a missing figure is left blank.")
    keep_valid("ex_role_sort", ROLE_SORTS)
    sort = st.radio("Sort roles by", list(ROLE_SORTS), horizontal=True, key="ex_role_sort")
    st.dataframe(role_rows(cat, sort), hide_index=True, width="stretch", key="ex_roles")


@page_boundary("Explore the catalogue")
def page() -> None:
    """Draw the catalogue explorer."""
    st.header("Explore the catalogue")
    from planner.ui.state import active_store

    if (store := active_store()) is not None:  # a compiled catalogue: search it page by page
        _store_page(store)
        return
    try:
        active = active_catalogue()
    except Exception as exc:  # a page reports its own failures
        st.error(f"The catalogue could not be loaded: {md_escape(exc)}")
        return
    cat = active.catalogue
    try:
        rows = credential_rows(cat)
    except Exception as exc:
        st.error(f"The credential table could not be built: {md_escape(exc)}")
        return
    price_key = f"price ({cat.meta.base_currency})"
    q = st.text_input("Search titles, providers and competencies", key="ex_q")
    c1, c2, c3, c4 = st.columns(4)
    offered = {m for r in rows for m in str(r["mode"]).split(", ") if m}  # each mode once, even from mode sets
    for key, field in (("ex_sector", "sector"), ("ex_provider", "provider"), ("ex_type", "type")):
        keep_valid(key, {r[field] for r in rows})  # another catalogue may have other values
    keep_valid("ex_mode", offered)
    sectors = c1.multiselect("Sector", sorted({r["sector"] for r in rows if r["sector"]}), key="ex_sector")
    providers = c2.multiselect("Provider", sorted({r["provider"] for r in rows}), key="ex_provider")
    # a credential offered in several modes lists them all; it matches any one chosen
    modes = c3.multiselect("Mode", sorted(offered), key="ex_mode")
    types = c4.multiselect("Type", sorted({r["type"] for r in rows}), key="ex_type")
    c5, c6, c7 = st.columns(3)
    eqf = c5.slider("EQF level", 1, 8, (1, 8), key="ex_eqf")
    max_ects = max([r["ects"] or 0 for r in rows] + [1])
    keep_in_range("ex_ects", 0.0, float(max_ects))
    ects = c6.slider("ECTS", 0.0, float(max_ects), (0.0, float(max_ects)), key="ex_ects")
    max_price = max([r[price_key] for r in rows] + [1])
    keep_in_range("ex_price", 0.0, float(max_price))
    price = c7.slider(f"Price ({cat.meta.base_currency})", 0.0, float(max_price), (0.0, float(max_price)),
                      key="ex_price")
    needle = q.strip().lower()
    taught = [" ".join(cat.competency(t.competency).label for t in c.teaches if cat.has("competency", t.competency))
              for c in cat.credentials]

    def keep(i: int) -> bool:
        r = rows[i]
        return ((not needle or needle in f"{r['title']} {r['provider']} {taught[i]}".lower())
                and (not sectors or r["sector"] in sectors) and (not providers or r["provider"] in providers)
                and (not modes or set(modes) & set(str(r["mode"]).split(", "))) and (not types or r["type"] in types)
                and (r["eqf"] is None or eqf[0] <= r["eqf"] <= eqf[1])
                and ects[0] <= (r["ects"] or 0) <= ects[1] and price[0] <= r[price_key] <= price[1])

    kept_rows = [i for i in range(len(rows)) if keep(i)]
    shown = [rows[i] for i in kept_rows]
    st.caption(f"{len(shown)} of {len(rows)} credentials")
    st.dataframe(shown, hide_index=True, width="stretch")
    with reported("Showing the roles"):
        _roles_section(cat)
    if not shown:
        return
    titles = {cat.credentials[i].id: f"{rows[i]['title']} ({rows[i]['provider']})" for i in kept_rows}
    keep_valid("ex_detail", titles)
    if st.session_state.get("ex_detail") not in titles:
        # say which credential is shown, so the box never keeps showing one the search filtered out
        st.session_state["ex_detail"] = next(iter(titles))
    chosen = st.selectbox("Details of", list(titles), format_func=titles.__getitem__, key="ex_detail")
    credential = cat.credential(chosen)
    # the header comes from the credential whose details follow, never from an earlier choice
    st.subheader(f"{md_escape(credential.title)} · {md_escape(cat.provider(credential.provider).name)}", anchor=False)
    left, right = st.columns([2, 3])
    with left, reported("Showing the credential"):
        st.subheader("EU standard elements")
        for label, get in EU_ELEMENTS:
            st.markdown(f"**{label}**")
            st.text(element_text(label, get(credential, cat)))
        st.text("\n".join(_facts(credential, cat)))
    with right, reported("Drawing the neighbourhood"):
        chart(neighbourhood(active.graph, cat, chosen), key="ex_neighbourhood",
              sentences=neighbourhood_sentences(active.graph, cat, chosen))


def _price(money: Any, cat: Catalogue) -> str:
    """A price with its currency, and about how much in the catalogue's currency when another."""
    if money.amount == 0:
        return "free"
    text = str(money)
    if money.currency != cat.meta.base_currency:
        text += f" (about {cat.to_base(money):,.0f} {cat.meta.base_currency})"
    return text


def _facts(credential: Credential, cat: Catalogue) -> list[str]:
    """Cost (each published price with its currency and audience) and duration."""
    if credential.cost is not None:
        cost = f"Cost: {_price(credential.cost, cat)}"
    elif credential.costs:
        cost = "Cost: " + " or ".join(f"{_price(o.price, cat)} ({o.audience or 'anyone'})" for o in credential.costs)
    else:
        cost = "Cost: not stated"
    weeks = f"{credential.duration_weeks:g} weeks" if credential.duration_weeks else "weeks not stated"
    load = f"{credential.hours_per_week:g} h/week" if credential.hours_per_week else "hours a week not stated"
    return [cost, f"Duration: {weeks} at {load}"]


def _store_page(store) -> None:  # type: ignore[no-untyped-def]
    """The explorer over a compiled catalogue: full-text search, one page of results, details."""
    from planner.ui.store_search import search_hits

    counts = store.counts()
    hits = search_hits(store, "ex_store", label="Search titles, ids, sectors and types", kinds=("credential",))
    st.caption(f"{hits.total:,} of {counts['credential']:,} credentials match · page {hits.page} of {hits.pages:,}")
    st.dataframe([{"title": h.title, "kind": "award" if h.is_award else "credential"} for h in hits.hits],
                 hide_index=True, width="stretch")
    if not hits.hits:
        return
    titles = {h.id: h.title for h in hits.hits}
    keep_valid("ex_store_detail", titles)
    chosen = st.selectbox("Details of", list(titles), format_func=titles.__getitem__, key="ex_store_detail")
    with reported("Showing the credential"):
        cat = store.around(chosen)
        credential = cat.credential(chosen)
        st.subheader("EU standard elements")
        for label, get in EU_ELEMENTS:
            st.markdown(f"**{label}**")
            st.text(element_text(label, get(credential, cat)))
