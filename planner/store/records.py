"""The learner store: users, learners, caseloads, versioned plans, progress and the audit log.

Every query and command takes the acting :class:`~planner.store.access.User` and is scoped
by :mod:`planner.store.access`; reads and changes of a learner's data are written to the
audit log. Open one with :func:`open_store` (default database: see :mod:`planner.store.db`).

Examples
--------
>>> from planner.store.identity import LOCAL_IDENTITY
>>> store = open_store("sqlite://")                                 # doctest: +SKIP
>>> me = store.local_user()                                         # doctest: +SKIP
>>> [row.name for row in store.caseload(me)]                        # doctest: +SKIP
['Local user']
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from planner.catalogue.models import Catalogue, Holding, LearnerProfile
from planner.engine.results import Recommendation
from planner.engine.scenario import Scenario
from planner.outputs.export import PlanFile, plan_from_json, plan_to_json
from planner.store.access import Role, User, learner_scope, require_learner, require_role
from planner.store.basis import Drift, catalogue_digest, drift_reasons, plan_basis
from planner.store.db import make_engine, migrate
from planner.store.errors import AccessDenied, NotFound, PlanConflict, StoreError
from planner.store.identity import LOCAL_IDENTITY, Identity
from planner.store.tables import (
    AuditEntry,
    CaseloadLink,
    LearnerRow,
    PlanRow,
    PlanVersion,
    ProgressRow,
    UserRow,
    utcnow,
)

__all__ = [
    "PLAN_STATUSES",
    "STEP_STATUSES",
    "AuditRecord",
    "CaseloadRow",
    "Learner",
    "SavedPlan",
    "StepProgress",
    "Store",
    "open_store",
]

PLAN_STATUSES = ("draft", "active", "done", "abandoned")
STEP_STATUSES = ("planned", "in_progress", "completed", "dropped")
#: Aggregate groups smaller than this are merged into "other" (no small, re-identifiable cells).
MIN_GROUP = 5
MAX_NOTES = 20_000
MAX_WHATIFS = 10


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Learner:
    """A learner's record as its reader sees it."""

    id: int
    name: str
    user_id: int | None
    profile: LearnerProfile
    created_at: dt.datetime
    last_contact: dt.datetime | None


@dataclass(frozen=True)
class SavedPlan:
    """One version of a saved plan."""

    plan_id: int
    learner_id: int
    version: int
    target: str
    scenario: Scenario
    route: PlanFile | None  # the chosen route as a plan file (planner.outputs.export)
    catalogue_digest: str
    basis: dict[str, Any]
    whatifs: tuple[Scenario, ...]
    notes: str
    status: str
    saved_by: str
    saved_at: dt.datetime
    based_on: int | None

    @property
    def chosen(self) -> tuple[str, ...]:
        """Credential ids of the chosen route, in schedule order (empty without a route)."""
        return tuple(self.route.chosen) if self.route else ()


@dataclass(frozen=True)
class StepProgress:
    """Where the learner is with one step."""

    credential_id: str
    status: str
    completed_on: dt.date | None
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class CaseloadRow:
    """One learner on an advisor's caseload list, with their current plan."""

    learner_id: int
    name: str
    last_contact: dt.datetime | None
    plan_id: int | None = None
    version: int | None = None
    target: str | None = None
    status: str | None = None
    steps: int = 0  # the current version's steps, and those completed before a re-plan dropped them
    completed: int = 0
    saved_at: dt.datetime | None = None
    drift: tuple[Drift, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AuditRecord:
    """One audit-log entry."""

    at: dt.datetime
    actor: str
    learner_id: int | None
    action: str
    detail: str


def open_store(url: str | None = None) -> Store:
    """Open the store at ``url`` (default :func:`~planner.store.db.database_url`), creating and migrating it."""
    try:
        engine = make_engine(url)
        migrate(engine)
    except (SQLAlchemyError, ValueError, OSError) as exc:  # a wrong URL or an unreachable server: say so plainly
        shown = engine.url.render_as_string(hide_password=True) if "engine" in locals() else (url or "?")
        raise StoreError(f"cannot open the database {shown}: {exc.__class__.__name__}: {exc}".split("\n")[0]) \
            from None
    return Store(engine)


class Store:
    """The learner records in one database. Every method takes the acting user first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._drift_key: tuple[str, dt.date] | None = None
        self._drift_cache: dict[int, tuple[Drift, ...]] = {}

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # ------------------------------------------------------------------ users

    def user_for(self, identity: Identity, *, role: Role | str = Role.LEARNER) -> User:
        """The user for a signed-in identity, created with ``role`` on first sign-in.

        An existing user keeps their role (roles are changed by :meth:`set_role`, never by
        signing in); their name and e-mail follow the identity provider.
        """
        with self._tx() as s:
            row = s.scalar(select(UserRow).where(UserRow.issuer == identity.issuer,
                                                 UserRow.subject == identity.subject))
            if row is None:
                row = UserRow(issuer=identity.issuer, subject=identity.subject, role=Role(role).value,
                              name=identity.name, email=identity.email)
                s.add(row)
                s.flush()
            elif (identity.name and row.name != identity.name) or (identity.email and row.email != identity.email):
                row.name, row.email = identity.name or row.name, identity.email or row.email
            return _user(row)

    def set_role(self, actor: User, user_id: int, role: Role | str) -> User:
        """Change a user's role (admins only)."""
        require_role(actor, Role.ADMIN, doing="change roles")
        with self._tx() as s:
            row = s.get(UserRow, user_id)
            if row is None:
                raise NotFound(f"no user {user_id}")
            row.role = Role(role).value
            return _user(row)

    def local_user(self) -> User:
        """The single user of a local run: an advisor whose caseload holds their own learner record."""
        me = self.user_for(LOCAL_IDENTITY, role=Role.ADVISOR)
        if me.role != Role.ADVISOR:
            raise StoreError(f"the local user is a {me.role.value}, expected an advisor")
        with self._tx() as s:
            row = s.scalar(select(LearnerRow).where(LearnerRow.user_id == me.id))
            if row is None:
                row = LearnerRow(user_id=me.id, name=me.name, profile=LearnerProfile().model_dump(mode="json"))
                s.add(row)
                s.flush()
                s.add(CaseloadLink(advisor_id=me.id, learner_id=row.id))
                self._audit(s, me, row.id, "create", "local learner record")
        return me

    # ------------------------------------------------------------------ learners and caseloads

    def create_learner(self, actor: User, name: str, profile: LearnerProfile | None = None, *,
                       user_id: int | None = None) -> Learner:
        """Add a learner: an advisor's new learner joins their caseload; a learner creates their own record."""
        require_role(actor, Role.ADVISOR, Role.LEARNER, doing="create learner records")
        name = name.strip()[:300] or "Learner"
        if actor.role == Role.LEARNER:
            if user_id not in (None, actor.id):
                raise AccessDenied(f"{actor} may only create their own learner record")
            user_id = actor.id
        with self._tx() as s:
            if user_id is not None and s.scalar(select(LearnerRow.id).where(LearnerRow.user_id == user_id)):
                raise StoreError(f"user {user_id} already has a learner record")
            row = LearnerRow(name=name, user_id=user_id,
                             profile=(profile or LearnerProfile()).model_dump(mode="json"))
            s.add(row)
            s.flush()
            if actor.role == Role.ADVISOR:
                s.add(CaseloadLink(advisor_id=actor.id, learner_id=row.id))
            self._audit(s, actor, row.id, "create", "record")  # no content: the log outlives an erase
            return _learner(row)

    def assign(self, actor: User, advisor_id: int, learner_id: int) -> None:
        """Put a learner on an advisor's caseload (admins only; they see ids, not records)."""
        require_role(actor, Role.ADMIN, doing="assign learners to advisors")
        with self._tx() as s:
            advisor = s.get(UserRow, advisor_id)
            if advisor is None or advisor.role != Role.ADVISOR.value:
                raise NotFound(f"user {advisor_id} is not an advisor")
            if s.get(LearnerRow, learner_id) is None:
                raise NotFound(f"no learner {learner_id}")
            if s.get(CaseloadLink, (advisor_id, learner_id)) is None:
                s.add(CaseloadLink(advisor_id=advisor_id, learner_id=learner_id))
                self._audit(s, actor, learner_id, "assign", f"to advisor {advisor_id}")

    def unassign(self, actor: User, advisor_id: int, learner_id: int) -> None:
        """Take a learner off an advisor's caseload (admins only)."""
        require_role(actor, Role.ADMIN, doing="change caseloads")
        with self._tx() as s:
            link = s.get(CaseloadLink, (advisor_id, learner_id))
            if link is not None:
                s.delete(link)
                self._audit(s, actor, learner_id, "unassign", f"from advisor {advisor_id}")

    def learner(self, actor: User, learner_id: int) -> Learner:
        """A learner's record (audited as a read)."""
        with self._tx() as s:
            row = require_learner(s, actor, learner_id, doing="read")
            self._audit(s, actor, learner_id, "read", "record")
            return _learner(row)

    def learner_ids(self, actor: User) -> list[int]:
        """Ids of every learner ``actor`` may see, ascending (admins: none)."""
        with self._sessions() as s:
            return list(s.scalars(select(LearnerRow.id).where(learner_scope(actor)).order_by(LearnerRow.id)))

    def own_learner_id(self, actor: User) -> int | None:
        """The id of the learner record linked to ``actor``'s user, if there is one."""
        with self._sessions() as s:
            return s.scalar(select(LearnerRow.id).where(LearnerRow.user_id == actor.id))

    def update_profile(self, actor: User, learner_id: int, profile: LearnerProfile, *,
                       name: str | None = None) -> Learner:
        """Replace a learner's profile (holdings, competencies, constraints)."""
        with self._tx() as s:
            row = require_learner(s, actor, learner_id, doing="change")
            row.profile = profile.model_dump(mode="json")
            if name is not None and name.strip():
                row.name = name.strip()[:300]
            self._audit(s, actor, learner_id, "update", "profile")
            return _learner(row)

    def record_contact(self, actor: User, learner_id: int, when: dt.datetime | None = None) -> None:
        """Note that the advisor met or wrote to the learner (shown as 'last contact')."""
        require_role(actor, Role.ADVISOR, doing="record contacts")
        with self._tx() as s:
            row = require_learner(s, actor, learner_id, doing="record a contact with")
            row.last_contact = when or utcnow()
            self._audit(s, actor, learner_id, "contact", "")

    def caseload(self, actor: User, *, catalogue: Catalogue | None = None,
                 today: dt.date | None = None) -> list[CaseloadRow]:
        """The learners ``actor`` may see, each with their current plan and progress.

        The current plan is the one saved most recently. With ``catalogue``, each row also
        carries the drift of its plan against it (see :func:`planner.store.basis.drift_reasons`).
        Viewing the list is audited once (not per learner).
        """
        require_role(actor, Role.ADVISOR, Role.LEARNER, doing="list learners")
        today = today or dt.date.today()
        with self._tx() as s:
            learners = s.execute(select(LearnerRow.id, LearnerRow.name, LearnerRow.last_contact)
                                 .where(learner_scope(actor)).order_by(LearnerRow.name, LearnerRow.id)).all()
            ids = [r.id for r in learners]
            # the scope as a subquery, not a list of ids: hundreds of bound parameters cost more than the query
            in_scope = select(LearnerRow.id).where(learner_scope(actor)).scalar_subquery()
            latest = (select(PlanVersion.plan_id, func.max(PlanVersion.version).label("v"))
                      .join(PlanRow, PlanRow.id == PlanVersion.plan_id)
                      .where(PlanRow.learner_id.in_(in_scope)).group_by(PlanVersion.plan_id).subquery())
            # no JSON columns here: a list of hundreds of learners must not decode their plans
            rows = s.execute(
                select(PlanRow.learner_id, PlanVersion.id, PlanVersion.plan_id, PlanVersion.version,
                       PlanVersion.target, PlanVersion.status, PlanVersion.steps, PlanVersion.saved_at)
                .join(latest, (latest.c.plan_id == PlanVersion.plan_id) & (latest.c.v == PlanVersion.version))
                .join(PlanRow, PlanRow.id == PlanVersion.plan_id)
            ).all() if ids else []
            current: dict[int, Any] = {}
            for r in rows:  # the most recently saved plan of each learner (one database: one kind of timestamp)
                held = current.get(r.learner_id)
                if held is None or (r.saved_at, r.plan_id) > (held.saved_at, held.plan_id):
                    current[r.learner_id] = r
            completed: dict[int, set[str]] = {}
            finished = (select(ProgressRow.plan_id, ProgressRow.credential_id)
                        .join(PlanRow, PlanRow.id == ProgressRow.plan_id)
                        .where(PlanRow.learner_id.in_(in_scope), ProgressRow.status == "completed"))
            for plan_id, cid in (s.execute(finished).all() if ids else ()):
                completed.setdefault(plan_id, set()).add(cid)
            # a re-plan drops the steps already completed (they are held now): they still count
            # as steps of the plan. Only the few current versions with completed steps are decoded.
            with_done = [r.id for r in current.values() if r.plan_id in completed]
            chosen = {vid: set((route or {}).get("chosen", ())) for vid, route in s.execute(
                select(PlanVersion.id, PlanVersion.route).where(PlanVersion.id.in_(with_done)))} if with_done else {}
            drift = self._drift(s, [r.id for r in current.values()], catalogue, today) if catalogue else {}
            self._audit(s, actor, None, "caseload", f"{len(ids)} learners listed")
        out = []
        for lr in learners:
            r = current.get(lr.id)
            if r is None:
                out.append(CaseloadRow(lr.id, lr.name, _utc(lr.last_contact)))
                continue
            done = completed.get(r.plan_id, set())
            steps = r.steps + len(done - chosen.get(r.id, done))
            out.append(CaseloadRow(lr.id, lr.name, _utc(lr.last_contact), r.plan_id, r.version, r.target, r.status,
                                   steps, len(done), _utc(r.saved_at), drift.get(r.id, ())))
        return out

    def _drift(self, s: Session, version_ids: list[int], catalogue: Catalogue,
               today: dt.date) -> dict[int, tuple[Drift, ...]]:
        # versions never change, so their drift against one catalogue on one day is computed once
        key = (catalogue_digest(catalogue), today)
        if self._drift_key != key:
            self._drift_key, self._drift_cache = key, {}
        missing = [v for v in version_ids if v not in self._drift_cache]
        for chunk in range(0, len(missing), 500):
            for vid, basis in s.execute(select(PlanVersion.id, PlanVersion.basis)
                                        .where(PlanVersion.id.in_(missing[chunk:chunk + 500]))):
                self._drift_cache[vid] = tuple(drift_reasons(basis, catalogue, today=today))
        return {v: self._drift_cache[v] for v in version_ids}

    # ------------------------------------------------------------------ plans

    def save_plan(
        self,
        actor: User,
        learner_id: int,
        *,
        scenario: Scenario,
        catalogue: Catalogue,
        recommendation: Recommendation | None = None,
        route_index: int = 0,
        whatifs: Sequence[Scenario] = (),
        notes: str = "",
        status: str = "active",
        plan_id: int | None = None,
        based_on: int | None = None,
        overwrite: bool = False,
    ) -> SavedPlan:
        """Save a plan as a new version (a new plan when ``plan_id`` is None).

        Parameters
        ----------
        actor : User
            Who saves; they must be allowed to change the learner's records.
        learner_id : int
            Whose plan it is.
        scenario : Scenario
            The question (target, holdings, constraints, objective).
        catalogue : Catalogue
            The catalogue the route was planned on (its digest and the facts the route
            relies on are stored, for drift checks).
        recommendation : Recommendation, optional
            The answer; the route at ``route_index`` is stored as the chosen route.
        route_index : int
            Which route of ``recommendation`` was chosen (0: the best).
        whatifs : sequence of Scenario
            What-if scenarios kept with the plan.
        notes, status : str
            The advisor's notes; ``draft``, ``active``, ``done`` or ``abandoned``.
        plan_id, based_on : int, optional
            The plan and the version this save edits.
        overwrite : bool
            Save even though someone else saved after ``based_on`` (still a new version).

        Raises
        ------
        PlanConflict
            When the plan has a newer version than ``based_on`` and ``overwrite`` is false.
        AccessDenied
            When ``actor`` may not change this learner's records.
        """
        if status not in PLAN_STATUSES:
            raise StoreError(f"status: expected one of {', '.join(PLAN_STATUSES)}, got {status!r}")
        if len(notes) > MAX_NOTES:
            raise StoreError(f"notes: at most {MAX_NOTES} characters, got {len(notes)}")
        if len(whatifs) > MAX_WHATIFS:
            raise StoreError(f"whatifs: at most {MAX_WHATIFS}, got {len(whatifs)}")
        route_json = None
        chosen: tuple[str, ...] = ()
        if recommendation is not None:
            try:
                text = plan_to_json(recommendation, route_index, notes=notes, alternatives=scenario.alternatives)
            except ValueError as exc:
                raise StoreError(f"route_index: {exc}") from None
            route_json = json.loads(text)
            chosen = tuple(route_json.get("chosen", []))
        target = scenario.to_target()
        basis = plan_basis(catalogue, target, chosen)
        try:
            with self._tx() as s:
                require_learner(s, actor, learner_id, doing="save a plan for")
                if plan_id is None:
                    plan = PlanRow(learner_id=learner_id)
                    s.add(plan)
                    s.flush()
                    version = 1
                else:
                    plan = s.get(PlanRow, plan_id)
                    if plan is None or plan.learner_id != learner_id:
                        raise NotFound(f"learner {learner_id} has no plan {plan_id}")
                    last = s.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                                    .order_by(PlanVersion.version.desc()).limit(1))
                    latest = last.version if last else 0
                    if latest != (based_on or 0) and not overwrite:
                        raise self._conflict(s, plan_id, based_on, last)
                    version = latest + 1
                row = PlanVersion(
                    plan_id=plan.id, version=version, target=scenario.target,
                    scenario=scenario.model_dump(mode="json"), route=route_json, steps=len(chosen),
                    catalogue_digest=catalogue_digest(catalogue), basis=basis,
                    whatifs=[w.model_dump(mode="json") for w in whatifs], notes=notes, status=status,
                    saved_by=actor.id, saved_at=utcnow(), based_on=based_on,
                )
                s.add(row)
                s.flush()
                self._audit(s, actor, learner_id, "save_plan", f"plan {plan.id} version {version}")
                return _saved(row, learner_id, actor.name)
        except IntegrityError:
            if plan_id is None:
                raise
            # another save took this version number between our read and our insert
            with self._sessions() as s:
                last = s.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                                .order_by(PlanVersion.version.desc()).limit(1))
                raise self._conflict(s, plan_id, based_on, last) from None

    def _conflict(self, s: Session, plan_id: int, based_on: int | None, last: PlanVersion | None) -> PlanConflict:
        who = s.get(UserRow, last.saved_by) if last else None
        return PlanConflict(plan_id, based_on, last.version if last else 0, _name(who),
                            _utc(last.saved_at) if last else utcnow())

    def plan(self, actor: User, plan_id: int, version: int | None = None) -> SavedPlan:
        """A plan's newest version, or the numbered one (older versions stay readable)."""
        with self._tx() as s:
            plan = s.get(PlanRow, plan_id)
            learner_id = plan.learner_id if plan is not None else -1
            require_learner(s, actor, learner_id, doing="read plans of")
            q = select(PlanVersion).where(PlanVersion.plan_id == plan_id)
            q = q.where(PlanVersion.version == version) if version else q.order_by(PlanVersion.version.desc())
            row = s.scalar(q.limit(1))
            if row is None:
                raise NotFound(f"plan {plan_id} has no version {version}")
            self._audit(s, actor, learner_id, "read", f"plan {plan_id} version {row.version}")
            return _saved(row, learner_id, _name(s.get(UserRow, row.saved_by)))

    def plan_versions(self, actor: User, plan_id: int) -> list[SavedPlan]:
        """Every version of a plan, oldest first."""
        with self._tx() as s:
            plan = s.get(PlanRow, plan_id)
            learner_id = plan.learner_id if plan is not None else -1
            require_learner(s, actor, learner_id, doing="read plans of")
            rows = s.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan_id).order_by(PlanVersion.version))
            names = _names(s)
            self._audit(s, actor, learner_id, "read", f"plan {plan_id} history")
            return [_saved(r, learner_id, names.get(r.saved_by, "?")) for r in rows]

    def plans(self, actor: User, learner_id: int) -> list[SavedPlan]:
        """The newest version of each of a learner's plans, most recently saved first."""
        with self._tx() as s:
            require_learner(s, actor, learner_id, doing="read plans of")
            latest = (select(PlanVersion.plan_id, func.max(PlanVersion.version).label("v"))
                      .join(PlanRow, PlanRow.id == PlanVersion.plan_id).where(PlanRow.learner_id == learner_id)
                      .group_by(PlanVersion.plan_id).subquery())
            rows = list(s.scalars(select(PlanVersion).join(
                latest, (latest.c.plan_id == PlanVersion.plan_id) & (latest.c.v == PlanVersion.version))))
            names = _names(s)
            self._audit(s, actor, learner_id, "read", "plans")
        rows.sort(key=lambda r: (_utc(r.saved_at), r.plan_id), reverse=True)
        return [_saved(r, learner_id, names.get(r.saved_by, "?")) for r in rows]

    # ------------------------------------------------------------------ progress

    def set_progress(self, actor: User, plan_id: int, credential_id: str, status: str, *,
                     on: dt.date | None = None) -> StepProgress:
        """Record where the learner is with one step of a plan's chosen route.

        Marking a step ``completed`` adds the credential to the learner's holdings, dated
        ``on`` (default today); moving it back out of ``completed`` removes that holding.
        """
        if status not in STEP_STATUSES:
            raise StoreError(f"status: expected one of {', '.join(STEP_STATUSES)}, got {status!r}")
        with self._tx() as s:
            plan = s.get(PlanRow, plan_id)
            learner = require_learner(s, actor, plan.learner_id if plan else -1, doing="record progress for")
            last = s.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                            .order_by(PlanVersion.version.desc()).limit(1))
            chosen = (last.route or {}).get("chosen", []) if last else []
            if credential_id not in chosen:
                raise StoreError(f"credential '{credential_id}' is not a step of plan {plan_id}")
            row = s.scalar(select(ProgressRow).where(ProgressRow.plan_id == plan_id,
                                                     ProgressRow.credential_id == credential_id))
            was_completed = row is not None and row.status == "completed"
            day = (on or dt.date.today()) if status == "completed" else None
            if row is None:
                row = ProgressRow(plan_id=plan_id, credential_id=credential_id)
                s.add(row)
            row.status, row.completed_on, row.updated_by, row.updated_at = status, day, actor.id, utcnow()
            profile = LearnerProfile.model_validate(learner.profile)
            holdings = [h for h in profile.holdings if h.credential != credential_id]
            if status == "completed":
                holdings.append(Holding(credential=credential_id, earned=day))
            elif not was_completed:
                holdings = list(profile.holdings)  # a holding the learner declared stays
            learner.profile = profile.model_copy(update={"holdings": holdings}).model_dump(mode="json")
            self._audit(s, actor, learner.id, "progress", f"plan {plan_id}: {credential_id} {status}")
            s.flush()
            return StepProgress(credential_id, status, day, _utc(row.updated_at))

    def progress(self, actor: User, plan_id: int) -> dict[str, StepProgress]:
        """Progress of each step of a plan's chosen route (``planned`` when nothing was recorded)."""
        with self._tx() as s:
            plan = s.get(PlanRow, plan_id)
            learner_id = plan.learner_id if plan else -1
            require_learner(s, actor, learner_id, doing="read progress of")
            route = s.scalar(select(PlanVersion.route).where(PlanVersion.plan_id == plan_id)
                             .order_by(PlanVersion.version.desc()).limit(1))
            recorded = {r.credential_id: r
                        for r in s.scalars(select(ProgressRow).where(ProgressRow.plan_id == plan_id))}
            self._audit(s, actor, learner_id, "read", f"plan {plan_id} progress")
        out = {}
        for cid in [*(route or {}).get("chosen", []), *sorted(recorded)]:
            r = recorded.get(cid)
            out.setdefault(cid, StepProgress(cid, r.status, r.completed_on, _utc(r.updated_at)) if r
                           else StepProgress(cid, "planned", None, None))
        return out

    # ------------------------------------------------------------------ personal data

    def audit_log(self, actor: User, learner_id: int) -> list[AuditRecord]:
        """Who read or changed this learner's data, oldest first."""
        with self._tx() as s:
            require_learner(s, actor, learner_id, doing="read the audit log of")
            rows = s.scalars(select(AuditEntry).where(AuditEntry.learner_id == learner_id).order_by(AuditEntry.id))
            return [AuditRecord(_utc(r.at), r.actor, r.learner_id, r.action, r.detail) for r in rows]

    def export_learner(self, actor: User, learner_id: int) -> dict[str, Any]:
        """Everything held about a learner, as JSON-ready data (record, plans with every version, progress, audit)."""
        with self._tx() as s:
            row = require_learner(s, actor, learner_id, doing="export")
            names = _names(s)
            plans = []
            for plan in s.scalars(select(PlanRow).where(PlanRow.learner_id == learner_id).order_by(PlanRow.id)):
                progress = s.scalars(select(ProgressRow).where(ProgressRow.plan_id == plan.id)
                                     .order_by(ProgressRow.credential_id))
                plans.append({
                    "plan_id": plan.id, "created_at": _iso(plan.created_at),
                    "versions": [{
                        "version": v.version, "target": v.target, "scenario": v.scenario, "route": v.route,
                        "catalogue_digest": v.catalogue_digest, "whatifs": v.whatifs, "notes": v.notes,
                        "status": v.status, "saved_by": names.get(v.saved_by, "?"), "saved_at": _iso(v.saved_at),
                        "based_on": v.based_on,
                    } for v in plan.versions],
                    "progress": [{"credential": p.credential_id, "status": p.status,
                                  "completed_on": p.completed_on.isoformat() if p.completed_on else None,
                                  "updated_at": _iso(p.updated_at)} for p in progress],
                })
            advisors = [names.get(a, "?") for a in s.scalars(
                select(CaseloadLink.advisor_id).where(CaseloadLink.learner_id == learner_id))]
            self._audit(s, actor, learner_id, "export", "")
            audit = [{"at": _iso(a.at), "actor": a.actor, "action": a.action, "detail": a.detail}
                     for a in s.scalars(select(AuditEntry).where(AuditEntry.learner_id == learner_id)
                                        .order_by(AuditEntry.id))]
            return {
                "format": "stackable-planner-learner-export", "version": 1, "exported_at": _iso(utcnow()),
                "learner": {"id": row.id, "name": row.name, "user_id": row.user_id, "profile": row.profile,
                            "created_at": _iso(row.created_at), "last_contact": _iso(row.last_contact)},
                "advisors": sorted(advisors), "plans": plans, "audit_log": audit,
            }

    def erase_learner(self, actor: User, learner_id: int) -> None:
        """Erase a learner's record, plans, progress and caseload links; the audit log keeps its entries.

        The learner themselves or an advisor with them on their caseload may erase.
        """
        with self._tx() as s:
            row = require_learner(s, actor, learner_id, doing="erase")
            plan_ids = list(s.scalars(select(PlanRow.id).where(PlanRow.learner_id == learner_id)))
            if plan_ids:
                s.execute(delete(ProgressRow).where(ProgressRow.plan_id.in_(plan_ids)))
                s.execute(delete(PlanVersion).where(PlanVersion.plan_id.in_(plan_ids)))
                s.execute(delete(PlanRow).where(PlanRow.id.in_(plan_ids)))
            s.execute(delete(CaseloadLink).where(CaseloadLink.learner_id == learner_id))
            s.delete(row)
            self._audit(s, actor, learner_id, "erase", f"record, {len(plan_ids)} plan(s) and their progress removed")

    def audit_entries(self, learner_id: int) -> list[AuditRecord]:
        """The audit log of a learner id, for operators with database access (no content, only who/when/what)."""
        with self._sessions() as s:
            rows = s.scalars(select(AuditEntry).where(AuditEntry.learner_id == learner_id).order_by(AuditEntry.id))
            return [AuditRecord(_utc(r.at), r.actor, r.learner_id, r.action, r.detail) for r in rows]

    # ------------------------------------------------------------------ aggregate (admins)

    def aggregate(self, actor: User) -> dict[str, Any]:
        """Anonymised figures for institution admins: counts only, small groups merged into 'other'."""
        require_role(actor, Role.ADMIN, doing="see aggregate figures")
        with self._tx() as s:
            learners = s.scalar(select(func.count()).select_from(LearnerRow)) or 0
            plans = s.scalar(select(func.count()).select_from(PlanRow)) or 0
            versions = s.scalar(select(func.count()).select_from(PlanVersion)) or 0
            latest = (select(PlanVersion.plan_id, func.max(PlanVersion.version).label("v"))
                      .group_by(PlanVersion.plan_id).subquery())
            current = s.execute(select(PlanVersion.target, PlanVersion.status).join(
                latest, (latest.c.plan_id == PlanVersion.plan_id) & (latest.c.v == PlanVersion.version))).all()
            steps = Counter(dict(s.execute(select(ProgressRow.status, func.count())
                                           .group_by(ProgressRow.status)).all()))
            self._audit(s, actor, None, "aggregate", "")
        return {"learners": learners, "plans": plans, "plan_versions": versions,
                "plans_by_status": _coarse(Counter(r.status for r in current)),
                "plans_by_target": _coarse(Counter(r.target for r in current)),
                "steps_by_status": _coarse(steps)}

    # ------------------------------------------------------------------ helpers

    def _audit(self, s: Session, actor: User, learner_id: int | None, action: str, detail: str) -> None:
        s.add(AuditEntry(at=utcnow(), actor_id=actor.id, actor=str(actor), learner_id=learner_id, action=action,
                         detail=detail[:2000]))


def _coarse(counts: Counter[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, n in sorted(counts.items()):
        if n >= MIN_GROUP:
            out[key] = n
        else:
            out["other"] = out.get("other", 0) + n
    return out


def _user(row: UserRow) -> User:
    return User(row.id, Role(row.role), row.name or row.email or row.subject, row.issuer, row.subject)


def _name(row: UserRow | None) -> str:
    return "someone" if row is None else (row.name or row.email or row.subject)


def _names(s: Session) -> dict[int, str]:
    return {r.id: _name(r) for r in s.scalars(select(UserRow))}


def _iso(value: dt.datetime | None) -> str | None:
    value = _utc(value)
    return value.isoformat() if value else None


def _learner(row: LearnerRow) -> Learner:
    return Learner(row.id, row.name, row.user_id, LearnerProfile.model_validate(row.profile),
                   _utc(row.created_at) or utcnow(), _utc(row.last_contact))


def _saved(row: PlanVersion, learner_id: int, saved_by: str) -> SavedPlan:
    route = plan_from_json(json.dumps(row.route)) if row.route else None
    return SavedPlan(
        plan_id=row.plan_id, learner_id=learner_id, version=row.version, target=row.target,
        scenario=Scenario.model_validate(row.scenario), route=route, catalogue_digest=row.catalogue_digest,
        basis=row.basis, whatifs=tuple(Scenario.model_validate(w) for w in row.whatifs), notes=row.notes,
        status=row.status, saved_by=saved_by, saved_at=_utc(row.saved_at) or utcnow(), based_on=row.based_on,
    )
