"""Users, roles and caseloads: an institution administrator's work (``planner users``, ``planner caseload``).

Every endpoint calls :mod:`planner.store.admin`, which refuses anyone but an administrator;
an administrator sees names, roles and assignments, never a learner's plans or profile.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from planner.api.body import LimitedRoute
from planner.api.problems import problem_responses
from planner.api.routes_learners import MAX_ID, LearnerId
from planner.api.state import ActingUser, Context
from planner.store.identity import Identity

__all__ = ["router"]

router = APIRouter(route_class=LimitedRoute, tags=["institution"], responses=problem_responses(401, 403, 404, 503))

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="a user's id")]
ROLE_PATTERN = "^(learner|advisor|admin)$"


class UserOut(BaseModel):
    """A user as the administrator sees them."""

    id: int
    name: str
    email: str | None = None
    role: str
    identity: str = Field(description="ISSUER|SUBJECT, as PLANNER_ADMINS and PLANNER_ADVISORS name people")
    learner_id: int | None = None
    advisors: list[int] = Field(default_factory=list, description="user ids of the advisors who have their record")
    caseload: int = Field(default=0, description="learners on their caseload (advisors)")


class NewUser(BaseModel):
    """A person to add before they first sign in."""

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1, max_length=300, description="the identity provider (a token's iss)")
    subject: str = Field(min_length=1, max_length=300, description="their id there (a token's sub)")
    name: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=300)
    role: str = Field(default="learner", pattern=ROLE_PATTERN)


class RoleChange(BaseModel):
    """A user's new role."""

    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern=ROLE_PATTERN)


class AssignmentOut(BaseModel):
    """A learner on an advisor's caseload."""

    advisor_id: int
    advisor: str
    learner_id: int
    learner: str
    learner_user_id: int | None


def _store(ctx: Context) -> Any:
    assert ctx.store is not None
    return ctx.store


@router.get("/users", response_model=list[UserOut], summary="Every user (administrators)")
def users(ctx: Context, user: ActingUser) -> list[dict[str, Any]]:
    """Names, roles, own records and caseloads: never a learner's plans."""
    from planner.store.admin import list_users

    return [{"id": u.id, "name": u.name, "email": u.email, "role": u.role.value, "identity": u.key,
             "learner_id": u.learner_id, "advisors": list(u.advisors), "caseload": u.caseload}
            for u in list_users(_store(ctx), user)]


@router.post("/users", response_model=UserOut, status_code=201, summary="Add a person (administrators)")
def add(body: NewUser, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """A person named by issuer and subject gets their role before they first sign in."""
    from planner.store.admin import add_user

    person = Identity(issuer=body.issuer, subject=body.subject, email=body.email, name=body.name)
    added = add_user(_store(ctx), user, person, body.role)
    return {"id": added.id, "name": added.name, "role": added.role.value, "identity": person.key}


@router.put("/users/{user_id}/role", response_model=UserOut, summary="Change a user's role (administrators)")
def role(user_id: UserId, body: RoleChange, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """It applies to their next request."""
    from planner.store.admin import set_role

    changed = set_role(_store(ctx), user, user_id, body.role)
    return {"id": changed.id, "name": changed.name, "role": changed.role.value,
            "identity": f"{changed.issuer}|{changed.subject}"}


@router.get("/caseloads", response_model=list[AssignmentOut], summary="Who has which learner (administrators)")
def caseloads(ctx: Context, user: ActingUser,
              advisor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> list[dict[str, Any]]:
    """Every assignment, or one advisor's."""
    from planner.store.admin import assignments

    return [{"advisor_id": a.advisor_id, "advisor": a.advisor, "learner_id": a.learner_id, "learner": a.learner,
             "learner_user_id": a.learner_user_id} for a in assignments(_store(ctx), user, advisor)]


@router.put("/advisors/{advisor_id}/learners/{learner_id}", response_model=AssignmentOut,
            summary="Put a learner on an advisor's caseload (administrators)")
def assign(advisor_id: UserId, learner_id: LearnerId, ctx: Context, user: ActingUser) -> dict[str, Any]:
    """Administrators assign learners; they see ids and names, never records."""
    from planner.store.admin import assign as put

    a = put(_store(ctx), user, advisor_id, learner_id=learner_id)
    return {"advisor_id": a.advisor_id, "advisor": a.advisor, "learner_id": a.learner_id, "learner": a.learner,
            "learner_user_id": a.learner_user_id}


@router.delete("/advisors/{advisor_id}/learners/{learner_id}", status_code=204, response_class=Response,
               summary="Take a learner off an advisor's caseload (administrators)")
def unassign(advisor_id: UserId, learner_id: LearnerId, ctx: Context, user: ActingUser) -> Response:
    """The link only; the record stays."""
    from planner.store.admin import unassign as remove

    remove(_store(ctx), user, advisor_id, learner_id)
    return Response(status_code=204)
