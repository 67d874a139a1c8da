"""SQLAlchemy 2.0 tables of the learner store.

Plans are versioned: a :class:`PlanVersion` row is never updated, each save adds one.
The audit log keeps learner ids as plain integers (no foreign key) so that its entries
outlive an erased learner.

No id is ever given twice, even after the row holding it was erased: every table with a
generated id is ``AUTOINCREMENT`` on SQLite and an identity column on PostgreSQL (a cache
or an audit entry that names an id can never come to name someone else's row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Identity, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["AuditEntry", "Base", "CaseloadLink", "LearnerRow", "PlanRow", "PlanVersion", "ProgressRow", "UserRow"]


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC (what every timestamp column holds)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the learner-record tables."""


#: Table options of every table with a generated id: SQLite never reuses an id (AUTOINCREMENT).
NEVER_REUSE = {"sqlite_autoincrement": True}


def _id() -> Mapped[int]:
    # an identity column on PostgreSQL (the sequence only grows); INTEGER PRIMARY KEY AUTOINCREMENT on SQLite
    return mapped_column(Integer, Identity(), primary_key=True)


class UserRow(Base):
    """A person who signs in (or the local user), with one role."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_users_identity"), NEVER_REUSE)

    id: Mapped[int] = _id()
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))  # learner | advisor | admin
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LearnerRow(Base):
    """A learner's record: display name and profile (a LearnerProfile dump)."""

    __tablename__ = "learners"
    __table_args__ = NEVER_REUSE  # never reuse an erased learner's id (the audit log keeps it)

    id: Mapped[int] = _id()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_contact: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CaseloadLink(Base):
    """An advisor is responsible for a learner."""

    __tablename__ = "caseload"

    advisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanRow(Base):
    """A learner's plan; its content lives in versions."""

    __tablename__ = "plans"
    __table_args__ = NEVER_REUSE

    id: Mapped[int] = _id()
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    versions: Mapped[list[PlanVersion]] = relationship(back_populates="plan", order_by="PlanVersion.version",
                                                       cascade="all, delete-orphan", passive_deletes=True)


class PlanVersion(Base):
    """One saved state of a plan (never updated)."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_plan_versions_version"), NEVER_REUSE)

    id: Mapped[int] = _id()
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(300))
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)  # planner.engine.scenario.Scenario dump
    route: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # planner.outputs.export plan file (chosen route)
    steps: Mapped[int] = mapped_column(Integer, default=0)  # steps of the chosen route (lists need no JSON)
    catalogue_digest: Mapped[str] = mapped_column(String(64))
    basis: Mapped[dict[str, Any]] = mapped_column(JSON)  # catalogue facts the route relied on (drift)
    whatifs: Mapped[list[Any]] = mapped_column(JSON)  # Scenario dumps
    notes: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # draft | active | done | abandoned
    saved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    based_on: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[PlanRow] = relationship(back_populates="versions")


class ProgressRow(Base):
    """Where the learner is with one step of a plan."""

    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("plan_id", "credential_id", name="uq_progress_step"), NEVER_REUSE)

    id: Mapped[int] = _id()
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    credential_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))  # planned | in_progress | completed | dropped
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who read or changed which learner's data, when (kept when the learner is erased)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_learner", "learner_id", "at"), NEVER_REUSE)

    id: Mapped[int] = _id()
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(300))  # the actor's name then, readable without a join
    learner_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
