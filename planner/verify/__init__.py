"""Verify learners' Open Badges 3.0 and CLR 2.0 credentials offline.

:func:`verify_file` reads a JSON file (one credential, a CLR, or a list) and verifies
each credential: its shape, its Data Integrity proof (``eddsa-rdfc-2022`` or
``Ed25519Signature2020``), its validity dates and its Bitstring Status List. JSON-LD
contexts come only from the pinned context cache (``PLANNER_CONTEXT_DIR``, else the user
cache folder; see :mod:`planner.verify.loader`); verification fetches nothing, and
:mod:`planner.verify.contexts` fills the cache as a separate, explicit step.
"""

from __future__ import annotations

from planner.verify.credential import Status, Verification, verify_credential
from planner.verify.files import FileVerification, verify_file
from planner.verify.loader import CONTEXT_DIR_ENV, ContextLoader

__all__ = [
    "CONTEXT_DIR_ENV",
    "ContextLoader",
    "FileVerification",
    "Status",
    "Verification",
    "verify_credential",
    "verify_file",
]
