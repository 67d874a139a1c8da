"""The analyses on Dask give exactly the serial results; schedulers, progress and the CLI flag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from benchmarks.synthetic import generate
from planner._errors import PlannerError
from planner.analysis.parallel import DaskRunner, SerialRunner, runner
from planner.analysis.recognition import recognition_whatif
from planner.cli import main
from planner.outputs.report import build_report, to_json
from tests.analysis.test_analysis_coverage import mini_data

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")

DAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """Two in-process workers on TCP (reachable by address): the same task graph and data movement as
    processes, started fast."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                       dashboard_address=":0")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def bundled_serial(sample_catalogue):
    return build_report(sample_catalogue, as_of=DAY)


def _task_names(stream: object) -> set[str]:
    return {t["key"][0] if isinstance(t["key"], tuple) else str(t["key"]).rsplit("-", 1)[0]
            for t in stream.data}


def test_bundled_report_on_a_cluster_is_identical(sample_catalogue, bundled_serial, client) -> None:
    with distributed.get_task_stream(client) as stream:
        parallel = build_report(sample_catalogue, as_of=DAY, scheduler=client)
    assert to_json(parallel) == to_json(bundled_serial)
    assert parallel.whatif == bundled_serial.whatif and parallel.reachability == bundled_serial.reachability
    # the work really ran on the workers: one task kind per analysis
    names = " ".join(_task_names(stream))
    assert "_costs" in names and "_role_task" in names and "_award_batch" in names
    assert bundled_serial.whatif.searches > 50  # the comparison covers a real what-if


def test_synthetic_report_on_a_cluster_is_identical(client) -> None:
    cat = generate(100, seed=3)
    serial = build_report(cat, as_of=DAY, fastest=False)
    parallel = build_report(cat, as_of=DAY, fastest=False, scheduler=client)
    assert serial.whatif.candidates and serial.reachability.roles
    assert to_json(parallel) == to_json(serial)


@pytest.mark.slow
def test_whatif_on_a_local_process_cluster_is_identical(sample_catalogue, bundled_serial) -> None:
    # "local": worker processes, one per core, started and closed by the call
    result = recognition_whatif(sample_catalogue, as_of=DAY, scheduler="local")
    assert result == bundled_serial.whatif


def test_progress_counts_every_task(client) -> None:
    for run in (SerialRunner(), DaskRunner(client)):
        seen: list[tuple[int, int]] = []
        out = run.map(pow, [1, 2, 3, 4], common=(3,), progress=lambda d, t, seen=seen: seen.append((d, t)))
        assert out == [3, 9, 27, 81]  # task order, whatever order the workers finish in
        assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


@pytest.mark.parametrize("reuse", [True, False])
def test_whatif_progress_ends_at_its_task_count(sample_catalogue, bundled_serial, reuse) -> None:
    seen: list[tuple[int, int]] = []
    award = bundled_serial.whatif.candidates[0].award_id
    result = recognition_whatif(sample_catalogue, award=award, as_of=DAY, reuse=reuse,
                                progress=lambda d, t: seen.append((d, t)))
    # sharing the work, a task is one target with every candidate measured on it; otherwise one
    # baseline target, or one candidate on all its targets
    total = len(result.baseline) + (0 if reuse else len(result.candidates))
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) == total + 1


def test_unknown_scheduler_is_a_plain_error() -> None:
    with pytest.raises(PlannerError, match="unknown scheduler"), runner("nonsense"):
        pass


@pytest.fixture()
def mini_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir()
    (folder / "all.yaml").write_text(yaml.safe_dump(mini_data(), sort_keys=False), encoding="utf-8")
    return folder


def test_cli_scheduler_by_address_matches_serial(mini_dir: Path, client, capsys: pytest.CaptureFixture) -> None:
    args = ["coverage", str(mini_dir), "--format", "json", "--as-of", "2026-01-01"]
    assert main([*args, "--scheduler", "none"]) == 0
    serial = capsys.readouterr().out
    with distributed.get_task_stream(client) as stream:
        assert main([*args, "--scheduler", client.scheduler.address, "--progress"]) == 0
    out, err = capsys.readouterr()
    assert out == serial
    assert "_costs" in " ".join(_task_names(stream))
    assert "recognition what-if" in err and "role reachability" in err  # the progress bars


def test_cli_bad_scheduler_exits_1(mini_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["coverage", str(mini_dir), "--scheduler", "somewhere"]) == 1
    err = capsys.readouterr().err
    assert "unknown scheduler" in err and "Traceback" not in err
