"""JSON Schema of one catalogue file, generated from the pydantic models.

The generated schema is committed as ``catalogue/schema.json`` (a test fails when it is
stale; regenerate with ``python -m planner.catalogue.schema``). Editors with a YAML language
server then autocomplete and check catalogue files; put this first line in a file::

    # yaml-language-server: $schema=schema.json

(with the path to ``schema.json`` relative to the YAML file). The schema checks the
shape of one file; what needs the whole catalogue (ids that exist, cycles, award rules
that can be met) is checked by :func:`planner.catalogue.loader.validate`.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from planner.catalogue.models import (
    _MONEY_RE,
    CatalogueMeta,
    Competency,
    Credential,
    Provider,
    RecognitionAgreement,
    Role,
)

__all__ = ["SCHEMA_ID", "catalogue_file_schema", "render_schema", "write_schema"]

SCHEMA_ID = "https://example.org/stackable-planner/catalogue-file.schema.json"


class _CatalogueFile(BaseModel):
    """One catalogue file: any of the sections; lists of items (``meta`` once per catalogue)."""

    model_config = ConfigDict(extra="forbid", title="Stackable planner catalogue file")

    meta: CatalogueMeta | None = Field(default=None, description="Catalogue-wide settings (once only).")
    providers: list[Provider] | None = Field(default=None, description="Organisations awarding credentials.")
    competencies: list[Competency] | None = Field(default=None, description="Skills, knowledge, competences.")
    credentials: list[Credential] | None = Field(default=None, description="Credential specifications.")
    roles: list[Role] | None = Field(default=None, description="Target occupations.")
    recognitions: list[RecognitionAgreement] | None = Field(
        default=None, description="Recognition agreements between providers."
    )


def catalogue_file_schema() -> dict[str, Any]:
    """Build the JSON Schema (draft 2020-12) of one catalogue file.

    The YAML shorthands the loader accepts are part of the schema: a cost may be written
    ``450 EUR``, and a prerequisite group with one alternative may be written as that
    alternative.

    Returns
    -------
    dict
        The schema; ``additionalProperties`` is false at the top and in every item.

    """
    schema = copy.deepcopy(_CatalogueFile.model_json_schema(mode="validation"))
    defs = schema["$defs"]
    if "Money" in defs:
        defs["Money"] = {
            "anyOf": [
                defs["Money"],
                {"type": "string", "pattern": _MONEY_RE.pattern,
                 "description": "Shorthand: an amount and an ISO 4217 currency, e.g. '450 EUR'."},
            ],
            "title": "Money",
        }
    if "RequirementGroup" in defs:
        defs["RequirementGroup"] = {
            "anyOf": [defs["RequirementGroup"], {"$ref": "#/$defs/RequirementAlternative"}],
            "title": "RequirementGroup",
            "description": "Any one of the alternatives (a single alternative may be written directly).",
        }
    labels = defs.get("LevelScale", {}).get("properties", {}).get("labels")
    if labels is not None:  # YAML integer keys arrive as strings in JSON
        labels["propertyNames"] = {"pattern": "^[0-9]+$"}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema


def render_schema() -> str:
    """Render the schema as committed: pretty, keys sorted, trailing newline.

    Returns
    -------
    str
        The JSON text.

    """
    return json.dumps(catalogue_file_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: str | os.PathLike[str]) -> Path:
    """Write the schema to ``path`` (UTF-8).

    Parameters
    ----------
    path : str or path-like
        Target file, usually ``catalogue/schema.json``.

    Returns
    -------
    pathlib.Path
        The path written.

    """
    target = Path(path)
    target.write_text(render_schema(), encoding="utf-8")
    return target


if __name__ == "__main__":  # pragma: no cover - developer helper
    out = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[2] / "catalogue"
                                                     / "schema.json")
    print(f"wrote {write_schema(out)}")
