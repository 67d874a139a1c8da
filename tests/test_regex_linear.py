"""Every regular expression in ``planner/`` runs in linear time on hostile text.

The test walks every module of the package, collects the compiled patterns held at
module level, and searches each with adversarial strings (runs of one character between
a prefix and a suffix that make a match fail late). For the worst strings of each
pattern it measures how the time grows when the input grows eightfold: linear growth
gives about 8×, quadratic 64×. It asserts the growth exponent, never a wall time, and
measures this thread's CPU time so that other processes on a busy machine do not count.
"""

from __future__ import annotations

import importlib
import itertools
import math
import pkgutil
import re
import time

import pytest

import planner

FILLERS = [" ", "9", "a", "-", ".", "/", "\t", "\n", "A", "_", ":", "\\", '"', "P1", "1.", "- ", " a", "a-"]
PREFIXES = ["", "- ", "1. ", "P", "PT", "http://", "https://x", "level", "Criteria: ", "\n\nCriteria: ",
            '"@id": "', "a", "1", " "]
SUFFIXES = ["", "!", "a", "\n", " ", "\x00", '"', "/x"]
SCREEN_N = 2_000
SMALL_N, LARGE_N = 4_000, 32_000
# linear growth gives an exponent near 1, quadratic near 2
MAX_EXPONENT = 1.6


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found: dict[tuple[str, int], tuple[str, re.Pattern[str]]] = {}
    for info in pkgutil.walk_packages(planner.__path__, "planner."):
        if info.name.startswith("planner.ui") or info.name == "planner.__main__":
            continue  # Streamlit pages (no parsing patterns) and the script entry point
        module = importlib.import_module(info.name)
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.setdefault((value.pattern, value.flags), (f"{info.name}.{attr}", value))
    return sorted(found.values(), key=lambda item: item[0])


PATTERNS = _patterns()


def _per_call(pattern: re.Pattern[str], text: str) -> float:
    """CPU seconds per ``search`` call: best of 3 rounds, each long enough to be measurable."""
    best = math.inf
    for _ in range(3):
        loops, elapsed = 1, 0.0
        while True:
            start = time.thread_time()
            for _ in range(loops):
                pattern.search(text)
            elapsed = time.thread_time() - start
            if elapsed >= 0.005:
                break
            loops *= 4
        best = min(best, elapsed / loops)
    return best


def _worst_inputs(pattern: re.Pattern[str], count: int = 3) -> list[tuple[str, str, str]]:
    timed = []
    for prefix, filler, suffix in itertools.product(PREFIXES, FILLERS, SUFFIXES):
        text = prefix + filler * (SCREEN_N // len(filler)) + suffix
        start = time.thread_time()
        pattern.search(text)
        timed.append((time.thread_time() - start, (prefix, filler, suffix)))
    timed.sort(reverse=True)
    return [shape for _, shape in timed[:count]]


def test_patterns_are_collected():
    names = {name for name, _ in PATTERNS}
    # the importers' patterns are found (a walk that found nothing would prove nothing)
    assert "planner.interop.openbadges._BULLET_RE" in names
    assert any(name.startswith("planner.interop.ctdl.") for name in names)
    assert len(PATTERNS) >= 15


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_regex_grows_linearly(name, pattern):
    for prefix, filler, suffix in _worst_inputs(pattern):
        small = prefix + filler * (SMALL_N // len(filler)) + suffix
        large = prefix + filler * (LARGE_N // len(filler)) + suffix
        exponent = math.inf
        for _ in range(3):  # a busy machine can disturb one measurement; a quadratic pattern fails every time
            t_small, t_large = _per_call(pattern, small), _per_call(pattern, large)
            exponent = min(exponent, math.log(t_large / t_small) / math.log(LARGE_N / SMALL_N))
            if exponent < MAX_EXPONENT:
                break
        assert exponent < MAX_EXPONENT, (
            f"{name} ({pattern.pattern!r}) grows like n^{exponent:.2f} on "
            f"{prefix!r} + {filler!r}*n + {suffix!r}")


def _import_ctdl_with_level(tmp_path, level_id: str):
    import json

    from planner.interop import ctdl

    doc = {"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [
        {"@id": "https://example.org/c1", "@type": "ceterms:Certificate", "ceterms:name": "C1",
         "ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile", "ceterms:exactDuration": "P1W"}],
         "ceterms:creditValue": [{"@type": "ceterms:ValueProfile", "schema:value": 5,
                                  "ceterms:creditLevelType": [level_id]}]},
    ]}
    path = tmp_path / f"level-{len(level_id)}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    start = time.thread_time()
    result = ctdl.import_files([path])
    return time.thread_time() - start, result


def test_ctdl_id_ending_in_many_digits_is_linear(tmp_path):
    # an "@id" of thousands of digits and a letter: a trailing-number regex searched over it
    # took quadratic time (30,000 digits took 15 s), and the digits could hit int()'s limit
    small, _ = _import_ctdl_with_level(tmp_path, "https://x.org/" + "9" * 3_000 + "a")
    large, result = _import_ctdl_with_level(tmp_path, "https://x.org/" + "9" * 30_000 + "a")
    assert isinstance(result.problems, tuple)
    assert large / small < 10 ** MAX_EXPONENT, f"10x the digits took {large / small:.1f}x the time"


def test_trailing_number_reads_levels():
    from planner.interop.ctdl import trailing_number

    assert trailing_number("https://x.org/scqf/9") == 9
    assert trailing_number("https://x.org/scqf/10/") == 10
    assert trailing_number("level") is None
    assert trailing_number("9" * 5_000) is None  # no level has thousands of digits


def test_bullet_criteria_of_a_dash_and_spaces_are_linear():
    from planner.interop.openbadges import _split_criteria

    def timed(n: int) -> float:
        start = time.thread_time()
        _split_criteria("- " + " " * n)
        return time.thread_time() - start

    assert _split_criteria("- first\n2) second\n  * third  \nplain text") == (["first", "second", "third"],
                                                                            "plain text")
    small, large = min(timed(6_000) for _ in range(3)), min(timed(60_000) for _ in range(3))
    assert large / max(small, 1e-9) < 10 ** MAX_EXPONENT
