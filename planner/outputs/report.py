"""The institution coverage report: every analysis together, as text, Markdown, HTML or JSON.

:func:`build_report` runs the analyses once (sharing the graph and the obtainability
fixpoint); the ``to_*`` functions render the same :class:`CoverageReport`. Text from the
catalogue is always escaped: it is data, never markup. The HTML page is self-contained
(plotly.js is embedded once, inline), so it can be mailed or archived as one file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from planner._errors import PlannerError
from planner.analysis._common import obtainability, resolve_as_of
from planner.analysis.coverage import CoverageResult, stacking_coverage
from planner.analysis.gaps import GapsResult, competency_gaps
from planner.analysis.orphans import OrphansResult, orphans_and_dead_ends
from planner.analysis.parallel import Progress, Scheduler, runner
from planner.analysis.quality import ELEMENT_LABELS, QualityResult, quality_report
from planner.analysis.reachability import (
    Engine,
    ReachabilityResult,
    StartReach,
    load_engine,
    role_reachability,
)
from planner.analysis.recognition import WhatIfResult, recognition_whatif
from planner.catalogue.graph import build_graph
from planner.catalogue.models import Catalogue, check_date
from planner.engine.results import to_jsonable
from planner.outputs import textsafe
from planner.outputs.dates import day
from planner.outputs.textsafe import markdown as _md  # the one Markdown escaper

__all__ = ["FORMATS", "CoverageReport", "build_report", "render", "to_html", "to_json", "to_markdown",
           "to_text"]

FORMATS = ("text", "json", "markdown", "html")

#: Rows shown per table in text, Markdown and HTML (JSON always has everything).
MAX_ROWS = 40

#: Above this many roles the report searches only the cheapest route per role (the
#: fastest-route search is the slow part on national-scale catalogues).
FASTEST_MAX_ROLES = 50



@dataclass(frozen=True)
class CoverageReport:
    """Every institution analysis of one catalogue, for one scope."""

    catalogue_name: str
    as_of: dt.date
    provider: str | None
    award: str | None
    counts: dict[str, int]
    coverage: CoverageResult
    gaps: GapsResult
    orphans: OrphansResult
    quality: QualityResult
    reachability: ReachabilityResult | None
    whatif: WhatIfResult | None
    seconds: dict[str, float] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # "kind:id" -> title, name or label: tables show these

    def name(self, kind: str, item_id: str) -> str:
        """The title (credential, role) or name (provider) of ``item_id``; the id when unknown."""
        return self.names.get(f"{kind}:{item_id}", item_id)


def build_report(
    catalogue: Catalogue,
    *,
    provider: str | None = None,
    award: str | None = None,
    as_of: dt.date | None = None,
    engine: Engine | None = None,
    reachability: bool = True,
    whatif: bool = True,
    roles: Sequence[str] | None = None,
    fastest: bool | None = None,
    time_limit: float | None = 5.0,
    scheduler: Scheduler = None,
    progress: Callable[[str, int, int], None] | None = None,
    counts: Mapping[str, int] | None = None,
    entry_credentials: Mapping[str, str] | None = None,
) -> CoverageReport:
    """Run every analysis for a scope and bundle the results.

    Over 80 lines only for documenting its fourteen parameters: the body is the report's
    short recipe (check the scope, run each analysis once, timed, and bundle them).

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue.
    provider : str, optional
        Scope: one provider's awards, credentials and what-ifs.
    award : str, optional
        Scope: one award (coverage and what-ifs).
    as_of : datetime.date, optional
        Date for agreement validity and plan starts (default: today).
    engine : callable, optional
        Route engine (default :func:`planner.engine.routing.recommend` when installed).
    reachability, whatif : bool
        Run the route-engine analyses (they are the slow part).
    roles : sequence of str, optional
        Roles for the reachability table and the competency gaps (default: all).
    fastest : bool, optional
        Search the fastest route per role too; by default only when the catalogue has
        at most :data:`FASTEST_MAX_ROLES` roles.
    time_limit : float, optional
        Seconds per fastest-route search.
    scheduler : None, str, distributed.Client or Runner
        Where stacking coverage, role reachability and the what-if run
        (:func:`planner.analysis.parallel.runner`): serially by default, ``"local"`` for a
        local Dask cluster (started once for the whole report), or a scheduler address. The
        report is the same either way.
    progress : callable, optional
        ``progress(analysis, done, total)`` as the tasks of ``"reachability"`` and
        ``"whatif"`` finish.
    counts : mapping, optional
        The whole catalogue's counts (``providers``, ``credentials``, ``awards``,
        ``competencies``, ``roles``, ``recognitions``) when ``catalogue`` is a part of it,
        such as a compiled catalogue's analysis scope
        (:meth:`planner.store.catalogue.CatalogueStore.analysis_scope`).
    entry_credentials : mapping, optional
        Sector -> most common entry-level credential of the whole catalogue, for the
        typical starting profiles, when ``catalogue`` is a part of it.

    Returns
    -------
    CoverageReport
        The bundled results.

    Raises
    ------
    PlannerError
        When ``provider`` or ``award`` names nothing in the catalogue.

    """
    day = _check_scope(catalogue, provider, award, as_of)
    engine = engine or load_engine()
    seconds: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = fn()
        seconds[name] = round(time.perf_counter() - start, 3)
        return value

    def report_progress(name: str) -> Progress | None:
        return None if progress is None else lambda done, total: progress(name, done, total)

    with runner(scheduler) as run:
        G = timed("graph", lambda: build_graph(catalogue))
        obtain = timed("obtainability", lambda: obtainability(catalogue, day))
        cov = timed("coverage", lambda: stacking_coverage(catalogue, provider=provider, award=award, as_of=day,
                                                          obtain=obtain, scheduler=run))
        gaps = timed("gaps", lambda: competency_gaps(catalogue, provider=provider, roles=roles))
        orphans = timed("orphans", lambda: orphans_and_dead_ends(catalogue, provider=provider, as_of=day,
                                                                 graph=G, obtain=obtain))
        quality = timed("quality", lambda: quality_report(catalogue, provider=provider))
        reach = None
        if reachability:
            want_fastest = fastest if fastest is not None else len(catalogue.roles) <= FASTEST_MAX_ROLES
            reach = timed("reachability", lambda: role_reachability(
                catalogue, roles=list(roles) if roles is not None else None, engine=engine, as_of=day,
                fastest=want_fastest, time_limit=time_limit, scheduler=run, entry=entry_credentials,
                progress=report_progress("reachability")))
        what = None
        if whatif:
            what = timed("whatif", lambda: recognition_whatif(
                catalogue, provider=provider, award=award, engine=engine, as_of=day, obtain=obtain,
                scheduler=run, progress=report_progress("whatif")))
    counts = dict(counts) if counts is not None else _counts(catalogue)
    return CoverageReport(catalogue.meta.name, day, provider, award, counts, cov, gaps, orphans, quality,
                          reach, what, seconds, _names(catalogue))


def _check_scope(catalogue: Catalogue, provider: str | None, award: str | None,
                 as_of: dt.date | None) -> dt.date:
    """The report's date, once ``provider``, ``award`` and ``as_of`` are known to be usable.

    Raises
    ------
    PlannerError
        When ``provider`` or ``award`` names nothing, or the date is out of range.
    """
    if provider is not None and not catalogue.has("provider", provider):
        known = ", ".join(sorted(p.id for p in catalogue.providers)[:10])
        raise PlannerError(f"unknown provider {provider!r} (known providers include: {known})")
    if award is not None:
        if not catalogue.has("credential", award):
            raise PlannerError(f"unknown award {award!r}: no credential has this id")
        if not catalogue.credential(award).is_award:
            raise PlannerError(f"{award!r} is a credential without award rules, so it is not an award")
    day = resolve_as_of(as_of)
    try:  # far dates overflow the date arithmetic of the analyses
        check_date(day, "as_of")
    except ValueError as exc:
        raise PlannerError(str(exc)) from None
    return day


def _counts(catalogue: Catalogue) -> dict[str, int]:
    """How many items of each kind ``catalogue`` holds, in the order the report lists them."""
    return {
        "providers": len(catalogue.providers), "credentials": len(catalogue.credentials),
        "awards": len(catalogue.awards), "competencies": len(catalogue.competencies),
        "roles": len(catalogue.roles), "recognitions": len(catalogue.recognitions)}


def _names(catalogue: Catalogue) -> dict[str, str]:
    """``kind:id`` -> the name, title or label the report's tables show."""
    names = {f"provider:{p.id}": p.name for p in catalogue.providers}
    names.update({f"credential:{c.id}": c.title for c in catalogue.credentials})
    names.update({f"role:{r.id}": r.title for r in catalogue.roles})
    names.update({f"competency:{c.id}": c.label for c in catalogue.competencies})
    return names


# --------------------------------------------------------------------------- shared pieces


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _money(amount: float | None, currency: str) -> str:
    return "—" if amount is None else f"{amount:,.0f} {currency}"


def _reach_cell(s: StartReach, name: Callable[[str], str] = str) -> tuple[str, str, str, str]:
    """(reachable, cheapest, fastest, providers by ``name``) as short strings."""
    if s.reachable is None:
        return ("not searched", "—", "—", "; ".join(s.reasons)[:120])
    if not s.reachable:
        return ("no", "—", "—", "; ".join(s.reasons)[:120])
    c, f = s.cheapest, s.fastest
    cheap = f"{c.cost:,.0f} {c.currency}, {c.weeks} wk" if c else "—"
    fast = f"{f.weeks} wk, {f.cost:,.0f} {f.currency}" if f else "—"
    providers = sorted(set(c.providers if c else ()) | set(f.providers if f else ()))
    return ("yes", cheap, fast, ", ".join(name(f"provider:{p}") for p in providers))


@dataclass(frozen=True)
class _Section:
    title: str
    intro: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    total: int  # rows before truncation
    summary: tuple[str, ...] = ()


_NAME_KINDS = {"": ("credential", "role", "provider"), "award": ("credential",), "credential": ("credential",),
               "role": ("role",), "provider": ("provider",), "competency": ("competency",)}


def _namer(report: CoverageReport) -> Callable[[str], str]:
    """Catalogue id (or ``kind:id`` target) -> its title, from the names the report carries."""
    def name(ref: str) -> str:
        kind, _, cid = ref.rpartition(":")
        for k in _NAME_KINDS.get(kind, ()):
            title = report.names.get(f"{k}:{cid}")
            if title:
                return title
        return ref
    return name


def _sections(report: CoverageReport) -> list[_Section]:
    """Build the report's tables as plain strings, shared by the text, Markdown and HTML renderers.

    Every table names credentials, awards, roles, providers and competencies by their
    titles, names and labels (from the names the report carries), never by their ids; the
    JSON format keeps the ids.
    """
    name = _namer(report)
    out: list[_Section] = [_Section(
        "Key findings", "The main results of every analysis below, in one place.", (), [], 0,
        tuple(_findings(report)))]
    out += _coverage_sections(report, name)
    if report.reachability is not None:
        out.append(_reach_section(report.reachability, name))
    out.append(_gaps_section(report, name))
    out += _orphan_sections(report, name)
    out += _quality_sections(report, name)
    if report.whatif is not None:
        out.append(_whatif_section(report.whatif, name))
    return out


def _coverage_sections(report: CoverageReport, name: Callable[[str], str]) -> list[_Section]:
    """Stacking coverage per award, and the requirements no stacking meets."""
    out = []
    cov = report.coverage
    rows = []
    for a in cov.awards:
        no_route = ", ".join(a.no_route) or "—"
        rows.append((a.title, name(f"provider:{a.provider_id}"), "yes" if a.stackable else "no",
                     f"{a.max_stackable_credits:g}" + (f" / {a.award_ects:g}" if a.award_ects else ""),
                     _pct(a.share_stackable), no_route))
    out.append(_Section(
        "Stacking coverage per award",
        "Can each award be earned by stacking credentials anyone can earn, plus recognised credentials? "
        "'Most credit' is the ECTS reachable by stacking (respecting RPL caps, the award's size and credit "
        "validity) out of the award's ECTS. 'No route' lists rule paths (0 = the root, 0.1 = its second "
        "part) that stacking cannot meet.",
        ("Award", "Provider", "Stackable", "Most credit (ECTS)", "Parts stackable", "No route"),
        rows[:MAX_ROWS], len(rows),
        (f"{sum(a.stackable for a in cov.awards)} of {len(cov.awards)} awards can be earned entirely by "
         "stacking.",),
    ))
    rule_rows = []
    for a in cov.awards:
        for r in a.rules:
            if not r.stackable:
                rule_rows.append((a.title, r.path, r.description, f"{r.reachable:g} of {r.needed:g}",
                                  ", ".join(name(f"credential:{b}") for b in r.blocked[:6]) or "—"))
    out.append(_Section(
        "Requirements with no stackable route",
        "Award requirements that no combination of earnable credentials and recognition agreements meets.",
        ("Award", "Rule", "Requirement", "Reachable", "Blocked components"),
        rule_rows[:MAX_ROWS], len(rule_rows),
    ))
    return out


def _reach_section(reach: ReachabilityResult, name: Callable[[str], str]) -> _Section:
    """Role reachability from zero and from a typical starting profile."""
    rows = []
    for r in reach.roles:
        z, t = _reach_cell(r.from_zero, name), _reach_cell(r.from_typical, name)
        rows.append((r.title, z[0], z[1], z[2], z[3], t[0], t[1]))
    summary = [f"Typical starting profile: {reach.typical_definition}."]
    if not reach.engine_available:
        summary.append("The route engine is not available, so no routes were searched.")
    elif not reach.fastest_searched:
        summary.append(f"Only cheapest routes were searched (more than {FASTEST_MAX_ROLES} roles; "
                       "'planner coverage --fastest' searches the fastest routes too).")
    else:
        summary.append(f"{reach.reachable_from_zero} of {len(reach.roles)} roles can be reached "
                       "from zero.")
    return _Section(
        "Role reachability",
        "For each role: can it be reached from zero and from a typical starting profile; the cheapest "
        "route (cost, duration) and the fastest (duration, cost), and the providers they use.",
        ("Role", "From zero", "Cheapest", "Fastest", "Providers", "From typical", "Cheapest (typ.)"),
        rows[:MAX_ROWS], len(rows), tuple(summary),
    )


def _gaps_section(report: CoverageReport, name: Callable[[str], str]) -> _Section:
    """Competency gaps, ranked by the roles they block."""
    gaps = report.gaps
    rows = [(g.label, "not taught" if g.kind == "not_taught" else "level too low",
             str(g.needed_level), str(g.best_taught_level), str(len(g.roles_blocked)),
             str(len(g.roles_optional)), ", ".join(name(f"role:{r}") for r in g.roles_blocked[:5]) or "—")
            for g in gaps.gaps]
    return _Section(
        "Competency gaps",
        "Competencies that roles need but no credential" + (f" of {gaps.provider}" if gaps.provider else "")
        + " teaches, or not at the needed level; ranked by how many roles they block (essential needs).",
        ("Competency", "Gap", "Needed", "Best taught", "Roles blocked", "Roles affected", "Blocked roles"),
        rows[:MAX_ROWS], len(rows),
    )


def _orphan_sections(report: CoverageReport, name: Callable[[str], str]) -> list[_Section]:
    """Orphans, dead ends and near-duplicates."""
    out = []
    orph = report.orphans
    out.append(_Section(
        "Orphans",
        "Credentials that count towards no award and teach no competency at the level a role needs as "
        "essential. 'Unlocks' shows those that are still stepping stones to other credentials.",
        ("Credential", "Provider", "Unlocks"),
        [(o.title, name(f"provider:{o.provider_id}"), ", ".join(name(f"credential:{u}") for u in o.unlocks[:5]) or "—")
         for o in orph.orphans[:MAX_ROWS]], len(orph.orphans),
    ))
    out.append(_Section(
        "Dead ends",
        "Credentials nobody can earn: their prerequisites (or award rules) can never be met.",
        ("Credential", "Provider", "Why"),
        [(d.title, name(f"provider:{d.provider_id}"), "; ".join(d.reasons)) for d in orph.dead_ends[:MAX_ROWS]],
        len(orph.dead_ends),
    ))
    out.append(_Section(
        "Near-duplicates",
        "Groups of credentials that teach exactly the same competencies at the same levels.",
        ("Credentials", "Providers", "Teaches"),
        [("; ".join(name(f"credential:{c}") for c in d.credential_ids),
          "; ".join(name(f"provider:{p}") for p in d.providers),
          ", ".join(f"{name(f'competency:{c}')} (level {lv})" for c, lv in d.teaches))
         for d in orph.duplicates[:MAX_ROWS]], len(orph.duplicates),
    ))
    return out


def _quality_sections(report: CoverageReport, name: Callable[[str], str]) -> list[_Section]:
    """Quality per provider against the EU standard elements, and the credentials it flags."""
    out = []
    q = report.quality
    out.append(_Section(
        "Quality against the EU standard elements",
        "Completeness of the mandatory elements of the EU Council Recommendation on micro-credentials "
        "(learning outcomes, workload, EQF level, assessment, participation, quality assurance, language), "
        "share with external quality assurance, and workloads outside 25–30 hours per ECTS.",
        ("Provider", "Credentials", "Mean completeness", "Complete", "External QA", "Workload flags",
         "Most often missing"),
        [(p.name, str(p.credentials), _pct(p.mean_completeness), _pct(p.share_complete),
          _pct(p.share_external_qa), str(p.workload_flags),
          ", ".join(f"{ELEMENT_LABELS.get(m, m)} ({n})" for m, n in p.most_missing[:3]) or "—")
         for p in q.providers[:MAX_ROWS]],
        len(q.providers),
        (f"Overall: mean completeness {_pct(q.mean_completeness)}, {_pct(q.share_complete)} of credentials "
         f"complete, {_pct(q.share_external_qa)} with external QA, {q.workload_flags} workload flags.",),
    ))
    flagged = [c for c in q.credentials if c.missing or c.workload_flag]
    out.append(_Section(
        "Credentials with missing elements or odd workloads",
        "Credentials missing a mandatory EU element, or whose hours per ECTS fall outside 25–30.",
        ("Credential", "Provider", "Completeness", "Missing", "Hours per ECTS"),
        [(name(f"credential:{c.credential_id}"), name(f"provider:{c.provider_id}"), _pct(c.completeness),
          ", ".join(ELEMENT_LABELS.get(m, m) for m in c.missing) or "—",
          (f"{c.hours_per_ects:.1f}" + (" (flagged)" if c.workload_flag else ""))
          if c.hours_per_ects is not None else "—") for c in flagged[:MAX_ROWS]],
        len(flagged),
    ))
    return out


def _whatif_section(w: WhatIfResult, name: Callable[[str], str]) -> _Section:
    """The recognition what-if: agreements that would change a route, best first."""
    # the ranking lists only agreements that change something; the rest are counted below
    helpful = [c for c in w.candidates if c.helps]
    rows = []
    for c in helpful[:MAX_ROWS]:
        effects = "; ".join(
            f"{name(e.target)}: {_money(e.before, w.currency)} → {_money(e.after, w.currency)}"
            for e in c.effects if e.unlocked or e.saving)
        rows.append((name(c.credential_id), name(c.credential_provider_id), name(c.award_id),
                     f"{c.credits:g}", name(c.equivalent_to) if c.equivalent_to else c.pool or "—",
                     str(c.unlocked), f"{c.saving:,.0f} {w.currency}", effects))
    summary = []
    if w.note:
        summary.append(w.note)
    summary.append(f"{len(w.candidates)} candidate agreements were measured with {w.searches} route "
                   f"searches; {len(helpful)} would change a route, {len(w.candidates) - len(helpful)} "
                   "would change nothing and are not listed.")
    return _Section(
        "Recognition what-if",
        "Which single new recognition agreement (credential C counts towards award A for its ECTS) would "
        "most help: targets it makes reachable, and how much cheaper the cheapest routes become. Every "
        "effect is measured by re-running the route engine, from an empty starting profile.",
        ("Credential", "Its provider", "Towards award", "ECTS", "Pool / equivalent of", "Unlocks",
         "Saving", "Effects"),
        rows, len(helpful), tuple(summary),
    )


def _findings(report: CoverageReport) -> list[str]:
    """One plain sentence per analysis, for the top of the report."""
    found = []
    cov = report.coverage
    if cov.awards:
        open_ = [a.title for a in cov.awards if not a.stackable]
        found.append(f"{len(cov.awards) - len(open_)} of {len(cov.awards)} awards can be earned entirely by "
                     "stacking" + (f"; not: {', '.join(open_[:5])}" + (" …" if len(open_) > 5 else "")
                                   if open_ else "") + ".")
    else:
        found.append("No award in scope.")
    reach = report.reachability
    if reach is not None and reach.engine_available and reach.roles:
        blocked = [r.title for r in reach.roles if r.from_zero.reachable is False]
        found.append(f"{reach.reachable_from_zero} of {len(reach.roles)} roles can be reached from zero"
                     + (f"; unreachable: {', '.join(blocked[:5])}" if blocked else "") + ".")
    if report.gaps.gaps:
        top = report.gaps.gaps[0]
        found.append(f"{len(report.gaps.gaps)} competency gaps; the largest, {top.label}, blocks "
                     f"{len(top.roles_blocked)} role(s).")
    else:
        found.append("Every competency roles need is taught at the needed level.")
    orph = report.orphans
    found.append(f"{len(orph.orphans)} orphan credentials, {len(orph.dead_ends)} dead ends, "
                 f"{len(orph.duplicates)} groups of near-duplicates.")
    q = report.quality
    found.append(f"EU standard elements: mean completeness {_pct(q.mean_completeness)}, "
                 f"{_pct(q.share_external_qa)} with external QA, {q.workload_flags} workload(s) outside "
                 "25–30 h per ECTS.")
    w = report.whatif
    if w is not None and w.engine_available:
        best = next((c for c in w.candidates if c.helps), None)
        if best is None:
            found.append("No single new recognition agreement among those tried would help.")
        else:
            effect = (f"unlock {best.unlocked} target(s)" if best.unlocked
                      else f"save {best.saving:,.0f} {w.currency} in total")
            found.append(f"Best new recognition agreement: {report.name('credential', best.credential_id)} "
                         f"({report.name('provider', best.credential_provider_id)}) towards "
                         f"{report.name('credential', best.award_id)} would {effect}.")
    return found


def _title(report: CoverageReport) -> str:
    scope = []
    if report.provider:
        scope.append(f"provider {report.name('provider', report.provider)}")
    if report.award:
        scope.append(f"award {report.name('credential', report.award)}")
    return f"Coverage report — {report.catalogue_name}" + (f" ({', '.join(scope)})" if scope else "")


def _counts_line(report: CoverageReport) -> str:
    return ", ".join(f"{n} {k}" for k, n in report.counts.items()) + f"; as of {day(report.as_of)}"


# --------------------------------------------------------------------------- renderers


def _jsonable(value: Any) -> Any:
    """Like :func:`planner.engine.results.to_jsonable`, plus the public properties of result classes."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name, attr in sorted(vars(type(value)).items()):
            if isinstance(attr, property) and not name.startswith("_"):
                out[name] = _jsonable(getattr(value, name))
        return out
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return to_jsonable(value)


def to_json(report: CoverageReport) -> str:
    """Render the report as JSON (every row, no truncation; derived figures included)."""
    data = _jsonable(report)
    data.pop("seconds", None)  # timings differ run to run; the output must not
    return textsafe.json_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def to_text(report: CoverageReport) -> str:
    """Render the report as plain text for a terminal."""
    t = textsafe.terminal  # catalogue text on a terminal: no escape sequences, one line per cell
    title = t(_title(report), multiline=False)
    lines = [title, "=" * len(title), t(_counts_line(report), multiline=False), ""]
    for s in _sections(report):
        s = dataclasses.replace(s, title=t(s.title, multiline=False),
                                summary=tuple(t(x, multiline=False) for x in s.summary),
                                rows=[tuple(t(c, multiline=False) for c in r) for r in s.rows])
        lines += [s.title, "-" * len(s.title), *s.summary]
        if not s.headers:
            lines.append("")
            continue
        if not s.rows:
            lines += ["(none)", ""]
            continue
        widths = [min(40, max(len(h), *(len(r[i]) for r in s.rows))) for i, h in enumerate(s.headers)]

        def fmt(cells: tuple[str, ...], widths: list[int] = widths) -> str:
            return "  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(cells, widths,
                                                                                              strict=True))

        lines.append(fmt(s.headers).rstrip())
        lines += [fmt(r).rstrip() for r in s.rows]
        if s.total > len(s.rows):
            lines.append(f"… and {s.total - len(s.rows)} more (use --format json for all)")
        lines.append("")
    return "\n".join(lines)


def to_markdown(report: CoverageReport) -> str:
    """Render the report as Markdown (GitHub-flavoured tables)."""
    lines = [f"# {_md(_title(report))}", "", _md(_counts_line(report)), ""]
    for s in _sections(report):
        lines += [f"## {_md(s.title)}", "", _md(s.intro), ""]
        if not s.headers:  # a findings list
            lines += [f"- {_md(x)}" for x in s.summary] + [""]
            continue
        lines += [_md(x) + "\n" for x in s.summary]
        if not s.rows:
            lines += ["_None._", ""]
            continue
        lines.append("| " + " | ".join(_md(h) for h in s.headers) + " |")
        lines.append("|" + "---|" * len(s.headers))
        lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in s.rows]
        if s.total > len(s.rows):
            lines += ["", f"_… and {s.total - len(s.rows)} more (the JSON format lists all)._"]
        lines.append("")
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1200px;margin:2em auto;
padding:0 1em;color:#1f2933;line-height:1.45}
h1{font-size:1.7em}h2{margin-top:2em;border-bottom:2px solid #d9e2ec;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #d9e2ec;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f4f8}tr:nth-child(even) td{background:#fafbfc}
.intro{color:#52606d}.summary{font-weight:600}.more{color:#7b8794;font-style:italic}
"""


def to_html(report: CoverageReport, *, figures: bool = True, catalogue: Catalogue | None = None) -> str:
    """Render the report as one self-contained HTML page (plotly.js embedded inline).

    Parameters
    ----------
    report : CoverageReport
        The report.
    figures : bool
        Embed the plotly figures (plotly.js, about 4.5 MB, is inlined once).
    catalogue : Catalogue, optional
        The report's catalogue, for the roles × competencies heatmap.

    Returns
    -------
    str
        The HTML document.

    """
    e = textsafe.html
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(_title(report))}</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(_title(report))}</h1>", f'<p class="intro">{e(_counts_line(report))}</p>']
    # each figure with the table of its figures: the section's own table, or one of its own
    figs: dict[str, list[tuple[Any, list[dict[str, object]] | None]]] = {}
    if figures:
        from planner.outputs.plots.coverage import (
            competency_heatmap,
            gap_bars,
            heatmap_data,
            heatmap_rows,
            quality_bars,
            stacking_bars,
        )

        if report.coverage.awards:
            figs["Stacking coverage per award"] = [(stacking_bars(report.coverage), None)]
        if report.gaps.gaps:
            figs["Competency gaps"] = [(gap_bars(report.gaps), None)]
        if catalogue is not None and catalogue.roles:
            figs.setdefault("Competency gaps", []).append(
                (competency_heatmap(catalogue, kind="roles"), heatmap_rows(heatmap_data(catalogue, kind="roles"))))
        if report.quality.providers:
            figs["Quality against the EU standard elements"] = [(quality_bars(report.quality), None)]
    first = True
    for s in _sections(report):
        parts.append(f"<section><h2>{e(s.title)}</h2><p class='intro'>{e(s.intro)}</p>")
        if not s.headers:  # a findings list
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in s.summary) + "</ul></section>")
            continue
        parts += [f"<p class='summary'>{e(x)}</p>" for x in s.summary]
        shown = figs.get(s.title, [])
        own = [(fig, alt) for fig, alt in shown if alt]  # these come after the section's table, each with its own
        for fig in [fig for fig, alt in shown if not alt]:  # the section's table, right below, holds their figures
            parts.append(fig.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False}))
            first = False
        if s.rows:
            parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in s.headers)
                         + "</tr></thead><tbody>")
            parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in s.rows]
            parts.append("</tbody></table>")
            if s.total > len(s.rows):
                parts.append(f"<p class='more'>… and {s.total - len(s.rows)} more "
                             "(the JSON format lists all).</p>")
        else:
            parts.append("<p><em>None.</em></p>")
        for fig, alt in own:
            parts.append(fig.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False}))
            first = False
            heads = list(alt[0])
            parts.append(f"<p class='intro'>{e(str(fig.layout.title.text))}, as a table:</p>"
                         "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in heads) + "</tr></thead><tbody>"
                         + "".join("<tr>" + "".join(f"<td>{e(str(r[h]))}</td>" for h in heads) + "</tr>"
                                   for r in alt) + "</tbody></table>")
        parts.append("</section>")
    parts.append("<footer><p class='intro'>This service uses the ESCO classification of the European "
                 "Commission.</p></footer></body></html>")
    return "\n".join(parts)


def render(report: CoverageReport, fmt: str, *, catalogue: Catalogue | None = None) -> str:
    """Render in one of :data:`FORMATS` (``catalogue`` adds the heatmap to HTML)."""
    if fmt == "html":
        return to_html(report, catalogue=catalogue)
    renderers: dict[str, Callable[[CoverageReport], str]] = {
        "text": to_text, "json": to_json, "markdown": to_markdown}
    if fmt not in renderers:
        raise PlannerError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](report)
