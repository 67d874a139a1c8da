"""Verify every credential in a file (JSON, baked PNG / SVG, VC-JWT), with located errors for unreadable files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from planner.catalogue.inputs import NamedBytes
from planner.interop._result import ImportProblem
from planner.verify.credential import Verification, verify_credential, verify_jwt
from planner.verify.formats import MAX_FILE_BYTES, CredentialFile, read_credential_file
from planner.verify.loader import ContextLoader
from planner.verify.trust import Resolver, TrustList

__all__ = ["MAX_FILE_BYTES", "FileVerification", "verify_file", "verify_read"]


@dataclass(frozen=True)
class FileVerification:
    """The credentials of one file, verified, and the problems that stopped reading it."""

    path: str
    results: tuple[Verification, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    kind: str = "json"


def verify_read(read: CredentialFile, *, loader: ContextLoader | None = None, at: dt.datetime | None = None,
                trust: TrustList | None = None, resolver: Resolver | None = None) -> FileVerification:
    """Verify the credentials of a file already read by :func:`planner.verify.formats.read_credential_file`.

    Parameters
    ----------
    read : CredentialFile
        The file's credentials.
    loader, at, trust, resolver
        As for :func:`verify_file`.

    Returns
    -------
    FileVerification
        One result per credential (CLR entries are in its ``nested``).

    """
    loader = loader or ContextLoader()
    results = []
    for i, item in enumerate(read.items):
        pointer = f"$[{i}]" if read.listed else "$"
        if item.jwt is not None:
            results.append(verify_jwt(item.jwt, loader=loader, at=at, pointer=pointer, trust=trust,
                                      resolver=resolver))
        else:
            results.append(verify_credential(item.doc, loader=loader, at=at, pointer=pointer, trust=trust,
                                             resolver=resolver))
    return FileVerification(read.file, tuple(results), read.problems, read.kind)


def verify_file(path: str | Path | NamedBytes, *, loader: ContextLoader | None = None,
                at: dt.datetime | None = None, trust: TrustList | None = None,
                resolver: Resolver | None = None) -> FileVerification:
    """Verify the credential(s) in one file.

    Parameters
    ----------
    path : str, Path or NamedBytes
        A file holding one credential (OB3 or CLR) or a JSON list of them, a baked PNG or
        SVG badge, or a VC-JWT (or such a file uploaded, already in memory). Only regular
        files are read, at most :data:`~planner.verify.formats.MAX_FILE_BYTES`.
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
        located problems when the file cannot be read.

    """
    return verify_read(read_credential_file(path), loader=loader, at=at, trust=trust, resolver=resolver)
