"""Check exports against the standards' own validators.

* :func:`ctdl_findings` runs Credential Engine's structural validator ``ctdl-validate``
  (an optional tool: ``pip install --ignore-requires-python ctdl-validate==0.2.1``; it
  works offline on Python 3.11) over a CTDL JSON-LD document.
* :func:`ob3_validator` builds a JSON Schema (Draft 2019-09) validator from 1EdTech's
  published Open Badges 3.0 schema files, for a whole ``AchievementCredential`` or for
  one of the classes it defines (``Achievement``, ``Alignment`` …), which is what the
  planner exports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["CtdlFinding", "ctdl_available", "ctdl_findings", "ob3_errors", "ob3_validator"]

#: the 1EdTech schema file for a whole credential
OB3_CREDENTIAL_SCHEMA = "achievementcredential.json"


@dataclass(frozen=True)
class CtdlFinding:
    """One finding of ``ctdl-validate``: severity, code, where, and why."""

    severity: str
    code: str
    entity: str
    prop: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} {self.code} {self.entity} {self.prop}={self.value}: {self.message}"


def ctdl_available() -> bool:
    """Return True when ``ctdl-validate`` is installed."""
    try:
        import ctdl_validate  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


def ctdl_findings(document: Any) -> list[CtdlFinding]:
    """Validate a CTDL JSON-LD document with ``ctdl-validate``.

    Parameters
    ----------
    document : dict or list
        A decoded JSON-LD document (``@graph`` object, one entity, or a list).

    Returns
    -------
    list of CtdlFinding
        Every finding, in the tool's deterministic order. ``ERROR`` findings are
        defects; ``WARNING`` likely ones; ``INFO`` and ``UNVERIFIABLE`` are notes.

    Raises
    ------
    ModuleNotFoundError
        When ``ctdl-validate`` is not installed.

    """
    from ctdl_validate import validate_document

    return [CtdlFinding(f.severity.value, f.code, f.entity, f.prop, f.value, f.message)
            for f in validate_document(document)]


@lru_cache(maxsize=8)
def _schema(schema_dir: str, name: str) -> dict[str, Any]:
    return json.loads((Path(schema_dir) / name).read_text(encoding="utf-8"))


def ob3_validator(schema_dir: str | Path, definition: str | None = None) -> Any:
    """Return a Draft 2019-09 validator for an Open Badges 3.0 class.

    Parameters
    ----------
    schema_dir : str or Path
        The folder of 1EdTech's schema files (``…/docs/schema`` of the specification).
    definition : str, optional
        A class defined in ``achievementcredential.json`` (``Achievement``,
        ``Alignment``, ``Profile`` …): its ``$defs`` entry, resolved with the file's
        other definitions. The whole ``AchievementCredential`` schema when omitted.

    Returns
    -------
    jsonschema.Draft201909Validator

    Raises
    ------
    KeyError
        When the schema file defines no such class.

    """
    from jsonschema import Draft201909Validator

    schema = _schema(str(schema_dir), OB3_CREDENTIAL_SCHEMA)
    if definition is not None:
        schema = {"$schema": schema["$schema"], **schema["$defs"][definition], "$defs": schema["$defs"]}
    return Draft201909Validator(schema)


def ob3_errors(document: Any, schema_dir: str | Path, definition: str | None = None) -> list[str]:
    """Return the schema errors of ``document`` as ``$.path: message`` lines (none when valid)."""
    validator = ob3_validator(schema_dir, definition)
    return [f"{e.json_path}: {e.message}" for e in sorted(validator.iter_errors(document), key=str)]
