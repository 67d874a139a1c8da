"""Tables of a compiled catalogue (SQLAlchemy Core), shared by SQLite and PostgreSQL.

A compiled catalogue is a build artefact: every item is kept whole as JSON (``doc``,
what :mod:`planner.catalogue.models` validates) beside the indexed columns that the route engine's
queries need (what teaches a competency at a level, what requires a credential, which
credentials an award names, which agreements touch an award). ``source`` names the file
(or import) an item came from, so that an incremental build replaces one file's items.

The format version is a row of ``store_meta``; a store written by another format is
refused with "rebuild" rather than read wrongly.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "FORMAT_VERSION",
    "GENERATION",
    "award_components",
    "competencies",
    "credentials",
    "metadata",
    "providers",
    "recognitions",
    "requires",
    "role_needs",
    "roles",
    "search_docs",
    "source_files",
    "store_meta",
    "teaches",
]

#: Bump when the tables or the meaning of a column change; old stores must be rebuilt.
FORMAT_VERSION = 1

#: ``store_meta`` key of a token every write replaces: readers that keep what they read
#: compare it to know the store changed under them.
GENERATION = "generation"

metadata = MetaData()

_ID = 120  # models.ID_PATTERN's max_length

store_meta = Table(
    "store_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
)

source_files = Table(
    "source_files", metadata,
    Column("path", String(1000), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("items", Integer, nullable=False),
)

credentials = Table(
    "credentials", metadata,
    Column("id", String(_ID), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("provider", String(_ID), nullable=False),
    Column("type", String(40), nullable=False),
    Column("sector", String(300)),
    Column("is_award", Boolean, nullable=False),
    Column("ects", Float),
    Column("source", String(1000), nullable=False),
    Column("pos", Integer, nullable=False),  # order within its source (the loader's order)
    Column("doc", Text, nullable=False),
    Index("ix_credentials_provider", "provider"),
    Index("ix_credentials_source", "source"),
    Index("ix_credentials_award", "is_award"),
)

# what a credential teaches: one row per (credential, competency) at its highest level
teaches = Table(
    "teaches", metadata,
    Column("competency", String(_ID), nullable=False),
    Column("level", Integer, nullable=False),
    Column("credential", String(_ID), nullable=False),
    Index("ix_teaches_competency_level", "competency", "level"),
    Index("ix_teaches_credential", "credential"),
)

# a prerequisite alternative: a credential, or a competency at a level
requires = Table(
    "requires", metadata,
    Column("credential", String(_ID), nullable=False),
    Column("needs_credential", String(_ID)),
    Column("needs_competency", String(_ID)),
    Column("needs_level", Integer),
    Index("ix_requires_credential", "credential"),
    Index("ix_requires_needs_credential", "needs_credential"),
    Index("ix_requires_needs_competency", "needs_competency", "needs_level"),
)

# every credential an award's rule tree names (leaves and credit-pool members)
award_components = Table(
    "award_components", metadata,
    Column("award", String(_ID), nullable=False),
    Column("credential", String(_ID), nullable=False),
    Index("ix_award_components_award", "award"),
    Index("ix_award_components_credential", "credential"),
)

recognitions = Table(
    "recognitions", metadata,
    Column("id", String(_ID), primary_key=True),
    Column("award", String(_ID), nullable=False),
    Column("credential", String(_ID), nullable=False),
    Column("provider", String(_ID), nullable=False),
    Column("source", String(1000), nullable=False),
    Column("pos", Integer, nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_recognitions_award", "award"),
    Index("ix_recognitions_credential", "credential"),
    Index("ix_recognitions_source", "source"),
)

roles = Table(
    "roles", metadata,
    Column("id", String(_ID), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("sector", String(300)),
    Column("source", String(1000), nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_roles_source", "source"),
)

role_needs = Table(
    "role_needs", metadata,
    Column("role", String(_ID), nullable=False),
    Column("competency", String(_ID), nullable=False),
    Column("level", Integer, nullable=False),
    Column("essential", Boolean, nullable=False),
    Index("ix_role_needs_role", "role"),
    Index("ix_role_needs_competency", "competency"),
)

competencies = Table(
    "competencies", metadata,
    Column("id", String(_ID), primary_key=True),
    Column("label", String(300), nullable=False),
    Column("broader", String(_ID)),
    Column("source", String(1000), nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_competencies_source", "source"),
)

providers = Table(
    "providers", metadata,
    Column("id", String(_ID), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("country", String(2), nullable=False),
    Column("source", String(1000), nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_providers_source", "source"),
)

# the text the explore page and target picker search: one row per credential and role
# (the full-text index itself is dialect-specific: see planner.store.catalogue.fulltext)
search_docs = Table(
    "search_docs", metadata,
    Column("rowid", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("item", String(_ID), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("is_award", Boolean, nullable=False),
    Index("ix_search_docs_item", "kind", "item"),
)
