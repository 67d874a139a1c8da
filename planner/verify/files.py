"""Verify every credential in a JSON file, with located errors for unreadable files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from planner.catalogue.inputs import NamedBytes
from planner.interop._result import ImportProblem, read_json
from planner.verify.credential import Verification, verify_credential
from planner.verify.loader import ContextLoader
from planner.verify.trust import Resolver, TrustList

__all__ = ["MAX_FILE_BYTES", "FileVerification", "verify_file"]

#: largest credential file read (bytes); a CLR of a whole transcript is far smaller
MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class FileVerification:
    """The credentials of one file, verified, and the problems that stopped reading it."""

    path: str
    results: tuple[Verification, ...] = ()
    problems: tuple[ImportProblem, ...] = ()


def verify_file(path: str | Path | NamedBytes, *, loader: ContextLoader | None = None,
                at: dt.datetime | None = None, trust: TrustList | None = None,
                resolver: Resolver | None = None) -> FileVerification:
    """Verify the credential(s) in one JSON file.

    Parameters
    ----------
    path : str, Path or NamedBytes
        A JSON file holding one credential (OB3 or CLR) or a list of them (or such a
        file uploaded, already in memory).
    loader : ContextLoader, optional
        Where contexts come from (default: ``$PLANNER_CONTEXT_DIR``).
    at : datetime, optional
        The moment validity is judged at (default: now).
    trust : TrustList, optional
        The keys trusted for issuers (the catalogue's trust list, issuer documents).
    resolver : callable, optional
        Fetches issuers' published documents (``--resolve-issuers``); default: offline.

    Returns
    -------
    FileVerification
        One result per top-level credential (CLR entries are in its ``nested``), or the
        located problems when the file cannot be read as JSON.

    """
    file = str(path)
    try:
        size = len(path.data) if isinstance(path, NamedBytes) else Path(path).stat().st_size
    except OSError as exc:
        return FileVerification(file, problems=(ImportProblem(file, None, "", f"cannot read the file: {exc}"),))
    if size > MAX_FILE_BYTES:
        return FileVerification(file, problems=(ImportProblem(
            file, None, "", f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"),))
    try:
        data, problems = read_json(path)
    except RecursionError:  # nesting deeper than any credential has
        return FileVerification(file, problems=(ImportProblem(file, None, "", "the JSON is nested too deeply"),))
    if data is None:
        return FileVerification(file, problems=tuple(problems))
    loader = loader or ContextLoader()
    items = data if isinstance(data, list) else [data]
    prefix = "$" if not isinstance(data, list) else None
    results = tuple(verify_credential(item, loader=loader, at=at, pointer=prefix or f"$[{i}]", trust=trust,
                                      resolver=resolver)
                    for i, item in enumerate(items))
    return FileVerification(file, results, tuple(problems))
