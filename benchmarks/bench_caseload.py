"""The advisor's caseload at scale: page server time and `planner plans check` over saved plans.

Fills a store with 500 learners and 5,000 plan versions (1,000 plans × 5 versions, on the
bundled catalogue's roles, a tenth of them saved against an older price list so that they
show a drift badge, and progress recorded on a third), all through the store's own API as one
advisor's caseload. Then:

* the caseload page, driven with Streamlit's AppTest (the script runs exactly as on the
  server, minus the websocket): server time per interaction (the list, search, drift
  filter, a learner's details and progress, a one-click re-plan) — goal ≤ 300 ms;
* the store call behind the list (``Store.caseload`` with drift badges) on its own;
* ``check_plans`` (what ``planner plans check`` runs) over the 5,000 versions' 1,000 current
  plans after a catalogue change (a price rise and a retired credential), with the
  feasibility searches of the changed plans.

Run: ``python benchmarks/bench_caseload.py [--learners 500] [--rounds 5] [--database URL]``
(default: a new SQLite file in a temporary folder). Prints the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_MS = 300.0
START = dt.date(2027, 1, 4)


def _ms(start: float) -> float:
    return 1000 * (time.perf_counter() - start)


def _changed(catalogue, edit):
    from planner.catalogue.models import Catalogue

    data = catalogue.model_dump(mode="json", by_alias=True, exclude_none=True)
    edit(data)
    return Catalogue.model_validate(data)


def _credential(data, cid):
    return next(c for c in data["credentials"] if c["id"] == cid)


def fill(store, catalogue, learners: int, plans_per: int, versions_per: int):
    """Populate one advisor's caseload; return the advisor and the route searches used."""
    from planner.engine.routing import recommend
    from planner.engine.scenario import Scenario
    from planner.store.access import Role
    from planner.store.identity import Identity

    advisor = store.user_for(Identity("https://idp.example", "advisor-1", name="Ada Advisor"), role=Role.ADVISOR)
    answers = []
    for role in sorted(catalogue.roles, key=lambda r: r.id):
        scenario = Scenario(target=f"role:{role.id}", start=START)
        rec = recommend(catalogue, scenario.to_profile(), scenario.to_target(), today=START)
        if rec.feasible and rec.best.credential_ids:
            answers.append((scenario, rec))
    firsts = {rec.best.credential_ids[0] for _, rec in answers}

    def older_prices(data):  # the price list these plans were saved against: every first step cost 99 EUR
        for cid in firsts:
            _credential(data, cid)["cost"] = {"amount": 99.0, "currency": "EUR"}

    older = _changed(catalogue, older_prices)
    n = 0
    for i in range(learners):
        learner = store.create_learner(advisor, f"Learner {i:04d}")
        for j in range(plans_per):
            scenario, rec = answers[(i * plans_per + j) % len(answers)]
            basis = older if n % 10 == plans_per - 1 else catalogue  # a tenth of the current plans
            saved = None
            for v in range(versions_per):
                saved = store.save_plan(advisor, learner.id, scenario=scenario, catalogue=basis, recommendation=rec,
                                        notes=f"meeting {v + 1}", plan_id=saved.plan_id if saved else None,
                                        based_on=saved.version if saved else None)
            if n % 3 == 0:
                store.set_progress(advisor, saved.plan_id, saved.chosen[0], "completed", on=START)
            n += 1
    return advisor, answers


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--plans", type=int, default=2, help="plans per learner (default 2)")
    parser.add_argument("--versions", type=int, default=5, help="versions per plan (default 5)")
    parser.add_argument("--rounds", type=int, default=5, help="repeats of each page interaction (default 5)")
    parser.add_argument("--database", metavar="URL", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-caseload-')) / 'store.sqlite3'}"
    os.environ["PLANNER_DATABASE_URL"] = url
    os.environ["PLANNER_ADVISORS"] = "https://idp.example|advisor-1"

    from streamlit.testing.v1 import AppTest

    from planner.catalogue.loader import default_catalogue_dir, load
    from planner.store.identity import Identity
    from planner.store.records import open_store
    from planner.store.replan import check_plans

    catalogue = load(default_catalogue_dir())
    store = open_store(url)
    t = time.perf_counter()
    advisor, answers = fill(store, catalogue, args.learners, args.plans, args.versions)
    fill_s = _ms(t) / 1000
    with store.engine.connect() as conn:
        versions = conn.exec_driver_sql("SELECT count(*) FROM plan_versions").scalar()
        plans = conn.exec_driver_sql("SELECT count(*) FROM plans").scalar()
    print(f"store: {url.split('://')[0]}, {args.learners} learners, {plans} plans, {versions} plan versions "
          f"({len(answers)} distinct routes), filled in {fill_s:.1f} s through the store API")

    timings: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        t = time.perf_counter()
        rows = store.caseload(advisor, catalogue=catalogue)
        timings.setdefault("Store.caseload with drift badges (direct call)", []).append(_ms(t))
    drifted = sum(1 for r in rows if r.drift)

    # the page as the signed-in advisor: current_identity() is patched, the rest is the real page
    import planner.ui.records as records

    records.current_identity = lambda: Identity("https://idp.example", "advisor-1", name="Ada Advisor")
    at = AppTest.from_string("from planner.ui.caseload_page import page\npage()\n", default_timeout=300)
    t = time.perf_counter()
    at.run()
    first_ms = _ms(t)
    if at.exception:
        print("the page failed:", [e.value for e in at.exception])
        return 1
    learner_id = rows[1].learner_id
    drifted_id = next(r.learner_id for r in rows if r.drift)
    steps = [
        ("view the list again", lambda: None),
        ("search a name", lambda: at.text_input(key="cl_query").set_value("Learner 04")),
        ("clear the search", lambda: at.text_input(key="cl_query").set_value("")),
        ("only drifted plans", lambda: at.toggle(key="cl_only_drift").set_value(True)),
        ("all plans", lambda: at.toggle(key="cl_only_drift").set_value(False)),
        ("choose a learner (details, progress)", lambda: at.selectbox(key="cl_selected").set_value(learner_id)),
        ("close the learner", lambda: at.selectbox(key="cl_selected").set_value(None)),
        ("re-plan a drifted plan (runs the engine)", lambda: at.button(key=f"cl_replan_{drifted_id}").click()),
        ("close the re-plan", lambda: at.selectbox(key="cl_selected").set_value(None)),
    ]
    for _ in range(args.rounds):
        for label, act in steps:
            act()
            t = time.perf_counter()
            at.run()
            timings.setdefault(f"page: {label}", []).append(_ms(t))
            if at.exception:
                print(label, "failed:", [e.value for e in at.exception])
                return 1

    print(f"\nCaseload page, first view (imports, catalogue load, migration check): {first_ms:.0f} ms; "
          f"{drifted} of {len(rows)} learners' current plans drifted")
    print(f"\n| interaction | n | p50 ms | max ms | within {GOAL_MS:.0f} ms |")
    print("|---|---|---|---|---|")
    for label, values in timings.items():
        ok = sum(v <= GOAL_MS for v in values)
        print(f"| {label} | {len(values)} | {statistics.median(values):.0f} | {max(values):.0f} | "
              f"{ok}/{len(values)} |")

    # a catalogue change: a price rise on the most used first step, and a retired credential
    common = answers[0][1].best.credential_ids
    rise, gone = common[0], answers[1][1].best.credential_ids[-1]

    def edit(data):
        _credential(data, rise)["cost"] = {"amount": 480.0, "currency": "EUR"}
        data["credentials"].remove(_credential(data, gone))

    new = _changed(catalogue, edit)
    for label, feasibility in (("facts only (--no-search)", False), ("with feasibility searches", True)):
        t = time.perf_counter()
        results = check_plans(store, new, advisor, today=START, feasibility=feasibility)
        took = _ms(t) / 1000
        bad = [r for r in results if not r.holds]
        infeasible = sum(any(d.code == "infeasible" for d in r.reasons) for r in bad)
        print(f"\nplans check, {label}: {len(results)} current plans ({versions} versions) in {took:.2f} s; "
              f"{len(bad)} no longer hold, {infeasible} of them with no route any more "
              f"({1000 * took / max(1, len(results)):.2f} ms per plan)")
    store.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
