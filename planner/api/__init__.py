"""The HTTP API: the planner's library calls for portals, LMSs and registries.

``planner serve`` runs :func:`planner.api.app.create_app` on uvicorn. Every endpoint is a
thin layer over the same library calls the CLI and the app make (routes, reach,
verification, the learner store with its access rules, the analyses); nothing here decides
a domain rule. Settings come from the environment (:mod:`planner.api.settings`), so that
every worker process and every replica builds the same application.
"""

from __future__ import annotations

__all__: list[str] = []
