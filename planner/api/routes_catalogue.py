"""``/catalogue``, ``/credentials``, ``/roles``, ``/awards``: what the served catalogue holds, a page at a time.

Search is the compiled store's full-text search (every word a prefix, best first; no words:
every item by id), with its limits (:data:`~planner.store.catalogue.reader.MAX_PAGE_SIZE`,
:data:`~planner.store.catalogue.reader.MAX_PAGE`, ``MAX_QUERY_CHARS``). An item is the
catalogue's own JSON (as its YAML holds it), read and checked from the store.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from planner.api.body import LimitedRoute
from planner.api.problems import ApiError, problem_responses
from planner.api.state import Caller, Context
from planner.catalogue.models import ID_PATTERN, CatalogueMeta, Credential, Role
from planner.store.catalogue.reader import MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_CHARS

__all__ = ["router"]

router = APIRouter(route_class=LimitedRoute, tags=["catalogue"], responses=problem_responses(401, 503))

ItemId = Annotated[str, Path(max_length=200, pattern=ID_PATTERN, description="the item's id")]


class Hit(BaseModel):
    """One search result."""

    kind: str = Field(description="credential or role")
    id: str
    title: str
    is_award: bool = Field(description="a credential with award rules (a possible target)")


class Page(BaseModel):
    """One page of search results."""

    total: int = Field(ge=0, description="matches in all")
    page: int = Field(ge=1)
    pages: int = Field(ge=1)
    page_size: int = Field(ge=1)
    items: list[Hit]


class CatalogueInfo(BaseModel):
    """What is served: the catalogue's settings and how many items of each kind it holds."""

    meta: CatalogueMeta
    counts: dict[str, int]
    compiled: bool = Field(description="served from a compiled store (false: a folder of YAML)")


Text = Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="words to find, each as a prefix; empty: all")]
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


def _page(ctx: Context, text: str, page: int, page_size: int, kinds: tuple[str, ...], awards: bool) -> Page:
    assert ctx.catalogue is not None
    found = ctx.catalogue.store.search(text, page, page_size, kinds=kinds, awards_only=awards)
    return Page(total=found.total, page=found.page, pages=found.pages, page_size=found.page_size,
                items=[Hit(kind=h.kind, id=h.id, title=h.title, is_award=h.is_award) for h in found.hits])


def _item(ctx: Context, kind: str, item_id: str) -> Any:
    assert ctx.catalogue is not None
    item = ctx.catalogue.store.get(kind, item_id)
    if item is None:
        raise ApiError(404, f"{kind} {item_id!r}: not in this catalogue", kind="not-found")
    return item


@router.get("/catalogue", response_model=CatalogueInfo, summary="The served catalogue's settings and counts")
def catalogue_info(ctx: Context, _who: Caller) -> CatalogueInfo:
    """What the server plans on."""
    assert ctx.catalogue is not None
    return CatalogueInfo(meta=ctx.catalogue.store.meta, counts=ctx.catalogue.store.counts(),
                         compiled=ctx.catalogue.folder is None)


@router.get("/credentials", response_model=Page, summary="Search credentials")
def credentials(ctx: Context, _who: Caller, q: Text = "", page: PageNumber = 1, page_size: PageSize = 20) -> Page:
    """Credentials matching every word of ``q``, best first, one page at a time."""
    return _page(ctx, q, page, page_size, ("credential",), False)


@router.get("/credentials/{credential_id}", response_model=Credential, responses=problem_responses(404),
            summary="One credential")
def credential(ctx: Context, _who: Caller, credential_id: ItemId) -> Credential:
    """A credential as the catalogue describes it."""
    return _item(ctx, "credential", credential_id)  # type: ignore[no-any-return]


@router.get("/awards", response_model=Page, summary="Search awards (credentials earned by stacking)")
def awards(ctx: Context, _who: Caller, q: Text = "", page: PageNumber = 1, page_size: PageSize = 20) -> Page:
    """Credentials with award rules (possible targets) matching every word of ``q``."""
    return _page(ctx, q, page, page_size, ("credential",), True)


@router.get("/awards/{award_id}", response_model=Credential, responses=problem_responses(404), summary="One award")
def award(ctx: Context, _who: Caller, award_id: ItemId) -> Credential:
    """An award (a credential with award rules)."""
    item = _item(ctx, "credential", award_id)
    if not item.is_award:
        raise ApiError(404, f"award {award_id!r}: a credential without award rules, not an award", kind="not-found")
    return item  # type: ignore[no-any-return]


@router.get("/roles", response_model=Page, summary="Search roles")
def roles(ctx: Context, _who: Caller, q: Text = "", page: PageNumber = 1, page_size: PageSize = 20) -> Page:
    """Roles matching every word of ``q``, best first, one page at a time."""
    return _page(ctx, q, page, page_size, ("role",), False)


@router.get("/roles/{role_id}", response_model=Role, responses=problem_responses(404), summary="One role")
def role(ctx: Context, _who: Caller, role_id: ItemId) -> Role:
    """A role and the competencies it needs."""
    return _item(ctx, "role", role_id)  # type: ignore[no-any-return]
