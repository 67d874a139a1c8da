"""The learner store: users, learners, caseloads, versioned plans, progress and the audit log.

Every query and command takes the acting :class:`~planner.store.access.User`, reads their
role again from the database, and is scoped by :mod:`planner.store.access`; reads and
changes of a learner's data are written to the audit log. Every method is one unit of work
(:mod:`planner.store.tx`): writers of one learner's records lock that learner's row first,
so simultaneous calls from threads or processes run one after the other on SQLite and
PostgreSQL alike, and a transient database refusal is retried. Open one with
:func:`open_store` (default database: see :mod:`planner.store.db`).

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
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from planner.catalogue.models import Catalogue, Holding, LearnerProfile
from planner.engine.results import Recommendation
from planner.engine.scenario import Scenario
from planner.outputs.export import plan_to_json
from planner.store.access import (
    Role,
    User,
    current_user,
    initial_role,
    learner_scope,
    require_learner,
    require_plan,
    require_role,
    user_from_row,
)
from planner.store.basis import Drift, catalogue_digest, drift_reasons, plan_basis
from planner.store.db import make_engine, migrate
from planner.store.driftcache import DriftCache, VersionKey
from planner.store.erasure import erase_rows, pseudonym, scrub_files
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
from planner.store.tx import unit_of_work
from planner.store.urls import mask_url, redact
from planner.store.views import (
    MIN_GROUP,
    AuditRecord,
    CaseloadRow,
    Learner,
    SavedPlan,
    StepProgress,
    coarse,
    iso,
    learner_view,
    saved_view,
    user_name,
    user_names,
    utc,
)

__all__ = [
    "MIN_GROUP",
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
MAX_NOTES = 20_000
MAX_WHATIFS = 10


def open_store(url: str | None = None) -> Store:
    """Open the store at ``url`` (default :func:`~planner.store.db.database_url`), creating and migrating it.

    Raises
    ------
    StoreError
        For a malformed URL, a database or driver the planner does not use, or a database
        that cannot be reached or migrated; the message shows the URL with its password masked.
    """
    engine = make_engine(url)  # a bad URL is a located DatabaseUrlError (a StoreError) already
    try:
        migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, ValueError, OSError, ImportError) as exc:  # unreachable, refused, not a database
        engine.dispose()
        detail = redact(f"{exc.__class__.__name__}: {getattr(exc, 'orig', None) or exc}", engine.url, url)
        raise StoreError(f"cannot open the database {mask_url(engine.url)}: {detail}".split("\n")[0]) from None
    return Store(engine)


def _insert(s: Session, table: Any) -> Any:
    # INSERT … ON CONFLICT needs the dialect's own insert construct
    return (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


class Store:
    """The learner records in one database. Every method takes the acting user first.

    One store may serve many threads and sessions at once (the app keeps one per database);
    its only state besides the engine is a drift cache keyed by everything drift depends on.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._drift_cache = DriftCache()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # ------------------------------------------------------------------ users

    @unit_of_work("sign in")
    def user_for(self, identity: Identity, *, role: Role | str | None = None) -> User:
        """The user for a signed-in identity, created on first sign-in.

        Parameters
        ----------
        identity : Identity
            Who signed in (issuer and subject name them).
        role : Role or str, optional
            The role of a *new* user; default: what :func:`~planner.store.access.initial_role`
            grants from trusted claims (learner unless listed). An existing user keeps their
            role (roles are changed by :meth:`set_role`, never by signing in); their name and
            e-mail follow the identity provider.

        Notes
        -----
        Simultaneous first sign-ins of one person make one user (``INSERT … ON CONFLICT``).
        """
        wanted = Role(role) if role is not None else initial_role(identity)
        with self._tx() as s:
            s.execute(_insert(s, UserRow).values(
                issuer=identity.issuer, subject=identity.subject, role=wanted.value, name=identity.name,
                email=identity.email, created_at=utcnow()).on_conflict_do_nothing(index_elements=["issuer", "subject"]))
            row = s.scalar(select(UserRow).where(UserRow.issuer == identity.issuer,
                                                 UserRow.subject == identity.subject))
            assert row is not None  # inserted, or there already
            if (identity.name and row.name != identity.name) or (identity.email and row.email != identity.email):
                row.name, row.email = identity.name or row.name, identity.email or row.email
            return user_from_row(row)

    @unit_of_work("read the acting user")
    def refresh_user(self, actor: User) -> User:
        """``actor`` as the database holds them now (their current role).

        Raises
        ------
        AccessDenied
            When the user no longer exists as that person (erased).
        """
        with self._tx() as s:
            return current_user(s, actor)

    @unit_of_work("change a role")
    def set_role(self, actor: User, user_id: int, role: Role | str) -> User:
        """Change a user's role (admins only); it applies to their next call, open sessions included."""
        with self._tx() as s:
            actor = current_user(s, actor)
            require_role(actor, Role.ADMIN, doing="change roles")
            row = s.scalar(select(UserRow).where(UserRow.id == user_id).with_for_update())
            if row is None:
                raise NotFound(f"no user {user_id}")
            row.role = Role(role).value
            return user_from_row(row)

    @unit_of_work("open the local user's records")
    def local_user(self) -> User:
        """The single user of a local run: an advisor whose caseload holds their own learner record."""
        me = self.user_for(LOCAL_IDENTITY, role=Role.ADVISOR)
        if me.role != Role.ADVISOR:
            raise StoreError(f"the local user is a {me.role.value}, expected an advisor")
        with self._tx() as s:
            s.scalar(select(UserRow.id).where(UserRow.id == me.id).with_for_update())  # one creator at a time
            row = s.scalar(select(LearnerRow).where(LearnerRow.user_id == me.id))
            if row is None:
                row = LearnerRow(user_id=me.id, name=me.name, profile=LearnerProfile().model_dump(mode="json"))
                s.add(row)
                s.flush()
                s.add(CaseloadLink(advisor_id=me.id, learner_id=row.id))
                self._audit(s, me, row.id, "create", "local learner record")
        return me

    # ------------------------------------------------------------------ learners and caseloads

    @unit_of_work("create a learner record")
    def create_learner(self, actor: User, name: str, profile: LearnerProfile | None = None, *,
                       user_id: int | None = None) -> Learner:
        """Add a learner: an advisor's new learner joins their caseload; a learner creates their own record."""
        name = name.strip()[:300] or "Learner"
        with self._tx() as s:
            actor = current_user(s, actor)
            require_role(actor, Role.ADVISOR, Role.LEARNER, doing="create learner records")
            if actor.role == Role.LEARNER:
                if user_id not in (None, actor.id):
                    raise AccessDenied(f"{actor} may only create their own learner record")
                user_id = actor.id
            if user_id is not None:
                # the user's row locked: two simultaneous first saves of one learner make one record
                if s.scalar(select(UserRow.id).where(UserRow.id == user_id).with_for_update()) is None:
                    raise NotFound(f"no user {user_id}")
                if s.scalar(select(LearnerRow.id).where(LearnerRow.user_id == user_id)):
                    raise StoreError(f"user {user_id} already has a learner record")
            row = LearnerRow(name=name, user_id=user_id,
                             profile=(profile or LearnerProfile()).model_dump(mode="json"))
            s.add(row)
            s.flush()
            if actor.role == Role.ADVISOR:
                s.add(CaseloadLink(advisor_id=actor.id, learner_id=row.id))
            self._audit(s, actor, row.id, "create", "record")  # no content: the log outlives an erase
            return learner_view(row)

    @unit_of_work("assign a learner")
    def assign(self, actor: User, advisor_id: int, learner_id: int) -> None:
        """Put a learner on an advisor's caseload (admins only; they see ids, not records)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            require_role(actor, Role.ADMIN, doing="assign learners to advisors")
            advisor = s.get(UserRow, advisor_id)
            if advisor is None or advisor.role != Role.ADVISOR.value:
                raise NotFound(f"user {advisor_id} is not an advisor")
            if s.scalar(select(LearnerRow.id).where(LearnerRow.id == learner_id).with_for_update()) is None:
                raise NotFound(f"no learner {learner_id}")
            added = s.execute(_insert(s, CaseloadLink).values(advisor_id=advisor_id, learner_id=learner_id,
                                                              created_at=utcnow()).on_conflict_do_nothing())
            if added.rowcount:
                self._audit(s, actor, learner_id, "assign", f"to advisor {advisor_id}")

    @unit_of_work("change a caseload")
    def unassign(self, actor: User, advisor_id: int, learner_id: int) -> None:
        """Take a learner off an advisor's caseload (admins only)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            require_role(actor, Role.ADMIN, doing="change caseloads")
            gone = s.execute(delete(CaseloadLink).where(CaseloadLink.advisor_id == advisor_id,
                                                        CaseloadLink.learner_id == learner_id))
            if gone.rowcount:
                self._audit(s, actor, learner_id, "unassign", f"from advisor {advisor_id}")

    @unit_of_work("read a learner record")
    def learner(self, actor: User, learner_id: int) -> Learner:
        """A learner's record (audited as a read)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            row = require_learner(s, actor, learner_id, doing="read")
            self._audit(s, actor, learner_id, "read", "record")
            return learner_view(row)

    @unit_of_work("list learners")
    def learner_ids(self, actor: User) -> list[int]:
        """Ids of every learner ``actor`` may see, ascending (admins: none)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            return list(s.scalars(select(LearnerRow.id).where(learner_scope(actor)).order_by(LearnerRow.id)))

    @unit_of_work("find the user's own record")
    def own_learner_id(self, actor: User) -> int | None:
        """The id of the learner record linked to ``actor``'s user, if there is one."""
        with self._tx() as s:
            actor = current_user(s, actor)
            return s.scalar(select(LearnerRow.id).where(LearnerRow.user_id == actor.id))

    @unit_of_work("change a learner's profile")
    def update_profile(self, actor: User, learner_id: int, profile: LearnerProfile, *,
                       name: str | None = None) -> Learner:
        """Replace a learner's profile (holdings, competencies, constraints)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            row = require_learner(s, actor, learner_id, doing="change", lock=True)
            row.profile = profile.model_dump(mode="json")
            if name is not None and name.strip():
                row.name = name.strip()[:300]
            self._audit(s, actor, learner_id, "update", "profile")
            return learner_view(row)

    @unit_of_work("record a contact")
    def record_contact(self, actor: User, learner_id: int, when: dt.datetime | None = None) -> None:
        """Note that the advisor met or wrote to the learner (shown as 'last contact')."""
        with self._tx() as s:
            actor = current_user(s, actor)
            require_role(actor, Role.ADVISOR, doing="record contacts")
            row = require_learner(s, actor, learner_id, doing="record a contact with", lock=True)
            row.last_contact = when or utcnow()
            self._audit(s, actor, learner_id, "contact", "")

    @unit_of_work("list the caseload")
    def caseload(self, actor: User, *, catalogue: Catalogue | None = None,
                 today: dt.date | None = None) -> list[CaseloadRow]:
        """The learners ``actor`` may see, each with their current plan and progress.

        The current plan is the one saved most recently. With ``catalogue``, each row also
        carries the drift of its plan against it (see :func:`planner.store.basis.drift_reasons`).
        Viewing the list is audited once (not per learner).
        """
        today = today or dt.date.today()
        with self._tx() as s:
            actor = current_user(s, actor)
            require_role(actor, Role.ADVISOR, Role.LEARNER, doing="list learners")
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
            keys = {r.id: (r.id, r.plan_id, r.version, r.saved_at) for r in current.values()}
            drift = self._drift(s, list(keys.values()), catalogue, today) if catalogue else {}
            self._audit(s, actor, None, "caseload", f"{len(ids)} learners listed")
        out = []
        for lr in learners:
            r = current.get(lr.id)
            if r is None:
                out.append(CaseloadRow(lr.id, lr.name, utc(lr.last_contact)))
                continue
            done = completed.get(r.plan_id, set())
            steps = r.steps + len(done - chosen.get(r.id, done))
            out.append(CaseloadRow(lr.id, lr.name, utc(lr.last_contact), r.plan_id, r.version, r.target, r.status,
                                   steps, len(done), utc(r.saved_at), drift.get(keys[r.id], ())))
        return out

    def _drift(self, s: Session, versions: list[VersionKey], catalogue: Catalogue,
               today: dt.date) -> dict[VersionKey, tuple[Drift, ...]]:
        # versions never change, so their drift against one catalogue on one day is computed once
        def compute(missing: list[VersionKey]) -> dict[VersionKey, tuple[Drift, ...]]:
            by_id = {v[0]: v for v in missing}
            out: dict[VersionKey, tuple[Drift, ...]] = {}
            ids = list(by_id)
            for chunk in range(0, len(ids), 500):
                for vid, basis in s.execute(select(PlanVersion.id, PlanVersion.basis)
                                            .where(PlanVersion.id.in_(ids[chunk:chunk + 500]))):
                    out[by_id[vid]] = tuple(drift_reasons(basis, catalogue, today=today))
            return out

        return self._drift_cache.get_many(catalogue_digest(catalogue), today, versions, compute)

    # ------------------------------------------------------------------ plans

    @unit_of_work("save a plan")
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
        NotFound
            When ``plan_id`` is not a plan of this learner.

        Notes
        -----
        Saves of one learner's plans run one after the other (the learner's row is locked
        first): of simultaneous saves based on one version exactly one is kept and the
        others get :class:`PlanConflict`; simultaneous overwrites are all kept, each as a
        version of its own.
        """
        _check_plan_fields(status, notes, whatifs)
        route_json, chosen = _chosen_route(scenario, recommendation, route_index, notes)
        target = scenario.to_target()
        basis = plan_basis(catalogue, target, chosen)
        digest = catalogue_digest(catalogue)
        with self._tx() as s:
            actor = current_user(s, actor)
            require_learner(s, actor, learner_id, doing="save a plan for", lock=True)
            plan, version = self._next_version(s, learner_id, plan_id, based_on, overwrite)
            row = PlanVersion(
                plan_id=plan.id, version=version, target=scenario.target,
                scenario=scenario.model_dump(mode="json"), route=route_json, steps=len(chosen),
                catalogue_digest=digest, basis=basis,
                whatifs=[w.model_dump(mode="json") for w in whatifs], notes=notes, status=status,
                saved_by=actor.id, saved_at=utcnow(), based_on=based_on,
            )
            s.add(row)
            s.flush()
            self._audit(s, actor, learner_id, "save_plan", f"plan {plan.id} version {version}")
            return saved_view(row, learner_id, actor.name)

    def _next_version(self, s: Session, learner_id: int, plan_id: int | None, based_on: int | None,
                      overwrite: bool) -> tuple[PlanRow, int]:
        """The plan a save goes to (a new one when ``plan_id`` is None) and its next version number.

        Raises
        ------
        NotFound
            When ``plan_id`` is not a plan of this learner.
        PlanConflict
            When the plan has a newer version than ``based_on`` and ``overwrite`` is false.
        """
        if plan_id is None:
            plan = PlanRow(learner_id=learner_id)
            s.add(plan)
            s.flush()
            return plan, 1
        found = s.get(PlanRow, plan_id)
        if found is None or found.learner_id != learner_id:
            raise NotFound(f"learner {learner_id} has no plan {plan_id}")
        last = self._latest(s, plan_id)
        latest = last.version if last else 0
        if latest != (based_on or 0) and not overwrite:
            raise self._conflict(s, plan_id, based_on, last)
        return found, latest + 1

    @staticmethod
    def _latest(s: Session, plan_id: int) -> PlanVersion | None:
        return s.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                        .order_by(PlanVersion.version.desc()).limit(1))

    @staticmethod
    def _conflict(s: Session, plan_id: int, based_on: int | None, last: PlanVersion | None) -> PlanConflict:
        who = s.get(UserRow, last.saved_by) if last else None
        return PlanConflict(plan_id, based_on, last.version if last else 0, user_name(who),
                            utc(last.saved_at) if last else utcnow())

    @unit_of_work("read a plan")
    def plan(self, actor: User, plan_id: int, version: int | None = None) -> SavedPlan:
        """A plan's newest version, or the numbered one (older versions stay readable)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            _, learner = require_plan(s, actor, plan_id, doing="read")
            q = select(PlanVersion).where(PlanVersion.plan_id == plan_id)
            q = q.where(PlanVersion.version == version) if version else q.order_by(PlanVersion.version.desc())
            row = s.scalar(q.limit(1))
            if row is None:
                raise NotFound(f"plan {plan_id} has no version {version}")
            self._audit(s, actor, learner.id, "read", f"plan {plan_id} version {row.version}")
            return saved_view(row, learner.id, user_name(s.get(UserRow, row.saved_by)))

    @unit_of_work("read a plan's history")
    def plan_versions(self, actor: User, plan_id: int) -> list[SavedPlan]:
        """Every version of a plan, oldest first."""
        with self._tx() as s:
            actor = current_user(s, actor)
            _, learner = require_plan(s, actor, plan_id, doing="read")
            rows = s.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan_id).order_by(PlanVersion.version))
            names = user_names(s)
            self._audit(s, actor, learner.id, "read", f"plan {plan_id} history")
            return [saved_view(r, learner.id, names.get(r.saved_by, "?")) for r in rows]

    @unit_of_work("read a learner's plans")
    def plans(self, actor: User, learner_id: int) -> list[SavedPlan]:
        """The newest version of each of a learner's plans, most recently saved first."""
        with self._tx() as s:
            actor = current_user(s, actor)
            require_learner(s, actor, learner_id, doing="read plans of")
            latest = (select(PlanVersion.plan_id, func.max(PlanVersion.version).label("v"))
                      .join(PlanRow, PlanRow.id == PlanVersion.plan_id).where(PlanRow.learner_id == learner_id)
                      .group_by(PlanVersion.plan_id).subquery())
            rows = list(s.scalars(select(PlanVersion).join(
                latest, (latest.c.plan_id == PlanVersion.plan_id) & (latest.c.v == PlanVersion.version))))
            names = user_names(s)
            self._audit(s, actor, learner_id, "read", "plans")
        rows.sort(key=lambda r: (utc(r.saved_at), r.plan_id), reverse=True)
        return [saved_view(r, learner_id, names.get(r.saved_by, "?")) for r in rows]

    # ------------------------------------------------------------------ progress

    @unit_of_work("record progress")
    def set_progress(self, actor: User, plan_id: int, credential_id: str, status: str, *,
                     on: dt.date | None = None) -> StepProgress:
        """Record where the learner is with one step of a plan's chosen route.

        Marking a step ``completed`` adds the credential to the learner's holdings, dated
        ``on`` (default today); moving it back out of ``completed`` removes that holding.
        The learner's row is locked first: simultaneous steps of one learner, from any number
        of processes, each end up in the holdings (none overwrites another's).
        """
        if status not in STEP_STATUSES:
            raise StoreError(f"status: expected one of {', '.join(STEP_STATUSES)}, got {status!r}")
        with self._tx() as s:
            actor = current_user(s, actor)
            _, learner = require_plan(s, actor, plan_id, doing="record progress for", lock=True)
            last = self._latest(s, plan_id)
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
            return StepProgress(credential_id, status, day, utc(row.updated_at))

    @unit_of_work("read progress")
    def progress(self, actor: User, plan_id: int) -> dict[str, StepProgress]:
        """Progress of each step of a plan's chosen route (``planned`` when nothing was recorded)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            _, learner = require_plan(s, actor, plan_id, doing="read progress of")
            route = s.scalar(select(PlanVersion.route).where(PlanVersion.plan_id == plan_id)
                             .order_by(PlanVersion.version.desc()).limit(1))
            recorded = {r.credential_id: r
                        for r in s.scalars(select(ProgressRow).where(ProgressRow.plan_id == plan_id))}
            self._audit(s, actor, learner.id, "read", f"plan {plan_id} progress")
        out = {}
        for cid in [*(route or {}).get("chosen", []), *sorted(recorded)]:
            r = recorded.get(cid)
            out.setdefault(cid, StepProgress(cid, r.status, r.completed_on, utc(r.updated_at)) if r
                           else StepProgress(cid, "planned", None, None))
        return out

    # ------------------------------------------------------------------ personal data

    @unit_of_work("read an audit log")
    def audit_log(self, actor: User, learner_id: int) -> list[AuditRecord]:
        """Who read or changed this learner's data, oldest first."""
        with self._tx() as s:
            actor = current_user(s, actor)
            require_learner(s, actor, learner_id, doing="read the audit log of")
            rows = s.scalars(select(AuditEntry).where(AuditEntry.learner_id == learner_id).order_by(AuditEntry.id))
            return [AuditRecord(utc(r.at), r.actor, r.learner_id, r.action, r.detail) for r in rows]

    @unit_of_work("export a learner's records")
    def export_learner(self, actor: User, learner_id: int) -> dict[str, Any]:
        """Everything held about a learner, as JSON-ready data (record, plans with every version, progress, audit)."""
        with self._tx() as s:
            actor = current_user(s, actor)
            row = require_learner(s, actor, learner_id, doing="export")
            names = user_names(s)
            plans = []
            for plan in s.scalars(select(PlanRow).where(PlanRow.learner_id == learner_id).order_by(PlanRow.id)):
                progress = s.scalars(select(ProgressRow).where(ProgressRow.plan_id == plan.id)
                                     .order_by(ProgressRow.credential_id))
                plans.append({
                    "plan_id": plan.id, "created_at": iso(plan.created_at),
                    "versions": [{
                        "version": v.version, "target": v.target, "scenario": v.scenario, "route": v.route,
                        "catalogue_digest": v.catalogue_digest, "whatifs": v.whatifs, "notes": v.notes,
                        "status": v.status, "saved_by": names.get(v.saved_by, "?"), "saved_at": iso(v.saved_at),
                        "based_on": v.based_on,
                    } for v in plan.versions],
                    "progress": [{"credential": p.credential_id, "status": p.status,
                                  "completed_on": p.completed_on.isoformat() if p.completed_on else None,
                                  "updated_at": iso(p.updated_at)} for p in progress],
                })
            advisors = [names.get(a, "?") for a in s.scalars(
                select(CaseloadLink.advisor_id).where(CaseloadLink.learner_id == learner_id))]
            self._audit(s, actor, learner_id, "export", "")
            audit = [{"at": iso(a.at), "actor": a.actor, "action": a.action, "detail": a.detail}
                     for a in s.scalars(select(AuditEntry).where(AuditEntry.learner_id == learner_id)
                                        .order_by(AuditEntry.id))]
            return {
                "format": "stackable-planner-learner-export", "version": 1, "exported_at": iso(utcnow()),
                "learner": {"id": row.id, "name": row.name, "user_id": row.user_id, "profile": row.profile,
                            "created_at": iso(row.created_at), "last_contact": iso(row.last_contact)},
                "advisors": sorted(advisors), "plans": plans, "audit_log": audit,
            }

    @unit_of_work("erase a learner")
    def erase_learner(self, actor: User, learner_id: int) -> None:
        """Erase a learner: record, plans with every version and note, progress, caseload links.

        The learner themselves or an advisor with them on their caseload may erase. The audit
        log keeps who did what and when about the learner's id, without details; a learner's
        own user (one who signs in as a learner) is pseudonymised, in the audit log too; and
        SQLite's write-ahead log is checkpointed and emptied afterwards (see
        :mod:`planner.store.erasure`). The learner's row is locked first, so an erase and a
        simultaneous change of the same learner run one after the other: the change either
        happened before (and is erased) or is refused after.
        """
        with self._tx() as s:
            actor = current_user(s, actor)
            row = require_learner(s, actor, learner_id, doing="erase", lock=True)
            own = row.user_id == actor.id
            erased = erase_rows(s, row)
            label = f"{actor.role.value} '{pseudonym(actor.id)}'" if own and erased.user_pseudonymised else str(actor)
            s.add(AuditEntry(at=utcnow(), actor_id=actor.id, actor=label, learner_id=learner_id, action="erase",
                             detail=f"record, {erased.plans} plan(s) and their progress removed"))
        self._drift_cache.forget(erased.version_ids)
        scrub_files(self.engine)

    @unit_of_work("read an audit log")
    def audit_entries(self, learner_id: int) -> list[AuditRecord]:
        """The audit log of a learner id, for operators with database access (no content, only who/when/what)."""
        with self._tx() as s:
            rows = s.scalars(select(AuditEntry).where(AuditEntry.learner_id == learner_id).order_by(AuditEntry.id))
            return [AuditRecord(utc(r.at), r.actor, r.learner_id, r.action, r.detail) for r in rows]

    # ------------------------------------------------------------------ aggregate (admins)

    @unit_of_work("count records")
    def aggregate(self, actor: User) -> dict[str, Any]:
        """Anonymised figures for institution admins: counts only, small groups merged into 'other'."""
        with self._tx() as s:
            actor = current_user(s, actor)
            require_role(actor, Role.ADMIN, doing="see aggregate figures")
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
                "plans_by_status": coarse(Counter(r.status for r in current)),
                "plans_by_target": coarse(Counter(r.target for r in current)),
                "steps_by_status": coarse(steps)}

    # ------------------------------------------------------------------ helpers

    def _audit(self, s: Session, actor: User, learner_id: int | None, action: str, detail: str) -> None:
        s.add(AuditEntry(at=utcnow(), actor_id=actor.id, actor=str(actor), learner_id=learner_id, action=action,
                         detail=detail[:2000]))


def _check_plan_fields(status: str, notes: str, whatifs: Sequence[Scenario]) -> None:
    """Refuse a plan status, notes or what-ifs out of bounds (:class:`StoreError`)."""
    if status not in PLAN_STATUSES:
        raise StoreError(f"status: expected one of {', '.join(PLAN_STATUSES)}, got {status!r}")
    if len(notes) > MAX_NOTES:
        raise StoreError(f"notes: at most {MAX_NOTES} characters, got {len(notes)}")
    if len(whatifs) > MAX_WHATIFS:
        raise StoreError(f"whatifs: at most {MAX_WHATIFS}, got {len(whatifs)}")


def _chosen_route(scenario: Scenario, recommendation: Recommendation | None, route_index: int,
                  notes: str) -> tuple[Any, tuple[str, ...]]:
    """The stored plan JSON of the chosen route and its credentials in order (None and () without one)."""
    if recommendation is None:
        return None, ()
    try:
        text = plan_to_json(recommendation, route_index, notes=notes, alternatives=scenario.alternatives)
    except ValueError as exc:
        raise StoreError(f"route_index: {exc}") from None
    route_json = json.loads(text)
    return route_json, tuple(route_json.get("chosen", []))
