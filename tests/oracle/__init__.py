"""An independent brute-force oracle for route search, written only from ``docs/semantics.md``.

It shares no code with the engine: from ``planner`` it imports only the model classes of
``planner.catalogue.models`` and reads their raw fields (no helper methods or properties). For one
catalogue, learner profile and target it enumerates every subset of the candidate
credentials (those not held and not excluded by a constraint; at most
``core.MAX_CANDIDATES``), decides for each whether it is a feasible route, and computes its
cost, hours, credit towards an award, optional needs covered, and its exact earliest
finish by exhaustive search (``timing``). From these it gives the least ranking key per
objective, the keys the Alternatives rule expects, and an independent check of a
returned route's schedule.

Modules: ``effort`` (the effort and duration rule), ``awards`` (rule trees, pools,
agreements, RPL cap), ``timing`` (intakes and the exact scheduler), ``core`` (the
``Oracle``), ``cases`` (counterexamples saved as JSON, replayed by
``tests/engine/test_oracle_cases.py``).

The effort rule follows the contract's current wording: a credential of 0 weeks has a
weekly load of 0 (an earlier wording gave it ``W`` when given, which excluded a 0-week exam
whose ``hours_per_week`` exceeded the learner's limit).

Readings chosen where the semantics leave room (each the most natural one):

* Validity: ``earned + timedelta(days=years * 365.25) > today`` exactly as written in
  Python; adding a fractional timedelta to a date drops the fraction, so this is the
  floor, not ``round``, of ``years × 365.25`` days (they differ e.g. for 3 years).
* The candidate pool is every credential that is not excluded (no relevance pruning);
  a superset with an irrelevant credential is also a feasible route, only worse ranked.
* Same-week zero-length steps (``d = 0`` credentials, awards) happen in a sequence: a
  prerequisite must be *finished* before its dependant starts, even within one week,
  so a cycle of zero-length steps never schedules.
* Intakes are unrolled to weeks 0 … 519 (520 weeks ahead, week 520 excluded); a
  credential without intakes may start in any week, unbounded.
* An award whose rule tree names the award itself never meets that leaf (it never
  counts towards itself); pool members naming the award are ignored.
* An agreement naming a pool id that no pool has targets no pool. Several agreements
  for the same recognised credential all count.
* ``credit`` towards ``A`` counts held credit only within ``A``'s window (the
  "counted holdings"), and the agreed credits of an agreement whose recognised
  credential is a counted holding or a route credential (no timing).
* The deadline bounds each step: a step of ≥ 1 week must end by the deadline
  (last day ``today + 7e − 1``), a zero-week step or an award must happen on or before
  it (``today + 7s``). The earliest finish week under the deadline equals the one
  without it whenever the deadline can be met, so one search gives both.
* ``min_hours_per_week`` and ``max_credentials_per_term`` (balanced plans only) play no
  part in route feasibility.
* A target already met by holdings and known levels makes the empty set a feasible
  route (key 0 …).
"""

from tests.oracle.core import Oracle, Outcome, still_valid
from tests.oracle.effort import Effort, effort_of
from tests.oracle.timing import intake_weeks

__all__ = ["Effort", "Oracle", "Outcome", "effort_of", "intake_weeks", "still_valid"]
