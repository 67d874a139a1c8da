"""What a saved route relied on in the catalogue, and how the catalogue has drifted from it.

When a plan is saved, :func:`plan_basis` records, for each credential of the chosen route,
its title, price, intakes and a fingerprint of its whole specification; the fingerprint of
the target (a role's needs, an award's rules); and the recognition agreements that touch
the route. :func:`drift_reasons` compares that record with another catalogue and says, in
plain words, what changed. Both are cheap (dictionary look-ups), so a caseload page can
show badges for hundreds of plans; whether a changed plan is still *feasible* is a route
search, done by :func:`planner.store.replan.check_plans`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from planner.catalogue.models import Catalogue, Target

__all__ = ["Drift", "catalogue_digest", "drift_reasons", "plan_basis"]

_FINGERPRINTS: dict[int, tuple[Catalogue, dict[str, str]]] = {}  # id(catalogue) -> (catalogue, fingerprints)
_MAX_CACHED = 4


@dataclass(frozen=True)
class Drift:
    """One way the catalogue no longer matches what a plan relied on."""

    code: str  # price_changed, intake_dropped, retired, renamed, changed, award_rule_changed,
    #            role_changed, target_missing, recognition_expired, infeasible, profile_unknown
    credential_id: str | None
    message: str


def _fp(model: BaseModel) -> str:
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()[:16]


def _fingerprints(catalogue: Catalogue) -> dict[str, str]:
    # one hash per credential/role/agreement, computed once per catalogue object
    hit = _FINGERPRINTS.get(id(catalogue))
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    fps = {f"credential:{c.id}": _fp(c) for c in catalogue.credentials}
    fps.update({f"award:{c.id}": _fp(c.award) for c in catalogue.credentials if c.award is not None})
    fps.update({f"role:{r.id}": _fp(r) for r in catalogue.roles})
    fps.update({f"recognition:{r.id}": _fp(r) for r in catalogue.recognitions})
    while len(_FINGERPRINTS) >= _MAX_CACHED:
        _FINGERPRINTS.pop(next(iter(_FINGERPRINTS)))
    _FINGERPRINTS[id(catalogue)] = (catalogue, fps)
    return fps


def catalogue_digest(catalogue: Catalogue) -> str:
    """A short digest of a catalogue's whole content (the same content gives the same digest)."""
    h = hashlib.sha256()
    for key, fp in sorted(_fingerprints(catalogue).items()):
        h.update(f"{key}={fp};".encode())
    h.update(catalogue.meta.model_dump_json().encode())
    return h.hexdigest()[:16]


def _runs(cred: Any) -> dict[str, Any] | None:
    return cred.runs.model_dump(mode="json") if cred.runs is not None else None


def plan_basis(catalogue: Catalogue, target: Target, credential_ids: Iterable[str]) -> dict[str, Any]:
    """The catalogue facts a route relies on, as JSON-ready data (stored with the plan).

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue the route was planned on.
    target : Target
        The plan's target.
    credential_ids : iterable of str
        The chosen route's credentials.

    Returns
    -------
    dict
        ``credentials`` (id -> title, cost, runs, fingerprint), ``target`` (kind, id,
        fingerprint), ``recognitions`` (id -> valid_until, fingerprint).
    """
    fps = _fingerprints(catalogue)
    ids = [c for c in credential_ids if catalogue.has("credential", c)]
    creds = {}
    for cid in ids:
        cred = catalogue.credential(cid)
        creds[cid] = {
            "title": cred.title,
            "cost": [cred.cost.amount, cred.cost.currency] if cred.cost else None,
            "runs": _runs(cred),
            "fp": fps[f"credential:{cid}"],
            "award_fp": fps.get(f"award:{cid}"),
        }
    tkey = f"{'role' if target.kind == 'role' else 'award'}:{target.id}"
    awards = {target.id} if target.kind == "award" else set()
    awards |= {cid for cid in ids if catalogue.credential(cid).award is not None}
    recognitions = {
        r.id: {"valid_until": r.valid_until.isoformat() if r.valid_until else None, "fp": fps[f"recognition:{r.id}"]}
        for r in catalogue.recognitions if r.credential in creds or r.award in awards
    }
    return {"credentials": creds, "target": {"kind": target.kind, "id": target.id, "fp": fps.get(tkey)},
            "recognitions": recognitions}


def _money(cost: list[Any] | None) -> str:
    return "no price" if cost is None else f"{cost[0]:,.0f} {cost[1]}"


def drift_reasons(basis: Mapping[str, Any], catalogue: Catalogue, *, today: dt.date) -> list[Drift]:
    """What changed in ``catalogue`` against a plan's basis (see :func:`plan_basis`).

    Parameters
    ----------
    basis : mapping
        The stored basis.
    catalogue : Catalogue
        The catalogue to check against (usually a newer one).
    today : datetime.date
        The day of the check: recognition agreements that ended before it have expired.

    Returns
    -------
    list of Drift
        One entry per change, in the route's order; empty when the plan still holds.
    """
    fps = _fingerprints(catalogue)
    out: list[Drift] = []
    titles = {c.title: c.id for c in catalogue.credentials}
    for cid, was in basis.get("credentials", {}).items():
        if not catalogue.has("credential", cid):
            moved = titles.get(was["title"])
            if moved:
                out.append(Drift("renamed", cid, f"'{was['title']}' now has the id '{moved}' ('{cid}' is gone)"))
            else:
                out.append(Drift("retired", cid, f"'{was['title']}' ({cid}) is no longer offered"))
            continue
        cred = catalogue.credential(cid)
        if fps[f"credential:{cid}"] == was["fp"]:
            continue
        changed = False
        if cred.title != was["title"]:
            out.append(Drift("renamed", cid, f"'{was['title']}' is now called '{cred.title}'"))
            changed = True
        cost = [cred.cost.amount, cred.cost.currency] if cred.cost else None
        if cost != (list(was["cost"]) if was["cost"] is not None else None):
            out.append(Drift("price_changed", cid,
                             f"the price of '{cred.title}' changed from {_money(was['cost'])} to {_money(cost)}"))
            changed = True
        old_runs, new_runs = was["runs"] or {}, _runs(cred) or {}
        dropped = sorted(set(old_runs.get("intakes", [])) - set(new_runs.get("intakes", [])))
        if old_runs.get("rolling") and not new_runs.get("rolling"):
            out.append(Drift("intake_dropped", cid, f"'{cred.title}' no longer starts any week"))
            changed = True
        elif dropped:
            out.append(Drift("intake_dropped", cid,
                             f"'{cred.title}' no longer starts on {', '.join(dropped)} (MM-DD)"))
            changed = True
        if was.get("award_fp") and fps.get(f"award:{cid}") != was["award_fp"]:
            out.append(Drift("award_rule_changed", cid, f"the award rules of '{cred.title}' changed"))
            changed = True
        if not changed:
            out.append(Drift("changed", cid, f"'{cred.title}' changed (what it teaches, requires or other details)"))
    target = basis.get("target", {})
    kind, tid = target.get("kind"), target.get("id")
    if kind == "role" and not catalogue.has("role", tid or ""):
        out.append(Drift("target_missing", None, f"the role '{tid}' is no longer in the catalogue"))
    elif kind == "award" and not (catalogue.has("credential", tid or "") and catalogue.credential(tid).is_award):
        out.append(Drift("target_missing", None, f"the award '{tid}' is no longer in the catalogue"))
    elif kind == "role" and fps.get(f"role:{tid}") != target.get("fp"):
        out.append(Drift("role_changed", None, f"what the role '{catalogue.role(tid).title}' needs changed"))
    elif (kind == "award" and tid not in basis.get("credentials", {})
          and fps.get(f"award:{tid}") != target.get("fp") and target.get("fp") is not None):
        out.append(Drift("award_rule_changed", tid,
                         f"the award rules of '{catalogue.credential(tid).title}' changed"))
    for rid, was in basis.get("recognitions", {}).items():
        if not catalogue.has("recognition", rid):
            out.append(Drift("recognition_expired", None, f"the recognition agreement '{rid}' was withdrawn"))
            continue
        agreement = next(r for r in catalogue.recognitions if r.id == rid)
        if agreement.valid_until is not None and agreement.valid_until < today:
            out.append(Drift("recognition_expired", agreement.credential,
                             f"the recognition agreement '{rid}' ended on {agreement.valid_until.isoformat()}"))
        elif fps[f"recognition:{rid}"] != was["fp"]:
            out.append(Drift("recognition_changed", agreement.credential,
                             f"the recognition agreement '{rid}' changed"))
    return out
