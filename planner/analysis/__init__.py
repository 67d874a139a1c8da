"""Institution analyses: stacking coverage, role reachability, gaps, orphans, quality, what-ifs.

Each analysis is a function returning a frozen dataclass of plain data that the UI, the
CLI and :mod:`planner.outputs.report` all use.
"""

from __future__ import annotations

from planner.analysis.coverage import AwardCoverage, CoverageResult, stacking_coverage
from planner.analysis.gaps import CompetencyGap, GapsResult, competency_gaps
from planner.analysis.orphans import OrphansResult, orphans_and_dead_ends
from planner.analysis.quality import QualityResult, quality_report
from planner.analysis.reachability import ReachabilityResult, role_reachability, typical_profile
from planner.analysis.recognition import CandidateAgreement, WhatIfResult, recognition_whatif

__all__ = [
    "AwardCoverage",
    "CandidateAgreement",
    "CompetencyGap",
    "CoverageResult",
    "GapsResult",
    "OrphansResult",
    "QualityResult",
    "ReachabilityResult",
    "WhatIfResult",
    "competency_gaps",
    "orphans_and_dead_ends",
    "quality_report",
    "recognition_whatif",
    "role_reachability",
    "stacking_coverage",
    "typical_profile",
]
