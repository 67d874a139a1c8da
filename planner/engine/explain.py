"""Why each step of a route is there: what it serves, unlocks, completes and costs.

Explanations are computed from the catalogue and the chosen set, never from the solver's
internals, so they read the same whichever objective produced the route.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from planner.catalogue.models import (
    Catalogue,
    Credential,
    LearnerProfile,
    Target,
    rule_credentials,
)
from planner.engine.results import ScheduledStep, Step
from planner.engine.rules import agreements_in_force, credential_cost, known_levels

__all__ = ["award_components", "duration_note", "explain_steps", "known_levels", "ordinal"]


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th`` …."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def award_components(catalogue: Catalogue, award_id: str, *, today: dt.date) -> dict[str, float]:
    """Credentials that count towards an award, with the ECTS each brings.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue holding the award.
    award_id : str
        Id of a credential with award rules.
    today : datetime.date
        Recognition agreements count only when in force on this day.

    Returns
    -------
    dict of str to float
        Component id → credit (its own ECTS, or the credits a recognition agreement grants).

    """
    award = catalogue.credential(award_id)
    out: dict[str, float] = {}
    if award.award is None:
        return out
    # the credit rule of docs/semantics.md: own ECTS when named, plus agreed credits
    for member in dict.fromkeys(rule_credentials(award.award.rule)):
        if catalogue.has("credential", member):
            out[member] = catalogue.credential(member).ects or 0.0
    for agreement in agreements_in_force(catalogue, award_id, today):
        out[agreement.credential] = out.get(agreement.credential, 0.0) + agreement.credits
    return out


@dataclass(frozen=True)
class _Needs:
    required: tuple[tuple[str, int], ...]
    optional: tuple[tuple[str, int], ...]


def _label(catalogue: Catalogue, competency_id: str) -> str:
    return catalogue.competency(competency_id).label if catalogue.has("competency", competency_id) else competency_id


def _title(catalogue: Catalogue, credential_id: str) -> str:
    return catalogue.credential(credential_id).title if catalogue.has("credential", credential_id) else credential_id


def _serves_competencies(
    catalogue: Catalogue, credential: Credential, needs: _Needs, known: Mapping[str, int]
) -> list[str]:
    taught = {t.competency: t.level for t in credential.teaches}
    lines: list[str] = []
    for kind, items in (("needed", needs.required), ("optional", needs.optional)):
        for comp, level in items:
            if taught.get(comp, 0) >= level and known.get(comp, 0) < level:
                lines.append(f"{_label(catalogue, comp)} at level {taught[comp]} ({kind}: level {level})")
    return lines


class _Unlocks:
    """Which chosen credentials each credential unlocks, indexed once per route (linear, not quadratic)."""

    def __init__(self, catalogue: Catalogue, chosen: Sequence[str]) -> None:
        self.order = {cid: i for i, cid in enumerate(chosen)}
        self.by_credential: dict[str, set[str]] = {}
        self.by_competency: dict[str, list[tuple[int, str]]] = {}
        for other_id in chosen:
            for group in catalogue.credential(other_id).requires:
                for alt in group.any_of:
                    if alt.credential is not None:
                        self.by_credential.setdefault(alt.credential, set()).add(other_id)
                    elif alt.competency is not None:
                        self.by_competency.setdefault(alt.competency, []).append((alt.level or 0, other_id))

    def of(self, credential: Credential) -> list[str]:
        """Chosen credentials with a prerequisite group that ``credential`` meets, in route order."""
        found = set(self.by_credential.get(credential.id, ()))
        for t in credential.teaches:
            found.update(o for level, o in self.by_competency.get(t.competency, ()) if t.level >= level)
        found.discard(credential.id)
        return sorted(found, key=self.order.__getitem__)


def explain_steps(
    catalogue: Catalogue,
    profile: LearnerProfile,
    target: Target,
    chosen: Sequence[str],
    schedule: Sequence[ScheduledStep],
    *,
    held: Iterable[str],
    required: Sequence[tuple[str, int]],
    optional: Sequence[tuple[str, int]],
    today: dt.date,
) -> tuple[Step, ...]:
    """Build the explained steps of a route, in schedule order.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue the route comes from.
    profile : LearnerProfile
        The learner (declared competencies count as known).
    target : Target
        What the route reaches.
    chosen : sequence of str
        The credentials of the route.
    schedule : sequence of ScheduledStep
        Where each chosen credential sits in time (may be empty).
    held : iterable of str
        Credentials held with valid credit.
    required, optional : sequence of (competency, level)
        The target's missing essential and optional needs.
    today : datetime.date
        Plan start, for recognition agreements in force.

    Returns
    -------
    tuple of Step
        One step per chosen credential, ordered by start week then id.

    """
    held = set(held)
    known = known_levels(catalogue, profile, held)
    needs = _Needs(tuple(required), tuple(optional))
    when = {s.credential_id: s for s in schedule}
    # the schedule's order (start week, then prerequisites first), then any unscheduled id
    chosen_ids = set(chosen)
    order = [s.credential_id for s in schedule if s.credential_id in chosen_ids]
    order += sorted(chosen_ids - set(order))
    chosen_set = set(chosen)
    unlocking = _Unlocks(catalogue, order)

    # Awards earned on this route and the components that feed each.
    awards = [cid for cid in order if catalogue.credential(cid).award is not None]
    components = {a: award_components(catalogue, a, today=today) for a in awards}
    parents: dict[str, list[str]] = {}
    for award_id, members in components.items():
        for member in members:
            parents.setdefault(member, []).append(award_id)

    # The component whose completion finishes each award: the last one to end.
    finisher: dict[str, str] = {}
    for award_id in awards:
        feeding = [c for c in order if c in components[award_id] and c in chosen_set]
        if feeding:
            finisher[award_id] = feeding[-1]
    completes_by: dict[str, list[str]] = {}
    for award_id, comp in finisher.items():
        completes_by.setdefault(comp, []).append(award_id)

    target_award = target.id if target.kind == "award" else None
    steps: list[Step] = []
    counted: dict[str, int] = {}
    for cid in order:
        credential = catalogue.credential(cid)
        serves = _serves_competencies(catalogue, credential, needs, known)
        for award_id in sorted(parents.get(cid, [])):
            counted[award_id] = counted.get(award_id, 0) + 1
            credit = components[award_id][cid]
            serves.append(
                f"{ordinal(counted[award_id])} component towards {_title(catalogue, award_id)} ({credit:g} ECTS)"
            )
        if target_award and cid == target_award:
            serves.append("the target award itself")
        unlocks = unlocking.of(credential)
        completes = tuple(sorted(completes_by.get(cid, [])))

        price = credential_cost(catalogue, credential, profile.constraints.audiences)
        cost_amount, cost_currency, cost_base = price.amount, price.currency, price.base
        slot = when.get(cid)
        steps.append(
            Step(
                credential_id=cid,
                title=credential.title,
                provider_id=credential.provider,
                cost=round(cost_base, 2),
                cost_amount=cost_amount,
                cost_currency=cost_currency,
                ects=credential.ects or 0.0,
                hours=credential.hours or 0.0,
                start=slot.start if slot else None,
                end=slot.end if slot else None,
                serves=tuple(serves),
                unlocks=tuple(unlocks),
                completes=completes,
                explanation=_sentence(catalogue, credential, serves, unlocks, completes, components,
                                      cost_amount, cost_currency, price.note),
                cost_note=price.note,
                duration_note=duration_note(credential),
            )
        )
    return tuple(steps)


def duration_note(credential: Credential) -> str:
    """Say that a published range is planned with its upper end ("" when no range)."""
    notes = []
    if credential.min_duration_weeks is not None and credential.duration_weeks is not None \
            and credential.min_duration_weeks < credential.duration_weeks:
        notes.append(f"{credential.min_duration_weeks}–{credential.duration_weeks} weeks published, "
                     f"planned with {credential.duration_weeks}")
    if credential.min_hours is not None and credential.hours is not None and credential.min_hours < credential.hours:
        notes.append(f"{credential.min_hours:g}–{credential.hours:g} hours published, planned with "
                     f"{credential.hours:g}")
    return "; ".join(notes)


def _sentence(
    catalogue: Catalogue,
    credential: Credential,
    serves: Sequence[str],
    unlocks: Sequence[str],
    completes: Sequence[str],
    components: Mapping[str, Mapping[str, float]],
    cost_amount: float,
    cost_currency: str,
    cost_note: str = "",
) -> str:
    provider = catalogue.provider(credential.provider).name if catalogue.has(
        "provider", credential.provider) else credential.provider
    facts = [f"{cost_amount:,.0f} {cost_currency}" + (f", {cost_note}" if cost_note else "")]
    if credential.ects:
        facts.append(f"{credential.ects:g} ECTS")
    if credential.hours:
        facts.append(f"{credential.hours:g} h")
    ranged = duration_note(credential)
    if ranged:
        facts.append(ranged)
    parts = [f"{credential.title} ({provider}; {', '.join(facts)})."]
    if serves:
        parts.append("Serves: " + "; ".join(serves) + ".")
    if unlocks:
        parts.append("Unlocks: " + ", ".join(_title(catalogue, u) for u in unlocks) + ".")
    for award_id in completes:
        award = catalogue.credential(award_id)
        text = f"Completes {award.title}"
        if award.ects:
            text += f", worth {award.ects:g} ECTS"
        onward = [a for a, members in components.items() if award_id in members and a != award_id]
        if onward:
            text += " towards " + ", ".join(_title(catalogue, a) for a in sorted(onward))
        parts.append(text + ".")
    return " ".join(parts)
