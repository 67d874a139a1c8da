"""Persistent storage: the learners' records and compiled catalogues (SQLAlchemy 2).

SQLite is the embedded default; PostgreSQL is reached by URL. Learner records live in
:mod:`planner.store` modules; compiled catalogues in :mod:`planner.store.catalogue`.
"""
