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

A credential that verified counts as verified only when its issuer is one the catalogue
credential's provider lists, or the provider lists none
(:func:`planner.verify.issuer.issuer_standing`); otherwise it may be counted as
self-declared, like one that did not verify. The CLI's ``--have-file`` counts through
:meth:`CredentialReview.holdings` too, so both apply the same rule.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from planner.catalogue.models import Catalogue, Holding
from planner.interop._result import ImportProblem
from planner.verify.credential import Status, Verification
from planner.verify.holdings import FileHoldings, counted_holding
from planner.verify.issuer import IssuerStanding, issuer_standing
from planner.verify.subject import SubjectStanding, subject_standing
from planner.verify.words import COUNTS

__all__ = ["NOT_IN_CATALOGUE", "NO_HOLDING", "NO_ISSUER_CHECK", "CredentialReview", "CredentialRow", "merge_holdings",
           "review_credentials"]

#: What the table says of a credential the catalogue does not have
NOT_IN_CATALOGUE = "not in this catalogue"
#: What the table says of a credential that gives no holding (an endorsement, a broken badge)
NO_HOLDING = "— (not a credential held by the learner)"
#: The issuer cell of a credential whose issuer was not compared (it did not verify, or is not in the catalogue)
NO_ISSUER_CHECK = "—"


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
        none), and no uploaded credential for that catalogue credential counts as verified.
    issuer : str
        Its issuer against the provider's listed issuers (the
        :class:`planner.verify.issuer.IssuerStanding` note), or :data:`NO_ISSUER_CHECK`.
    issuer_ok : bool
        False when it verified but its issuer is not one the provider lists.
    subject : str
        Its subject against the learner's identifiers (empty when they are not known).
    subject_ok : bool
        False when it was issued to someone else: it never counts, not even as declared.

    """

    file: str
    title: str
    match: str | None
    match_title: str
    status: Status
    reason: str
    declarable: bool
    issuer: str = NO_ISSUER_CHECK
    issuer_ok: bool = True
    subject: str = ""
    subject_ok: bool = True

    @property
    def verified(self) -> bool:
        """Whether this credential verified (its signature, dates and status)."""
        return self.status is Status.VERIFIED

    @property
    def counts_as_verified(self) -> bool:
        """Whether it verified, its issuer is the provider's (or the provider names none), and it is the learner's."""
        return self.verified and self.issuer_ok and self.subject_ok

    @property
    def counts_as(self) -> str:
        """How it counts, in the words every output uses (:data:`planner.verify.words.COUNTS`)."""
        if not self.subject_ok:
            return COUNTS["not counted"]
        return COUNTS["verified"] if self.counts_as_verified else COUNTS["declared"] if self.declarable \
            else COUNTS["not counted"]

    @property
    def outcome(self) -> str:
        """Why it does not count as verified, in a few words (its status when it does)."""
        if not self.subject_ok:
            return self.subject
        return self.issuer if self.verified and not self.issuer_ok else self.status.value

    def cells(self) -> dict[str, str]:
        """The row as the table shows it (plain text: the caller escapes it for its output)."""
        reason = "; ".join(r for r in (self.subject if not self.subject_ok else "", self.reason) if r)
        return {"credential": f"{self.title} ({self.file})", "catalogue credential": self.match_title,
                "status": self.status.value, "issuer": self.issuer, "reason": reason}

    def to_json(self) -> dict[str, object]:
        """The row for JSON output (``catalogue_credential`` is the matched id, or null)."""
        return {"file": self.file, "title": self.title, "catalogue_credential": self.match,
                "status": self.status.value, "reason": self.reason, "issuer": self.issuer,
                "subject": self.subject, "counts_as_verified": self.counts_as_verified}


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
    decided : tuple of (str, Verification, IssuerStanding or None, SubjectStanding)
        Imported holding id -> the verification that decides it, its issuer standing
        (None when it did not verify or matches no catalogue credential) and its subject standing.

    """

    rows: tuple[CredentialRow, ...]
    problems: tuple[ImportProblem, ...]
    found: FileHoldings
    to_catalogue: tuple[tuple[str, str], ...]
    decided: tuple[tuple[str, Verification, IssuerStanding | None, SubjectStanding], ...] = ()

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
        decided = {hid: (check, standing, subject) for hid, check, standing, subject in self.decided}
        out: dict[str, Holding] = {}
        for holding in self.found.imported:
            target = mapping.get(holding.credential)
            if target is None or holding.credential not in decided:
                continue
            check, standing, subject = decided[holding.credential]
            counted = counted_holding(holding.model_copy(update={"credential": target}), check,
                                      declare=target in declared, standing=standing, subject=subject)
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


def _standing(catalogue: Catalogue, match: str | None, check: Verification) -> IssuerStanding | None:
    """The issuer standing of a verified credential matched to ``match`` (None when there is nothing to judge)."""
    if match is None or not check.verified:
        return None
    provider = catalogue.credential(match).provider
    if not catalogue.has("provider", provider):  # a sub-catalogue without it: nothing to compare with
        return IssuerStanding(True, False, f"issuer not checked: the catalogue has no provider {provider}")
    return issuer_standing(catalogue.provider(provider), check.issuer)


def _counts(check: Verification, standing: IssuerStanding | None, subject: SubjectStanding) -> bool:
    return check.verified and (standing is None or standing.ok) and subject.ok


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


def review_credentials(found: FileHoldings, catalogue: Catalogue, learner: Sequence[str] = ()) -> CredentialReview:
    """Match credentials read and verified from files to a catalogue, one row per credential.

    Parameters
    ----------
    found : FileHoldings
        What :func:`planner.verify.holdings.holdings_from_files` read and verified (the
        uploaded files, as :class:`planner.catalogue.inputs.NamedBytes`).
    catalogue : Catalogue
        The catalogue the learner plans on.
    learner : sequence of str, optional
        The learner's identifiers (e-mail, DID, URL): a credential issued to someone else
        is said and never counted. Empty: not known, not compared.

    Returns
    -------
    CredentialReview
        A row per credential found and the holdings they can give.

    """
    mapping = _catalogue_ids(found, catalogue)
    standings = [_standing(catalogue, mapping.get(item.holding) if item.holding is not None else None,
                           item.verification) for item in found.found]
    subjects = [subject_standing(item.verification, learner) for item in found.found]
    # per imported holding: the verification that decides it; one that counts as verified wins
    decided = {hid: (check, _standing(catalogue, mapping.get(hid), check), subject_standing(check, learner))
               for hid, check in found.checks}
    for item, standing, subject in zip(found.found, standings, subjects, strict=True):
        if item.holding in decided and _counts(item.verification, standing, subject) \
                and not _counts(*decided[item.holding]):
            decided[item.holding] = (item.verification, standing, subject)
    # a catalogue credential another uploaded credential proved needs no declaring
    proved = {mapping[h] for h, (check, standing, subject) in decided.items()
              if h in mapping and _counts(check, standing, subject)}
    rows = []
    for item, standing, subject in zip(found.found, standings, subjects, strict=True):
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
                                  declarable=(match is not None and match not in proved and item.holding in decided
                                              and subject.ok),
                                  issuer=standing.note if standing else NO_ISSUER_CHECK,
                                  issuer_ok=standing is None or standing.ok,
                                  subject=subject.note, subject_ok=subject.ok))
    return CredentialReview(tuple(rows), found.problems, found, tuple(sorted(mapping.items())),
                            tuple((hid, check, standing, subject)
                                  for hid, (check, standing, subject) in decided.items()))
