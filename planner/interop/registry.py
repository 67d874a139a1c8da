"""Which module imports and exports which standard format.

Each importer module exposes ``import_files(paths: Sequence[Path]) -> ImportResult``
(see :mod:`planner.interop._result`) and, where supported, ``export_*`` functions.
Modules are imported lazily so that a missing optional format never breaks the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from planner.interop._result import ImportResult, InteropError

__all__ = ["EXPORT_FORMATS", "FORMATS", "import_files", "importer"]

#: format name -> module that imports it
FORMATS: dict[str, str] = {
    "ctdl": "planner.interop.ctdl",
    "badgr": "planner.interop.badgr",
    "ob3": "planner.interop.openbadges",
    "clr": "planner.interop.openbadges",
    "elm": "planner.interop.elm",
    "esco": "planner.interop.esco",
    "onet": "planner.interop.onet",
}

#: export format name -> (module, function name)
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "ctdl": ("planner.interop.ctdl_export", "export_credentials"),
    "ctdl-pathway": ("planner.interop.ctdl_export", "export_route"),
    "ob3": ("planner.interop.openbadges", "export_achievements"),
}


def importer(fmt: str) -> ModuleType:
    """Return the module that imports ``fmt``.

    Raises
    ------
    InteropError
        When the format is unknown or its module is not available.

    """
    name = FORMATS.get(fmt.lower())
    if name is None:
        raise InteropError([f"unknown format '{fmt}'; known formats: {', '.join(sorted(FORMATS))}"])
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise InteropError([f"the '{fmt}' importer is not available in this version"]) from None
        raise


def import_files(fmt: str, paths: Sequence[str | Path], **options: Any) -> ImportResult:
    """Import ``paths`` with the importer of ``fmt``.

    Parameters
    ----------
    fmt : str
        One of :data:`FORMATS`.
    paths : sequence of str or Path
        The input files.
    **options
        Passed to the importer (e.g. ``select`` / ``all_occupations`` for ESCO and O*NET,
        ``today`` for Open Badges and ELM).

    Returns
    -------
    ImportResult
        Catalogue sections, optional learner profile and every problem found.

    """
    module = importer(fmt)
    if fmt.lower() == "clr" and hasattr(module, "import_clr"):
        return module.import_clr([Path(p) for p in paths], **options)
    return module.import_files([Path(p) for p in paths], **options)
