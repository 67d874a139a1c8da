"""Verify learners' Open Badges 3.0 and CLR 2.0 credentials offline.

:func:`verify_file` reads a file (one credential, a CLR, or a list; JSON, a baked PNG or
SVG badge, or a VC-JWT) and verifies each credential: its form, its Data Integrity proof
(``eddsa-rdfc-2022`` or ``Ed25519Signature2020``) or JWT signature, the facts its signed
graph states (validity dates, Bitstring Status List), and whether its issuer's key is
confirmed by something the planner trusts (:mod:`planner.verify.trust`). JSON-LD contexts
come only from the pinned context cache (``PLANNER_CONTEXT_DIR``, else the user cache
folder; see :mod:`planner.verify.loader`); verification fetches nothing, and
:mod:`planner.verify.contexts` fills the cache as a separate, explicit step.

The names below load on first use, so that :mod:`planner.verify.words` (read by the
handout) does not bring in the JSON-LD and cryptography libraries.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "CONTEXT_DIR_ENV",
    "ContextLoader",
    "FileVerification",
    "Status",
    "Verification",
    "verify_credential",
    "verify_file",
]

_WHERE = {
    "CONTEXT_DIR_ENV": "planner.verify.loader",
    "ContextLoader": "planner.verify.loader",
    "FileVerification": "planner.verify.files",
    "Status": "planner.verify.credential",
    "Verification": "planner.verify.credential",
    "verify_credential": "planner.verify.credential",
    "verify_file": "planner.verify.files",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'planner.verify' has no attribute {name!r}")
