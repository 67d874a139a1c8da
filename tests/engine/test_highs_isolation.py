"""HiGHS models built by different modules must not disturb each other in one process."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_selection_still_solves_after_other_models_ran():
    # A fresh process, so the order (schedule first, then selection) is what is tested.
    code = textwrap.dedent("""
        import datetime as dt
        from planner.catalogue.models import Catalogue, Constraints, LearnerProfile, Target
        from planner.engine.routing import recommend
        from planner.engine.schedule import schedule_route
        cat = Catalogue.model_validate({
            "providers": [{"id": "p", "name": "P", "country": "NL", "kind": "university"}],
            "competencies": [{"id": "k", "label": "K"}],
            "credentials": [
                {"id": "a", "title": "A", "provider": "p", "type": "course", "cost": "10 EUR",
                 "duration_weeks": 2, "hours_per_week": 30, "teaches": [{"competency": "k", "level": 2}]},
                {"id": "b", "title": "B", "provider": "p", "type": "course", "cost": "20 EUR",
                 "duration_weeks": 3, "hours_per_week": 30, "requires": [{"credential": "a"}],
                 "teaches": [{"competency": "k", "level": 3}]}],
            "roles": [{"id": "r", "title": "R", "needs": [{"competency": "k", "level": 3}]}]})
        profile = LearnerProfile(constraints=Constraints(start=dt.date(2027, 1, 4), hours_per_week=40))
        import highspy
        first = highspy._Highs()  # any earlier model with default options, as schedule.py builds
        first.setOptionValue("output_flag", False)
        first.addVar(0.0, 1.0)
        first.run()
        for _ in range(3):
            schedule_route(cat, ["a", "b"], profile)
        rec = recommend(cat, profile, Target.parse("role:r"))
        assert rec.best is not None and rec.best.credential_ids == ("a", "b"), rec
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
