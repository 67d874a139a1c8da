"""The one way the engine makes a HiGHS instance: silent, one thread, lean heuristics and cuts.

Every model the engine solves is small (tens to a few thousand columns) and solved many
times per question, so HiGHS's fixed costs dominate:

- **One thread.** With its default of several threads, HiGHS's idle workers spin while a
  small MILP is solved in one of them: on 2 cores a route question used about twice the
  CPU it needed (12 ms against 6 ms), which halves what a server or a batch analysis can
  answer. Parallelism comes from answering questions side by side (API workers, Dask),
  not from inside one solve.
- **No feasibility-jump heuristic.** It spends a fixed ~4 ms before the first solve of
  every model, many times what the engine's models take to solve and prove. A heuristic
  only looks for an incumbent; leaving it out changes no optimum and no proof.
- **A small cut pool** (50 cuts rather than 10,000). On the recognition what-if's
  unpresolved switch models HiGHS spent up to a second separating and re-solving cuts at
  the root; with the smaller pool the 3,000-credential what-if took 19.5 s of CPU instead
  of 26.7 s (20: 21.5 s, 100: 20.8 s, 300: 22.9 s), route questions on the national store
  were unchanged (13.0 against 13.2 ms for three routes). Cuts only tighten the
  relaxation; their number changes no optimum and no proof.

HiGHS keeps its thread scheduler per process and refuses a ``threads`` value that differs
from the one it was started with, so the first instance made here resets a scheduler that
other code in the process may have started with its default (it is done once, before the
engine's first solve, while none of the engine's models is running).
"""

from __future__ import annotations

import threading

import highspy

__all__ = ["new_highs"]

_lock = threading.Lock()
_ready = False


def new_highs() -> highspy._Highs:
    """A bare, silent HiGHS instance with the engine's options.

    The core class, unlike the ``highspy.Highs`` wrapper, prints no banner on stdout (which
    would corrupt ``--format json`` output) and has no Python callback layer to slow it.

    Returns
    -------
    highspy._Highs
    """
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                # a scheduler started by other code with its default thread count would make
                # every "threads = 1" run below fail
                highspy._Highs.resetGlobalScheduler(True)
                _ready = True
    h = highspy._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    h.setOptionValue("mip_pool_soft_limit", 50)
    return h
