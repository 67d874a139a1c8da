"""Uploaded credentials checked against a catalogue: one row per credential, and what counts.

The app shows a learner's uploaded Open Badges 3.0 / CLR 2.0 files as a table: each
credential found, the catalogue credential it is, its verification status and the reason.
The files are read and verified by :func:`planner.verify.holdings.holdings_from_files`
(the same code the CLI's ``--have-file`` uses); this module only matches what was read to
the catalogue being planned on and applies the learner's choice of which unverified
credentials to count as *self-declared* (:func:`planner.verify.holdings.counted_holding`).

A credential is the catalogue credential whose id is the id it was imported under (a
planner id ``urn:x-planner:credential:ID`` or the id made from its achievement's name),
else the one catalogue credential with the same title; otherwise it is *not in this
catalogue* and never counts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from planner.interop._result import ImportProblem
from planner.models import Catalogue, Holding
from planner.verify.credential import Status, Verification
from planner.verify.holdings import FileHoldings, counted_holding

__all__ = ["NOT_IN_CATALOGUE", "NO_HOLDING", "CredentialReview", "CredentialRow", "merge_holdings",
           "review_credentials"]

#: What the table says of a credential the catalogue does not have
NOT_IN_CATALOGUE = "not in this catalogue"
#: What the table says of a credential that gives no holding (an endorsement, a broken badge)
NO_HOLDING = "— (not a credential held by the learner)"


@dataclass(frozen=True)
class CredentialRow:
    """One credential found in the uploaded files.

    Attributes
    ----------
    file : str
        The uploaded file's name.
    title : str
        The achievement's name as the file gives it.
    match : str or None
        The catalogue credential id it is, or None.
    match_title : str
        The catalogue credential's title, :data:`NOT_IN_CATALOGUE` or :data:`NO_HOLDING`.
    status : Status
        Its own verification status.
    reason : str
        Why, when not verified; for a verified one, what was not checked (its notes).
    declarable : bool
        Whether the learner may count it as self-declared: it is in the catalogue, the
        import gives a holding for it (with an earned date; an expired credential gives
        none), and no uploaded credential for that catalogue credential verified.

    """

    file: str
    title: str
    match: str | None
    match_title: str
    status: Status
    reason: str
    declarable: bool

    @property
    def verified(self) -> bool:
        """Whether this credential verified."""
        return self.status is Status.VERIFIED

    def cells(self) -> dict[str, str]:
        """The row as the table shows it (plain text: the caller escapes it for its output)."""
        return {"credential": f"{self.title} ({self.file})", "catalogue credential": self.match_title,
                "status": self.status.value, "reason": self.reason}


@dataclass(frozen=True)
class CredentialReview:
    """Uploaded credential files, verified and matched to a catalogue.

    Attributes
    ----------
    rows : tuple of CredentialRow
        Every credential found, in file order.
    problems : tuple of ImportProblem
        Located problems of files that could not be read (and the import's other findings).
    found : FileHoldings
        What the shared reader decided (holdings, the verification of each).
    to_catalogue : tuple of (str, str)
        Imported holding id -> catalogue credential id, for the holdings that match.

    """

    rows: tuple[CredentialRow, ...]
    problems: tuple[ImportProblem, ...]
    found: FileHoldings
    to_catalogue: tuple[tuple[str, str], ...]

    def holdings(self, declared: Collection[str] = ()) -> tuple[Holding, ...]:
        """The holdings that count: verified ones, and unverified ones the learner declares.

        Parameters
        ----------
        declared : collection of str
            Catalogue credential ids the learner counts on their word although their
            credential did not verify.

        Returns
        -------
        tuple of Holding
            Under catalogue ids, marked ``verified`` or ``declared``, sorted by id.

        """
        mapping = dict(self.to_catalogue)
        checks = dict(self.found.checks)
        out: dict[str, Holding] = {}
        for holding in self.found.imported:
            target = mapping.get(holding.credential)
            check = checks.get(holding.credential)
            if target is None or check is None:
                continue
            counted = counted_holding(holding.model_copy(update={"credential": target}), check,
                                      declare=target in declared)
            # two uploaded badges may be one catalogue credential: a verified one wins, then the earlier
            if counted is not None and (target not in out or _better(counted, out[target])):
                out[target] = counted
        return tuple(out[k] for k in sorted(out))

    @property
    def unreadable(self) -> tuple[ImportProblem, ...]:
        """Problems that stopped a whole file from being read."""
        return tuple(p for p in self.problems if p.severity == "error" and not p.pointer)


def _better(new: Holding, old: Holding) -> bool:
    return (new.verification, old.earned) > (old.verification, new.earned)  # "verified" > "declared"


def _catalogue_ids(found: FileHoldings, catalogue: Catalogue) -> dict[str, str]:
    """Imported holding id -> catalogue credential id (by id, else by a unique title)."""
    by_title: dict[str, list[str]] = {}
    for credential in catalogue.credentials:
        by_title.setdefault(credential.title.strip().casefold(), []).append(credential.id)
    titles = {f.holding: f.title for f in found.found if f.holding is not None}
    out: dict[str, str] = {}
    for hid, title in titles.items():
        if catalogue.has("credential", hid):
            out[hid] = hid
        elif len(by_title.get(title.strip().casefold(), [])) == 1:
            out[hid] = by_title[title.strip().casefold()][0]
    return out


def merge_holdings(typed: Sequence[Holding], uploaded: Sequence[Holding]) -> list[Holding]:
    """The learner's holdings: those typed in, with an uploaded credential taking the place of the same one.

    Parameters
    ----------
    typed : sequence of Holding
        Holdings entered by hand (declared).
    uploaded : sequence of Holding
        Holdings from uploaded credentials (:meth:`CredentialReview.holdings`).

    Returns
    -------
    list of Holding
        One holding per credential: the uploaded one where both name it (it carries a date
        and a verification from the credential itself), typed ones first.

    """
    from_files = {h.credential for h in uploaded}
    return [*(h for h in typed if h.credential not in from_files), *uploaded]


def review_credentials(found: FileHoldings, catalogue: Catalogue) -> CredentialReview:
    """Match credentials read and verified from files to a catalogue, one row per credential.

    Parameters
    ----------
    found : FileHoldings
        What :func:`planner.verify.holdings.holdings_from_files` read and verified (the
        uploaded files, as :class:`planner.inputs.NamedBytes`).
    catalogue : Catalogue
        The catalogue the learner plans on.

    Returns
    -------
    CredentialReview
        A row per credential found and the holdings they can give.

    """
    mapping = _catalogue_ids(found, catalogue)
    best = dict(found.checks)  # per imported holding: the verification that decides it
    # a catalogue credential another uploaded credential verified needs no declaring
    proved = {mapping[h] for h, check in best.items() if check.verified and h in mapping}
    rows = []
    for item in found.found:
        check: Verification = item.verification
        match = mapping.get(item.holding) if item.holding is not None else None
        if item.holding is None:
            label = NO_HOLDING
        elif match is None:
            label = NOT_IN_CATALOGUE
        else:
            label = catalogue.credential(match).title
        # a verified credential's notes say what was not checked (a status list of another kind)
        reason = check.reason or "; ".join(check.notes)
        rows.append(CredentialRow(item.file, item.title, match, label, check.status, reason,
                                  declarable=match is not None and match not in proved
                                  and item.holding in best and not best[item.holding].verified))
    return CredentialReview(tuple(rows), found.problems, found, tuple(sorted(mapping.items())))
