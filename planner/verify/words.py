"""The words every output uses for how a holding counts: CLI, JSON, the Plan page and the handout.

A holding is *verified* only when its credential verified (intact, in date, not revoked,
its issuer's key confirmed by the trust list, a ``did:key`` or an issuer document) and, in
a catalogue, its issuer is the provider's and it was issued to the learner. Anything else the
learner counts is *self-declared*: their word, not checked. Holdings read from profiles,
plan files, links and the store are self-declared until their credentials are verified again.
"""

from __future__ import annotations

__all__ = ["COUNTS", "HOLDING_WORDS", "holding_words"]

#: how an uploaded credential counts, in one or two words
COUNTS = {"verified": "verified", "declared": "self-declared", "not counted": "not counted"}

#: a holding's ``verification`` -> what it means, in full (the page, the handout, the CLI text)
HOLDING_WORDS = {
    "verified": "verified: its signed credential checked",
    "declared": "self-declared: on your word, not checked",
}


def holding_words(verification: str) -> str:
    """What a holding's ``verification`` value means, in the words every output uses."""
    return HOLDING_WORDS.get(verification, HOLDING_WORDS["declared"])
