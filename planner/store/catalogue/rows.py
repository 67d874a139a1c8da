"""What a catalogue item is stored as: its JSON document, its own row and its index rows.

The writer stores exactly these rows, and the readers' checks and ``planner validate``'s
sweep compare what a store holds with them: one derivation, so a store can only be
judged by the rule it was written by.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table

from planner.catalogue.models import Competency, Credential, Provider, RecognitionAgreement, Role, rule_credentials
from planner.store.catalogue import schema as t

__all__ = ["KINDS", "POSITIONED", "own_row", "stored_rows", "to_doc"]

#: Each kind of item: its table and the model its ``doc`` validates with.
KINDS: dict[str, tuple[Table, type[BaseModel]]] = {
    "credential": (t.credentials, Credential),
    "role": (t.roles, Role),
    "competency": (t.competencies, Competency),
    "provider": (t.providers, Provider),
    "recognition": (t.recognitions, RecognitionAgreement),
}
#: Item tables whose rows carry ``pos``, the item's position within its source.
POSITIONED = (t.credentials, t.recognitions)


def to_doc(model: BaseModel) -> str:
    """The JSON an item is stored as (what its model validates back to the same item)."""
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def stored_rows(item: BaseModel) -> list[tuple[Table, dict[str, Any]]]:
    """The rows an item is stored as: its own row first (without ``source``, ``pos`` and ``doc``), then its index rows.

    Parameters
    ----------
    item : Credential, Role, Competency, Provider or RecognitionAgreement
        A validated catalogue item.

    Returns
    -------
    list of (Table, dict)
        In the order the writer inserts them.

    Raises
    ------
    TypeError
        For anything that is not a catalogue item.
    """
    return [own_row(item), *_index_rows(item)]


def own_row(item: BaseModel) -> tuple[Table, dict[str, Any]]:
    """The item's table and its own row (without ``source``, ``pos`` and ``doc``): what a reader compares.

    Raises
    ------
    TypeError
        For anything that is not a catalogue item.
    """
    if isinstance(item, Credential):
        return t.credentials, {"id": item.id, "title": item.title, "provider": item.provider,
                               "type": item.type.value, "sector": item.sector, "is_award": item.award is not None,
                               "ects": item.ects}
    if isinstance(item, Role):
        return t.roles, {"id": item.id, "title": item.title, "sector": item.sector}
    if isinstance(item, Competency):
        return t.competencies, {"id": item.id, "label": item.label, "broader": item.broader}
    if isinstance(item, Provider):
        return t.providers, {"id": item.id, "name": item.name, "country": item.country}
    if isinstance(item, RecognitionAgreement):
        return t.recognitions, {"id": item.id, "award": item.award, "credential": item.credential,
                                "provider": item.provider}
    raise TypeError(f"not a catalogue item: {type(item).__name__}")


def _index_rows(item: BaseModel) -> list[tuple[Table, dict[str, Any]]]:
    if isinstance(item, Credential):
        return _credential(item)
    if isinstance(item, Role):
        rows: list[tuple[Table, dict[str, Any]]] = [
            (t.role_needs, {"role": item.id, "competency": need.competency, "level": need.level,
                            "essential": need.essential}) for need in item.needs]
        body = " ".join(x for x in (item.id, item.sector, item.description) if x)
        rows.append((t.search_docs, {"kind": "role", "item": item.id, "title": item.title, "body": body,
                                     "is_award": False}))
        return rows
    return []


def _credential(cred: Credential) -> list[tuple[Table, dict[str, Any]]]:
    rows: list[tuple[Table, dict[str, Any]]] = []
    best: dict[str, int] = {}  # one teaches row per competency, at the highest level taught
    for taught in cred.teaches:
        best[taught.competency] = max(best.get(taught.competency, -1), taught.level)
    rows += [(t.teaches, {"competency": comp, "level": level, "credential": cred.id}) for comp, level in best.items()]
    rows += [(t.requires, {"credential": cred.id, "needs_credential": alt.credential,
                           "needs_competency": alt.competency, "needs_level": alt.level})
             for group in cred.requires for alt in group.any_of]
    if cred.award is not None:
        rows += [(t.award_components, {"award": cred.id, "credential": member})
                 for member in dict.fromkeys(rule_credentials(cred.award.rule))]
    body = " ".join(x for x in (cred.id, cred.sector, cred.type.value.replace("_", " "), cred.description) if x)
    rows.append((t.search_docs, {"kind": "credential", "item": cred.id, "title": cred.title, "body": body,
                                 "is_award": cred.award is not None}))
    return rows
