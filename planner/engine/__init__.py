"""The route engine: one package, from a question to proved-optimal routes.

``rules`` holds THE semantics (effort, validity, award rules, pools, RPL cap) that every
other module uses; ``problem`` prunes a catalogue to the candidates of one question;
``selection`` chooses sets exactly (MILP), ``schedule`` and ``termplan`` place them in time,
``search`` ranks sets under time, ``routing.recommend`` is the entry point, ``explain`` and
``diagnose`` say why; ``results`` are the frozen answers; ``scenario`` and ``whatif`` are
the question as a flat record and an advisor's changes to it. The engine imports only the
catalogue layer.

``recommend`` is re-exported lazily: ``from planner.engine import recommend``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["recommend"]


def __getattr__(name: str) -> Any:
    if name == "recommend":
        from planner.engine.routing import recommend

        return recommend
    raise AttributeError(f"module 'planner.engine' has no attribute {name!r}")
