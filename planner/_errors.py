"""Small, flat error types shared by the catalogue loader and its callers.

A :class:`Problem` is one located finding (``file:line: field: message``). A
:class:`CatalogueError` carries every problem found, so that a user fixes them all in
one pass instead of one per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CatalogueError", "PlannerError", "Problem", "Severity"]

Severity = Literal["error", "warning"]


class PlannerError(Exception):
    """Base class of the planner's own errors (never a bug: always bad input)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in a catalogue.

    Parameters
    ----------
    file : str
        The file the problem is in, as the user named it (path or upload name).
    line : int or None
        1-based line number, when known.
    column : int or None
        1-based column number, when known.
    field : str
        Where in the data, e.g. ``credentials[data-101].teaches[0].level``; empty when the
        problem concerns the whole file.
    message : str
        Plain-language description of the problem and, when possible, how to fix it.
    severity : {"error", "warning"}
        Errors stop the catalogue from loading; warnings do not.

    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) with every attribute."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


class CatalogueError(PlannerError):
    """A catalogue could not be loaded; ``problems`` lists every problem found.

    Parameters
    ----------
    problems : iterable of Problem
        All problems (errors and warnings) found while loading.

    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.is_error]
        shown = errors[:20]
        lines = [f"catalogue has {len(errors)} error(s):"] + [f"  {p}" for p in shown]
        if len(errors) > len(shown):
            lines.append(f"  … and {len(errors) - len(shown)} more")
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems with severity ``error``."""
        return tuple(p for p in self.problems if p.is_error)
